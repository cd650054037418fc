"""Transitions of care as a closed loop, the referral packet behind the consent check, residential plan
notifications and their 24-hour clock, the problem list clocks, screening, crisis, MAT and coordination clocks."""
import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from carecoord.clocks.models import Deadline, Notification
from carecoord.clocks.sweep import sweep_deadlines
from carecoord.errors import RuleViolation
from cases.models import Case
from consents.models import Disclosure
from consents.services import PART2_REDISCLOSURE_NOTICE
from referrals.models import Referral
from transitions import services as svc
from transitions.models import (
    Assessment, CareTransition, ContactAttempt, MemberStatusChange, PlanNotification, SettingEpisode, TransitionStep,
)
from transitions.packet import HEADINGS
from transitions.selectors import transitions_stalled

from .factories import AssessmentFactory, DmcWorld, ServiceNoteFactory



def ago(**kwargs) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**kwargs)


@pytest.fixture
def world(county_a):
    return DmcWorld(county=county_a)


@pytest.fixture
def case(world):
    return world.member_case(status="open")


def deadline(rule_code, subject, occurrence=None) -> Deadline:
    qs = Deadline.objects.filter(rule_code=rule_code, subject_id=subject.pk).exclude(status="cancelled")
    if occurrence is not None:
        qs = qs.filter(occurrence=occurrence)
    return qs.get()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def residential_to_outpatient(world, case, *, hours_ago=100):
    episode = svc.setting_admit(case=case, setting="residential", admitted_at=ago(days=30), actor=world.manager,
                                provider=world.residential, asam_level="3.5")
    transition = svc.transition_open(case=case, kind="setting_change", event_at=ago(hours=hours_ago), actor=world.manager,
                                     to_setting="outpatient", to_asam_level="1.0", recipient_organization=world.outpatient,
                                     recipient_contact="Intake coordinator", reasons="Completed residential phase; ready to step down.")
    return episode, transition


# --------------------------------------------------------------------------- primary case manager


@pytest.mark.django_db
def test_dmc_case_cannot_open_without_primary_case_manager(world):
    # Given a referred DMC-ODS case with no primary case manager
    case = world.member_case(status="referred")
    Case.objects.filter(pk=case.pk).update(primary_case_manager=None)
    case.refresh_from_db()
    # When it is opened without naming one
    with pytest.raises(RuleViolation) as err:
        svc.dmc_enrollment_record(case=case, primary_case_manager=None, enrolled_at=ago(days=1), actor=world.supervisor)
    # Then it is refused on the field, and the case stays referred with no clock
    assert (err.value.field, err.value.rule) == ("primary_case_manager", "dmc.primary_case_manager_required")
    from cases.services import case_open
    with pytest.raises(RuleViolation) as err2:
        case_open(case=case, actor=world.supervisor)
    assert err2.value.rule == "dmc.primary_case_manager_required"
    case.refresh_from_db()
    assert case.status == "referred" and not Deadline.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_enrollment_opens_case_and_starts_screening_and_coordination_clocks(world):
    case = world.member_case(status="referred")
    enrolled = ago(days=3)
    case = svc.dmc_enrollment_record(case=case, primary_case_manager=world.manager, enrolled_at=enrolled, actor=world.supervisor)
    assert case.status == "open" and case.primary_case_manager == world.manager
    screening = deadline("dmc.initial_screening", case)
    # calendar days: due at the end of the 90th day after enrollment, Pacific time
    assert timezone.localtime(screening.due_at).date() == timezone.localtime(enrolled).date() + datetime.timedelta(days=90)
    assert deadline("dmc.coordination_other_plans", case, "enrollment").status == "open"


@pytest.mark.django_db
def test_member_told_who_coordinates_their_care_is_recorded_on_the_case(world, case):
    record = svc.coordinator_informed_record(case=case, informed_at=ago(hours=2), method="phone",
                                             contact_given="Dana Reyes, 916-555-0150, Mon–Fri 8–5", informed_by=world.manager)
    case.refresh_from_db()
    assert case.member_informed_of_coordinator_at == record.informed_at and record.coordinator == world.manager
    with pytest.raises(RuleViolation) as err:
        svc.coordinator_informed_record(case=case, informed_at=ago(hours=1), method="phone", contact_given=" ",
                                        informed_by=world.manager)
    assert err.value.field == "contact_given"


