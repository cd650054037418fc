"""Browser pages of notices: create on a case, preview (HTML and inline PDF), send, mark mailed or returned.

Every page starts from the case and notice selectors (not visible → 404) and
records what it showed.
"""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from carecoord.audit.access import record_access
from carecoord.errors import RuleViolation
from cases.selectors import case_editable_by, case_get_for_user, case_list_visible_to

from . import appeals, services
from .forms import (
    AppealAcknowledgeForm, AppealDecideForm, AppealRecordForm, MarkMailedForm, MarkReturnedForm, NoticeCreateForm,
)
from .models import Appeal
from .selectors import notice_get_for_user


def _may_act(user, case) -> bool:
    # Plan liaisons read and acknowledge (through the API); they do not write the county's letters. Nor does
    # anyone who may only read the case (case_editable_by).
    return getattr(user, "role", "") != "plan_liaison" and (case is None or case_editable_by(user=user, case=case))


def _show_error(form, error: RuleViolation) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def notice_new(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    if not _may_act(request.user, case):
        return HttpResponse(status=403)
    form = NoticeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = services.notice_create(
                kind=data["kind"], member=case.member, case=case, recipient_kind=data["recipient_kind"],
                recipient_org=data["recipient_org"], recipient_name=data["recipient_name"], channel=data["channel"],
                context=form.context(), action_date=data["action_date"], language=data["letter_language"] or None,
                created_by=request.user,
            )
        except RuleViolation as error:
            _show_error(form, error)
        else:
            messages.success(request, _("The notice is ready to check and send."))
            return redirect("notices:detail", pk=notice.pk)
    return render(request, "notices/notice_form.html", {"case": case, "form": form})


def notice_detail(request, pk: int):
    notice = notice_get_for_user(user=request.user, notice_id=pk)
    record_access(request, members=[notice.member], action="view", records=[("notices.notice", notice.pk)])
    return render(request, "notices/notice_detail.html", {
        "notice": notice, "events": notice.events.select_related("by"), "may_act": _may_act(request.user, notice.case),
        "mailed_form": MarkMailedForm(), "returned_form": MarkReturnedForm(),
        "pages": notice.body.split("\f"),
    })


@xframe_options_sameorigin
def notice_pdf_view(request, pk: int):
    notice = notice_get_for_user(user=request.user, notice_id=pk)
    record_access(request, members=[notice.member], action="download", records=[("notices.notice", notice.pk)])
    response = HttpResponse(services.notice_pdf(notice=notice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    # The preview page shows the letter in a frame of its own origin.
    response["Content-Security-Policy"] = "frame-ancestors 'self'"
    response["Cache-Control"] = "no-store"
    return response


def _action(request, pk: int, run, form_class=None):
    notice = notice_get_for_user(user=request.user, notice_id=pk)
    if not _may_act(request.user, notice.case):
        return HttpResponse(status=403)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("notices:detail", pk=notice.pk)
    try:
        run(notice, form.cleaned_data if form else {})
    except RuleViolation as error:
        messages.error(request, error.message)
    return redirect("notices:detail", pk=notice.pk)


@require_POST
def notice_send_view(request, pk: int):
    def run(notice, _data):
        services.notice_send(notice=notice, by=request.user)
        messages.success(request, _("The notice is queued for sending."))
    return _action(request, pk, run)


@require_POST
def notice_mailed_view(request, pk: int):
    def run(notice, data):
        services.notice_mark_mailed(notice=notice, mailed_on=data["mailed_on"], by=request.user)
        messages.success(request, _("The letter is recorded as mailed."))
    return _action(request, pk, run, MarkMailedForm)


@require_POST
def notice_returned_view(request, pk: int):
    def run(notice, data):
        services.notice_mark_returned(notice=notice, reason=data["reason"], by=request.user)
        messages.success(request, _("The returned letter is recorded and a follow-up task was added."))
    return _action(request, pk, run, MarkReturnedForm)


# ------------------------------------------------------------------ grievances, appeals and hearings

def _appeals_tab(case) -> str:
    return reverse("case_detail", args=[case.pk]) + "?tab=appeals#section-appeals"


def appeal_new(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    if not _may_act(request.user, case):
        return HttpResponse(status=403)
    form = AppealRecordForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = appeals.appeal_record(
                kind=data["kind"], member=case.member, case=case, notice=data["notice"], appeal_of=data["appeal_of"],
                received_at=data["received_at"], expedited=data["expedited"], summary=data["summary"], by=request.user)
        except RuleViolation as error:
            _show_error(form, error)
        else:
            messages.success(request, _("%(appeal)s recorded; its clocks are running.") % {"appeal": appeal.get_kind_display()})
            return redirect(_appeals_tab(case))
    return render(request, "notices/appeal_form.html", {"case": case, "form": form})


def _appeal_action(request, pk: int, form_class, run):
    """Acknowledge or decide an appeal of a case the user may see; errors come back as messages on the tab."""
    appeal = get_object_or_404(Appeal.objects.filter(case__in=case_list_visible_to(user=request.user)), pk=pk)
    if not _may_act(request.user, appeal.case):
        return HttpResponse(status=403)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[name].label}: {error}" if name in form.fields else str(error)
                                         for name, errors in form.errors.items() for error in errors))
        return redirect(_appeals_tab(appeal.case))
    try:
        run(appeal, form.cleaned_data)
    except RuleViolation as error:
        label = form.fields[error.field].label if error.field in form.fields else ""
        messages.error(request, f"{label}: {error.message}" if label else error.message)
    return redirect(_appeals_tab(appeal.case))


@require_POST
def appeal_acknowledge_view(request, pk: int):
    def run(appeal, data):
        appeals.appeal_acknowledge(appeal=appeal, at=data["acknowledged_at"], by=request.user)
        messages.success(request, _("The acknowledgment is recorded."))
    return _appeal_action(request, pk, AppealAcknowledgeForm, run)


@require_POST
def appeal_decide_view(request, pk: int):
    def run(appeal, data):
        appeals.appeal_decide(appeal=appeal, outcome=data["outcome"], at=data["decided_at"], notes=data["decision_notes"],
                              by=request.user)
        messages.success(request, _("The decision is recorded."))
    return _appeal_action(request, pk, AppealDecideForm, run)
