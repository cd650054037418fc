"""Writes of the ECM pathway for child-welfare-involved youth and families (seed 004).

Each step of the guide is one service: check the rule, write, open or meet its clock, one
timeline line, all in one transaction. Clocks (``carecoord.clocks.catalog``):

==================================  =========================================  =========================================
rule                                opened by                                  met by
==================================  =========================================  =========================================
``ecm.immediate_health_needs``      :func:`ecm_pathway_start` (removal)         :func:`ecm_immediate_needs_met`
``ecm.noa_plan_choice``             :func:`plan_selection_record` (its NOA     the NOA leaving (notices app, on delivery)
                                    draft; BEFORE the activation date)
``ecm.presumptive_authorization``   :func:`ecm_authorization_start`            :func:`ecm_mcp_decide`
``ecm.enrollment_notification``     :func:`ecm_authorization_start` (one per   the notices of :func:`ecm_enrollment_notify`
 (``_expedited``: 72 hours)         recipient: occurrences ``sw``, ``phn``)    leaving (each meets its own occurrence)
``ecm.assessment``                  :func:`ecm_authorization_start`            :func:`ecm_assessment_complete`
``ecm.care_plan_review``            :func:`ecm_care_plan_write`                the six-month review (cases.care_plans)
``ecm.cohs_plan_of_enrollment``     :func:`placement_move_record` (leaving a   :func:`placement_plan_decide`
                                    COHS county while in its plan)
``mcp.continuity_of_care_window``   :func:`placement_plan_decide` (the plan    a window: it simply ends after 12 months
                                    changes)
``mcp.coc_request*``                :func:`coc_request_record`                 :func:`coc_request_decide`
==================================  =========================================  =========================================

Domain rule codes raised as ``RuleViolation``: ``ecm.case_program``, ``ecm.pathway_exists``,
``ecm.removal_date``, ``ecm.meds_status``, ``ecm.plan_participants``, ``ecm.cohs_auto_enroll``,
``ecm.cohs_plan_missing``, ``ecm.plan_in_county``, ``ecm.plan_choice``, ``ecm.activation_date_required``,
``ecm.noa_ten_day``, ``ecm.referral_recipient``, ``ecm.referral_consent_required``,
``ecm.enrollment_state``, ``ecm.provider_required``, ``ecm.signed_consent_required``,
``ecm.prior_check_required``, ``ecm.mcp_enrollment_required``, ``ecm.notification_recipient_missing``,
``ecm.care_plan_required``, ``ecm.cft_ecm_provider``, ``ecm.cft_tribal_choice``, ``ecm.cft_participants``,
``ecm.move_same_county``, ``ecm.meds_address_first``, ``ecm.keep_plan_not_offered``, ``ecm.coc_window_closed``,
``ecm.handoff_needs_change``, ``ecm.continue_age_26``, ``ecm.after_care_plan_required``.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carecoord.accounts.models import County, Organization
from carecoord.clocks.models import Deadline
from carecoord.clocks.services import deadline_cancel, deadline_meet, deadline_start
from carecoord.errors import RuleViolation

from . import care_plans
from .ccs_models import CarePlan, CarePlanReview, CaseConference
from .ecm import PopulationMatch, may_continue_ecm, member_populations_of_focus
from .ecm_models import (
    CftMeeting, ContinuityOfCareRequest, EcmClosure, EcmEnrollment, EcmPathway, OutreachAttempt, PlacementMove,
    PlanParticipant, PlanSelection,
)
from .models import CareTeamMember, Case, Program
from .selectors import active_coverage
from .services import care_team_add, care_team_end, case_close, validate_model
from .timeline import timeline_record

NOA_DAYS = 10
COC_RULES = {
    ContinuityOfCareRequest.Urgency.STANDARD: "mcp.coc_request",
    ContinuityOfCareRequest.Urgency.URGENT: "mcp.coc_request_urgent",
    ContinuityOfCareRequest.Urgency.RISK_OF_HARM: "mcp.coc_request_risk_of_harm",
}
NOTIFICATION_RECIPIENTS = (
    (CareTeamMember.Role.SOCIAL_WORKER, "social_worker"),
    (CareTeamMember.Role.PUBLIC_HEALTH_NURSE, "public_health_nurse"),
)


def _aware(at: datetime.datetime | None, *, field: str, future_ok: bool = False) -> datetime.datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise RuleViolation(_("The date needs a time zone."), field=field, rule="date.aware")
    if not future_ok and at > timezone.now() + datetime.timedelta(minutes=5):
        raise RuleViolation(_("This cannot be dated in the future."), field=field, rule="date.not_future")
    return at


def _ecm_case(case: Case) -> None:
    if case.program != Program.ECM:
        raise RuleViolation(_("This is not an ECM case."), field="case", rule="ecm.case_program")
    if case.status == Case.Status.CLOSED:
        raise RuleViolation(_("The case is closed."), field="case", rule="case.closed")


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _team_member(case: Case, role: str) -> CareTeamMember | None:
    return case.care_team.filter(role=role, end_date__isnull=True).select_related("user", "organization").first()


def _ensure_on_team(*, case: Case, role: str, organization: Organization, actor) -> None:
    if not case.care_team.filter(role=role, organization=organization, end_date__isnull=True).exists():
        care_team_add(case=case, role=role, actor=actor, organization=organization, contact_name=organization.name)


# ----------------------------------------------------------------------------- populations of focus


def ecm_populations_refresh(*, case: Case, actor=None, on: datetime.date | None = None) -> list[PopulationMatch]:
    """Compute the child welfare populations of focus from the member's episodes and store their codes."""
    on = on or timezone.localdate()
    matches = member_populations_of_focus(case.member, on)
    codes = [m.code for m in matches]
    if codes != list(case.populations_of_focus or []):
        with transaction.atomic():
            Case.objects.filter(pk=case.pk).update(populations_of_focus=codes)
            case.populations_of_focus = codes
            timeline_record(case=case, kind="ecm.populations_of_focus", actor=actor,
                            summary=_("Populations of focus: %(list)s") % {"list": "; ".join(m.text for m in matches) or _("none")},
                            data={"codes": codes})
    return matches