# --------------------------------------------------------------------------- the referral packet


@pytest.mark.django_db
def test_packet_refused_without_covering_consent_and_produced_with_one_containing_exactly_the_records_parts(world, case):
    # Given a member moving from residential to outpatient, with assessments, a risk assessment and notes on file
    episode, transition = residential_to_outpatient(world, case)
    member = case.member
    asam = AssessmentFactory(member=member, case=case, kind="asam", asam_level="1.0", summary="ASAM dimension review: step down to 1.0")
    AssessmentFactory(member=member, case=case, kind="asam", asam_level="3.5", summary="OLD ASAM at admission",
                      completed_at=ago(days=40))
    ansa = AssessmentFactory(member=member, case=case, kind="ansa", asam_level="", summary="ANSA: housing need", data_category="mental_health")
    risk = AssessmentFactory(member=member, case=case, kind="risk", asam_level="", risk_level="moderate", summary="Relapse risk moderate")
    recent = ServiceNoteFactory(case=case, text="Discussed step-down plan with member", written_at=ago(days=3))
    ServiceNoteFactory(case=case, text="OLD NOTE from intake", written_at=ago(days=45))
    other_case = world.member_case(status="open")
    ServiceNoteFactory(case=other_case, text="ANOTHER MEMBER'S NOTE", written_at=ago(days=1))

    # When the packet is asked for with no consent covering the outpatient program
    with pytest.raises(RuleViolation) as err:
        svc.transition_packet_produce(transition=transition, actor=world.manager)
    # Then it is refused on the consent, and nothing is disclosed or recorded
    assert err.value.field == "consent"
    assert not Disclosure.objects.exists()
    assert not TransitionStep.objects.filter(step="packet_produced").exists()

    # When a written coordinated care consent names the outpatient program and the packet is asked for again
    world.coordinated_consent(member, data_categories=["sud", "general", "mental_health"])
    pdf, step = svc.transition_packet_produce(transition=transition, actor=world.manager)

    # Then one PDF carries the six parts in order, the latest ASAM, the ANSA, the risk, the diagnosis and the recent note only
    text = pdf_text(pdf)
    positions = [text.index(h) for h in HEADINGS]
    assert positions == sorted(positions)
    assert member.full_name in text and member.cin in text
    assert "Harbor Outpatient Recovery" in text and "Completed residential phase" in text
    assert asam.summary in text and ansa.summary in text and risk.summary in text
    assert "F11.20" in text and "F41.1" in text
    assert recent.text in text
    for absent in ("OLD ASAM at admission", "OLD NOTE from intake", "ANOTHER MEMBER'S NOTE"):
        assert absent not in text
    # the Part 2 notice is printed on the packet, and the disclosure is accounted for
    assert "42 CFR part 2" in " ".join(text.split()).lower() or PART2_REDISCLOSURE_NOTICE[:40] in text
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient == world.outpatient and "sud" in disclosure.categories and disclosure.purpose == "transition"
    assert step.data["disclosure"] == disclosure.pk
    assert sorted(step.data["assessments"]) == sorted([asam.pk, ansa.pk, risk.pk])
    assert step.data["service_notes"] == [recent.pk]


# --------------------------------------------------------------------------- residential notifications


