"""CCS case management services: intake from any source, eligibility with its 5-working-day clock,
service authorization requests, provider links, the county/plan problem log and liaison meetings.

Kept in their own module (re-exported by ``cases.services``) because they are the
CCS program's rules — seed 001 (CCS case management) and seed 002 (county/plan
delineation) — while ``cases.services`` holds what every program shares. Each
function is one transaction: check the rule, write, open/meet clocks, write the
timeline line, inform the parties through the notices app.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from carecoord.accounts.models import Organization, User
from carecoord.clocks.services import deadline_cancel, deadline_meet, deadline_start
from carecoord.errors import RuleViolation
from directory.selectors import provider_fit_warnings
from referrals.models import Referral
from referrals.services import (
    referral_attach_documents, referral_close, referral_create_inbound, referral_link_case, referral_note,
)

from .care_plans import review_clock_start
from .ccs_models import EligibilityDetermination, LiaisonMeeting, ProblemItem, ProblemItemEvent, ServiceAuthorization
from .documents import document_upload
from .models import CareTeamMember, Case, Document, Member, Program, Task
from .services import care_team_add, case_close, case_create, case_open, member_create, validate_model
from .timeline import timeline_record
from .validators import ICD10_PATTERN

# Provider types CCS may authorize or link without a warning (CCS-paneled or CCS-approved).
PANELED_PROVIDER_TYPES = frozenset({
    Organization.Type.CCS_PHYSICIAN, Organization.Type.SPECIAL_CARE_CENTER, Organization.Type.HOSPITAL,
    Organization.Type.MEDICAL_THERAPY_UNIT,
})

MEDICAL_ELIGIBILITY = "ccs.medical_eligibility"
ANNUAL_REVIEW = "ccs.annual_medical_review"
LIAISON_MEETING = "all.liaison_meeting"
PROTOCOL_REVIEW = "all.protocol_review"


def _aware(at: datetime.datetime | None, *, field: str) -> datetime.datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise RuleViolation("The date needs a time zone.", field=field, rule="date.aware")
    if at > timezone.now() + datetime.timedelta(minutes=5):
        raise RuleViolation("This cannot be dated in the future.", field=field, rule="date.not_future")
    return at


def _ccs_case(case: Case) -> None:
    if case.program != Program.CCS:
        raise RuleViolation("This is not a CCS case.", field="case", rule="ccs.case_program")


def provider_paneling_warning(provider: Organization | None, *, on: datetime.date | None = None) -> str:
    """Why CCS should not send this member to ``provider`` as is ("" when it is a CCS-paneled provider or a
    Special Care Center on the day). The one place paneling is judged: the provider directory's paneling
    status and dates when the provider has a directory profile, else the organization's type."""
    if provider is None:
        return ""
    if not provider.is_active:
        return f"{provider} is no longer active."
    profile = getattr(provider, "profile", None)  # the directory's ProviderProfile, when there is one
    if profile is not None:
        day = on or timezone.localdate()
        if profile.special_care_center or profile.is_paneled_on(day):
            return ""
        if profile.ccs_paneling == "paneled":
            return f"{provider}'s CCS paneling is not in effect on {day:%Y-%m-%d}."
        return f"{provider}: {profile.get_ccs_paneling_display()}."
    if provider.type not in PANELED_PROVIDER_TYPES:
        return f"{provider} is not a CCS-paneled provider, Special Care Center or CCS-approved hospital."
    return ""


def ccs_medical_consultant_for(organization: Organization) -> User | None:
    return (User.objects.filter(organization=organization, role=User.Role.MEDICAL_CONSULTANT, is_active=True)
            .order_by("pk").first())


def ccs_pending_referral(case: Case) -> Referral | None:
    """The inbound referral the case is being decided on (the latest still open)."""
    return (Referral.objects.filter(case=case, direction=Referral.Direction.INBOUND).exclude(status__in=Referral.TERMINAL)
            .order_by("-referred_at").first())


def ccs_referral_date(case: Case) -> datetime.date:
    """The date CCS decides and authorizes from: the earliest inbound referral of the case, else the case's."""
    first = (Referral.objects.filter(case=case, direction=Referral.Direction.INBOUND).order_by("referred_at")
             .values_list("referred_at", flat=True).first())
    return timezone.localtime(min(filter(None, [first, case.referred_at]))).date()


# ----------------------------------------------------------------------------- intake