# ----------------------------------------------------------------------------- pathway and plan selection


def ecm_pathway_start(*, case: Case, kind: str, actor, removed_at: datetime.datetime | None = None) -> EcmPathway:
    """Start the ECM pathway of a case; a removal opens the 30-day immediate health care needs clock."""
    _ecm_case(case)
    if kind not in EcmPathway.Kind.values:
        raise RuleViolation(_("Choose how the child came to ECM."), field="kind", rule="ecm.pathway_kind")
    if EcmPathway.objects.filter(case=case).exists():
        raise RuleViolation(_("The pathway of this case is already recorded."), field="kind", rule="ecm.pathway_exists")
    if kind == EcmPathway.Kind.REMOVAL:
        if removed_at is None:
            raise RuleViolation(_("Enter when the child was removed and placed."), field="removed_at", rule="ecm.removal_date")
        removed_at = _aware(removed_at, field="removed_at")
    with transaction.atomic():
        pathway = EcmPathway.objects.create(case=case, kind=kind, removed_at=removed_at if kind == EcmPathway.Kind.REMOVAL else None,
                                            started_by=actor)
        timeline_record(case=case, kind="ecm.pathway_started", actor=actor,
                        summary=_("ECM pathway: %(kind)s") % {"kind": pathway.get_kind_display()}, data={"pathway": pathway.pk})
        if pathway.removed_at:
            deadline_start(rule_code="ecm.immediate_health_needs", subject=pathway, case=case, started_at=pathway.removed_at)
            # The first placement: the caregiver gets the health and education summary within 30 days.
            deadline_start(rule_code="cws.health_education_summary", subject=pathway, case=case, started_at=pathway.removed_at)
        ecm_populations_refresh(case=case, actor=actor)
    return pathway


def _step_done(record, *, field: str, rule_code: str, at: datetime.datetime, actor, timeline_kind: str, summary: str,
               data: dict | None = None):
    """A dated step of a pathway or placement happened: stamp it on ``record``, meet the clock it answers
    (``record`` is the clock's subject) and write the timeline line. Once only (rule ``ecm.step_done``)."""
    with transaction.atomic():
        locked = type(record).objects.select_for_update().get(pk=record.pk)
        if getattr(locked, field) is not None:
            raise RuleViolation(_("This step is already recorded."), field="step", rule="ecm.step_done")
        setattr(locked, field, at)
        locked.save(update_fields=[field])
        deadline_meet(rule_code=rule_code, subject=locked, met_at=at, by=actor)
        timeline_record(case=locked.case, kind=timeline_kind, actor=actor, at=at, summary=summary, data=data)
    return locked


def ecm_immediate_needs_met(*, pathway: EcmPathway, actor, at: datetime.datetime | None = None) -> EcmPathway:
    return _step_done(pathway, field="immediate_needs_met_at", rule_code="ecm.immediate_health_needs",
                      at=_aware(at, field="at"), actor=actor, timeline_kind="ecm.immediate_needs_met",
                      summary=_("Immediate health care needs met"))


def ecm_first_placement_summary_given(*, pathway: EcmPathway, actor, at: datetime.datetime | None = None) -> EcmPathway:
    """The health and education summary reached the caregiver of the first placement: meets its 30-day clock."""
    at = _aware(at, field="at")
    if pathway.removed_at is None:
        raise RuleViolation(_("Only a removal starts this step."), field="at", rule="ecm.summary_without_removal")
    if at < pathway.removed_at:
        raise RuleViolation(_("This cannot be before the placement."), field="at", rule="ecm.summary_before_placement")
    return _step_done(pathway, field="health_summary_given_at", rule_code="cws.health_education_summary", at=at,
                      actor=actor, timeline_kind="ecm.placement_health_step",
                      summary=_("Health and education summary given to the caregiver"))


def _check_plan_choice(*, county: County, choice: str, plan, plan_now) -> Organization | None:
    if county.plan_model == County.PlanModel.SINGLE_PLAN:
        if choice == PlanSelection.Choice.KEEP and plan_now is not None and county.plans.filter(pk=plan_now.pk).exists():
            return plan_now
        if choice != PlanSelection.Choice.COHS_AUTO:
            raise RuleViolation(
                _("%(county)s is a single-plan (COHS) county: the child is enrolled in its plan automatically.") % {"county": county.name},
                field="choice", rule="ecm.cohs_auto_enroll")
        cohs_plan = county.plans.first()
        if cohs_plan is None:
            raise RuleViolation(_("No plan is recorded for %(county)s.") % {"county": county.name}, field="plan",
                                rule="ecm.cohs_plan_missing")
        return cohs_plan
    if choice == PlanSelection.Choice.FFS:
        return None
    if choice == PlanSelection.Choice.KEEP:
        if plan_now is None or not county.plans.filter(pk=plan_now.pk).exists():
            raise RuleViolation(_("The current plan does not operate in %(county)s.") % {"county": county.name}, field="choice",
                                rule="ecm.keep_plan_not_offered")
        return plan_now
    if choice != PlanSelection.Choice.MCP:
        raise RuleViolation(_("In a multi-plan county, choose a plan or stay in fee-for-service."), field="choice",
                            rule="ecm.plan_choice")
    if plan is None or not county.plans.filter(pk=plan.pk).exists():
        raise RuleViolation(_("Choose one of the plans offered in %(county)s.") % {"county": county.name}, field="plan",
                            rule="ecm.plan_in_county")
    return plan


def check_activation_date(activation_date: datetime.date | None, *, today: datetime.date | None = None) -> None:
    """The NOA goes out at least 10 days before the benefit activates (seed 004)."""
    today = today or timezone.localdate()
    if activation_date is None:
        raise RuleViolation(_("Enter the date the plan benefit activates."), field="activation_date", rule="ecm.activation_date_required")
    if (activation_date - today).days < NOA_DAYS:
        raise RuleViolation(
            _("The Notice of Action must go out at least %(days)s days before the benefit activates; "
              "the earliest activation date is %(earliest)s.") % {
                "days": NOA_DAYS, "earliest": (today + datetime.timedelta(days=NOA_DAYS)).isoformat()},
            field="activation_date", rule="ecm.noa_ten_day")