@pytest.mark.django_db
def test_residential_admission_with_late_plan_notification_is_missed_and_escalated(world, case):
    # Given a residential admission 30 hours ago and nobody has told the plan
    episode = svc.setting_admit(case=case, setting="residential", admitted_at=ago(hours=30), actor=world.manager,
                                provider=world.residential, asam_level="3.5")
    clock = deadline("dmc.mcp_residential_notice", episode, "admission")
    assert clock.due_at == episode.admitted_at + datetime.timedelta(hours=24)
    # When the sweep runs
    result = sweep_deadlines(now=timezone.now())
    # Then the clock is missed and escalated to the case manager's supervisor
    clock.refresh_from_db()
    assert clock.status == "missed" and clock.escalated_to == world.supervisor
    assert clock.pk in result.ids["missed"] and clock.pk in result.ids["escalated"]
    assert Notification.objects.filter(deadline=clock, user=world.supervisor, kind="escalation").exists()
    # And recording the notification afterwards meets it late, with channel and person reached
    world.coordinated_consent(case.member)
    notification = svc.plan_notification_record(episode=episode, event="admission", channel="phone",
                                                person_reached="J. Kim, UM nurse", notified_at=ago(minutes=5),
                                                notified_by=world.manager)
    clock.refresh_from_db()
    assert clock.status == "met_late" and notification.plan == world.plan
    assert Disclosure.objects.get(pk=notification.disclosure_id_ref).recipient == world.plan


@pytest.mark.django_db
def test_residential_notification_on_time_meets_the_clock_and_is_refused_without_consent(world, case):
    episode = svc.setting_admit(case=case, setting="residential", admitted_at=ago(hours=3), actor=world.manager,
                                provider=world.residential)
    with pytest.raises(RuleViolation) as err:
        svc.plan_notification_record(episode=episode, event="admission", channel="fax", person_reached="Intake desk",
                                     notified_at=ago(hours=1), notified_by=world.manager)
    assert err.value.field == "consent" and not PlanNotification.objects.exists()
    with pytest.raises(RuleViolation) as err:
        svc.plan_notification_record(episode=episode, event="admission", channel="pigeon", person_reached="x",
                                     notified_at=ago(hours=1), notified_by=world.manager)
    assert err.value.field == "channel"
    world.coordinated_consent(case.member)
    svc.plan_notification_record(episode=episode, event="admission", channel="fax", person_reached="Intake desk",
                                 notified_at=ago(hours=1), notified_by=world.manager)
    assert deadline("dmc.mcp_residential_notice", episode, "admission").status == "met_on_time"


@pytest.mark.django_db
def test_residential_notification_sent_as_a_letter_goes_through_notices(world, case):
    world.coordinated_consent(case.member)
    episode = svc.setting_admit(case=case, setting="residential", admitted_at=ago(hours=3), actor=world.manager,
                                provider=world.residential, asam_level="3.5")
    notification = svc.plan_notification_record(episode=episode, event="admission", channel="secure_email",
                                                person_reached="care@valley.invalid", notified_at=ago(hours=1),
                                                notified_by=world.manager, send_letter=True)
    from notices.models import Notice
    notice = Notice.objects.get(pk=notification.notice_id_ref)
    assert notice.kind == "residential_admission" and notice.recipient_org == world.plan and notice.status == "queued"
    assert notification.disclosure_id_ref == notice.disclosure_id_ref
    assert deadline("dmc.mcp_residential_notice", episode, "admission").status == "met_on_time"


# --------------------------------------------------------------------------- the closed loop