@dataclass(frozen=True)
class IntakeResult:
    referral: Referral
    case: Case
    member_created: bool
    case_created: bool
    documents: tuple[Document, ...]

    @property
    def possible_duplicate(self) -> bool:
        return self.referral.possible_duplicate


def ccs_referral_intake(*, actor, organization: Organization, source: str, member: Member | None = None,
                        new_member: dict | None = None, suspected_condition: str = "", reason: str = "",
                        reporter_name: str = "", reporter_relationship: str = "", reporter_phone: str = "",
                        reporter_email: str = "", source_organization: Organization | None = None,
                        referred_at: datetime.datetime | None = None, urgency: str = Referral.Urgency.ROUTINE,
                        uploads=(), upload_kind: str = Document.Kind.MEDICAL_REPORT,
                        external_reference: str = "") -> IntakeResult:
    """Take a referral to CCS from any source (a phone call, a fax, a plan's API call).

    The member is found (``member``) or created (``new_member``: first_name, last_name,
    date_of_birth, cin, county, ...). The referral joins the member's active CCS case, or a
    new ``referred`` case is created; a member with an active case or pending referral is
    flagged as a possible duplicate. Medical documents in ``uploads`` are attached to the
    case and the referral. One transaction: a refused upload writes nothing at all.
    """
    if not suspected_condition.strip():
        raise RuleViolation("Describe the suspected CCS condition.", field="suspected_condition",
                            rule="ccs.intake_condition_required")
    if (member is None) == (new_member is None):
        raise RuleViolation("Find the member or enter a new one.", field="member", rule="ccs.intake_member")
    referred_at = _aware(referred_at, field="referred_at")
    with transaction.atomic():
        member_created = member is None
        if member_created:
            member = member_create(**new_member)
        existing = Case.objects.filter(member=member, program=Program.CCS).exclude(status=Case.Status.CLOSED).first()
        if existing is not None and existing.organization_id != organization.pk:
            # The referral would join, and its documents be filed in, a case this program may not change.
            raise RuleViolation(f"This child already has an open CCS case with {existing.organization}; refer them to "
                                "that program, or ask it to transfer the case.", field="member", rule="ccs.intake_other_program")
        referral = referral_create_inbound(
            member=member, program=Program.CCS, organization=organization, source=source, actor=actor,
            referred_at=referred_at, case=existing, source_organization=source_organization,
            reporter_name=reporter_name, reporter_relationship=reporter_relationship, reporter_phone=reporter_phone,
            reporter_email=reporter_email, suspected_condition=suspected_condition.strip(), reason=reason,
            urgency=urgency, external_reference=external_reference,
        )
        case = existing
        if case is None:
            manager = actor if actor is not None and actor.role == User.Role.CASE_MANAGER and actor.organization_id == organization.pk else None
            case = case_create(member=member, program=Program.CCS, organization=organization, actor=actor,
                               team=manager.team if manager else None, primary_case_manager=manager,
                               referral_source=source, referred_at=referred_at)
            referral_link_case(referral=referral, case=case, actor=actor)
        documents = tuple(
            document_upload(uploaded_file=f, kind=upload_kind, title=f"Referral: {getattr(f, 'name', 'document')}"[:200],
                            case=case, uploaded_by=actor, field="documents")
            for f in uploads
        )
        referral_attach_documents(referral=referral, documents=documents, actor=actor)
    return IntakeResult(referral=referral, case=case, member_created=member_created, case_created=existing is None,
                        documents=documents)


def ccs_documents_attach(*, case: Case, uploads, actor, kind: str = Document.Kind.MEDICAL_REPORT) -> tuple[Document, ...]:
    """Attach more medical documents to a CCS case (and its pending referral)."""
    _ccs_case(case)
    with transaction.atomic():
        documents = tuple(document_upload(uploaded_file=f, kind=kind, title=getattr(f, "name", "document")[:200],
                                          case=case, uploaded_by=actor, field="documents") for f in uploads)
        referral = ccs_pending_referral(case)
        if referral is not None:
            referral_attach_documents(referral=referral, documents=documents, actor=actor)
    return documents


# ----------------------------------------------------------------------------- eligibility


