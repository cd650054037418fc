"""Writes of transitions of care and DMC-ODS care coordination (seed 003).

Each function checks its rule, writes, opens or meets its clocks and records a
timeline line in one transaction (DESIGN.md). Information leaving the county —
the referral packet, the discharge summary, the plan notification of a
residential stay, the crisis follow-up, a MAT referral — goes through
``consents.services.disclose`` first: refused without a covering consent, and
accounted for when it goes.

Clocks (carecoord/clocks/catalog.py):

* ``dmc.mcp_residential_notice`` — residential admission/discharge (occurrence
  ``admission``/``discharge`` on the :class:`SettingEpisode`), met by :func:`plan_notification_record`.
* ``dmc.problem_list_update`` / ``_crisis`` — a :class:`MemberStatusChange`, met by any problem-list write.
* ``dmc.initial_screening`` and ``dmc.coordination_other_plans`` — on the case, from :func:`dmc_enrollment_record`.
* ``dmc.crisis_follow_up`` — a :class:`CrisisEvent`; ``dmc.mat_referral`` — the MAT ``Referral``.
* ``dmc.transition_first_appointment`` — packet sent → initial appointment attended.
* ``all.post_discharge_follow_up`` — discharge from a hospital/residential/withdrawal stay.
* ``ccs.adult_transition_plan`` — before the 21st birthday; ``all.inter_county_transfer`` — 7 working days.
"""
from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecoord.clocks.services import deadline_cancel, deadline_meet, deadline_start
from carecoord.errors import RuleViolation
from cases.models import Case, Program
from cases.selectors import active_coverage
from cases.timeline import timeline_record
from consents.models import Purpose
from consents.services import disclose
from referrals.models import Referral
from referrals import services as referral_services

from .models import (
    DISCHARGE_FOLLOW_UP_SETTINGS, NON_PROGRAM_SETTINGS, Assessment, CareTransition,
    ContactAttempt, CoordinatorInforming, CrisisEvent, MemberStatusChange, PlanCoordination, PlanNotification,
    ProblemListItem, ServiceNote, SettingEpisode, SettingOfCare, TransitionStep,
)
from .packet import packet_categories, packet_parts, render_packet_pdf
from .selectors import transition_assessment_age

R_RESIDENTIAL = "dmc.mcp_residential_notice"
R_SCREENING = "dmc.initial_screening"
R_CRISIS = "dmc.crisis_follow_up"
R_MAT = "dmc.mat_referral"
R_COORDINATION = "dmc.coordination_other_plans"
R_FIRST_APPOINTMENT = "dmc.transition_first_appointment"
R_POST_DISCHARGE = "all.post_discharge_follow_up"
R_ADULT_PLAN = "ccs.adult_transition_plan"
R_TRANSFER = "all.inter_county_transfer"

K = CareTransition.Kind
LOOP_KINDS = (K.SETTING_CHANGE, K.LEVEL_OF_CARE)


# --------------------------------------------------------------------------- helpers


def _check_when(at: datetime.datetime | None, *, field: str, not_before: datetime.datetime | None = None,
                before_label: str = "") -> datetime.datetime:
    if at is None:
        raise RuleViolation(_("Enter the date and time."), field=field, rule="transitions.when_required")
    if timezone.is_naive(at):
        raise RuleViolation(_("The date needs a time zone."), field=field, rule="transitions.aware_datetime")
    if at > timezone.now() + datetime.timedelta(minutes=5):
        raise RuleViolation(_("This cannot be in the future."), field=field, rule="transitions.future_date")
    if not_before is not None and at < not_before:
        raise RuleViolation(_("This is dated before %(what)s.") % {"what": before_label}, field=field,
                            rule="transitions.before_start")
    return at


def _require_dmc(case: Case) -> None:
    if case.program != Program.DMC_ODS:
        raise RuleViolation(_("This is recorded on DMC-ODS cases only."), field="case", rule="dmc.program")


def _member_plan(member):
    coverage = active_coverage(member=member)
    return coverage.plan if coverage is not None and coverage.plan_id else None


def _actor_org(actor):
    return getattr(actor, "organization", None)


# --------------------------------------------------------------------------- primary case manager


def dmc_enrollment_record(*, case: Case, primary_case_manager, enrolled_at: datetime.datetime, actor) -> Case:
    """Open a DMC-ODS case with its primary case manager (required, seed 003 I.1) and start the
    90-day initial screening and the monthly coordination-with-other-plans clocks."""
    from cases.services import case_open, case_reassign

    _require_dmc(case)
    if primary_case_manager is None:
        raise RuleViolation(_("Every DMC-ODS member has a primary case manager; choose one."),
                            field="primary_case_manager", rule="dmc.primary_case_manager_required")
    _check_when(enrolled_at, field="enrolled_at")
    with transaction.atomic():
        if case.primary_case_manager_id != primary_case_manager.pk:
            case = case_reassign(case=case, new_manager=primary_case_manager, actor=actor)
        case.refresh_from_db()
        if case.status == Case.Status.REFERRED:
            case = case_open(case=case, actor=actor, at=enrolled_at)
        elif case.status == Case.Status.CLOSED:
            raise RuleViolation(_("The case is closed."), field="case", rule="dmc.case_closed")
        deadline_start(rule_code=R_SCREENING, subject=case, started_at=enrolled_at, case=case)
        deadline_start(rule_code=R_COORDINATION, subject=case, started_at=enrolled_at, case=case, occurrence="enrollment")
        timeline_record(case=case, kind="dmc.enrolled", actor=actor, at=enrolled_at,
                        summary=f"DMC-ODS enrollment recorded; primary case manager {primary_case_manager}")
    return case