@pytest.mark.django_db
def test_closed_loop_from_referral_to_closure_with_every_clock_met(world, case):
    # Given a member in residential care, a consent covering the outpatient program and the plan
    world.coordinated_consent(case.member)
    episode, transition = residential_to_outpatient(world, case, hours_ago=100)
    svc.plan_notification_record(episode=episode, event="admission", channel="fax", person_reached="UM intake",
                                 notified_at=episode.admitted_at + datetime.timedelta(hours=2), notified_by=world.manager)
    referral = transition.referral
    assert referral.direction == "outbound" and referral.service_type == "sud_outpatient" and referral.status == "draft"
    # The order is enforced: nothing is sent before the member is told, nor without a packet
    with pytest.raises(RuleViolation) as err:
        svc.transition_step_record(transition=transition, step="packet_sent", at=ago(hours=90), by=world.manager)
    assert err.value.rule == "transition.step_order"
    svc.transition_step_record(transition=transition, step="member_informed", at=ago(hours=96), by=world.manager,
                               note="Explained the reasons; member agreed")
    with pytest.raises(RuleViolation) as err:
        svc.transition_step_record(transition=transition, step="packet_sent", at=ago(hours=90), by=world.manager)
    assert err.value.rule == "transition.packet_required"
    svc.transition_packet_produce(transition=transition, actor=world.manager)
    svc.transition_step_record(transition=transition, step="packet_sent", at=ago(hours=90), by=world.manager, channel="secure_email")
    first_appt = deadline("dmc.transition_first_appointment", transition)
    svc.transition_step_record(transition=transition, step="services_scheduled", at=ago(hours=80), by=world.manager,
                               appointment_at=ago(hours=30))
    svc.transition_step_record(transition=transition, step="warm_handoff", at=ago(hours=79), by=world.manager,
                               note="Three-way call with the intake coordinator; bus pass given")
    # Discharged from residential: the plan must hear of it in 24 hours; a follow-up is due in 7 days
    svc.transition_step_record(transition=transition, step="previous_setting_closed", at=ago(hours=48), by=world.manager)
    episode.refresh_from_db()
    assert episode.discharged_at is not None
    svc.plan_notification_record(episode=episode, event="discharge", channel="phone", person_reached="J. Kim",
                                 notified_at=ago(hours=40), notified_by=world.manager)
    svc.transition_step_record(transition=transition, step="discharge_summary_sent", at=ago(hours=47), by=world.manager,
                               channel="secure_email")
    svc.transition_step_record(transition=transition, step="appointment_attended", at=ago(hours=29), by=world.manager)
    # Closing: the problem list is brought up to date, and the transition closed
    svc.problem_item_add(case=case, title="Step-down to outpatient", actor=world.manager, at=ago(hours=28))
    closed = svc.transition_close(transition=transition, by=world.manager, at=ago(hours=27), note="Smooth landing")

    # Then every clock this loop opened was met on time
    clocks = {(d.rule_code, d.occurrence): d.status for d in Deadline.objects.filter(case=case)}
    assert clocks.pop(("dmc.initial_screening", ""), None) is None  # not enrolled through the service here
    assert set(clocks.values()) == {"met_on_time"}, clocks
    assert {code for code, _occ in clocks} >= {"dmc.transition_first_appointment", "dmc.mcp_residential_notice",
                                               "all.post_discharge_follow_up", "dmc.problem_list_update"}
    first_appt.refresh_from_db()
    assert first_appt.status == "met_on_time"
    # and the loop is closed: transition, referral (got help), who and when for every step, the new stay begun
    assert closed.status == "closed"
    referral.refresh_from_db()
    assert (referral.status, referral.outcome, referral.warm_handoff) == ("closed", "got_help", True)
    assert [e.action for e in referral.events.all()] == [
        "created", "consent_checked", "sent", "scheduled", "warm_handoff", "attended", "closed"]
    steps = list(transition.steps.order_by("pk").values_list("step", "by"))
    assert [s for s, _by in steps] == ["opened", "member_informed", "packet_produced", "packet_sent", "services_scheduled",
                                       "warm_handoff", "previous_setting_closed", "discharge_summary_sent",
                                       "appointment_attended", "closed"]
    assert all(by == world.manager.pk for _s, by in steps)
    new_stay = SettingEpisode.objects.get(case=case, setting="outpatient")
    assert new_stay.provider == world.outpatient and new_stay.discharged_at is None
    case.refresh_from_db()
    assert case.asam_level == "1.0"


@pytest.mark.django_db
def test_transition_cannot_close_with_steps_missing(world, case):
    _episode, transition = residential_to_outpatient(world, case)
    with pytest.raises(RuleViolation) as err:
        svc.transition_close(transition=transition, by=world.manager)
    assert err.value.rule == "transition.steps_missing" and "Member told" in err.value.message
    transition.refresh_from_db()
    assert transition.status == "open"