def ccs_documentation_adequate(*, case: Case, by, at: datetime.datetime | None = None):
    """Adequate medical documentation of a suspected CCS condition is on file: start the
    5-working-day medical eligibility clock (owner: the program's medical consultant, else
    the case manager). Recording it twice keeps the first clock."""
    _ccs_case(case)
    at = _aware(at, field="at")
    if case.status != Case.Status.REFERRED:
        raise RuleViolation("Eligibility was already decided for this case.", field="case", rule="ccs.already_decided")
    referral = ccs_pending_referral(case)
    if timezone.localtime(at).date() < ccs_referral_date(case):
        raise RuleViolation("Documentation cannot be complete before the referral.", field="at", rule="eligibility.before_referral")
    with transaction.atomic():
        owner = ccs_medical_consultant_for(case.organization) or case.primary_case_manager
        deadline = deadline_start(rule_code=MEDICAL_ELIGIBILITY, subject=case, case=case, started_at=at, owner=owner)
        if referral is not None and referral.documentation_adequate_at is None:
            Referral.objects.filter(pk=referral.pk).update(documentation_adequate_at=at)
            referral_note(referral=referral, action="documentation_adequate", actor=by, at=at,
                          note="Adequate medical documentation received")
        timeline_record(case=case, kind="ccs.documentation_adequate", actor=by, at=at,
                        summary="Adequate medical documentation received; medical eligibility due in 5 working days")
    return deadline


def _validate_diagnoses(diagnoses) -> list[str]:
    codes = [str(code).strip().upper() for code in diagnoses if str(code).strip()]
    for code in codes:
        if not ICD10_PATTERN.match(code):
            raise RuleViolation(f"{code} is not an ICD-10-CM code (a letter, two characters, then an optional dot and up to "
                                "4 more, e.g. E84.0).", field="diagnoses", rule="eligibility.icd10")
    return list(dict.fromkeys(codes))


def eligibility_decide(*, case: Case, kind: str, outcome: str, reason: str, decided_by, decided_at: datetime.datetime,
                       diagnoses=(), other_resources_offered: str = "") -> EligibilityDetermination:
    """Record a medical, residential or financial CCS eligibility determination.

    Medical determinations are made by a medical consultant and meet the medical
    eligibility clock. A determination dated before the referral is refused
    (``eligibility.before_referral``). Any *not eligible* outcome denies the referral: the
    case closes with the reason, the other resources offered are recorded, and the
    provider, plan and family are informed (with a CCS Notice of Action under the 7-day
    rule). When medical, residential and financial are all eligible the case opens: date
    of eligibility, CCS-eligible diagnoses, a CCS case number, the Annual Medical Review
    clock, and the same three parties informed.
    """
    _ccs_case(case)
    kinds = EligibilityDetermination.Kind
    if kind not in kinds.values:
        raise RuleViolation("Choose medical, residential or financial.", field="kind", rule="eligibility.kind")
    if outcome not in EligibilityDetermination.Outcome.values:
        raise RuleViolation("Choose eligible or not eligible.", field="outcome", rule="eligibility.outcome")
    if kind == kinds.MEDICAL and getattr(decided_by, "role", None) != User.Role.MEDICAL_CONSULTANT:
        raise RuleViolation("Medical eligibility is decided by a medical consultant.", field="decided_by",
                            rule="eligibility.medical_consultant_only")
    if not reason.strip():
        raise RuleViolation("Give the reason for the determination.", field="reason", rule="eligibility.reason_required")
    decided_at = _aware(decided_at, field="decided_at")
    if timezone.localtime(decided_at).date() < ccs_referral_date(case):
        raise RuleViolation(f"A determination cannot be dated before the referral ({ccs_referral_date(case):%Y-%m-%d}).",
                            field="decided_at", rule="eligibility.before_referral")
    codes = _validate_diagnoses(diagnoses)
    eligible = outcome == EligibilityDetermination.Outcome.ELIGIBLE
    if kind == kinds.MEDICAL and eligible and not codes:
        raise RuleViolation("List the CCS-eligible diagnoses (ICD-10-CM).", field="diagnoses", rule="eligibility.diagnoses_required")
    if not eligible and not other_resources_offered.strip():
        raise RuleViolation("Record the other resources offered to the family (or that none were available).",
                            field="other_resources_offered", rule="eligibility.other_resources_required")
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("member", "organization").get(pk=case.pk)
        if case.status != Case.Status.REFERRED:
            raise RuleViolation("Eligibility was already decided for this case.", field="case", rule="ccs.already_decided")
        referral = ccs_pending_referral(case)
        determination = EligibilityDetermination(
            case=case, referral=referral, kind=kind, outcome=outcome, reason=reason.strip(), diagnoses=codes,
            other_resources_offered=other_resources_offered.strip(), decided_at=decided_at, decided_by=decided_by,
        )
        validate_model(determination)
        determination.save()
        timeline_record(case=case, kind=f"ccs.eligibility.{kind}", actor=decided_by, at=decided_at,
                        summary=f"{determination.get_kind_display()} eligibility: {determination.get_outcome_display().lower()} — {reason.strip()}",
                        data={"determination": determination.pk})
        if kind == kinds.MEDICAL:
            deadline_meet(rule_code=MEDICAL_ELIGIBILITY, subject=case, met_at=decided_at, by=decided_by)
        if not eligible:
            _deny(case=case, determination=determination, referral=referral)
        elif _all_eligible(case):
            _open(case=case, decided_by=decided_by, referral=referral)
    return determination