def plan_selection_record(*, case: Case, meds_status: str, choice: str, participants, actor, plan=None,
                          activation_date: datetime.date | None = None, notes: str = "",
                          reason: str = PlanSelection.Reason.INITIAL, channel: str = "mail") -> PlanSelection:
    """Record MEDS status and the plan choice with who took part; a new plan gets its NOA drafted,
    which opens ``ecm.noa_plan_choice`` (met when the NOA leaves)."""
    from notices.services import notice_create

    _ecm_case(case)
    member = case.member
    if meds_status not in PlanSelection.MedsStatus.values:
        raise RuleViolation(_("Record the child's Medi-Cal status in MEDS."), field="meds_status", rule="ecm.meds_status")
    participants = list(dict.fromkeys(participants or []))
    if not participants or set(participants) - set(PlanParticipant.values):
        raise RuleViolation(_("Record who took part in choosing the plan."), field="participants", rule="ecm.plan_participants")
    coverage = active_coverage(member=member)
    plan_now = coverage.plan if coverage and coverage.plan_id else None
    chosen = _check_plan_choice(county=member.county, choice=choice, plan=plan, plan_now=plan_now)
    new_plan = choice in (PlanSelection.Choice.MCP, PlanSelection.Choice.COHS_AUTO)
    if new_plan:
        check_activation_date(activation_date)
    with transaction.atomic():
        selection = PlanSelection(
            case=case, reason=reason, meds_status=meds_status, county=member.county, county_plan_model=member.county.plan_model,
            choice=choice, plan=chosen, activation_date=activation_date if new_plan else None, participants=participants,
            notes=notes, decided_by=actor, decided_at=timezone.now())
        validate_model(selection)
        selection.save()
        member.meds_status = selection.get_meds_status_display()
        member.save(update_fields=["meds_status"])  # through save: the member's history keeps the change
        if new_plan:
            selection.noa = notice_create(
                kind="noa_plan_choice", member=member, case=case, recipient_kind="family", channel=channel,
                action_date=activation_date, created_by=actor,
                context={
                    "plan_name": chosen.name,
                    "action": _("From %(date)s, %(name)s will receive Medi-Cal services through %(plan)s.") % {
                        "date": activation_date.isoformat(), "name": member.first_name, "plan": chosen.name},
                    "reason": _("The child is in the care of child welfare services and a Medi-Cal managed care plan was "
                                "chosen with the family.") if choice == PlanSelection.Choice.MCP else
                    _("The child lives in a county organized health system county, whose plan serves every Medi-Cal member."),
                    "rule": "W&I Code §14182(b)(6); 42 CFR 438.54",
                })
            selection.save(update_fields=["noa"])
        timeline_record(case=case, kind="ecm.plan_selected", actor=actor,
                        summary=_("Plan choice: %(choice)s%(plan)s; took part: %(who)s") % {
                            "choice": selection.get_choice_display(), "plan": f" ({chosen})" if chosen else "",
                            "who": ", ".join(str(PlanParticipant(p).label) for p in participants)},
                        data={"plan_selection": selection.pk})
    return selection


# ----------------------------------------------------------------------------- referral


def _verbal_consent(*, member, consent=None):
    from consents.models import Consent, ConsentKind

    qs = Consent.objects.in_force().filter(member=member, kind=ConsentKind.ECM_VERBAL)
    if consent is not None:
        return qs.filter(pk=consent.pk).first()
    return qs.order_by("-obtained_at", "-pk").first()


def ecm_referral_make(*, case: Case, referrer: str, recipient: Organization, actor, consent=None, reason: str = "",
                      urgency: str = "routine") -> EcmEnrollment:
    """Refer to the MCP CWS liaison or an ECM provider. Unless the family referred itself, a verbal consent
    with its four elements must be recorded (consents app) and must cover the referral to that recipient."""
    from consents.services import disclose
    from referrals.models import Referral
    from referrals.services import referral_check_consent, referral_create_outbound, referral_send

    _ecm_case(case)
    if referrer not in EcmEnrollment.Referrer.values:
        raise RuleViolation(_("Say who makes the referral."), field="referrer", rule="ecm.referrer")
    if recipient is None or recipient.type not in (Organization.Type.MCP, Organization.Type.ECM_PROVIDER):
        raise RuleViolation(_("Refer to the plan's CWS liaison or to an ECM provider."), field="recipient", rule="ecm.referral_recipient")
    self_referral = referrer == EcmEnrollment.Referrer.SELF
    found = None
    if not self_referral:
        found = _verbal_consent(member=case.member, consent=consent)
        if found is None:
            raise RuleViolation(
                _("Record the youth's or family's verbal consent first: the provider and service explained, what will be "
                  "shared, for how long, and the right to withdraw."), field="consent", rule="ecm.referral_consent_required")
    with transaction.atomic():
        referral = referral_create_outbound(case=case, service_type=Referral.ServiceType.ECM_PROVIDER, actor=actor,
                                            recipient_organization=recipient, reason=reason, urgency=urgency)
        if found is not None:
            disclose(member=case.member, recipient=recipient, purpose="referral", categories=["general"],
                     description=_("ECM referral"), disclosed_by=actor, case=case)
            referral_check_consent(referral=referral, actor=actor, consent_reference=str(found.pk))
        referral = referral_send(referral=referral, actor=actor,
                                 note=_("The family referred itself") if self_referral else "")
        enrollment = EcmEnrollment(
            case=case, referral=referral, referrer=referrer, recipient=recipient, consent=found,
            ecm_provider=recipient if recipient.type == Organization.Type.ECM_PROVIDER else None, referred_at=referral.referred_at)
        validate_model(enrollment)
        enrollment.save()
        role = CareTeamMember.Role.ECM_PROVIDER if enrollment.ecm_provider_id else CareTeamMember.Role.MCP_LIAISON
        _ensure_on_team(case=case, role=role, organization=recipient, actor=actor)
        timeline_record(case=case, kind="ecm.referred", actor=actor,
                        summary=_("Referred to ECM (%(to)s) by %(by)s") % {"to": recipient.name, "by": enrollment.get_referrer_display()},
                        data={"enrollment": enrollment.pk, "referral": referral.pk})
    return enrollment