@pytest.mark.django_db
def test_stalled_transition_is_listed(world, case):
    _episode, stalled = residential_to_outpatient(world, case, hours_ago=24 * 10)
    other = world.member_case(status="open")
    fresh = svc.transition_open(case=other, kind="level_of_care", event_at=ago(hours=2), actor=world.manager,
                                to_asam_level="2.1", recipient_contact="IOP intake", reasons="Needs more structure")
    listed = list(transitions_stalled(user=world.manager, days=7))
    assert stalled in listed and fresh not in listed
    svc.transition_step_record(transition=stalled, step="member_informed", at=ago(hours=1), by=world.manager)
    assert stalled not in list(transitions_stalled(user=world.manager, days=7))


# --------------------------------------------------------------------------- problem list


@pytest.mark.django_db
def test_crisis_status_change_makes_problem_list_update_due_in_24_hours_and_regular_in_72(world, case):
    at = ago(hours=1)
    crisis = svc.status_change_record(case=case, at=at, description="Relapse; crisis stabilization visit", crisis=True,
                                      recorded_by=world.manager)
    regular = svc.status_change_record(case=case, at=at, description="Moved to sober living", crisis=False,
                                       recorded_by=world.manager)
    crisis_clock = deadline("dmc.problem_list_update_crisis", crisis)
    regular_clock = deadline("dmc.problem_list_update", regular)
    assert crisis_clock.due_at - at == datetime.timedelta(hours=24)
    assert regular_clock.due_at - at == datetime.timedelta(hours=72)
    # Updating the problem list meets both
    svc.problem_item_add(case=case, title="Relapse prevention plan", crisis=True, actor=world.manager)
    crisis_clock.refresh_from_db()
    regular_clock.refresh_from_db()
    assert crisis_clock.status == regular_clock.status == "met_on_time"
    assert not MemberStatusChange.objects.filter(problem_list_updated_at__isnull=True).exists()


@pytest.mark.django_db
def test_status_change_needs_a_description_and_a_dmc_case(world, case, case_a, manager_a):
    with pytest.raises(RuleViolation) as err:
        svc.status_change_record(case=case, at=ago(hours=1), description="", crisis=False, recorded_by=world.manager)
    assert err.value.field == "description"
    with pytest.raises(RuleViolation) as err:
        svc.status_change_record(case=case_a, at=ago(hours=1), description="x", crisis=False, recorded_by=manager_a)
    assert err.value.rule == "dmc.program"
    assert not MemberStatusChange.objects.exists()


# --------------------------------------------------------------------------- screening, crisis, MAT, coordination


@pytest.mark.django_db
def test_initial_screening_attempts_logged_and_screening_meets_the_clock(world):
    case = svc.dmc_enrollment_record(case=world.member_case(status="referred"), primary_case_manager=world.manager,
                                     enrolled_at=ago(days=20), actor=world.manager)
    for days, outcome in ((15, "no_answer"), (10, "left_message"), (5, "reached")):
        svc.contact_attempt_record(case=case, purpose="initial_screening", at=ago(days=days), method="phone", outcome=outcome,
                                   by=world.manager)
    assert ContactAttempt.objects.filter(case=case, purpose="initial_screening").count() == 3
    svc.assessment_record(case=case, kind="initial_screening", completed_at=ago(days=5), completed_by=world.manager,
                          summary="Screened: needs outpatient SUD services")
    assert deadline("dmc.initial_screening", case).status == "met_on_time"
    assert Assessment.objects.get(kind="initial_screening").data_category == "sud"


@pytest.mark.django_db
def test_crisis_follow_up_due_in_24_hours_must_include_the_plan(world, case):
    world.coordinated_consent(case.member)
    crisis = svc.crisis_record(case=case, at=ago(hours=5), description="Overdose reversed by naloxone", recorded_by=world.manager)
    clock = deadline("dmc.crisis_follow_up", crisis)
    assert clock.due_at - crisis.at == datetime.timedelta(hours=24)
    assert deadline("dmc.problem_list_update_crisis", MemberStatusChange.objects.get(case=case)).status == "open"
    with pytest.raises(RuleViolation) as err:
        svc.crisis_follow_up_record(crisis=crisis, at=ago(hours=1), by=world.manager, providers="Harbor Outpatient",
                                    plan_told=False, note="Relapse prevention plan shared")
    assert (err.value.field, err.value.rule) == ("plan_told", "dmc.crisis_follow_up_plan")
    svc.crisis_follow_up_record(crisis=crisis, at=ago(hours=1), by=world.manager, providers="Harbor Outpatient",
                                plan_told=True, note="Relapse prevention plan shared")
    clock.refresh_from_db()
    assert clock.status == "met_on_time"