def _latest(case: Case) -> dict[str, EligibilityDetermination]:
    latest: dict[str, EligibilityDetermination] = {}
    for determination in case.eligibility_determinations.order_by("decided_at", "pk"):
        latest[determination.kind] = determination
    return latest


def _all_eligible(case: Case) -> bool:
    latest = _latest(case)
    return all(k in latest and latest[k].outcome == EligibilityDetermination.Outcome.ELIGIBLE
               for k in EligibilityDetermination.Kind.values)


def ccs_case_number(case: Case) -> str:
    """CCS case numbers: county FIPS, year of eligibility, the case's id (unique by construction)."""
    year = (case.eligibility_date or timezone.localdate()).year
    return f"{case.member.county.fips_code}-{year}-{case.pk:06d}"


def _open(*, case: Case, decided_by, referral: Referral | None) -> None:
    latest = _latest(case)
    opened_at = max(d.decided_at for d in latest.values())
    medical = latest[EligibilityDetermination.Kind.MEDICAL]
    eligibility_date = timezone.localtime(opened_at).date()
    case.eligibility_date = eligibility_date
    case_open(case=case, actor=decided_by, at=opened_at, eligibility_date=eligibility_date, diagnoses=medical.diagnoses,
              case_number=case.case_number or ccs_case_number(case))
    case.refresh_from_db()
    if referral is not None:
        referral_close(referral=referral, outcome=Referral.Outcome.ACCEPTED, actor=decided_by, at=opened_at,
                       note=f"CCS eligible from {eligibility_date:%Y-%m-%d}")
    review_clock_start(case=case, rule_code=ANNUAL_REVIEW, started_at=opened_at)
    _inform_parties(case=case, kind="ccs_eligibility", actor=decided_by, decided_at=opened_at, referral=referral,
                    context={"eligibility_date": eligibility_date, "diagnoses": ", ".join(case.diagnoses),
                             "case_number": case.case_number})


def _deny(*, case: Case, determination: EligibilityDetermination, referral: Referral | None) -> None:
    by, at = determination.decided_by, determination.decided_at
    deadline_cancel(rule_code=MEDICAL_ELIGIBILITY, subject=case, by=by,
                    reason=f"Not eligible ({determination.get_kind_display().lower()})")
    case_close(case=case, actor=by, at=at,
               reason=f"Not eligible ({determination.get_kind_display().lower()}): {determination.reason}"[:200])
    if referral is not None:
        referral_close(referral=referral, outcome=Referral.Outcome.NOT_ELIGIBLE, actor=by, at=at, note=determination.reason)
    timeline_record(case=case, kind="ccs.other_resources_offered", actor=by, at=at,
                    summary=f"Other resources offered to the family: {determination.other_resources_offered}")
    action = f"CCS {determination.get_kind_display().lower()} eligibility denied"
    context = {"action": action, "reason": determination.reason, "rule": NOA_RULE,
               "other_resources": determination.other_resources_offered}
    _inform_parties(case=case, kind="ccs_denial", actor=by, decided_at=at, referral=referral, context=context)
    _send_noa(case=case, actor=by, decided_at=at, action=action, reason=determination.reason)


def ccs_parties(case: Case, referral: Referral | None = None) -> dict[str, Organization | Member | None]:
    """Who is told of an eligibility outcome (seed 002): the provider, the plan, the family."""
    from .selectors import active_coverage

    provider = None
    if referral is not None and referral.source_organization_id and referral.source_organization.type != Organization.Type.MCP:
        provider = referral.source_organization
    provider = provider or case.member.primary_care_provider
    coverage = active_coverage(member=case.member)
    return {"provider": provider, "plan": coverage.plan if coverage is not None else None, "family": case.member}