def coordinator_informed_record(*, case: Case, informed_at: datetime.datetime, method: str, contact_given: str,
                                informed_by, note: str = "") -> CoordinatorInforming:
    """The member was told who coordinates their care and how to reach them."""
    if case.primary_case_manager_id is None:
        raise RuleViolation(_("Assign the primary case manager before telling the member who it is."),
                            field="coordinator", rule="dmc.primary_case_manager_required")
    if method not in CoordinatorInforming.Method.values:
        raise RuleViolation(_("Choose how the member was told."), field="method", rule="coordinator.method")
    if not (contact_given or "").strip():
        raise RuleViolation(_("Write the contact details the member was given."), field="contact_given",
                            rule="coordinator.contact_required")
    _check_when(informed_at, field="informed_at")
    with transaction.atomic():
        record = CoordinatorInforming.objects.create(case=case, coordinator=case.primary_case_manager, informed_at=informed_at,
                                                     method=method, contact_given=contact_given.strip(),
                                                     informed_by=informed_by, note=note)
        Case.objects.filter(pk=case.pk).update(member_informed_of_coordinator_at=informed_at, version=F("version") + 1)
        timeline_record(case=case, kind="dmc.coordinator_informed", actor=informed_by, at=informed_at,
                        summary=f"Member told {case.primary_case_manager} coordinates their care "
                                f"({record.get_method_display().lower()})", data={"record": record.pk})
    return record


# --------------------------------------------------------------------------- assessments, notes, attempts


def _default_category(case: Case, kind: str) -> str:
    if case.program == Program.DMC_ODS or kind in (Assessment.Kind.ASAM, Assessment.Kind.INITIAL_SCREENING):
        return "sud"
    if kind in (Assessment.Kind.CANS, Assessment.Kind.ANSA):
        return "mental_health"
    return "general"


def assessment_record(*, case: Case, kind: str, completed_at: datetime.datetime, completed_by, summary: str,
                      asam_level: str = "", risk_level: str = "", document=None) -> Assessment:
    """Record a completed assessment; an initial screening meets the 90-day screening clock."""
    from cases.services import validate_model

    if kind not in Assessment.Kind.values:
        raise RuleViolation(_("Choose the assessment."), field="kind", rule="assessment.kind")
    if not (summary or "").strip():
        raise RuleViolation(_("Write the findings."), field="summary", rule="assessment.summary_required")
    if kind == Assessment.Kind.ASAM and not asam_level:
        raise RuleViolation(_("An ASAM assessment recommends a level of care."), field="asam_level", rule="assessment.asam_level")
    if kind == Assessment.Kind.RISK and not risk_level:
        raise RuleViolation(_("A risk assessment states the level of risk."), field="risk_level", rule="assessment.risk_level")
    _check_when(completed_at, field="completed_at")
    with transaction.atomic():
        assessment = Assessment(member=case.member, case=case, kind=kind, completed_at=completed_at, completed_by=completed_by,
                                summary=summary.strip(), asam_level=asam_level, risk_level=risk_level,
                                data_category=_default_category(case, kind), document=document)
        validate_model(assessment)
        assessment.save()
        if kind == Assessment.Kind.INITIAL_SCREENING:
            deadline_meet(rule_code=R_SCREENING, subject=case, met_at=completed_at, by=completed_by)
        timeline_record(case=case, kind="assessment.recorded", actor=completed_by, at=completed_at,
                        summary=f"{assessment.get_kind_display()} completed", data={"assessment": assessment.pk})
    return assessment


def contact_attempt_record(*, case: Case, purpose: str, at: datetime.datetime, method: str, outcome: str, by,
                           note: str = "") -> ContactAttempt:
    """Log one attempt to reach the member; a reached post-discharge contact meets the follow-up clock."""
    from cases.services import validate_model

    _check_when(at, field="at")
    with transaction.atomic():
        attempt = ContactAttempt(case=case, purpose=purpose, at=at, method=method, outcome=outcome, by=by, note=note)
        validate_model(attempt)
        attempt.save()
        if purpose == ContactAttempt.Purpose.POST_DISCHARGE and outcome == ContactAttempt.Outcome.REACHED:
            _meet_post_discharge(case=case, at=at, by=by)
        timeline_record(case=case, kind="contact.attempt", actor=by, at=at,
                        summary=f"{attempt.get_purpose_display()} contact attempt ({attempt.get_method_display().lower()}): "
                                f"{attempt.get_outcome_display().lower()}", data={"attempt": attempt.pk})
    return attempt


def service_note_record(*, case: Case, written_at: datetime.datetime, author, text: str, kind: str = ServiceNote.Kind.PROGRESS,
                        coordination_between_settings: bool = False) -> ServiceNote:
    from cases.services import validate_model

    if not (text or "").strip():
        raise RuleViolation(_("Write the note."), field="text", rule="service_note.text_required")
    _check_when(written_at, field="written_at")
    with transaction.atomic():
        note = ServiceNote(case=case, kind=kind, written_at=written_at, author=author, text=text.strip(),
                           coordination_between_settings=coordination_between_settings)
        validate_model(note)
        note.save()
        timeline_record(case=case, kind="service_note.recorded", actor=author, at=written_at,
                        summary=f"{note.get_kind_display()} written", data={"note": note.pk})
    return note


# --------------------------------------------------------------------------- problem list


def status_change_record(*, case: Case, at: datetime.datetime, description: str, crisis: bool, recorded_by,
                         source: str = MemberStatusChange.Source.MANUAL) -> MemberStatusChange:
    """A change in the member's status: the problem list update is due in 72 hours (24 for a crisis)."""
    _require_dmc(case)
    if not (description or "").strip():
        raise RuleViolation(_("Say what changed."), field="description", rule="status_change.description_required")
    _check_when(at, field="at")
    with transaction.atomic():
        change = MemberStatusChange.objects.create(case=case, at=at, description=description.strip()[:300], crisis=crisis,
                                                   source=source, recorded_by=recorded_by)
        deadline_start(rule_code=change.rule_code, subject=change, started_at=at, case=case)
        timeline_record(case=case, kind="dmc.status_change", actor=recorded_by, at=at,
                        summary=("Crisis: " if crisis else "Status change: ") + change.description, data={"change": change.pk})
    return change


def _problem_list_updated(*, case: Case, at: datetime.datetime, by) -> None:
    for change in MemberStatusChange.objects.select_for_update().filter(case=case, problem_list_updated_at__isnull=True, at__lte=at):
        deadline_meet(rule_code=change.rule_code, subject=change, met_at=at, by=by)
        change.problem_list_updated_at = at
        change.save(update_fields=["problem_list_updated_at"])