# ----------------------------------------------------------------------------- ECM provider side


def _live_enrollment(enrollment: EcmEnrollment, *, status: str) -> EcmEnrollment:
    enrollment = EcmEnrollment.objects.select_for_update().select_related("case", "case__member").get(pk=enrollment.pk)
    if enrollment.status != status:
        raise RuleViolation(_("This step does not apply: ECM is %(status)s.") % {"status": enrollment.get_status_display().lower()},
                            field="status", rule="ecm.enrollment_state")
    return enrollment


def ecm_outreach_record(*, enrollment: EcmEnrollment, at: datetime.datetime, method: str, outcome: str, actor,
                        note: str = "") -> OutreachAttempt:
    at = _aware(at, field="at")
    with transaction.atomic():
        attempt = OutreachAttempt(enrollment=enrollment, at=at, method=method, outcome=outcome, note=note, by=actor)
        validate_model(attempt)
        attempt.save()
        timeline_record(case=enrollment.case, kind="ecm.outreach", actor=actor, at=at,
                        summary=_("ECM outreach (%(method)s): %(outcome)s") % {
                            "method": attempt.get_method_display(), "outcome": attempt.get_outcome_display()})
    return attempt


def ecm_prior_services_check(*, enrollment: EcmEnrollment, prior_ecm: bool, prior_community_supports: bool, actor,
                             note: str = "", at: datetime.datetime | None = None) -> EcmEnrollment:
    at = _aware(at, field="at")
    if (prior_ecm or prior_community_supports) and not note.strip():
        raise RuleViolation(_("Say how the earlier services affect this referral."), field="prior_note", rule="ecm.prior_note")
    with transaction.atomic():
        enrollment = EcmEnrollment.objects.select_for_update().get(pk=enrollment.pk)
        enrollment.prior_checked_at, enrollment.prior_ecm = at, prior_ecm
        enrollment.prior_community_supports, enrollment.prior_note = prior_community_supports, note.strip()
        enrollment.save(update_fields=["prior_checked_at", "prior_ecm", "prior_community_supports", "prior_note"])
        timeline_record(case=enrollment.case, kind="ecm.prior_checked", actor=actor, at=at,
                        summary=_("Prior ECM / Community Supports checked: %(found)s") % {
                            "found": _("found") if prior_ecm or prior_community_supports else _("none")})
    return enrollment


def _signed_consent_in_force(member, at) -> bool:
    from consents.models import Consent, ConsentKind

    return Consent.objects.in_force(at).filter(member=member).exclude(kind=ConsentKind.ECM_VERBAL).exists()


def _in_managed_care(case: Case) -> bool:
    coverage = active_coverage(member=case.member)
    if coverage is not None and coverage.plan_id:
        return True
    latest = case.ecm_plan_selections.first()
    return latest is not None and latest.plan_id is not None


def ecm_authorization_start(*, enrollment: EcmEnrollment, presumptive: bool, actor, expedited: bool = False,
                            ecm_provider: Organization | None = None, at: datetime.datetime | None = None) -> EcmEnrollment:
    """ECM begins: presumptively (the provider authorizes for 30 days while the MCP decides) or authorized by
    the MCP. Opens the enrollment notification clocks (SW and PHN), the assessment clock and, when
    presumptive, the MCP decision clock."""
    at = _aware(at, field="at")
    with transaction.atomic():
        enrollment = _live_enrollment(enrollment, status=EcmEnrollment.Status.REFERRED)
        case = enrollment.case
        provider = ecm_provider or enrollment.ecm_provider
        if provider is None or provider.type != Organization.Type.ECM_PROVIDER:
            raise RuleViolation(_("Name the ECM provider."), field="ecm_provider", rule="ecm.provider_required")
        if not _signed_consent_in_force(case.member, at):
            raise RuleViolation(_("Record the signed consent and release of information first."), field="consent",
                                rule="ecm.signed_consent_required")
        if enrollment.prior_checked_at is None:
            raise RuleViolation(_("Check for prior ECM or Community Supports first."), field="prior_ecm",
                                rule="ecm.prior_check_required")
        if not _in_managed_care(case):
            raise RuleViolation(_("ECM is a managed care benefit: the child must be in, or be enrolling in, a plan."),
                                field="presumptive", rule="ecm.mcp_enrollment_required")
        enrollment.ecm_provider, enrollment.presumptive, enrollment.expedited = provider, presumptive, expedited
        enrollment.status, enrollment.enrolled_at = EcmEnrollment.Status.ENROLLED, at
        if not presumptive:
            enrollment.mcp_decision, enrollment.mcp_decided_at = EcmEnrollment.Decision.AUTHORIZED, at
        enrollment.save()
        _ensure_on_team(case=case, role=CareTeamMember.Role.ECM_PROVIDER, organization=provider, actor=actor)
        if presumptive:
            deadline_start(rule_code="ecm.presumptive_authorization", subject=enrollment, case=case, started_at=at)
        rule = "ecm.enrollment_notification_expedited" if expedited else "ecm.enrollment_notification"
        for role, _kind in NOTIFICATION_RECIPIENTS:
            deadline_start(rule_code=rule, subject=enrollment, case=case, started_at=at, occurrence=role)
        deadline_start(rule_code="ecm.assessment", subject=enrollment, case=case, started_at=at)
        timeline_record(case=case, kind="ecm.enrolled", actor=actor, at=at,
                        summary=_("Enrolled in ECM with %(provider)s (%(how)s)") % {
                            "provider": provider.name,
                            "how": _("presumptive authorization") if presumptive else _("authorized by the plan")})
    return enrollment