def _channel_for(recipient) -> str:
    """Secure email, then fax, email or mail for an organization; mail to a family with a good address, else phone."""
    if isinstance(recipient, Member):
        return "mail" if recipient.address_line1 and recipient.address_valid else "phone"
    for channel, value in (("secure_email", recipient.secure_email), ("fax", recipient.fax), ("email", recipient.email),
                           ("mail", recipient.address)):
        if value:
            return channel
    return "phone"


def _notice(*, case: Case, kind: str, role: str, recipient, actor, decided_at, context: dict):
    """Create and send one notice in its own savepoint. A notice that cannot go (no consent on file for a
    provider, no address) never undoes the decision: it stays a draft, or is not created, and the case
    manager gets a task saying why."""
    from notices.services import notice_create, notice_send

    notice = None
    try:
        with transaction.atomic():
            notice = notice_create(
                kind=kind, member=case.member, case=case, recipient_kind=role, created_by=actor,
                recipient_org=None if role == "family" else recipient, channel=_channel_for(recipient),
                context=context, decided_at=decided_at,
            )
        with transaction.atomic():
            notice_send(notice=notice, by=actor)
    except RuleViolation as exc:
        timeline_record(case=case, kind="ccs.notice_not_sent", actor=actor,
                        summary=f"Notice to the {role} not sent: {exc.message}", data={"rule": exc.rule})
        _follow_up(case=case, actor=actor, title=f"Send the {kind.replace('_', ' ')} notice to the {role}: {exc.message}")
    return notice


def _follow_up(*, case: Case, actor, title: str) -> None:
    task = Task(case=case, title=title[:300], owner=case.primary_case_manager or actor, source="ccs_notice",
                due_date=timezone.localdate())
    validate_model(task)
    task.save()


def _inform_parties(*, case: Case, kind: str, actor, decided_at, referral: Referral | None, context: dict) -> list:
    """Tell the provider, the plan and the family of the eligibility outcome (seed 002)."""
    notices = []
    for role, recipient in ccs_parties(case, referral).items():
        if recipient is None:
            timeline_record(case=case, kind="ccs.party_missing", actor=actor, summary=f"No {role} on file to inform")
            _follow_up(case=case, actor=actor, title=f"Find the member's {role} and send the {kind.replace('_', ' ')} notice")
            continue
        notices.append(_notice(case=case, kind=kind, role=role, recipient=recipient, actor=actor, decided_at=decided_at,
                               context=context))
    return [n for n in notices if n is not None]


NOA_RULE = "California Code of Regulations, title 22, section 42132 (CCS Notice of Action)"


def _send_noa(*, case: Case, actor, decided_at, action: str, reason: str, service: str = ""):
    """A CCS Notice of Action to the family. The notice opens the 7-day clock (``ccs.noa_after_decision``)
    from the decision and its delivery meets it."""
    return _notice(case=case, kind="ccs_noa", role="family", recipient=case.member, actor=actor, decided_at=decided_at,
                   context={"action": action, "reason": reason, "rule": NOA_RULE, "service": service})


# ----------------------------------------------------------------------------- service authorizations


def sar_request(*, case: Case, service: str, provider: Organization, start_date: datetime.date, end_date: datetime.date,
                requested_by, expedited: bool = False, requested_at: datetime.datetime | None = None,
                quantity: str = "", service_code: str = "", diagnosis: str = "") -> ServiceAuthorization:
    """Record a service authorization request and start the plan SAR clocks: 5 working days and the
    14-day outer limit, or 72 hours when expedited. CCS may authorize from the referral date,
    never before it (``sar.before_referral``)."""
    _ccs_case(case)
    if case.status == Case.Status.CLOSED:
        raise RuleViolation("The case is closed.", field="case", rule="case.closed")
    requested_at = _aware(requested_at, field="requested_at")
    if not service.strip():
        raise RuleViolation("Name the service requested.", field="service", rule="sar.service_required")
    if end_date < start_date:
        raise RuleViolation("The authorization ends before it starts.", field="end_date", rule="sar.dates_ordered")
    referral_date = ccs_referral_date(case)
    if start_date < referral_date:
        raise RuleViolation(f"CCS can authorize from the referral date ({referral_date:%Y-%m-%d}), not before.",
                            field="start_date", rule="sar.before_referral")
    diagnosis = diagnosis.strip().upper()
    if diagnosis:
        _validate_diagnoses([diagnosis])
    with transaction.atomic():
        sar = ServiceAuthorization(case=case, service=service.strip(), service_code=service_code.strip(), diagnosis=diagnosis,
                                   provider=provider, provider_warning=" ".join(provider_fit_warnings(
                                       provider, member=case.member, program=Program.CCS, on=start_date))[:300],
                                   quantity=quantity, start_date=start_date, end_date=end_date, expedited=expedited,
                                   requested_at=requested_at, requested_by=requested_by)
        validate_model(sar)
        sar.save()
        owner = ccs_medical_consultant_for(case.organization) or case.primary_case_manager
        rules = ["plan.sar_expedited"] if expedited else ["plan.sar_standard", "plan.sar_standard_outer"]
        for rule_code in rules:
            deadline_start(rule_code=rule_code, subject=sar, case=case, started_at=requested_at, owner=owner)
        timeline_record(case=case, kind="sar.requested", actor=requested_by, at=requested_at,
                        summary=f"Authorization requested: {sar.service} at {provider}"
                        + (" (expedited)" if expedited else "") + (f" — {sar.provider_warning}" if sar.provider_warning else ""),
                        data={"sar": sar.pk})
    return sar