def problem_item_add(*, case: Case, title: str, actor, detail: str = "", crisis: bool = False,
                     at: datetime.datetime | None = None) -> ProblemListItem:
    _require_dmc(case)
    at = _check_when(at or timezone.now(), field="at")
    if not (title or "").strip():
        raise RuleViolation(_("Name the problem."), field="title", rule="problem_list.title_required")
    with transaction.atomic():
        item = ProblemListItem.objects.create(case=case, title=title.strip()[:200], detail=detail, crisis=crisis,
                                              identified_at=at, updated_at=at, updated_by=actor)
        _problem_list_updated(case=case, at=at, by=actor)
        timeline_record(case=case, kind="problem_list.added", actor=actor, at=at,
                        summary=f"Problem list: {item.title} added" + (" (crisis)" if crisis else ""), data={"item": item.pk})
    return item


def problem_item_update(*, item: ProblemListItem, status: str, actor, detail: str | None = None,
                        at: datetime.datetime | None = None) -> ProblemListItem:
    at = _check_when(at or timezone.now(), field="at")
    if status not in ProblemListItem.Status.values:
        raise RuleViolation(_("Choose the status."), field="status", rule="problem_list.status")
    with transaction.atomic():
        item = ProblemListItem.objects.select_for_update().get(pk=item.pk)
        item.status, item.updated_at, item.updated_by = status, at, actor
        if detail is not None:
            item.detail = detail
        item.save(update_fields=["status", "updated_at", "updated_by", "detail"])
        _problem_list_updated(case=item.case, at=at, by=actor)
        timeline_record(case=item.case, kind="problem_list.updated", actor=actor, at=at,
                        summary=f"Problem list: {item.title} {item.get_status_display().lower()}", data={"item": item.pk})
    return item


# --------------------------------------------------------------------------- settings of care


def setting_admit(*, case: Case, setting: str, admitted_at: datetime.datetime, actor, provider=None, provider_name: str = "",
                  asam_level: str = "") -> SettingEpisode:
    """Admission to a setting of care. A residential admission opens the 24-hour plan notification clock."""
    from cases.services import validate_model

    if setting not in SettingOfCare.values:
        raise RuleViolation(_("Choose the setting of care."), field="setting", rule="setting.choice")
    _check_when(admitted_at, field="admitted_at")
    with transaction.atomic():
        if SettingEpisode.objects.filter(case=case, setting=setting, discharged_at__isnull=True).exists():
            raise RuleViolation(_("The member is already in this setting; record the discharge first."), field="setting",
                                rule="setting.already_admitted")
        episode = SettingEpisode(case=case, setting=setting, admitted_at=admitted_at, admitted_by=actor, provider=provider,
                                 provider_name=provider_name, asam_level=asam_level)
        validate_model(episode)
        episode.save()
        if asam_level:
            Case.objects.filter(pk=case.pk).update(asam_level=asam_level, version=F("version") + 1)
        timeline_record(case=case, kind="setting.admitted", actor=actor, at=admitted_at,
                        summary=f"Admitted to {episode.get_setting_display()} ({episode.provider_display})"
                        + (f", ASAM {asam_level}" if asam_level else ""), data={"episode": episode.pk})
        _episode_event_clocks(episode=episode, event=PlanNotification.Event.ADMISSION, at=admitted_at, actor=actor)
    return episode


def setting_discharge(*, episode: SettingEpisode, discharged_at: datetime.datetime, actor, reason: str = "") -> SettingEpisode:
    """Discharge from a setting; residential → 24-hour plan notification; hospital/residential/WM → 7-day follow-up."""
    with transaction.atomic():
        episode = SettingEpisode.objects.select_for_update(of=("self",)).select_related("case").get(pk=episode.pk)
        if episode.discharged_at is not None:
            raise RuleViolation(_("This stay already ended."), field="discharged_at", rule="setting.already_discharged")
        _check_when(discharged_at, field="discharged_at", not_before=episode.admitted_at, before_label=_("the admission"))
        episode.discharged_at, episode.discharged_by, episode.discharge_reason = discharged_at, actor, reason[:300]
        episode.save(update_fields=["discharged_at", "discharged_by", "discharge_reason"])
        case = episode.case
        timeline_record(case=case, kind="setting.discharged", actor=actor, at=discharged_at,
                        summary=f"Discharged from {episode.get_setting_display()}" + (f": {reason}" if reason else ""),
                        data={"episode": episode.pk})
        _episode_event_clocks(episode=episode, event=PlanNotification.Event.DISCHARGE, at=discharged_at, actor=actor)
        if episode.setting in DISCHARGE_FOLLOW_UP_SETTINGS:
            deadline_start(rule_code=R_POST_DISCHARGE, subject=episode, started_at=discharged_at, case=case)
    return episode


def _episode_event_clocks(*, episode: SettingEpisode, event: str, at: datetime.datetime, actor) -> None:
    case = episode.case
    if case.program != Program.DMC_ODS:
        return
    if episode.is_residential:
        if _member_plan(case.member) is not None:
            deadline_start(rule_code=R_RESIDENTIAL, subject=episode, started_at=at, case=case, occurrence=event)
        else:
            timeline_record(case=case, kind="setting.no_plan", actor=actor, at=at,
                            summary="No managed care plan on file: no plan notification is due (fee-for-service).")
    source = MemberStatusChange.Source.ADMISSION if event == PlanNotification.Event.ADMISSION else MemberStatusChange.Source.DISCHARGE
    status_change_record(case=case, at=at, crisis=False, recorded_by=actor, source=source,
                         description=f"{PlanNotification.Event(event).label}: {episode.get_setting_display()}")