def ecm_mcp_decide(*, enrollment: EcmEnrollment, decision: str, actor, at: datetime.datetime | None = None,
                   note: str = "") -> EcmEnrollment:
    """The MCP's authorization decision ends the presumptive window; a denial ends ECM and its clocks."""
    at = _aware(at, field="at")
    if decision not in (EcmEnrollment.Decision.AUTHORIZED, EcmEnrollment.Decision.DENIED):
        raise RuleViolation(_("Record the plan's decision."), field="decision", rule="ecm.mcp_decision")
    with transaction.atomic():
        enrollment = _live_enrollment(enrollment, status=EcmEnrollment.Status.ENROLLED)
        if enrollment.mcp_decision != EcmEnrollment.Decision.PENDING:
            raise RuleViolation(_("The plan has already decided."), field="decision", rule="ecm.mcp_decided")
        enrollment.mcp_decision, enrollment.mcp_decided_at = decision, at
        fields = ["mcp_decision", "mcp_decided_at"]
        deadline_meet(rule_code="ecm.presumptive_authorization", subject=enrollment, met_at=at, by=actor)
        if decision == EcmEnrollment.Decision.DENIED:
            enrollment.status, enrollment.ended_at = EcmEnrollment.Status.ENDED, at
            enrollment.end_reason = note.strip() or _("The plan did not authorize ECM.")
            fields += ["status", "ended_at", "end_reason"]
            for rule in ("ecm.enrollment_notification", "ecm.enrollment_notification_expedited", "ecm.assessment"):
                deadline_cancel(rule_code=rule, subject=enrollment, reason=enrollment.end_reason, by=actor)
        enrollment.save(update_fields=fields)
        timeline_record(case=enrollment.case, kind="ecm.mcp_decision", actor=actor, at=at,
                        summary=_("Plan's ECM authorization: %(decision)s") % {"decision": enrollment.get_mcp_decision_display()})
    return enrollment


def _open_occurrences(subject, rule: str) -> set[str]:
    from django.contrib.contenttypes.models import ContentType

    return set(Deadline.objects.filter(
        rule_code=rule, subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk,
        status__in=Deadline.ACTIVE_STATUSES).values_list("occurrence", flat=True))


def ecm_enrollment_notify(*, enrollment: EcmEnrollment, actor, channel: str = "phone") -> list:
    """Tell the SW and the PHN of the enrollment: one notice each, queued now (a disclosure under the
    consents check). Each notice meets its own notification clock when it leaves."""
    from notices.services import notice_create, notice_send

    rule = "ecm.enrollment_notification_expedited" if enrollment.expedited else "ecm.enrollment_notification"
    notices = []
    with transaction.atomic():
        enrollment = _live_enrollment(enrollment, status=EcmEnrollment.Status.ENROLLED)
        case = enrollment.case
        pending = _open_occurrences(enrollment, rule)
        if not pending:
            raise RuleViolation(_("The SW and PHN have already been told."), field="recipient", rule="ecm.notification_sent")
        from notices.models import Notice

        underway = set(Notice.objects.filter(case=case, kind="ecm_enrollment_notification", occurrence__in=pending)
                       .exclude(status=Notice.Status.FAILED).values_list("occurrence", flat=True))
        for role, recipient_kind in NOTIFICATION_RECIPIENTS:
            if role not in pending or role in underway:
                continue
            person = _team_member(case, role)
            if person is None:
                raise RuleViolation(_("Add the %(role)s to the care team first.") % {"role": CareTeamMember.Role(role).label},
                                    field="recipient", rule="ecm.notification_recipient_missing")
            notice = notice_create(
                kind="ecm_enrollment_notification", member=case.member, case=case, recipient_kind=recipient_kind,
                recipient_org=person.organization, recipient_name=person.display_name, channel=channel, created_by=actor,
                meets=(rule,), occurrence=role,
                context={"ecm_provider": enrollment.ecm_provider.name if enrollment.ecm_provider_id else "",
                         "lead_care_manager": str(case.primary_case_manager or "")})
            notices.append(notice_send(notice=notice, by=actor))
    return notices


def ecm_assessment_complete(*, enrollment: EcmEnrollment, summary: str, actor, at: datetime.datetime | None = None) -> EcmEnrollment:
    """The ECM assessment, coordinated with the SW and PHN, meets the 30-day clock."""
    at = _aware(at, field="at")
    if not summary.strip():
        raise RuleViolation(_("Summarize the assessment."), field="summary", rule="ecm.assessment_summary")
    with transaction.atomic():
        enrollment = _live_enrollment(enrollment, status=EcmEnrollment.Status.ENROLLED)
        enrollment.assessment_completed_at, enrollment.assessment_summary = at, summary.strip()
        enrollment.save(update_fields=["assessment_completed_at", "assessment_summary"])
        deadline_meet(rule_code="ecm.assessment", subject=enrollment, met_at=at, by=actor)
        timeline_record(case=enrollment.case, kind="ecm.assessment", actor=actor, at=at, summary=_("ECM assessment completed"))
    return enrollment


def ecm_care_plan_write(*, case: Case, title: str, actor, summary: str = "", family_participated: bool = True,
                        at: datetime.datetime | None = None) -> CarePlan:
    """The ECM care plan (cases.care_plans) and its six-month review clock."""
    _ecm_case(case)
    with transaction.atomic():
        plan = care_plans.care_plan_create(case=case, title=title, written_by=actor, summary=summary,
                                           family_participated=family_participated, written_at=at)
        care_plans.review_clock_start(case=case, rule_code="ecm.care_plan_review", started_at=plan.written_at)
    return plan


def ecm_care_plan_share(*, enrollment: EcmEnrollment, actor, at: datetime.datetime | None = None) -> EcmEnrollment:
    """Share the assessment and care plan with the SW: a disclosure under the consents check."""
    from consents.services import disclose

    at = _aware(at, field="at")
    with transaction.atomic():
        enrollment = _live_enrollment(enrollment, status=EcmEnrollment.Status.ENROLLED)
        case = enrollment.case
        if not CarePlan.objects.filter(case=case, status=CarePlan.Status.ACTIVE).exists():
            raise RuleViolation(_("Write the ECM care plan first."), field="care_plan", rule="ecm.care_plan_required")
        sw = _team_member(case, CareTeamMember.Role.SOCIAL_WORKER)
        if sw is None:
            raise RuleViolation(_("Add the %(role)s to the care team first.") % {"role": CareTeamMember.Role.SOCIAL_WORKER.label},
                                field="recipient", rule="ecm.notification_recipient_missing")
        disclose(member=case.member, recipient=sw.organization, recipient_name="" if sw.organization_id else sw.display_name,
                 purpose="care_coordination", categories=["general"], description=_("ECM assessment and care plan"),
                 disclosed_by=actor, case=case)
        enrollment.care_plan_shared_at = at
        enrollment.save(update_fields=["care_plan_shared_at"])
    return enrollment


