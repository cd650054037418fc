"""Browser pages of consents: a member's consents at a glance with the gaps that block work,
forms to record each kind, revoke, record an expiry event, and the accounting of disclosures
(page, request for the list, the list produced as CSV). Thin: selector in, service call, render.
"""
from __future__ import annotations


from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carecoord.audit.access import record_access
from carecoord.errors import RuleViolation
from carecoord.spreadsheets import csv_writer
from cases.documents import document_upload
from cases.forms import add_rule_violation
from cases.selectors import member_cases_editable_by, member_get_for_user, member_records_editable_by

from . import services
from .forms import ConsentForm, DisclosureListRequestForm, ExpiryEventForm, RevokeForm
from .models import ConsentKind, DataCategory
from .selectors import (
    consent_get_for_user,
    consent_list_for_user,
    consent_summary_for,
    disclosure_list_request_get_for_user,
    disclosure_list_requests_for_member,
    disclosures_for_member,
)

def _refuse():
    return HttpResponseForbidden(_("Only the program staff responsible for one of the member's cases can record or "
                                   "change the member's consents."))


def member_consents(request, member_id: int):
    member, consents = consent_list_for_user(user=request.user, member_id=member_id)
    summary = consent_summary_for(member=member, user=request.user)
    consents = list(consents)
    record_access(request, members=[member], action="view", records=[("consents.consent", c.pk) for c in consents])
    return render(request, "consents/member_consents.html", {
        "member": member, "consents": consents, "summary": summary, "kinds": ConsentKind.choices,
        "may_edit": member_records_editable_by(user=request.user, member=member), "now": timezone.now(),
    })


def consent_create(request, member_id: int, kind: str):
    if kind not in ConsentKind.values:
        raise Http404("No such kind of consent")
    member = member_get_for_user(user=request.user, member_id=member_id)
    if not member_records_editable_by(user=request.user, member=member):
        return _refuse()
    # A consent is filed with one of the cases the user may change, not one they may only read.
    cases = member_cases_editable_by(user=request.user, member=member)
    form = ConsentForm(request.POST or None, request.FILES or None, kind=kind, cases=cases,
                       initial={"effective_on": timezone.localdate(), "obtained_at": timezone.localtime().replace(second=0, microsecond=0),
                                "case": cases.exclude(status="closed").first()})
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        try:
            with transaction.atomic():
                document = None
                upload = form.cleaned_data.get("document_file")
                if upload:
                    document = document_upload(uploaded_file=upload, kind="signed_consent", member=member,
                                               case=data.get("case"), uploaded_by=request.user,
                                               title=_("Signed consent: %(kind)s") % {"kind": ConsentKind(kind).label},
                                               data_category=DataCategory.SUD if DataCategory.SUD in data["data_categories"] else DataCategory.GENERAL,
                                               field="document_file")
                obtained_by = request.user if kind == ConsentKind.ECM_VERBAL else None
                consent = services.consent_record(member=member, kind=kind, recorded_by=request.user, document=document,
                                                  obtained_by=obtained_by, **data)
        except RuleViolation as error:
            add_rule_violation(form, error)
        else:
            messages.success(request, _("%(kind)s recorded.") % {"kind": consent.get_kind_display()})
            return redirect("consents:member_consents", member_id=member.pk)
    return render(request, "consents/consent_form.html", {
        "member": member, "form": form, "kind": kind, "kind_label": ConsentKind(kind).label,
    })


def consent_detail(request, consent_id: int):
    consent = consent_get_for_user(user=request.user, consent_id=consent_id)
    record_access(request, members=[consent.member_id], action="view", records=[("consents.consent", consent.pk)],
                  part2=consent.is_part2)
    return render(request, "consents/consent_detail.html", {
        "consent": consent, "member": consent.member, "revoke_form": RevokeForm(), "event_form": ExpiryEventForm(),
        "may_edit": member_records_editable_by(user=request.user, member=consent.member), "status": consent.status(),
        "disclosures": consent.disclosures.select_related("recipient", "disclosed_by")[:50],
    })