def plan_notification_record(*, episode: SettingEpisode, event: str, channel: str, person_reached: str,
                             notified_at: datetime.datetime, notified_by, follow_up_services: str = "",
                             send_letter: bool = False) -> PlanNotification:
    """The plan was told of a residential admission or discharge (by phone, secure email or fax). Meets the 24-hour clock.

    Telling the plan discloses SUD treatment: it goes through the disclosure check and is accounted for.
    With ``send_letter`` (secure email or fax) the notification also goes out as a notice of kind
    ``residential_admission``/``residential_discharge`` to the plan (``notices.services``), whose send does the
    disclosure check instead.
    """
    if event not in PlanNotification.Event.values:
        raise RuleViolation(_("Choose admission or discharge."), field="event", rule="plan_notification.event")
    if channel not in PlanNotification.Channel.values:
        raise RuleViolation(_("Choose phone, secure email or fax."), field="channel", rule="plan_notification.channel")
    if not (person_reached or "").strip():
        raise RuleViolation(_("Name the person at the plan who was reached."), field="person_reached",
                            rule="plan_notification.person_reached_required")
    with transaction.atomic():
        episode = SettingEpisode.objects.select_for_update(of=("self",)).select_related("case__member").get(pk=episode.pk)
        if not episode.is_residential:
            raise RuleViolation(_("Only residential admissions and discharges are notified to the plan."), field="episode",
                                rule="plan_notification.residential_only")
        event_at = episode.admitted_at if event == PlanNotification.Event.ADMISSION else episode.discharged_at
        if event_at is None:
            raise RuleViolation(_("Record the discharge before notifying the plan of it."), field="event",
                                rule="plan_notification.no_discharge")
        _check_when(notified_at, field="notified_at", not_before=event_at, before_label=_("the admission or discharge"))
        if PlanNotification.objects.filter(episode=episode, event=event).exists():
            raise RuleViolation(_("The plan was already notified of this."), field="event", rule="plan_notification.once")
        case = episode.case
        plan = _member_plan(case.member)
        if plan is None:
            raise RuleViolation(_("The member has no managed care plan on file."), field="episode", rule="plan_notification.no_plan")
        event_label = PlanNotification.Event(event).label
        notice_id = None
        if send_letter:
            if channel == PlanNotification.Channel.PHONE:
                raise RuleViolation(_("A letter goes by secure email or fax, not by phone."), field="channel",
                                    rule="plan_notification.letter_channel")
            from notices.services import notice_create, notice_send

            notice = notice_create(kind=f"residential_{event}", member=case.member, case=case, recipient_kind="plan",
                                   recipient_org=plan, channel=channel, created_by=notified_by, data_categories=("sud",),
                                   context={"facility_name": episode.provider_display, "asam_level": episode.asam_level,
                                            "event_date": timezone.localtime(event_at).date()})
            notice = notice_send(notice=notice, by=notified_by)
            notice_id, disclosure_id = notice.pk, notice.disclosure_id_ref
        else:
            disclosure_id = disclose(member=case.member, recipient=plan, purpose=Purpose.CARE_COORDINATION, categories=["sud"],
                                     description=f"Residential SUD treatment {str(event_label).lower()} notification",
                                     disclosed_by=notified_by, case=case, channel=channel).pk
        notification = PlanNotification.objects.create(
            episode=episode, event=event, plan=plan, channel=channel, person_reached=person_reached.strip()[:200],
            notified_at=notified_at, notified_by=notified_by, follow_up_services=follow_up_services,
            disclosure_id_ref=disclosure_id, notice_id_ref=notice_id)
        deadline_meet(rule_code=R_RESIDENTIAL, subject=episode, met_at=notified_at, by=notified_by, occurrence=event)
        timeline_record(case=case, kind="dmc.plan_notified", actor=notified_by, at=notified_at,
                        summary=f"{plan} told of residential {str(event_label).lower()} by {notification.get_channel_display().lower()}"
                                f" ({notification.person_reached})", data={"notification": notification.pk})
    return notification


def _meet_post_discharge(*, case: Case, at: datetime.datetime, by) -> None:
    for episode in SettingEpisode.objects.filter(case=case, discharged_at__isnull=False, discharged_at__lte=at,
                                                 setting__in=DISCHARGE_FOLLOW_UP_SETTINGS):
        deadline_meet(rule_code=R_POST_DISCHARGE, subject=episode, met_at=at, by=by)
    for tr in CareTransition.objects.filter(case=case, kind=K.HOSPITAL_DISCHARGE, event_at__lte=at):
        deadline_meet(rule_code=R_POST_DISCHARGE, subject=tr, met_at=at, by=by)


# --------------------------------------------------------------------------- crisis, MAT, other plans


def crisis_record(*, case: Case, at: datetime.datetime, description: str, recorded_by) -> CrisisEvent:
    """A crisis service: follow-up to care providers and the plan within 24 hours; problem list within 24 hours."""
    _require_dmc(case)
    if not (description or "").strip():
        raise RuleViolation(_("Describe the crisis."), field="description", rule="crisis.description_required")
    _check_when(at, field="at")
    with transaction.atomic():
        crisis = CrisisEvent.objects.create(case=case, at=at, description=description.strip(), recorded_by=recorded_by)
        deadline_start(rule_code=R_CRISIS, subject=crisis, started_at=at, case=case)
        status_change_record(case=case, at=at, crisis=True, recorded_by=recorded_by, source=MemberStatusChange.Source.CRISIS,
                             description=f"Crisis service: {description.strip()[:200]}")
    return crisis


def crisis_follow_up_record(*, crisis: CrisisEvent, at: datetime.datetime, by, providers: str, plan_told: bool,
                            note: str) -> CrisisEvent:
    """Follow-up shared with the care providers and the member's plan (relapse prevention or support)."""
    if not (note or "").strip():
        raise RuleViolation(_("Say what was shared (relapse prevention or support)."), field="note", rule="crisis.note_required")
    with transaction.atomic():
        crisis = CrisisEvent.objects.select_for_update(of=("self",)).select_related("case__member").get(pk=crisis.pk)
        if crisis.follow_up_at is not None:
            raise RuleViolation(_("The follow-up was already recorded."), field="__all__", rule="crisis.follow_up_once")
        _check_when(at, field="at", not_before=crisis.at, before_label=_("the crisis"))
        case = crisis.case
        plan = _member_plan(case.member)
        if plan is not None and not plan_told:
            raise RuleViolation(_("The follow-up goes to the member's plan too (%(plan)s).") % {"plan": plan},
                                field="plan_told", rule="dmc.crisis_follow_up_plan")
        if plan is None and not (providers or "").strip():
            raise RuleViolation(_("Name the care providers who were told."), field="providers", rule="crisis.providers_required")
        if plan is not None:
            disclose(member=case.member, recipient=plan, purpose=Purpose.CARE_COORDINATION, categories=["sud"],
                     description="SUD crisis follow-up", disclosed_by=by, case=case)
        crisis.follow_up_at, crisis.follow_up_by = at, by
        crisis.follow_up_providers, crisis.follow_up_plan, crisis.follow_up_note = (providers or "")[:300], plan, note.strip()
        crisis.save(update_fields=["follow_up_at", "follow_up_by", "follow_up_providers", "follow_up_plan", "follow_up_note"])
        deadline_meet(rule_code=R_CRISIS, subject=crisis, met_at=at, by=by)
        timeline_record(case=case, kind="dmc.crisis_follow_up", actor=by, at=at,
                        summary="Crisis follow-up sent to " + ", ".join(filter(None, [providers, str(plan or "")])),
                        data={"crisis": crisis.pk})
    return crisis