# ----------------------------------------------------------------------------- Child and Family Team meetings


def cft_meeting_schedule(*, case: Case, scheduled_for: datetime.datetime, participants, actor,
                         tribal_representative_chosen: bool = False, cans_status: str = CftMeeting.Cans.NOT_STARTED) -> CftMeeting:
    """Schedule a CFT meeting. The ECM provider is invited when the child has one; the ICWA / tribal
    representative takes part only where the family chooses."""
    _ecm_case(case)
    scheduled_for = _aware(scheduled_for, field="scheduled_for", future_ok=True)
    participants = list(dict.fromkeys(participants or []))
    Role = CareTeamMember.Role
    if not participants or set(participants) - set(Role.values):
        raise RuleViolation(_("Choose who is invited."), field="participants", rule="ecm.cft_participants")
    has_provider = case.ecm_enrollments.exclude(status=EcmEnrollment.Status.ENDED).exists() or \
        case.care_team.filter(role=Role.ECM_PROVIDER, end_date__isnull=True).exists()
    if has_provider and Role.ECM_PROVIDER not in participants:
        raise RuleViolation(_("Invite the ECM provider: they are part of the child's care team discussions."),
                            field="participants", rule="ecm.cft_ecm_provider")
    if (Role.TRIBAL_REPRESENTATIVE in participants) != tribal_representative_chosen:
        raise RuleViolation(_("Invite the ICWA / tribal representative exactly when the family chooses to include them."),
                            field="tribal_representative_chosen", rule="ecm.cft_tribal_choice")
    with transaction.atomic():
        meeting = CftMeeting(case=case, scheduled_for=scheduled_for, participants=participants, cans_status=cans_status,
                             tribal_representative_chosen=tribal_representative_chosen, scheduled_by=actor)
        validate_model(meeting)
        meeting.save()
        timeline_record(case=case, kind="ecm.cft_scheduled", actor=actor,
                        summary=_("CFT meeting scheduled for %(when)s") % {
                            "when": timezone.localtime(scheduled_for).strftime("%Y-%m-%d %H:%M")},
                        data={"cft_meeting": meeting.pk})
    return meeting


def cft_meeting_hold(*, meeting: CftMeeting, held_at: datetime.datetime, notes: str, cans_status: str, actor,
                     action_items=()) -> CftMeeting:
    """Record the meeting held: a CFT case conference whose action plan items become case tasks."""
    if meeting.held:
        raise RuleViolation(_("This meeting is already recorded."), field="held_at", rule="ecm.cft_held")
    if cans_status not in CftMeeting.Cans.values:
        raise RuleViolation(_("Record the CANS status."), field="cans_status", rule="ecm.cft_cans")
    case = meeting.case
    team = list(case.care_team.filter(end_date__isnull=True, role__in=meeting.participants).select_related("user"))
    staff = [m.user for m in team if m.user_id]
    others = [f"{m.display_name} ({m.get_role_display()})" for m in team if not m.user_id]
    others += [str(CareTeamMember.Role(r).label) for r in meeting.participants if r not in {m.role for m in team}]
    with transaction.atomic():
        conference = care_plans.case_conference_record(
            case=case, held_at=held_at, notes=notes, recorded_by=actor, kind=CaseConference.Kind.CHILD_FAMILY_TEAM,
            staff_participants=staff, other_participants=others, action_items=action_items)
        conference.tasks.update(source="cft_meeting")
        CftMeeting.objects.filter(pk=meeting.pk).update(conference=conference, cans_status=cans_status)
        meeting.conference, meeting.cans_status = conference, cans_status
    return meeting


def cft_care_plan_update(*, meeting: CftMeeting, summary: str, actor, at: datetime.datetime | None = None) -> CftMeeting:
    """The ECM provider revises the care plan after the meeting (a review of the plan)."""
    if not meeting.held:
        raise RuleViolation(_("Record the meeting first."), field="summary", rule="ecm.cft_not_held")
    case = meeting.case
    if not CarePlan.objects.filter(case=case, status=CarePlan.Status.ACTIVE).exists():
        raise RuleViolation(_("Write the ECM care plan first."), field="summary", rule="ecm.care_plan_required")
    with transaction.atomic():
        review = care_plans.care_plan_review_record(case=case, kind=CarePlanReview.Kind.ROUTINE, reviewed_by=actor,
                                                    reviewed_at=at, summary=summary)
        CftMeeting.objects.filter(pk=meeting.pk).update(care_plan_updated_at=review.reviewed_at)
        meeting.care_plan_updated_at = review.reviewed_at
    return meeting


# ----------------------------------------------------------------------------- out-of-county placement


def placement_move_record(*, case: Case, to_county: County, moved_at: datetime.datetime, actor, notes: str = "") -> PlacementMove:
    """The child is placed in another county. Leaving a COHS county while in its plan opens the
    24-hour plan-of-enrollment clock."""
    _ecm_case(case)
    moved_at = _aware(moved_at, field="moved_at")
    member = case.member
    if to_county is None or to_county.pk == member.county_id:
        raise RuleViolation(_("Choose the county of the new placement."), field="to_county", rule="ecm.move_same_county")
    coverage = active_coverage(member=member, on=timezone.localtime(moved_at).date())
    plan_now = coverage.plan if coverage and coverage.plan_id else None
    with transaction.atomic():
        move = PlacementMove(case=case, from_county=member.county, to_county=to_county, moved_at=moved_at,
                             from_cohs=member.county.plan_model == County.PlanModel.SINGLE_PLAN, plan_at_move=plan_now,
                             notes=notes, recorded_by=actor)
        validate_model(move)
        move.save()
        member.county = to_county
        member.save(update_fields=["county"])
        timeline_record(case=case, kind="ecm.placement_moved", actor=actor, at=moved_at,
                        summary=_("Placed in %(to)s (from %(from)s)") % {"to": to_county.name, "from": move.from_county.name},
                        data={"move": move.pk})
        if move.from_cohs and plan_now is not None:
            deadline_start(rule_code="ecm.cohs_plan_of_enrollment", subject=move, case=case, started_at=moved_at)
        # The child welfare health rules of a new placement: an exam within 30 days, the health and education
        # summary to the new caregiver within 48 hours, and (placed out of county) the mental health plan told
        # of the presumptive transfer within 3 working days.
        for step in CWS_PLACEMENT_STEPS.values():
            deadline_start(rule_code=step.rule_code, subject=move, case=case, started_at=moved_at)
    return move


