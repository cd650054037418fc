"""Demo DMC-ODS coordination and transitions of care, built through the services.

* A member moved from New Dawn Residential Treatment to Harbor Outpatient Recovery: plan told of the admission
  and the discharge, referral packet produced under a coordinated care consent, every step of the loop recorded,
  closed.
* A residential admission 30 hours ago whose plan notification is overdue (the sweep marks it missed).
* A problem list with a crisis waiting for its 24-hour update, and a monthly coordination with the plan.
* Initial screening contact attempts for a newly enrolled member.

Idempotent: each part is skipped when its member already has it. Uses the live DMC-ODS demo cases after the
first three (which the consents demo uses).
"""
from __future__ import annotations

import datetime

from django.utils import timezone

from cases.models import Case
from consents.models import Consent, ConsentKind

from . import services as svc
from .models import CareTransition, ContactAttempt, ProblemListItem, SettingEpisode


def _ago(**kwargs) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


def _dmc_cases(ctx) -> list[Case]:
    ids = [c.pk for c in ctx.cases.get("dmc_ods", [])]
    return list(Case.objects.filter(pk__in=ids).exclude(status=Case.Status.CLOSED)
                .select_related("member", "primary_case_manager").order_by("pk"))[3:]


def _plan_of(member):
    coverage = member.coverages.filter(end_date__isnull=True).select_related("plan").first()
    return coverage.plan if coverage else None


def _consent(ctx, case: Case, manager) -> None:
    if Consent.objects.filter(member=case.member, kind=ConsentKind.COORDINATED_CARE).exists():
        return
    from consents.services import consent_record

    today = timezone.localdate()
    recipients = [ctx.orgs["outpatient"], ctx.orgs["residential"]] + ([p] if (p := _plan_of(case.member)) else [])
    consent_record(member=case.member, case=case, kind=ConsentKind.COORDINATED_CARE, recorded_by=manager,
                   recipients=recipients, purposes=["transition", "care_coordination", "referral", "treatment"],
                   data_categories=["sud", "general", "mental_health"],
                   description_of_information="Member information, Transition of Care Tool, ANSA and ASAM assessments, "
                                              "diagnosis, risk assessment, recent service notes, discharge summary",
                   discloser="Sacramento County DMC-ODS", signed_by_name=case.member.full_name,
                   signed_on=today - datetime.timedelta(days=45), effective_on=today - datetime.timedelta(days=45),
                   expires_on=today + datetime.timedelta(days=320), statement_right_to_revoke=True,
                   statement_treatment_not_conditioned=True, statement_redisclosure=True)


def _enrolled(case: Case, manager, days: int) -> Case:
    if case.status == Case.Status.REFERRED:
        return svc.dmc_enrollment_record(case=case, primary_case_manager=manager, enrolled_at=_ago(days=days), actor=manager)
    return case


def _informed(case: Case, manager, at) -> None:
    if not case.coordinator_informings.exists():
        svc.coordinator_informed_record(case=case, informed_at=at, method="in_person", informed_by=manager,
                                        contact_given="Direct line 916-555-0150 (Mon–Fri 8–5); after hours the 24/7 Access Line")