def _mat_referral(referral: Referral) -> Referral:
    if referral.service_type != Referral.ServiceType.MAT_NTP:
        raise RuleViolation(_("This is not a MAT referral."), field="referral", rule="mat.not_mat")
    return referral


def mat_request_record(*, case: Case, requested_at: datetime.datetime, actor, recipient_organization=None,
                       recipient_contact: str = "", reason: str = "") -> Referral:
    """MAT need identified or requested: a MAT/NTP referral is due within 24 hours."""
    _require_dmc(case)
    _check_when(requested_at, field="requested_at")
    with transaction.atomic():
        referral = referral_services.referral_create_outbound(
            case=case, service_type=Referral.ServiceType.MAT_NTP, actor=actor, recipient_organization=recipient_organization,
            recipient_contact=recipient_contact, reason=reason, urgency=Referral.Urgency.URGENT, referred_at=requested_at)
        deadline_start(rule_code=R_MAT, subject=referral, started_at=requested_at, case=case)
    return referral


def mat_referral_send(*, referral: Referral, at: datetime.datetime, actor, channel: str, follow_up_call: bool) -> Referral:
    """Send the MAT referral (secure email or fax, with a follow-up call); meets the 24-hour clock."""
    _mat_referral(referral)
    if channel not in ("secure_email", "fax"):
        raise RuleViolation(_("Send a MAT referral by secure email or fax."), field="channel", rule="mat.channel")
    if not follow_up_call:
        raise RuleViolation(_("Follow the referral with a phone call."), field="follow_up_call", rule="mat.follow_up_call")
    _check_when(at, field="at", not_before=referral.referred_at, before_label=_("the request"))
    with transaction.atomic():
        disclosure = disclose(member=referral.member, recipient=referral.recipient_organization,
                              recipient_name=referral.recipient_contact, purpose=Purpose.REFERRAL, categories=["general", "sud"],
                              description="MAT / narcotic treatment program referral", disclosed_by=actor,
                              case=referral.case, channel=channel)
        referral = referral_services.referral_check_consent(referral=referral, actor=actor, at=at,
                                                            consent_reference=f"disclosure:{disclosure.pk}")
        referral = referral_services.referral_send(referral=referral, actor=actor, at=at,
                                                   note=f"Sent by {channel.replace('_', ' ')}, followed by a phone call")
        deadline_meet(rule_code=R_MAT, subject=referral, met_at=at, by=actor)
    return referral


def mat_appointment_confirm(*, referral: Referral, appointment_at: datetime.datetime, actor,
                            at: datetime.datetime | None = None) -> Referral:
    _mat_referral(referral)
    if appointment_at is None or timezone.is_naive(appointment_at):
        raise RuleViolation(_("Enter the appointment date and time."), field="appointment_at", rule="mat.appointment")
    return referral_services.referral_schedule(referral=referral, appointment_at=appointment_at, actor=actor, at=at,
                                               note="Appointment confirmed with the program")


def mat_transportation_arrange(*, referral: Referral, arrangement: str, actor, at: datetime.datetime | None = None):
    _mat_referral(referral)
    if not (arrangement or "").strip():
        raise RuleViolation(_("Say how the member will get there."), field="arrangement", rule="mat.transportation_required")
    return referral_services.referral_note(referral=referral, action="transportation_arranged", actor=actor, at=at,
                                           note=arrangement.strip()[:500])


def other_plan_coordination_log(*, case: Case, at: datetime.datetime, by, note: str, topics: list[str],
                                organization=None, organization_name: str = "") -> PlanCoordination:
    """Coordination with another plan or organization serving the member; the next is due a month later."""
    from cases.services import validate_model

    _require_dmc(case)
    _check_when(at, field="at")
    if not topics or set(topics) - set(PlanCoordination.Topic.values):
        raise RuleViolation(_("Choose what was coordinated."), field="topics", rule="coordination.topics")
    if not (note or "").strip():
        raise RuleViolation(_("Write what was coordinated."), field="note", rule="coordination.note_required")
    with transaction.atomic():
        log = PlanCoordination(case=case, organization=organization, organization_name=organization_name, at=at,
                               topics=list(topics), note=note.strip(), by=by)
        validate_model(log)
        log.save()
        deadline_meet(rule_code=R_COORDINATION, subject=case, met_at=at, by=by)
        deadline_start(rule_code=R_COORDINATION, subject=case, started_at=at, case=case, occurrence=f"after-{log.pk}")
        timeline_record(case=case, kind="dmc.plan_coordination", actor=by, at=at,
                        summary=f"Coordinated with {organization or organization_name}", data={"coordination": log.pk})
    return log


# --------------------------------------------------------------------------- care transitions


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    requires: tuple[str, ...] = ()
    optional: bool = False
    meets: str = ""  # clock rule met on the transition itself