@dataclass(frozen=True)
class CwsStep:
    field: str
    rule_code: str
    done: object  # a lazy translation


CWS_PLACEMENT_STEPS = {
    "exam": CwsStep("exam_completed_at", "cws.placement_exam", gettext_lazy("Medical and dental exam done")),
    "health_summary": CwsStep("health_summary_given_at", "cws.health_education_summary_later",
                              gettext_lazy("Health and education summary given to the caregiver")),
    "mhp_notified": CwsStep("mhp_notified_at", "cws.presumptive_transfer_notice",
                            gettext_lazy("Mental health plan told of the presumptive transfer")),
}


def placement_cws_step_record(*, move: PlacementMove, step: str, actor, at: datetime.datetime | None = None) -> PlacementMove:
    """One of the child welfare health steps of the placement is done: meets its clock."""
    if step not in CWS_PLACEMENT_STEPS:
        raise RuleViolation(_("Choose a step of the placement."), field="step", rule="ecm.move_cws_step")
    spec = CWS_PLACEMENT_STEPS[step]
    at = _aware(at, field="at")
    if at < move.moved_at:
        raise RuleViolation(_("This cannot be before the placement."), field="at", rule="ecm.move_step_before_placement")
    return _step_done(move, field=spec.field, rule_code=spec.rule_code, at=at, actor=actor,
                      timeline_kind="ecm.placement_health_step", summary=str(spec.done), data={"move": move.pk, "step": step})


def placement_meds_address_update(*, move: PlacementMove, actor, at: datetime.datetime | None = None) -> PlacementMove:
    at = _aware(at, field="at")
    with transaction.atomic():
        PlacementMove.objects.filter(pk=move.pk).update(meds_address_updated_at=at)
        move.meds_address_updated_at = at
        timeline_record(case=move.case, kind="ecm.meds_address", actor=actor, at=at, summary=_("MEDS address updated"))
    return move


def placement_plan_decide(*, move: PlacementMove, meds_status: str, choice: str, participants, actor, plan=None,
                          activation_date: datetime.date | None = None, notes: str = "") -> PlacementMove:
    """Decide the plan of enrollment after the move (meets the 24-hour clock). A new plan needs the MEDS
    address updated first and gets the 10-day NOA; any change of plan opens the 12-month continuity of
    care window with the existing providers."""
    if move.plan_selection_id:
        raise RuleViolation(_("The plan of enrollment is already decided."), field="choice", rule="ecm.move_plan_decided")
    if choice in (PlanSelection.Choice.MCP, PlanSelection.Choice.COHS_AUTO) and move.meds_address_updated_at is None:
        raise RuleViolation(_("Update the address in MEDS first: enrollment in a new plan waits for it."), field="choice",
                            rule="ecm.meds_address_first")
    with transaction.atomic():
        selection = plan_selection_record(case=move.case, meds_status=meds_status, choice=choice, participants=participants,
                                          actor=actor, plan=plan, activation_date=activation_date, notes=notes,
                                          reason=PlanSelection.Reason.PLACEMENT)
        PlacementMove.objects.filter(pk=move.pk).update(plan_selection=selection)
        move.plan_selection = selection
        deadline_meet(rule_code="ecm.cohs_plan_of_enrollment", subject=move, met_at=selection.decided_at, by=actor)
        if selection.plan_id != move.plan_at_move_id and move.plan_at_move_id is not None:
            starts = _start_of_day(selection.activation_date) if selection.activation_date else selection.decided_at
            deadline_start(rule_code="mcp.continuity_of_care_window", subject=move, case=move.case, started_at=starts)
    return move


def coc_request_record(*, move: PlacementMove, provider_name: str, urgency: str, actor,
                       received_at: datetime.datetime | None = None) -> ContinuityOfCareRequest:
    """A request to keep an existing provider, inside the continuity of care window; its decision clock opens."""
    received_at = _aware(received_at, field="received_at")
    if urgency not in COC_RULES:
        raise RuleViolation(_("Choose how urgent the request is."), field="urgency", rule="ecm.coc_urgency")
    if not provider_name.strip():
        raise RuleViolation(_("Name the provider the child wants to keep."), field="provider_name", rule="ecm.coc_provider")
    if "" not in _open_occurrences(move, "mcp.continuity_of_care_window"):
        raise RuleViolation(_("There is no open continuity of care window for this move."), field="provider_name",
                            rule="ecm.coc_window_closed")
    with transaction.atomic():
        request = ContinuityOfCareRequest.objects.create(move=move, provider_name=provider_name.strip(), urgency=urgency,
                                                         received_at=received_at, recorded_by=actor)
        deadline_start(rule_code=COC_RULES[urgency], subject=request, case=move.case, started_at=received_at)
        timeline_record(case=move.case, kind="ecm.coc_requested", actor=actor, at=received_at,
                        summary=_("Continuity of care requested with %(provider)s") % {"provider": request.provider_name})
    return request


