"""Pages of Whole Child Model population transitions (under /transitions/population/).

List and creation; the preview of the affected children before anything happens, then "confirm";
the progress dashboard (hand-over files and their clocks, notices per wave, calls, readiness, bulk
jobs with an htmx-polled progress partial); the children, the families to follow up, continuity-of-care
agreements, the welcome call list and the FAQ upload. Each view loads through
:mod:`transitions.population_selectors` and calls one service; a ``RuleViolation`` comes back beside
its field.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from carecoord.accounts.models import County, Organization, User
from carecoord.errors import RuleViolation
from cases.selectors import may_write_case_records, require_case_change

from . import population_services as svc
from .population import BulkJob, DataDelivery, FaqShare, NoticeWave, PopulationTransition, ReadinessItem, WelcomeCall
from .population_selectors import (
    coc_agreements_visible_to, dashboard, follow_up_families, may_create, may_manage, population_transition_get_for_user,
    population_transitions_visible_to, transition_members_visible_to, require_welcome_call_change, welcome_call_get_for_user, welcome_calls_visible_to,
)

PAGE_SIZE = 50


def _record(request, *, members, records, action: str = "list") -> None:
    from carecoord.audit.access import record_access

    if members:
        record_access(request, members=list(members), action=action, records=list(records))


def _apply(form, exc: RuleViolation) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _require_manage(user, transition) -> None:
    if not may_manage(user=user, county_program=transition.county_program):
        raise PermissionDenied


# --------------------------------------------------------------------------- forms


class DateInput(forms.DateInput):
    input_type = "date"


class TransitionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("e.g. “Sacramento County to the Whole Child Model, July 2027”."))
    county = forms.ModelChoiceField(label=_("County"), queryset=County.objects.order_by("name"))
    county_program = forms.ModelChoiceField(label=_("County CCS program"),
                                            queryset=Organization.objects.filter(type=Organization.Type.CCS_COUNTY).order_by("name"))
    plans = forms.ModelMultipleChoiceField(label=_("Receiving plans"), widget=forms.CheckboxSelectMultiple,
                                           queryset=Organization.objects.filter(type=Organization.Type.MCP).order_by("name"))
    transition_date = forms.DateField(label=_("Transition date"), widget=DateInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not user.is_superuser and user.organization_id:
            self.fields["county_program"].queryset = Organization.objects.filter(pk=user.organization_id)
            self.fields["county_program"].initial = user.organization_id
            if user.organization.county_id:
                self.fields["county"].initial = user.organization.county_id


class ReadinessItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Item"), choices=ReadinessItem.Kind.choices)
    title = forms.CharField(label=_("What must be done"), max_length=200)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due"), widget=DateInput)

    def __init__(self, *args, transition=None, **kwargs):
        super().__init__(*args, **kwargs)
        if transition is not None:
            self.fields["owner"].queryset = User.objects.filter(
                is_active=True, organization__in=[transition.county_program_id, *transition.plans.values_list("pk", flat=True)]
            ).order_by("last_name", "first_name")


class CallForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[c for c in WelcomeCall.Outcome.choices if c[0] != "pending"])
    questions = forms.CharField(label=_("Questions or concerns"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    follow_up_on = forms.DateField(label=_("Follow up on"), widget=DateInput, required=False)


class FaqForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("FAQ (PDF)"))
    audiences = forms.MultipleChoiceField(label=_("Shared with"), choices=FaqShare.Audience.choices,
                                          widget=forms.CheckboxSelectMultiple)


# --------------------------------------------------------------------------- list, create, preview, confirm


@login_required
def population_list(request):
    transitions = population_transitions_visible_to(user=request.user).prefetch_related("plans")
    return render(request, "transitions/population/list.html", {"transitions": transitions, "may_create": may_create(user=request.user)})


@login_required
def population_create(request):
    if not may_create(user=request.user):
        raise PermissionDenied
    form = TransitionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            transition = svc.population_transition_create(created_by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            _apply(form, exc)
        else:
            return redirect("transitions:population_detail", transition.pk)
    return render(request, "transitions/population/create.html", {"form": form})


def _preview(request, transition):
    cases = svc.affected_cases(county=transition.county, plan_ids=transition.plans.values_list("pk", flat=True))
    from cases.selectors import case_list_visible_to

    visible = cases.filter(pk__in=case_list_visible_to(user=request.user).values("pk")).select_related("member", "primary_case_manager")
    page = Paginator(visible, PAGE_SIZE).get_page(request.GET.get("page"))
    plans = dict(transition.plans.values_list("pk", "name"))
    for case in page:
        case.receiving_plan_name = plans.get(case.receiving_plan_id, "")
    _record(request, members=[c.member_id for c in page], records=[("cases.case", c.pk) for c in page])
    return render(request, "transitions/population/preview.html", {
        "transition": transition, "count": cases.count(), "page": page, "visible_count": page.paginator.count,
        "may_manage": may_manage(user=request.user, county_program=transition.county_program),
    })


@login_required
def population_detail(request, transition_id: int):
    transition = population_transition_get_for_user(user=request.user, transition_id=transition_id)
    if transition.status == PopulationTransition.Status.DRAFT:
        return _preview(request, transition)
    d = dashboard(transition=transition)
    return render(request, "transitions/population/dashboard.html", {
        "transition": transition, "d": d, "waves": NoticeWave.choices, "now": timezone.now(),
        "polling_jobs": any(job.is_live for job in d["jobs"]),
        "file_kinds": DataDelivery.Kind.choices, "plans": list(transition.plans.all()),
        "may_manage": may_manage(user=request.user, county_program=transition.county_program), "today": timezone.localdate(),
    })


@login_required
@require_POST
def population_confirm(request, transition_id: int):
    transition = population_transition_get_for_user(user=request.user, transition_id=transition_id)
    _require_manage(request.user, transition)
    try:
        transition = svc.population_transition_confirm(transition=transition, by=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _t("%(n)s children confirmed; the hand-over and notice clocks are running.") % {"n": transition.member_count})
    return redirect("transitions:population_detail", transition.pk)


@login_required
@require_POST
def population_ready(request, transition_id: int):
    transition = population_transition_get_for_user(user=request.user, transition_id=transition_id)
    _require_manage(request.user, transition)
    try:
        svc.population_transition_mark_ready(transition=transition, by=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _t("The plan is marked ready."))
    return redirect("transitions:population_detail", transition.pk)


# --------------------------------------------------------------------------- bulk jobs and progress


@login_required
@require_POST
def population_job_start(request, transition_id: int):
    transition = population_transition_get_for_user(user=request.user, transition_id=transition_id)
    _require_manage(request.user, transition)
    try:
        svc.bulk_job_start(transition=transition, kind=request.POST.get("kind", ""), wave=request.POST.get("wave", ""), by=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _t("The job is queued; its progress shows below."))
    return redirect("transitions:population_detail", transition.pk)


@login_required
@require_POST
def population_job_resume(request, transition_id: int, job_id: int):
    transition = population_transition_get_for_user(user=request.user, transition_id=transition_id)
    _require_manage(request.user, transition)
    job = get_object_or_404(BulkJob, pk=job_id, transition=transition)
    try:
        svc.bulk_job_resume(job=job, by=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _t("The job was handed back to a worker."))
    return redirect("transitions:population_detail", transition.pk)


@login_required
def population_progress(request, transition_id: int):
    """The jobs' progress bars (an htmx partial the dashboard polls while a job is live)."""
    transition = population_transition_get_for_user(user=request.user, transition_id=transition_id)
    jobs = list(BulkJob.objects.filter(transition=transition).order_by("-created_at")[:10])
    return render(request, "transitions/population/_progress.html", {
        "transition": transition, "jobs": jobs, "polling": any(j.is_live for j in jobs), "now": timezone.now(),
        "may_manage": may_manage(user=request.user, county_program=transition.county_program)})