LOOP_STEPS = (
    Step("member_informed", _("Member told of the referral, its reasons, concerns addressed")),
    Step("packet_sent", _("Referral packet sent to the new setting"), requires=("member_informed",)),
    Step("services_scheduled", _("Services scheduled, confirmed with the new setting"), requires=("packet_sent",)),
    Step("warm_handoff", _("Warm hand-off (call, email, transportation or other support)"), requires=("packet_sent",), optional=True),
    Step("appointment_attended", _("Member attended the initial appointment"), requires=("services_scheduled",),
         meets=R_FIRST_APPOINTMENT),
    Step("previous_setting_closed", _("Closed at the previous setting"), requires=("packet_sent",)),
    Step("discharge_summary_sent", _("Discharge summary and planning materials sent to the new setting"),
         requires=("previous_setting_closed",)),
)
CHECKLISTS: dict[str, tuple[Step, ...]] = {
    K.SETTING_CHANGE: LOOP_STEPS,
    K.LEVEL_OF_CARE: LOOP_STEPS,
    K.HOSPITAL_DISCHARGE: (
        Step("discharge_plan_received", _("Discharge plan received from the hospital")),
        Step("medications_reconciled", _("Medications reconciled")),
        Step("pcp_informed", _("Primary care provider informed")),
        Step("home_supports_arranged", _("Home supports, equipment and transportation arranged")),
        Step("follow_up_scheduled", _("Follow-up appointment scheduled")),
        Step("follow_up_completed", _("Follow-up after discharge completed"), requires=("follow_up_scheduled",),
             meets=R_POST_DISCHARGE),
    ),
    K.PEDIATRIC_TO_ADULT: (
        Step("transition_readiness_assessed", _("Transition readiness assessment done")),
        Step("adult_providers_identified", _("Adult primary care and specialists identified")),
        Step("member_family_informed", _("Member and family told what changes at 21")),
        Step("adult_plan_written", _("Adult transition plan written"),
             requires=("transition_readiness_assessed", "adult_providers_identified"), meets=R_ADULT_PLAN),
        Step("records_transferred", _("Records sent to the adult providers"), requires=("adult_plan_written",), optional=True),
    ),
    K.INTER_COUNTY_TRANSFER: (
        Step("receiving_county_contacted", _("Receiving county contacted")),
        Step("records_sent", _("Case records sent to the receiving county"), requires=("receiving_county_contacted",),
             meets=R_TRANSFER),
        Step("receiving_county_acknowledged", _("Receiving county acknowledged the transfer"), requires=("records_sent",)),
        Step("case_closed_here", _("Case closed in this county"), requires=("receiving_county_acknowledged",), optional=True),
    ),
}


def checklist_for(transition: CareTransition) -> tuple[Step, ...]:
    steps = CHECKLISTS[transition.kind]
    if transition.kind in LOOP_KINDS and (transition.from_setting in NON_PROGRAM_SETTINGS or not transition.from_setting):
        # Nothing to close when the member comes from home or the community (seed 003: "if applicable").
        steps = tuple(Step(s.code, s.label, s.requires, True, s.meets) if s.code in ("previous_setting_closed",
                                                                                   "discharge_summary_sent") else s
                      for s in steps)
    return steps


_SERVICE_TYPE_FOR_SETTING = {
    SettingOfCare.RESIDENTIAL: Referral.ServiceType.SUD_RESIDENTIAL,
    SettingOfCare.WITHDRAWAL_MANAGEMENT: Referral.ServiceType.SUD_RESIDENTIAL,
    SettingOfCare.OUTPATIENT: Referral.ServiceType.SUD_OUTPATIENT,
    SettingOfCare.INTENSIVE_OUTPATIENT: Referral.ServiceType.SUD_OUTPATIENT,
    SettingOfCare.OPIOID_TREATMENT: Referral.ServiceType.MAT_NTP,
    SettingOfCare.MHP_PROGRAM: Referral.ServiceType.MENTAL_HEALTH,
    SettingOfCare.HOME: Referral.ServiceType.HOME_HEALTH,
}


def _adult_birthday(member) -> datetime.date:
    born = member.date_of_birth
    try:
        return born.replace(year=born.year + 21)
    except ValueError:  # born on 29 February
        return born.replace(year=born.year + 21, day=28)


def transition_open(*, case: Case, kind: str, event_at: datetime.datetime, actor, reasons: str = "", from_setting: str = "",
                    to_setting: str = "", from_asam_level: str = "", to_asam_level: str = "", from_episode=None,
                    recipient_organization=None, recipient_contact: str = "", receiving_county=None) -> CareTransition:
    """Start a transition of care with its checklist and clocks."""
    from cases.services import validate_model

    if kind not in K.values:
        raise RuleViolation(_("Choose the kind of transition."), field="kind", rule="transition.kind")
    if case.status == Case.Status.CLOSED:
        raise RuleViolation(_("The case is closed."), field="case", rule="transition.case_closed")
    _check_when(event_at, field="event_at")
    member = case.member
    if kind in LOOP_KINDS:
        if kind == K.SETTING_CHANGE and not to_setting:
            raise RuleViolation(_("Choose the new setting of care."), field="to_setting", rule="transition.to_setting_required")
        if kind == K.LEVEL_OF_CARE and not to_asam_level:
            raise RuleViolation(_("Choose the new ASAM level of care."), field="to_asam_level", rule="transition.to_level_required")
        if recipient_organization is None and not recipient_contact.strip():
            raise RuleViolation(_("Name the new setting or the person who receives the referral."), field="recipient_organization",
                                rule="transition.recipient_required")
        if not reasons.strip():
            raise RuleViolation(_("Give the reasons for the referral (the member is told them)."), field="reasons",
                                rule="transition.reasons_required")
        if from_episode is None:
            from_episode = SettingEpisode.objects.filter(case=case, discharged_at__isnull=True).order_by("-admitted_at").first()
        if from_episode is not None:
            from_setting = from_setting or from_episode.setting
            from_asam_level = from_asam_level or from_episode.asam_level
        from_asam_level = from_asam_level or case.asam_level
    elif kind == K.HOSPITAL_DISCHARGE:
        from_setting, to_setting = SettingOfCare.HOSPITAL, to_setting or SettingOfCare.HOME
    elif kind == K.PEDIATRIC_TO_ADULT:
        today = timezone.localdate()
        age = member.age_on(today)
        if age < transition_assessment_age():
            raise RuleViolation(_("Transition planning starts at age %(age)s.") % {"age": transition_assessment_age()},
                                field="kind", rule="transition.too_young")
        if _adult_birthday(member) <= today:
            raise RuleViolation(_("The member is already 21."), field="kind", rule="transition.already_adult")
    elif kind == K.INTER_COUNTY_TRANSFER:
        if receiving_county is None:
            raise RuleViolation(_("Choose the county the member moved to."), field="receiving_county",
                                rule="transition.receiving_county_required")
        if receiving_county.pk == member.county_id:
            raise RuleViolation(_("The member already lives in this county."), field="receiving_county",
                                rule="transition.same_county")
    with transaction.atomic():
        referral = None
        if kind in LOOP_KINDS:
            referral = referral_services.referral_create_outbound(
                case=case, service_type=_SERVICE_TYPE_FOR_SETTING.get(to_setting, Referral.ServiceType.OTHER), actor=actor,
                recipient_organization=recipient_organization, recipient_contact=recipient_contact, reason=reasons,
                referred_at=event_at)
        tr = CareTransition(kind=kind, case=case, member=member, from_setting=from_setting, to_setting=to_setting,
                            from_asam_level=from_asam_level, to_asam_level=to_asam_level, from_episode=from_episode,
                            recipient_organization=recipient_organization, recipient_contact=recipient_contact.strip(),
                            receiving_county=receiving_county, reasons=reasons.strip(), event_at=event_at, referral=referral,
                            opened_by=actor, last_step_at=event_at)
        validate_model(tr)
        tr.save()
        TransitionStep.objects.create(transition=tr, step="opened", at=event_at, by=actor, note=reasons[:500])
        if kind == K.HOSPITAL_DISCHARGE:
            deadline_start(rule_code=R_POST_DISCHARGE, subject=tr, started_at=event_at, case=case)
        elif kind == K.PEDIATRIC_TO_ADULT:
            deadline_start(rule_code=R_ADULT_PLAN, subject=tr, started_at=event_at, case=case, target=_adult_birthday(member))
        elif kind == K.INTER_COUNTY_TRANSFER:
            deadline_start(rule_code=R_TRANSFER, subject=tr, started_at=event_at, case=case)
        timeline_record(case=case, kind="transition.opened", actor=actor, at=event_at,
                        summary=f"{tr.get_kind_display()} started" + (f": {tr.get_to_setting_display()}" if to_setting else "")
                        + (f" (ASAM {to_asam_level})" if to_asam_level else ""), data={"transition": tr.pk})
    return tr