SAR_DECIDERS = (User.Role.MEDICAL_CONSULTANT, User.Role.SUPERVISOR, User.Role.CASE_MANAGER)


def sar_decide(*, sar: ServiceAuthorization, decision: str, decided_by, reason: str = "",
               medical_necessity_review: str = "", approved_terms: str = "",
               decided_at: datetime.datetime | None = None) -> ServiceAuthorization:
    """Approve, modify or deny a SAR after the medical-necessity review; meets its clocks.
    Approval needs an open (CCS-eligible) case; a modification or denial sends the family a
    CCS Notice of Action under the 7-day rule."""
    decided_at = _aware(decided_at, field="decided_at")
    D = ServiceAuthorization.Decision
    if decision not in (D.APPROVED, D.MODIFIED, D.DENIED):
        raise RuleViolation("Choose approve, modify or deny.", field="decision", rule="sar.decision")
    if getattr(decided_by, "role", None) not in SAR_DECIDERS:
        raise RuleViolation("Authorizations are decided by CCS program staff.", field="decided_by", rule="sar.decider")
    if not medical_necessity_review.strip() and not sar.medical_necessity_review:
        raise RuleViolation("Record the medical necessity review.", field="medical_necessity_review",
                            rule="sar.medical_necessity_required")
    if decision != D.APPROVED and not reason.strip():
        raise RuleViolation("Give the reason for the modification or denial.", field="decision_reason", rule="sar.reason_required")
    if decision == D.MODIFIED and not approved_terms.strip():
        raise RuleViolation("Say what was approved instead.", field="approved_terms", rule="sar.modified_terms")
    with transaction.atomic():
        sar = ServiceAuthorization.objects.select_for_update(of=("self",)).select_related("case", "case__member", "provider").get(pk=sar.pk)
        if sar.decision != D.PENDING:
            raise RuleViolation("This request was already decided.", field="decision", rule="sar.already_decided")
        if decided_at < sar.requested_at:
            raise RuleViolation("The decision cannot be dated before the request.", field="decided_at", rule="sar.decided_before_request")
        if decision != D.DENIED and sar.case.status != Case.Status.OPEN:
            raise RuleViolation("CCS authorizes services once eligibility is established; decide eligibility first.",
                                field="decision", rule="sar.case_not_eligible")
        sar.decision, sar.decision_reason, sar.approved_terms = decision, reason.strip(), approved_terms.strip()
        if medical_necessity_review.strip():
            sar.medical_necessity_review = medical_necessity_review.strip()
        sar.decided_at, sar.decided_by = decided_at, decided_by
        sar.save()
        for rule_code in ("plan.sar_standard", "plan.sar_standard_outer", "plan.sar_expedited"):
            deadline_meet(rule_code=rule_code, subject=sar, met_at=decided_at, by=decided_by)
        timeline_record(case=sar.case, kind=f"sar.{decision}", actor=decided_by, at=decided_at,
                        summary=f"Authorization {sar.get_decision_display().lower()}: {sar.service} at {sar.provider}"
                        + (f" — {sar.decision_reason}" if sar.decision_reason else ""), data={"sar": sar.pk})
        if decision != D.APPROVED:
            _send_noa(case=sar.case, actor=decided_by, decided_at=decided_at,
                      action=f"Request for {sar.service} {sar.get_decision_display().lower()}"
                      + (f"; approved instead: {sar.approved_terms}" if sar.approved_terms else ""),
                      reason=sar.decision_reason, service=sar.service)
    return sar