# --------------------------------------------------------------------------- readiness


@login_required
def population_readiness_add(request, transition_id: int):
    transition = population_transition_get_for_user(user=request.user, transition_id=transition_id)
    _require_manage(request.user, transition)
    form = ReadinessItemForm(request.POST or None, transition=transition)
    if request.method == "POST" and form.is_valid():
        try:
            svc.readiness_item_add(transition=transition, by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            _apply(form, exc)
        else:
            return redirect("transitions:population_detail", transition.pk)
    return render(request, "transitions/population/form.html", {"transition": transition, "form": form,
                                                                "title": _t("Add a readiness item"), "submit": _t("Add")})


@login_required
@require_POST
def population_readiness_done(request, item_id: int):
    item = get_object_or_404(ReadinessItem, pk=item_id)
    transition = population_transition_get_for_user(user=request.user, transition_id=item.transition_id)
    try:
        svc.readiness_item_complete(item=item, by=request.user, note=request.POST.get("note", ""))
    except RuleViolation as exc:
        messages.error(request, exc.message)
    return redirect("transitions:population_detail", transition.pk)


# --------------------------------------------------------------------------- children, follow-up, continuity


@login_required
def population_members(request, transition_id: int):
    transition = population_transition_get_for_user(user=request.user, transition_id=transition_id)
    page = Paginator(transition_members_visible_to(user=request.user, transition=transition), PAGE_SIZE).get_page(request.GET.get("page"))
    _record(request, members=[tm.member_id for tm in page], records=[("cases.case", tm.case_id) for tm in page])
    return render(request, "transitions/population/members.html", {"transition": transition, "page": page})


@login_required
def population_follow_up(request, transition_id: int):
    transition = population_transition_get_for_user(user=request.user, transition_id=transition_id)
    if request.method == "POST":
        family_notice = get_object_or_404(follow_up_families(user=request.user, transition=transition), pk=request.POST.get("family_notice"))
        # Reaching the family is the child's case work: a plan liaison or a worker the case was shared with reads the list.
        require_case_change(user=request.user, case=family_notice.transition_member.case)
        svc.family_follow_up_done(family_notice=family_notice, by=request.user)
        messages.success(request, _t("Recorded."))
        return redirect("transitions:population_follow_up", transition.pk)
    page = Paginator(follow_up_families(user=request.user, transition=transition), PAGE_SIZE).get_page(request.GET.get("page"))
    for family_notice in page:
        family_notice.may_record = may_write_case_records(user=request.user, case=family_notice.transition_member.case)
    _record(request, members=[fn.transition_member.member_id for fn in page],
            records=[("transitions.familynotice", fn.pk) for fn in page])
    return render(request, "transitions/population/follow_up.html", {"transition": transition, "page": page})


@login_required
def population_continuity(request, transition_id: int):
    transition = population_transition_get_for_user(user=request.user, transition_id=transition_id)
    page = Paginator(coc_agreements_visible_to(user=request.user, transition=transition), PAGE_SIZE).get_page(request.GET.get("page"))
    _record(request, members=[a.transition_member.member_id for a in page],
            records=[("transitions.continuityofcareagreement", a.pk) for a in page])
    return render(request, "transitions/population/continuity.html", {"transition": transition, "page": page})


# --------------------------------------------------------------------------- welcome calls and FAQs


@login_required
def population_calls(request, transition_id: int):
    transition = population_transition_get_for_user(user=request.user, transition_id=transition_id)
    calls = welcome_calls_visible_to(user=request.user, transition=transition)
    outcome = request.GET.get("outcome", "")
    if outcome in WelcomeCall.Outcome.values:
        calls = calls.filter(outcome=outcome)
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    _record(request, members=[c.transition_member.member_id for c in page], records=[("transitions.welcomecall", c.pk) for c in page])
    return render(request, "transitions/population/calls.html", {"transition": transition, "page": page, "outcome": outcome,
                                                                 "outcomes": WelcomeCall.Outcome.choices})


@login_required
def population_call_record(request, call_id: int):
    call = welcome_call_get_for_user(user=request.user, call_id=call_id)
    require_welcome_call_change(user=request.user, call=call)
    transition = call.transition_member.transition
    form = CallForm(request.POST or None, initial={"outcome": call.outcome if call.outcome != "pending" else "reached"})
    if request.method == "POST" and form.is_valid():
        try:
            svc.welcome_call_record(call=call, by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            _apply(form, exc)
        else:
            messages.success(request, _t("Call recorded."))
            return redirect("transitions:population_calls", transition.pk)
    _record(request, members=[call.transition_member.member_id], records=[("transitions.welcomecall", call.pk)], action="view")
    return render(request, "transitions/population/form.html", {
        "transition": transition, "form": form, "submit": _t("Save"),
        "title": _t("Welcome call: %(name)s") % {"name": call.transition_member.member.full_name}, "call": call})


@login_required
def population_faq(request, transition_id: int):
    transition = population_transition_get_for_user(user=request.user, transition_id=transition_id)
    _require_manage(request.user, transition)
    form = FaqForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.faq_share(transition=transition, uploaded_file=form.cleaned_data["file"], title=form.cleaned_data["title"],
                          audiences=form.cleaned_data["audiences"], by=request.user)
        except RuleViolation as exc:
            _apply(form, exc if exc.field in form.fields else RuleViolation(exc.message, field="file", rule=exc.rule))
        else:
            messages.success(request, _t("FAQ shared."))
            return redirect("transitions:population_detail", transition.pk)
    return render(request, "transitions/population/form.html", {"transition": transition, "form": form, "multipart": True,
                                                                "title": _t("Share a FAQ with call centers"), "submit": _t("Share")})


@login_required
def population_file_check(request, transition_id: int, kind: str, plan_id: int):
    """County staff check a hand-over file before the plan takes it (nothing is disclosed or delivered)."""
    transition = population_transition_get_for_user(user=request.user, transition_id=transition_id)
    _require_manage(request.user, transition)
    from cases.selectors import case_list_visible_to

    plan = get_object_or_404(transition.plans.all(), pk=plan_id)
    children = transition.members.filter(plan=plan)
    if children.exclude(case__in=case_list_visible_to(user=request.user)).exists():
        raise PermissionDenied  # the file holds children this user may not see
    try:
        filename, content, _delivery = svc.handover_file_produce(transition=transition, kind=kind, plan=plan, user=request.user,
                                                                 deliver=False)
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect("transitions:population_detail", transition.pk)
    _record(request, members=children.values_list("member_id", flat=True), records=[("transitions.populationtransition", transition.pk)],
            action="export")
    response = HttpResponse(content, content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