def _done_steps(transition: CareTransition) -> set[str]:
    return set(transition.steps.values_list("step", flat=True))


def transition_step_record(*, transition: CareTransition, step: str, at: datetime.datetime, by, note: str = "",
                           appointment_at: datetime.datetime | None = None, channel: str = "") -> TransitionStep:
    """Record one checklist step (who and when), in order, with what it does to the referral, the stays and the clocks."""
    with transaction.atomic():
        transition = CareTransition.objects.select_for_update(of=("self",)).select_related("case__member", "referral").get(pk=transition.pk)
        if not transition.is_open:
            raise RuleViolation(_("This transition is no longer open."), field="step", rule="transition.not_open")
        steps = {s.code: s for s in checklist_for(transition)}
        if step not in steps:
            raise RuleViolation(_("Choose a step of this transition's checklist."), field="step", rule="transition.step_unknown")
        definition = steps[step]
        done = _done_steps(transition)
        if step in done:
            raise RuleViolation(_("This step was already recorded."), field="step", rule="transition.step_once")
        missing = [steps[r].label for r in definition.requires if r not in done]
        if missing:
            raise RuleViolation(_("Record first: %(steps)s.") % {"steps": "; ".join(str(m) for m in missing)}, field="step",
                                rule="transition.step_order")
        _check_when(at, field="at", not_before=transition.event_at, before_label=_("the start of the transition"))
        case, referral, data = transition.case, transition.referral, {}
        if step in ("packet_sent", "records_sent") and "packet_produced" not in done:
            raise RuleViolation(_("Produce the referral packet first (it checks the member's consent)."), field="step",
                                rule="transition.packet_required")
        if step == "packet_sent":
            data["channel"] = channel
            if referral is not None and referral.status == Referral.Status.DRAFT:
                packet = transition.steps.filter(step="packet_produced").order_by("-at").first()
                referral = referral_services.referral_check_consent(
                    referral=referral, actor=by, at=at, consent_reference=f"disclosure:{packet.data.get('disclosure')}")
                referral_services.referral_send(referral=referral, actor=by, at=at, note=note)
            deadline_start(rule_code=R_FIRST_APPOINTMENT, subject=transition, started_at=at, case=case)
        elif step == "services_scheduled":
            if appointment_at is None or timezone.is_naive(appointment_at):
                raise RuleViolation(_("Enter the date and time of the initial appointment."), field="appointment_at",
                                    rule="transition.appointment_required")
            data["appointment_at"] = appointment_at.isoformat()
            if referral is not None:
                referral_services.referral_schedule(referral=referral, appointment_at=appointment_at, actor=by, at=at, note=note)
            transition.appointment_at = appointment_at
        elif step == "warm_handoff" and referral is not None:
            Referral.objects.filter(pk=referral.pk).update(warm_handoff=True)
            referral_services.referral_note(referral=referral, action="warm_handoff", actor=by, at=at, note=note)
        elif step == "appointment_attended":
            if referral is not None:
                referral_services.referral_transition(referral=referral, to_status=Referral.Status.ATTENDED, actor=by, at=at, note=note)
            if transition.from_episode_id:
                deadline_meet(rule_code=R_POST_DISCHARGE, subject=transition.from_episode, met_at=at, by=by)
            if transition.to_setting and transition.to_setting not in NON_PROGRAM_SETTINGS and transition.to_episode_id is None:
                transition.to_episode = setting_admit(
                    case=case, setting=transition.to_setting, admitted_at=at, actor=by,
                    provider=transition.recipient_organization,
                    provider_name="" if transition.recipient_organization_id else transition.recipient_contact,
                    asam_level=transition.to_asam_level)
            elif transition.to_asam_level:
                Case.objects.filter(pk=case.pk).update(asam_level=transition.to_asam_level, version=F("version") + 1)
        elif step == "previous_setting_closed":
            episode = transition.from_episode
            if episode is not None and episode.discharged_at is None:
                setting_discharge(episode=episode, discharged_at=at, actor=by,
                                  reason=f"Transition to {transition.get_to_setting_display() or transition.to_asam_level}")
        elif step == "discharge_summary_sent":
            disclosure = disclose(member=case.member, recipient=transition.recipient_organization,
                                  recipient_name=transition.recipient_contact, purpose=Purpose.TRANSITION,
                                  categories=["general", "sud"] if case.program == Program.DMC_ODS else ["general"],
                                  description="Discharge summary and planning materials", disclosed_by=by, case=case,
                                  channel=channel)
            data["disclosure"] = disclosure.pk
        elif step == "transition_readiness_assessed":
            if not Assessment.objects.filter(member=case.member, kind=Assessment.Kind.TRANSITION_READINESS).exists():
                raise RuleViolation(_("Record the transition readiness assessment first."), field="step",
                                    rule="transition.readiness_assessment_required")
        if definition.meets:
            deadline_meet(rule_code=definition.meets, subject=transition, met_at=at, by=by)
        if step == "follow_up_completed":
            _meet_post_discharge(case=case, at=at, by=by)
        recorded = TransitionStep.objects.create(transition=transition, step=step, at=at, by=by, note=note, data=data)
        transition.last_step_at = max(transition.last_step_at, at)
        transition.save(update_fields=["last_step_at", "appointment_at", "to_episode"])
        timeline_record(case=case, kind=f"transition.{step}", actor=by, at=at,
                        summary=f"{transition.get_kind_display()}: {definition.label}" + (f" — {note}" if note else ""),
                        data={"transition": transition.pk})
    return recorded