def consent_revoke(request, consent_id: int):
    consent = consent_get_for_user(user=request.user, consent_id=consent_id)
    if not member_records_editable_by(user=request.user, member=consent.member):
        return _refuse()
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_revoke(consent=consent, revoked_by=request.user, in_writing=form.cleaned_data["in_writing"],
                                    note=form.cleaned_data["note"])
        except RuleViolation as error:
            add_rule_violation(form, error)
        else:
            messages.success(request, _("The consent is revoked. Nothing more goes out under it."))
            return redirect("consents:consent_detail", consent_id=consent.pk)
    record_access(request, members=[consent.member_id], action="view", records=[("consents.consent", consent.pk)])
    return render(request, "consents/consent_revoke.html", {"consent": consent, "member": consent.member, "form": form})


@require_POST
def consent_expiry_event(request, consent_id: int):
    consent = consent_get_for_user(user=request.user, consent_id=consent_id)
    if not member_records_editable_by(user=request.user, member=consent.member):
        return _refuse()
    form = ExpiryEventForm(request.POST)
    form.is_valid()
    try:
        services.consent_expire_by_event(consent=consent, recorded_by=request.user, note=form.cleaned_data.get("note", ""))
    except RuleViolation as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Expiration event recorded; the consent has ended."))
    return redirect("consents:consent_detail", consent_id=consent.pk)


def member_disclosures(request, member_id: int):
    member = member_get_for_user(user=request.user, member_id=member_id)
    form = DisclosureListRequestForm(request.POST or None)
    if request.method == "POST":
        if not member_records_editable_by(user=request.user, member=member):
            return _refuse()
        if form.is_valid():
            try:
                services.disclosure_list_request(member=member, recorded_by=request.user,
                                                 requested_by_name=form.cleaned_data["requested_by_name"],
                                                 requested_at=form.cleaned_data["requested_at"])
            except RuleViolation as error:
                add_rule_violation(form, error)
            else:
                messages.success(request, _("Request recorded. The list is due within 30 days."))
                return redirect("consents:member_disclosures", member_id=member.pk)
    disclosures = list(disclosures_for_member(member=member))
    record_access(request, members=[member], action="list", records=[("consents.disclosure", d.pk) for d in disclosures])
    return render(request, "consents/member_disclosures.html", {
        "member": member, "disclosures": disclosures, "form": form, "may_edit": member_records_editable_by(user=request.user, member=member),
        "requests": disclosure_list_requests_for_member(member=member),
    })


CSV_HEADER = ("disclosed_at", "recipient", "purpose", "categories", "description", "consents", "basis", "disclosed_by", "channel")


def _csv_rows(disclosures):
    for d in disclosures:
        yield (
            timezone.localtime(d.disclosed_at).isoformat(timespec="minutes"), d.recipient_display, str(d.get_purpose_display()),
            ", ".join(str(DataCategory(c).label) for c in d.categories), d.description,
            "; ".join(f"{c.get_kind_display()} #{c.pk}" for c in d.consents.all()), d.rule,
            d.disclosed_by.get_full_name() if d.disclosed_by else "", d.channel,
        )


@require_POST
def disclosure_list_produce(request, request_id: int):
    """Produce the member's list of disclosures as CSV; the first time meets the 30-day clock."""
    list_request = disclosure_list_request_get_for_user(user=request.user, request_id=request_id)
    member = member_get_for_user(user=request.user, member_id=list_request.member_id)
    if not member_records_editable_by(user=request.user, member=member):
        return _refuse()
    services.disclosure_list_produce(request=list_request, produced_by=request.user)
    return _csv_response(request, member)


def member_disclosures_csv(request, member_id: int):
    member = member_get_for_user(user=request.user, member_id=member_id)
    return _csv_response(request, member)


def _csv_response(request, member) -> HttpResponse:
    disclosures = list(disclosures_for_member(member=member))
    record_access(request, members=[member], action="export", records=[("consents.disclosure", d.pk) for d in disclosures])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="disclosures-{member.pk}-{timezone.localdate():%Y%m%d}.csv"'
    writer = csv_writer(response)
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_rows(disclosures))
    return response