# ----------------------------------------------------------------------------- linking providers

LINK_ROLES = {
    Organization.Type.MEDICAL_HOME: CareTeamMember.Role.PRIMARY_CARE,
    Organization.Type.CCS_PHYSICIAN: CareTeamMember.Role.SPECIALIST,
    Organization.Type.SPECIAL_CARE_CENTER: CareTeamMember.Role.SPECIALIST,
}


def ccs_link_provider(*, case: Case, organization: Organization, actor, contact_name: str = "",
                      contact_phone: str = "") -> CareTeamMember:
    """Link the child to a medical home, dental, DME vendor, pharmacy, Special Care Center or the Medical
    Therapy Program as a care-team member (the organization's type says which)."""
    _ccs_case(case)
    if CareTeamMember.objects.filter(case=case, organization=organization, end_date__isnull=True).exists():
        raise RuleViolation(f"{organization} is already on the care team.", field="organization", rule="careteam.duplicate")
    return care_team_add(case=case, role=LINK_ROLES.get(organization.type, CareTeamMember.Role.OTHER), actor=actor,
                         organization=organization, contact_name=contact_name or str(organization),
                         contact_phone=contact_phone or organization.phone)


# ----------------------------------------------------------------------------- problem resolution


def problem_item_open(*, program: Organization, plan: Organization, category: str, title: str, description: str,
                      opened_by, case: Case | None = None, opened_at: datetime.datetime | None = None) -> ProblemItem:
    """Log an issue between a county program and a plan, at the local level."""
    opened_at = _aware(opened_at, field="opened_at")
    if plan.type != Organization.Type.MCP:
        raise RuleViolation("Choose a managed care plan.", field="plan", rule="problem.plan_type")
    if not title.strip() or not description.strip():
        raise RuleViolation("Describe the issue.", field="title" if not title.strip() else "description",
                            rule="problem.description_required")
    with transaction.atomic():
        item = ProblemItem(program=program, plan=plan, case=case, category=category, title=title.strip(),
                           description=description.strip(), opened_at=opened_at, opened_by=opened_by)
        validate_model(item)
        item.save()
        ProblemItemEvent.objects.create(item=item, action="opened", level=item.level, at=opened_at, by=opened_by,
                                        note=item.description[:1000])
        if case is not None:
            timeline_record(case=case, kind="problem.opened", actor=opened_by, at=opened_at,
                            summary=f"Issue logged with {plan}: {item.title}")
    return item


def _escalation_target(item: ProblemItem, level: str) -> Organization | None:
    """The regional office above the county program, then the state branch above that."""
    regional = item.program.parent if item.program.parent_id and item.program.parent.type == Organization.Type.REGIONAL_OFFICE else None
    if level == ProblemItem.Level.REGIONAL_OFFICE:
        return regional
    state = regional.parent if regional is not None and regional.parent_id else None
    return state or Organization.objects.filter(type=Organization.Type.STATE_OFFICE).order_by("pk").first()


def problem_item_escalate(*, item: ProblemItem, by, reason: str, at: datetime.datetime | None = None) -> ProblemItem:
    """Refer an unresolved issue one level up: local → regional office → state branch."""
    at = _aware(at, field="at")
    if not reason.strip():
        raise RuleViolation("Say why the issue could not be resolved at this level.", field="reason", rule="problem.escalation_reason")
    with transaction.atomic():
        item = ProblemItem.objects.select_for_update(of=("self",)).select_related("program__parent__parent").get(pk=item.pk)
        if item.status != ProblemItem.Status.OPEN:
            raise RuleViolation("The issue is resolved.", field="status", rule="problem.resolved")
        order = ProblemItem.LEVEL_ORDER
        position = order.index(item.level)
        if position == len(order) - 1:
            raise RuleViolation("The issue is already with the state branch.", field="level", rule="problem.top_level")
        item.level = order[position + 1]
        item.save(update_fields=["level"])
        ProblemItemEvent.objects.create(item=item, action="escalated", level=item.level, at=at, by=by,
                                        referred_to=_escalation_target(item, item.level), note=reason.strip())
        if item.case_id:
            timeline_record(case=item.case, kind="problem.escalated", actor=by, at=at,
                            summary=f"Issue escalated to {item.get_level_display()}: {item.title}")
    return item