def transition_packet_produce(*, transition: CareTransition, actor, channel: str = "download") -> tuple[bytes, TransitionStep]:
    """Assemble the referral packet from the record as one PDF — only when a consent covers the recipient.

    The disclosure check runs first (``consents.services.disclose``): without a covering consent it raises
    ``RuleViolation(field="consent")`` and nothing is produced or written. With SUD records the 42 CFR 2.32
    notice is printed on the packet.
    """
    if not transition.is_open:
        raise RuleViolation(_("This transition is no longer open."), field="__all__", rule="transition.not_open")
    recipient = transition.recipient_organization
    recipient_name = transition.recipient_contact
    if transition.kind == K.INTER_COUNTY_TRANSFER and recipient is None and not recipient_name:
        recipient_name = f"{transition.receiving_county} County"
    if recipient is None and not recipient_name:
        raise RuleViolation(_("Name who receives the packet."), field="recipient_organization", rule="transition.recipient_required")
    now = timezone.now()
    parts = packet_parts(transition, now=now)
    with transaction.atomic():
        disclosure = disclose(member=transition.member, recipient=recipient, recipient_name=recipient_name,
                              purpose=Purpose.TRANSITION, categories=packet_categories(parts),
                              description="Referral packet: member information, transition of care tool, assessments, "
                                          "diagnosis, risk assessment, recent service notes",
                              disclosed_by=actor, case=transition.case, channel=channel)
        pdf = render_packet_pdf(parts, redisclosure_notice=disclosure.redisclosure_notice, disclosure_ref=str(disclosure.pk))
        step = TransitionStep.objects.create(
            transition=transition, step="packet_produced", at=now, by=actor,
            data={"disclosure": disclosure.pk, "sha256": hashlib.sha256(pdf).hexdigest(), "categories": disclosure.categories,
                  **parts.record_refs()})
        CareTransition.objects.filter(pk=transition.pk, last_step_at__lt=now).update(last_step_at=now)
        timeline_record(case=transition.case, kind="transition.packet_produced", actor=actor, at=now,
                        summary=f"Referral packet produced for {recipient or recipient_name}", data={"transition": transition.pk})
    return pdf, step


def transition_close(*, transition: CareTransition, by, at: datetime.datetime | None = None, note: str = "") -> CareTransition:
    """Close the loop: every required step done. The outbound referral closes with the outcome *got help*."""
    at = at or timezone.now()
    with transaction.atomic():
        transition = CareTransition.objects.select_for_update(of=("self",)).select_related("referral", "case").get(pk=transition.pk)
        if not transition.is_open:
            raise RuleViolation(_("This transition is no longer open."), field="__all__", rule="transition.not_open")
        done = _done_steps(transition)
        missing = [s.label for s in checklist_for(transition) if not s.optional and s.code not in done]
        if missing:
            raise RuleViolation(_("Still to do: %(steps)s.") % {"steps": "; ".join(str(m) for m in missing)}, field="__all__",
                                rule="transition.steps_missing")
        _check_when(at, field="at", not_before=transition.event_at, before_label=_("the start of the transition"))
        if transition.referral is not None and transition.referral.is_open:
            referral_services.referral_close(referral=transition.referral, outcome=Referral.Outcome.GOT_HELP, actor=by, at=at,
                                             note=note)
        transition.status, transition.closed_at, transition.closed_note = CareTransition.Status.CLOSED, at, note[:300]
        transition.save(update_fields=["status", "closed_at", "closed_note"])
        TransitionStep.objects.create(transition=transition, step="closed", at=at, by=by, note=note)
        timeline_record(case=transition.case, kind="transition.closed", actor=by, at=at,
                        summary=f"{transition.get_kind_display()} closed", data={"transition": transition.pk})
    return transition


def transition_cancel(*, transition: CareTransition, by, reason: str) -> CareTransition:
    if not (reason or "").strip():
        raise RuleViolation(_("Say why the transition is cancelled."), field="reason", rule="transition.cancel_reason")
    at = timezone.now()
    with transaction.atomic():
        transition = CareTransition.objects.select_for_update(of=("self",)).select_related("referral", "case").get(pk=transition.pk)
        if not transition.is_open:
            raise RuleViolation(_("This transition is no longer open."), field="__all__", rule="transition.not_open")
        for rule in (R_FIRST_APPOINTMENT, R_POST_DISCHARGE, R_ADULT_PLAN, R_TRANSFER):
            deadline_cancel(rule_code=rule, subject=transition, reason=f"Transition cancelled: {reason}"[:200], by=by)
        if transition.referral is not None and transition.referral.is_open:
            referral_services.referral_close(referral=transition.referral, outcome=Referral.Outcome.OTHER, actor=by, at=at,
                                             note=reason)
        transition.status, transition.closed_at, transition.closed_note = CareTransition.Status.CANCELLED, at, reason[:300]
        transition.save(update_fields=["status", "closed_at", "closed_note"])
        TransitionStep.objects.create(transition=transition, step="cancelled", at=at, by=by, note=reason)
        timeline_record(case=transition.case, kind="transition.cancelled", actor=by, at=at,
                        summary=f"{transition.get_kind_display()} cancelled: {reason}", data={"transition": transition.pk})
    return transition