@pytest.mark.django_db
def test_mat_referral_within_24_hours_with_appointment_and_transportation(world, case):
    ntp = world.outpatient
    world.coordinated_consent(case.member, recipients=[ntp, world.plan])
    referral = svc.mat_request_record(case=case, requested_at=ago(hours=20), actor=world.manager, recipient_organization=ntp,
                                      reason="Requests buprenorphine")
    clock = deadline("dmc.mat_referral", referral)
    assert clock.due_at - referral.referred_at == datetime.timedelta(hours=24)
    with pytest.raises(RuleViolation) as err:
        svc.mat_referral_send(referral=referral, at=ago(hours=2), actor=world.manager, channel="secure_email", follow_up_call=False)
    assert err.value.field == "follow_up_call"
    svc.mat_referral_send(referral=referral, at=ago(hours=2), actor=world.manager, channel="fax", follow_up_call=True)
    svc.mat_appointment_confirm(referral=referral, appointment_at=ago(hours=-24), actor=world.manager)
    svc.mat_transportation_arrange(referral=referral, arrangement="Plan NMT ride booked", actor=world.manager)
    clock.refresh_from_db()
    referral.refresh_from_db()
    assert clock.status == "met_on_time" and referral.status == "scheduled"
    assert referral.events.filter(action="transportation_arranged").exists()


@pytest.mark.django_db
def test_coordination_with_other_plans_reopens_monthly(world):
    case = svc.dmc_enrollment_record(case=world.member_case(status="referred"), primary_case_manager=world.manager,
                                     enrolled_at=ago(days=10), actor=world.manager)
    log = svc.other_plan_coordination_log(case=case, at=ago(days=1), by=world.manager, organization=world.plan,
                                          topics=["treatment_planning", "medications"], note="Shared treatment plan")
    assert deadline("dmc.coordination_other_plans", case, "enrollment").status == "met_on_time"
    nxt = deadline("dmc.coordination_other_plans", case, f"after-{log.pk}")
    assert nxt.status == "open" and nxt.due_at > timezone.now() + datetime.timedelta(days=25)


# --------------------------------------------------------------------------- other transitions


@pytest.mark.django_db
def test_hospital_discharge_checklist_and_seven_day_follow_up(world, case):
    tr = svc.transition_open(case=case, kind="hospital_discharge", event_at=ago(days=2), actor=world.manager)
    clock = deadline("all.post_discharge_follow_up", tr)
    assert timezone.localtime(clock.due_at).date() == timezone.localtime(tr.event_at).date() + datetime.timedelta(days=7)
    with pytest.raises(RuleViolation):
        svc.transition_step_record(transition=tr, step="follow_up_completed", at=ago(hours=1), by=world.manager)
    for step in ("discharge_plan_received", "medications_reconciled", "pcp_informed", "home_supports_arranged",
                 "follow_up_scheduled", "follow_up_completed"):
        svc.transition_step_record(transition=tr, step=step, at=ago(hours=1), by=world.manager)
    clock.refresh_from_db()
    assert clock.status == "met_on_time"
    assert svc.transition_close(transition=tr, by=world.manager).status == "closed"