def problem_item_resolve(*, item: ProblemItem, by, resolution: str, at: datetime.datetime | None = None) -> ProblemItem:
    at = _aware(at, field="at")
    if not resolution.strip():
        raise RuleViolation("Describe the resolution.", field="resolution", rule="problem.resolution_required")
    with transaction.atomic():
        item = ProblemItem.objects.select_for_update().get(pk=item.pk)
        if item.status != ProblemItem.Status.OPEN:
            raise RuleViolation("The issue is already resolved.", field="status", rule="problem.resolved")
        item.status, item.resolved_at, item.resolution = ProblemItem.Status.RESOLVED, at, resolution.strip()
        item.save(update_fields=["status", "resolved_at", "resolution"])
        ProblemItemEvent.objects.create(item=item, action="resolved", level=item.level, at=at, by=by, note=item.resolution)
        if item.case_id:
            timeline_record(case=item.case, kind="problem.resolved", actor=by, at=at, summary=f"Issue resolved: {item.title}")
    return item


def problem_items_visible_to(*, user):
    """Issues of the user's program, or of the plan a liaison works for."""
    if not user.is_authenticated:
        return ProblemItem.objects.none()
    if user.is_superuser:
        return ProblemItem.objects.all()
    return ProblemItem.objects.filter(Q(program_id=user.organization_id) | Q(plan_id=user.organization_id))


# ----------------------------------------------------------------------------- liaison meetings


def liaison_meeting_record(*, program: Organization, plan: Organization, held_at: datetime.datetime, attendees: str,
                           minutes: str, recorded_by, action_items: list[dict] | tuple = (),
                           problem_items=(), protocols_reviewed: bool = False) -> LiaisonMeeting:
    """Record a county/plan liaison meeting: minutes, issues discussed, action items as tasks.
    Meets the previous meeting's quarterly clock and starts the next one; a meeting that reviewed the
    county/plan protocols does the same for the yearly protocol review."""
    held_at = _aware(held_at, field="held_at")
    if plan.type != Organization.Type.MCP:
        raise RuleViolation("Choose a managed care plan.", field="plan", rule="liaison.plan_type")
    if not attendees.strip():
        raise RuleViolation("List the attendees.", field="attendees", rule="liaison.attendees_required")
    if not minutes.strip():
        raise RuleViolation("Write the minutes.", field="minutes", rule="liaison.minutes_required")
    with transaction.atomic():
        previous = LiaisonMeeting.objects.filter(program=program, plan=plan, held_at__lte=held_at).order_by("-held_at").first()
        last_review = (LiaisonMeeting.objects.filter(program=program, plan=plan, held_at__lte=held_at, protocols_reviewed=True)
                       .order_by("-held_at").first())
        meeting = LiaisonMeeting(program=program, plan=plan, held_at=held_at, attendees=attendees.strip(),
                                 minutes=minutes.strip(), recorded_by=recorded_by, protocols_reviewed=protocols_reviewed)
        validate_model(meeting)
        meeting.save()
        meeting.problem_items.set(problem_items)
        tasks = []
        for item in action_items:
            if not (item.get("title") or "").strip():
                continue
            task = Task(title=item["title"].strip(), owner=item.get("owner") or recorded_by, due_date=item.get("due_date"),
                        source="liaison_meeting")
            validate_model(task)
            task.save()
            tasks.append(task)
        meeting.tasks.set(tasks)
        if previous is not None:
            deadline_meet(rule_code=LIAISON_MEETING, subject=previous, met_at=held_at, by=recorded_by)
        deadline_start(rule_code=LIAISON_MEETING, subject=meeting, started_at=held_at, organization=program,
                       owner=recorded_by)
        if protocols_reviewed:
            if last_review is not None:
                deadline_meet(rule_code=PROTOCOL_REVIEW, subject=last_review, met_at=held_at, by=recorded_by)
            deadline_start(rule_code=PROTOCOL_REVIEW, subject=meeting, started_at=held_at, organization=program,
                           owner=recorded_by)
    return meeting


def liaison_meetings_visible_to(*, user):
    if not user.is_authenticated:
        return LiaisonMeeting.objects.none()
    if user.is_superuser:
        return LiaisonMeeting.objects.all()
    return LiaisonMeeting.objects.filter(Q(program_id=user.organization_id) | Q(plan_id=user.organization_id))