def _moved_to_outpatient(ctx, case: Case, manager) -> None:
    if CareTransition.objects.filter(case=case).exists():
        return
    case = _enrolled(case, manager, 60)
    _consent(ctx, case, manager)
    _informed(case, manager, _ago(days=44))
    residential, outpatient = ctx.orgs["residential"], ctx.orgs["outpatient"]
    svc.assessment_record(case=case, kind="asam", completed_at=_ago(days=42), completed_by=manager, asam_level="3.5",
                          summary="Dimensions 1, 5 and 6 high; needs 24-hour structure. Recommend 3.5 residential.")
    stay = svc.setting_admit(case=case, setting="residential", admitted_at=_ago(days=40), actor=manager, provider=residential,
                             asam_level="3.5")
    svc.plan_notification_record(episode=stay, event="admission", channel="phone", person_reached="Jordan Kim, UM nurse",
                                 notified_at=_ago(days=40) + datetime.timedelta(hours=3), notified_by=manager,
                                 follow_up_services="Primary care visit for hepatitis C follow-up")
    svc.problem_item_add(case=case, title="Opioid use disorder, in early remission in a controlled environment",
                         actor=manager, at=_ago(days=39))
    svc.assessment_record(case=case, kind="asam", completed_at=_ago(days=13), completed_by=manager, asam_level="1.0",
                          summary="Stable in residential phase; cravings managed on buprenorphine. Step down to 1.0 outpatient.")
    svc.assessment_record(case=case, kind="ansa", completed_at=_ago(days=13), completed_by=manager,
                          summary="Strengths: family support, employment history. Needs: stable housing, transportation.")
    svc.assessment_record(case=case, kind="risk", completed_at=_ago(days=13), completed_by=manager, risk_level="moderate",
                          summary="Moderate relapse risk at step-down; overdose education and naloxone given.")
    svc.service_note_record(case=case, written_at=_ago(days=12), author=manager, kind="coordination",
                            coordination_between_settings=True,
                            text="Discussed step-down with New Dawn counselor and Harbor intake; member agrees.")
    transition = svc.transition_open(case=case, kind="setting_change", event_at=_ago(days=12), actor=manager,
                                     to_setting="outpatient", to_asam_level="1.0", recipient_organization=outpatient,
                                     recipient_contact="Harbor intake coordinator",
                                     reasons="Completed residential phase; ASAM reassessment recommends 1.0 outpatient.")
    step = svc.transition_step_record
    step(transition=transition, step="member_informed", at=_ago(days=12) + datetime.timedelta(hours=1), by=manager,
         note="Explained reasons; member worried about transportation — bus pass arranged")
    svc.transition_packet_produce(transition=transition, actor=manager)
    step(transition=transition, step="packet_sent", at=_ago(days=11), by=manager, channel="secure_email")
    step(transition=transition, step="services_scheduled", at=_ago(days=10), by=manager, appointment_at=_ago(days=6),
         note="Intake with Harbor confirmed by phone")
    step(transition=transition, step="warm_handoff", at=_ago(days=9), by=manager,
         note="Three-way call with the member and Harbor intake coordinator")
    step(transition=transition, step="previous_setting_closed", at=_ago(days=7), by=manager,
         note="Discharged from New Dawn with discharge plan")
    stay.refresh_from_db()
    svc.plan_notification_record(episode=stay, event="discharge", channel="secure_email", person_reached="Jordan Kim, UM nurse",
                                 notified_at=_ago(days=7) + datetime.timedelta(hours=4), notified_by=manager,
                                 follow_up_services="PCP follow-up within 7 days")
    step(transition=transition, step="discharge_summary_sent", at=_ago(days=7) + datetime.timedelta(hours=5), by=manager,
         channel="secure_email")
    step(transition=transition, step="appointment_attended", at=_ago(days=6), by=manager,
         note="Harbor confirmed the member attended intake")
    svc.problem_item_update(item=case.problem_list.first(), status="monitoring", actor=manager, at=_ago(days=6),
                            detail="Stepped down to outpatient 1.0; weekly groups at Harbor")
    svc.transition_close(transition=transition, by=manager, at=_ago(days=5), note="Smooth landing at Harbor")


def _overdue_notice(ctx, case: Case, manager) -> None:
    if SettingEpisode.objects.filter(case=case).exists():
        return
    case = _enrolled(case, manager, 30)
    _consent(ctx, case, manager)
    svc.setting_admit(case=case, setting="residential", admitted_at=_ago(hours=30), actor=manager,
                      provider=ctx.orgs["residential"], asam_level="3.7")


def _problem_list(ctx, case: Case, manager) -> None:
    if ProblemListItem.objects.filter(case=case).exists():
        return
    case = _enrolled(case, manager, 50)
    _consent(ctx, case, manager)
    _informed(case, manager, _ago(days=48))
    svc.problem_item_add(case=case, title="Alcohol use disorder, moderate", actor=manager, at=_ago(days=45),
                         detail="Outpatient 1.0, two groups a week")
    svc.problem_item_add(case=case, title="Unstable housing", actor=manager, at=_ago(days=45),
                         detail="On the coordinated entry list; community supports referral through the plan")
    svc.problem_item_add(case=case, title="Hypertension, not followed by a PCP", actor=manager, at=_ago(days=40))
    svc.other_plan_coordination_log(case=case, at=_ago(days=20), by=manager, organization=_plan_of(case.member),
                                    organization_name="" if _plan_of(case.member) else "Partnership Health Plan",
                                    topics=["treatment_planning", "community_supports", "medications"],
                                    note="Monthly call with the plan's care manager: housing navigation, BP medication refill.")
    svc.crisis_record(case=case, at=_ago(hours=10), recorded_by=manager,
                      description="Mobile Support Team responded to a relapse with suicidal thoughts; stabilized at the CSU.")


def _screening(ctx, case: Case, manager) -> None:
    if ContactAttempt.objects.filter(case=case).exists():
        return
    case = _enrolled(case, manager, 20)
    if case.status == Case.Status.OPEN and not case.deadlines.filter(rule_code="dmc.initial_screening").exists():
        svc.dmc_enrollment_record(case=case, primary_case_manager=case.primary_case_manager or manager,
                                  enrolled_at=case.opened_at or _ago(days=20), actor=manager)
    for days, method, outcome in ((18, "phone", "no_answer"), (14, "phone", "left_message"), (9, "letter", "no_answer")):
        svc.contact_attempt_record(case=case, purpose="initial_screening", at=_ago(days=days), method=method, outcome=outcome,
                                   by=manager, note="Initial screening outreach")


def load(ctx) -> None:
    cases = _dmc_cases(ctx)
    manager = ctx.users["dmc"]
    for part, case in zip((_moved_to_outpatient, _overdue_notice, _problem_list, _screening), cases):
        part(ctx, case, manager)