@pytest.mark.django_db
def test_pediatric_to_adult_plan_due_before_the_21st_birthday(world, county_a, program_a, manager_a):
    from tests.factories import CaseFactory, MemberFactory
    today = timezone.localdate()
    young = CaseFactory(member=MemberFactory(county=county_a, date_of_birth=today.replace(year=today.year - 12)),
                        organization=program_a, primary_case_manager=manager_a)
    with pytest.raises(RuleViolation) as err:
        svc.transition_open(case=young, kind="pediatric_to_adult", event_at=ago(hours=1), actor=manager_a)
    assert err.value.rule == "transition.too_young"
    born = datetime.date(today.year - 19, 3, 10)
    teen = CaseFactory(member=MemberFactory(county=county_a, date_of_birth=born), organization=program_a,
                       primary_case_manager=manager_a)
    tr = svc.transition_open(case=teen, kind="pediatric_to_adult", event_at=ago(hours=1), actor=manager_a)
    clock = deadline("ccs.adult_transition_plan", tr)
    birthday21 = born.replace(year=born.year + 21)
    assert timezone.localtime(clock.due_at).date() == birthday21 - datetime.timedelta(days=180)
    with pytest.raises(RuleViolation) as err:
        svc.transition_step_record(transition=tr, step="transition_readiness_assessed", at=ago(minutes=30), by=manager_a)
    assert err.value.rule == "transition.readiness_assessment_required"


@pytest.mark.django_db
def test_transition_assessment_age_is_administrator_editable(world, county_a, program_a, manager_a):
    from tests.factories import CaseFactory, MemberFactory
    from transitions.models import TransitionSettings
    from transitions.selectors import members_due_transition_assessment, transition_assessment_age
    today = timezone.localdate()
    member = MemberFactory(county=county_a, date_of_birth=today.replace(year=today.year - 15))
    CaseFactory(member=member, organization=program_a, primary_case_manager=manager_a)
    assert transition_assessment_age() == 14
    assert member in members_due_transition_assessment(user=manager_a)
    TransitionSettings.objects.create(transition_assessment_age=16)
    assert transition_assessment_age() == 16
    assert member not in members_due_transition_assessment(user=manager_a)


@pytest.mark.django_db
def test_inter_county_transfer_started_within_seven_working_days_by_sending_records(world, case, county_b):
    case.member.county = world.county
    tr = svc.transition_open(case=case, kind="inter_county_transfer", event_at=ago(days=1), actor=world.manager,
                             receiving_county=county_b, reasons="Member moved to Butte")
    clock = deadline("all.inter_county_transfer", tr)
    svc.transition_step_record(transition=tr, step="receiving_county_contacted", at=ago(hours=20), by=world.manager)
    # The records go only under a consent naming the receiving county program
    with pytest.raises(RuleViolation) as err:
        svc.transition_packet_produce(transition=tr, actor=world.manager)
    assert err.value.field == "consent"
    world.coordinated_consent(case.member, recipients=[], recipient_persons=["Butte County"])
    svc.transition_packet_produce(transition=tr, actor=world.manager)
    svc.transition_step_record(transition=tr, step="records_sent", at=ago(minutes=10), by=world.manager)
    clock.refresh_from_db()
    assert clock.status == "met_on_time"
    with pytest.raises(RuleViolation) as err:
        svc.transition_open(case=case, kind="inter_county_transfer", event_at=ago(days=1), actor=world.manager,
                            receiving_county=world.county)
    assert err.value.rule == "transition.same_county"
    assert CareTransition.objects.count() == 1
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_open_transition_and_residential_stay_show_as_consent_gaps_until_covered(world, case):
    from consents.selectors import consent_gaps
    svc.setting_admit(case=case, setting="residential", admitted_at=ago(hours=2), actor=world.manager, provider=world.residential)
    svc.transition_open(case=case, kind="setting_change", event_at=ago(hours=1), actor=world.manager, to_setting="outpatient",
                        recipient_organization=world.outpatient, reasons="Step down")
    needs = {(g.need.recipient, g.need.purpose) for g in consent_gaps(member=case.member)}
    assert {(world.outpatient, "transition"), (world.plan, "care_coordination")} <= needs
    world.coordinated_consent(case.member)
    needs = {(g.need.recipient, g.need.purpose) for g in consent_gaps(member=case.member)}
    assert (world.outpatient, "transition") not in needs and (world.plan, "care_coordination") not in needs