def coc_request_decide(*, request: ContinuityOfCareRequest, decision: str, actor,
                       at: datetime.datetime | None = None) -> ContinuityOfCareRequest:
    at = _aware(at, field="at")
    if decision not in (ContinuityOfCareRequest.Decision.APPROVED, ContinuityOfCareRequest.Decision.DENIED):
        raise RuleViolation(_("Record the plan's decision."), field="decision", rule="ecm.coc_decision")
    if request.decision != ContinuityOfCareRequest.Decision.PENDING:
        raise RuleViolation(_("The request is already decided."), field="decision", rule="ecm.coc_decided")
    with transaction.atomic():
        ContinuityOfCareRequest.objects.filter(pk=request.pk).update(decision=decision, decided_at=at)
        request.decision, request.decided_at = decision, at
        deadline_meet(rule_code=COC_RULES[request.urgency], subject=request, met_at=at, by=actor)
        timeline_record(case=request.move.case, kind="ecm.coc_decided", actor=actor, at=at,
                        summary=_("Continuity of care with %(provider)s: %(decision)s") % {
                            "provider": request.provider_name, "decision": request.get_decision_display().lower()})
    return request


def placement_ecm_provider_decide(*, move: PlacementMove, action: str, actor, new_provider: Organization | None = None,
                                  notes: str = "") -> PlacementMove:
    """Keep the ECM provider (even across a plan change) or change to one nearer the placement."""
    if action not in PlacementMove.ProviderAction.values:
        raise RuleViolation(_("Keep or change the ECM provider."), field="provider_action", rule="ecm.provider_action")
    if action == PlacementMove.ProviderAction.CHANGE and (new_provider is None or new_provider.type != Organization.Type.ECM_PROVIDER):
        raise RuleViolation(_("Name the new ECM provider."), field="new_ecm_provider", rule="ecm.provider_required")
    with transaction.atomic():
        move.provider_action = action
        move.new_ecm_provider = new_provider if action == PlacementMove.ProviderAction.CHANGE else None
        if notes.strip():
            move.notes = "\n".join(p for p in (move.notes, notes.strip()) if p)
        move.save(update_fields=["provider_action", "new_ecm_provider", "notes"])
        timeline_record(case=move.case, kind="ecm.provider_decided", actor=actor,
                        summary=move.get_provider_action_display() + (f": {new_provider}" if move.new_ecm_provider_id else ""))
    return move


def placement_ecm_handoff(*, move: PlacementMove, actor, at: datetime.datetime | None = None) -> PlacementMove:
    """Warm hand-off to the new ECM provider with the assessment and care plan sent under consent."""
    from consents.services import disclose

    at = _aware(at, field="at")
    if move.provider_action != PlacementMove.ProviderAction.CHANGE or move.warm_handoff_at:
        raise RuleViolation(_("A hand-off follows a decision to change the ECM provider, once."), field="warm_handoff_at",
                            rule="ecm.handoff_needs_change")
    case, new = move.case, move.new_ecm_provider
    with transaction.atomic():
        disclosure = disclose(member=case.member, recipient=new, purpose="transition", categories=["general"],
                              description=_("ECM assessment and care plan"), disclosed_by=actor, case=case)
        move.records_disclosure, move.warm_handoff_at = disclosure, at
        move.save(update_fields=["records_disclosure", "warm_handoff_at"])
        today = timezone.localtime(at).date()
        for old in case.care_team.filter(role=CareTeamMember.Role.ECM_PROVIDER, end_date__isnull=True).exclude(organization=new):
            care_team_end(membership=old, actor=actor, end_date=max(today, old.start_date))
        _ensure_on_team(case=case, role=CareTeamMember.Role.ECM_PROVIDER, organization=new, actor=actor)
        case.ecm_enrollments.exclude(status=EcmEnrollment.Status.ENDED).update(ecm_provider=new)
        timeline_record(case=case, kind="ecm.handoff", actor=actor, at=at,
                        summary=_("Warm hand-off to %(provider)s; assessment and care plan sent") % {"provider": new.name})
    return move


# ----------------------------------------------------------------------------- closure


def ecm_closure_record(*, case: Case, reason: str, cws_closed_on: datetime.date, ecm_continues: bool, after_care_plan: str,
                       actor, at: datetime.datetime | None = None) -> EcmClosure:
    """The CWS case closes; the ECM provider is told whether ECM continues (after-care plan). ECM may
    continue without an open CWS case up to age 26; otherwise ECM ends and the ECM case closes."""
    _ecm_case(case)
    at = _aware(at, field="at")
    if reason not in EcmClosure.Reason.values:
        raise RuleViolation(_("Choose why the CWS case closes."), field="reason", rule="ecm.closure_reason")
    if cws_closed_on is None:
        raise RuleViolation(_("Enter the day the CWS case closes."), field="cws_closed_on", rule="ecm.closure_date")
    if not after_care_plan.strip():
        raise RuleViolation(_("Write the after-care plan the ECM provider receives."), field="after_care_plan",
                            rule="ecm.after_care_plan_required")
    if ecm_continues and not may_continue_ecm(date_of_birth=case.member.date_of_birth, on=cws_closed_on):
        raise RuleViolation(_("ECM can continue after the CWS case closes only up to age 26."), field="ecm_continues",
                            rule="ecm.continue_age_26")
    with transaction.atomic():
        closure = EcmClosure(case=case, reason=reason, cws_closed_on=cws_closed_on, ecm_continues=ecm_continues,
                             after_care_plan=after_care_plan.strip(), provider_informed_at=at, recorded_by=actor)
        validate_model(closure)
        closure.save()
        timeline_record(case=case, kind="ecm.cws_closure", actor=actor, at=at,
                        summary=_("CWS case closes (%(reason)s): ECM %(next)s") % {
                            "reason": closure.get_reason_display(),
                            "next": _("continues") if ecm_continues else _("ends")})
        if not ecm_continues:
            case.ecm_enrollments.exclude(status=EcmEnrollment.Status.ENDED).update(
                status=EcmEnrollment.Status.ENDED, ended_at=at, end_reason=closure.get_reason_display())
            for deadline in Deadline.objects.filter(case=case, status__in=Deadline.ACTIVE_STATUSES, rule_code__startswith="ecm."):
                deadline_cancel(rule_code=deadline.rule_code, subject=deadline.subject, reason=_("ECM ended"), by=actor,
                                occurrence=deadline.occurrence)
            case_close(case=case, reason=_("CWS case closed (%(reason)s); ECM not continued") % {
                "reason": closure.get_reason_display()}, actor=actor, at=at)
    return closure
