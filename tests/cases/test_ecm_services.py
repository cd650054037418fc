"""ECM pathway services: the 10-day NOA, the consent-gated referral, the move out of a COHS county,
closure, and the scenario from removal to the first CFT meeting with every clock opened and met."""
import datetime

import pytest
from django.utils import timezone

from carecoord.clocks.models import Deadline
from carecoord.errors import RuleViolation
from cases import care_plans
from cases import ecm_services as ecm
from cases.ecm_models import EcmEnrollment, PlanSelection
from cases.models import Case, Task
from notices.models import Notice
from notices.services import notice_mark_mailed, notice_send
from referrals.models import Referral
from tests.cases.ecm_support import cohs_member_case, deliver, signed_release, verbal_consent

ALL_CHOOSERS = ["ew", "sw", "phn", "resource_family", "birth_parent", "youth"]


def clocks(case, rule=None):
    qs = Deadline.objects.filter(case=case)
    return qs.filter(rule_code=rule) if rule else qs


# ----------------------------------------------------------------------------- NOA ten days


def test_activation_nine_days_out_is_refused_and_nothing_is_written(ecm_world):
    case = ecm_world["case"]
    # When the EW records a plan choice activating in 9 days
    with pytest.raises(RuleViolation) as exc:
        ecm.plan_selection_record(case=case, meds_status="enrolled", choice="mcp", plan=ecm_world["plan_x"],
                                  activation_date=timezone.localdate() + datetime.timedelta(days=9),
                                  participants=ALL_CHOOSERS, actor=ecm_world["manager"])
    # Then it is refused on the activation date with the NOA rule; no selection, notice or clock
    assert (exc.value.field, exc.value.rule) == ("activation_date", "ecm.noa_ten_day")
    assert not PlanSelection.objects.exists() and not Notice.objects.exists() and not clocks(case).exists()


def test_activation_ten_days_out_drafts_the_noa_and_opens_its_clock_met_when_it_leaves(ecm_world):
    case, manager = ecm_world["case"], ecm_world["manager"]
    activation = timezone.localdate() + datetime.timedelta(days=10)
    # When the plan is chosen with everyone who took part, activating in 10 days
    selection = ecm.plan_selection_record(case=case, meds_status="enrolled", choice="mcp", plan=ecm_world["plan_x"],
                                          activation_date=activation, participants=ALL_CHOOSERS, actor=manager)
    # Then the choice records who took part, the NOA is drafted and the BEFORE clock targets the activation date
    assert selection.participants == ALL_CHOOSERS and selection.noa.kind == "noa_plan_choice"
    assert selection.noa.action_date == activation
    deadline = clocks(case, "ecm.noa_plan_choice").get()
    assert deadline.status == "open" and timezone.localtime(deadline.due_at).date() == activation - datetime.timedelta(days=10)
    case.member.refresh_from_db()
    assert case.member.meds_status == "Enrolled in Medi-Cal"
    # When the NOA is mailed
    notice = notice_send(notice=selection.noa, by=manager)
    notice_mark_mailed(notice=Notice.objects.get(pk=notice.pk), mailed_on=timezone.localdate(), by=manager)
    # Then the clock is met on time
    assert clocks(case, "ecm.noa_plan_choice").get().status == "met_on_time"


def test_multi_plan_county_may_stay_in_fee_for_service_without_a_noa(ecm_world):
    selection = ecm.plan_selection_record(case=ecm_world["case"], meds_status="not_enrolled", choice="ffs",
                                          participants=["ew", "sw"], actor=ecm_world["manager"])
    assert selection.plan is None and selection.noa is None and not clocks(ecm_world["case"]).filter(rule_code="ecm.noa_plan_choice").exists()


def test_multi_plan_county_refuses_a_plan_not_offered_there(ecm_world):
    with pytest.raises(RuleViolation) as exc:
        ecm.plan_selection_record(case=ecm_world["case"], meds_status="enrolled", choice="mcp", plan=ecm_world["cohs_plan"],
                                  activation_date=timezone.localdate() + datetime.timedelta(days=20), participants=["ew"],
                                  actor=ecm_world["manager"])
    assert exc.value.rule == "ecm.plan_in_county" and not PlanSelection.objects.exists()


def test_cohs_county_auto_enrolls_and_refuses_fee_for_service(ecm_world):
    case = cohs_member_case(ecm_world)
    with pytest.raises(RuleViolation) as exc:
        ecm.plan_selection_record(case=case, meds_status="enrolled", choice="ffs", participants=["ew"], actor=ecm_world["manager"])
    assert (exc.value.field, exc.value.rule) == ("choice", "ecm.cohs_auto_enroll")
    selection = ecm.plan_selection_record(case=case, meds_status="enrolled", choice="cohs_auto", participants=["ew", "youth"],
                                          activation_date=timezone.localdate() + datetime.timedelta(days=14), actor=ecm_world["manager"])
    assert selection.plan == ecm_world["cohs_plan"]


def test_plan_choice_needs_who_took_part(ecm_world):
    with pytest.raises(RuleViolation) as exc:
        ecm.plan_selection_record(case=ecm_world["case"], meds_status="enrolled", choice="ffs", participants=[],
                                  actor=ecm_world["manager"])
    assert exc.value.rule == "ecm.plan_participants"


# ----------------------------------------------------------------------------- referral and consent


def test_referral_without_recorded_verbal_consent_is_refused(ecm_world):
    case = ecm_world["case"]
    # Given no verbal consent recorded, when the SW refers to the ECM provider
    with pytest.raises(RuleViolation) as exc:
        ecm.ecm_referral_make(case=case, referrer="sw", recipient=ecm_world["provider"], actor=ecm_world["manager"])
    # Then it is refused on the consent, and nothing is written
    assert (exc.value.field, exc.value.rule) == ("consent", "ecm.referral_consent_required")
    assert not Referral.objects.exists() and not EcmEnrollment.objects.exists()


def test_referral_with_verbal_consent_is_sent_and_the_provider_joins_the_care_team(ecm_world):
    case = ecm_world["case"]
    consent = verbal_consent(ecm_world)
    enrollment = ecm.ecm_referral_make(case=case, referrer="sw", recipient=ecm_world["provider"], actor=ecm_world["manager"])
    assert enrollment.consent == consent and enrollment.referral.status == "sent"
    assert enrollment.referral.service_type == "ecm_provider" and enrollment.referral.events.filter(action="consent_checked").exists()
    assert case.care_team.filter(role="ecm_provider", organization=ecm_world["provider"]).exists()
    assert case.member.disclosures.filter(recipient=ecm_world["provider"], purpose="referral").count() == 1


def test_a_verbal_consent_missing_an_element_cannot_be_recorded(ecm_world):
    with pytest.raises(RuleViolation) as exc:
        verbal_consent(ecm_world, verbal_right_to_withdraw=False)
    assert exc.value.field == "verbal_right_to_withdraw"


def test_a_revoked_verbal_consent_no_longer_allows_the_referral(ecm_world):
    from consents.services import consent_revoke

    consent = verbal_consent(ecm_world)
    consent_revoke(consent=consent, revoked_by=ecm_world["manager"], at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(RuleViolation) as exc:
        ecm.ecm_referral_make(case=ecm_world["case"], referrer="sw", recipient=ecm_world["provider"], actor=ecm_world["manager"])
    assert exc.value.rule == "ecm.referral_consent_required"


def test_family_referring_itself_needs_no_consent(ecm_world):
    enrollment = ecm.ecm_referral_make(case=ecm_world["case"], referrer="self", recipient=ecm_world["provider"],
                                       actor=ecm_world["manager"])
    assert enrollment.consent is None and enrollment.referral.status == "sent"
    assert not ecm_world["member"].disclosures.exists()


def test_prevention_case_manager_refers_to_the_plan_liaison(ecm_world):
    verbal_consent(ecm_world, recipients=[ecm_world["plan_x"]])
    enrollment = ecm.ecm_referral_make(case=ecm_world["case"], referrer="community_cm", recipient=ecm_world["plan_x"],
                                       actor=ecm_world["manager"])
    assert enrollment.ecm_provider is None
    assert ecm_world["case"].care_team.filter(role="mcp_liaison", organization=ecm_world["plan_x"]).exists()


# ----------------------------------------------------------------------------- provider side rules


def _referred(world):
    verbal_consent(world)
    return ecm.ecm_referral_make(case=world["case"], referrer="sw", recipient=world["provider"], actor=world["manager"])


def test_enrollment_waits_for_signed_consent_and_the_prior_services_check(ecm_world):
    ecm.plan_selection_record(case=ecm_world["case"], meds_status="enrolled", choice="mcp", plan=ecm_world["plan_x"],
                              activation_date=timezone.localdate() + datetime.timedelta(days=10), participants=["ew"],
                              actor=ecm_world["manager"])
    enrollment = _referred(ecm_world)
    with pytest.raises(RuleViolation) as exc:
        ecm.ecm_authorization_start(enrollment=enrollment, presumptive=True, actor=ecm_world["manager"])
    assert exc.value.rule == "ecm.signed_consent_required"
    signed_release(ecm_world)
    with pytest.raises(RuleViolation) as exc:
        ecm.ecm_authorization_start(enrollment=enrollment, presumptive=True, actor=ecm_world["manager"])
    assert exc.value.rule == "ecm.prior_check_required"
    assert not clocks(ecm_world["case"]).filter(rule_code__startswith="ecm.assessment").exists()


def test_mcp_denial_ends_ecm_and_cancels_its_clocks(ecm_world):
    ecm.plan_selection_record(case=ecm_world["case"], meds_status="enrolled", choice="mcp", plan=ecm_world["plan_x"],
                              activation_date=timezone.localdate() + datetime.timedelta(days=10), participants=["ew"],
                              actor=ecm_world["manager"])
    enrollment = _referred(ecm_world)
    signed_release(ecm_world)
    ecm.ecm_prior_services_check(enrollment=enrollment, prior_ecm=False, prior_community_supports=False, actor=ecm_world["manager"])
    ecm.ecm_authorization_start(enrollment=enrollment, presumptive=True, expedited=True, actor=ecm_world["manager"])
    assert clocks(ecm_world["case"], "ecm.enrollment_notification_expedited").count() == 2
    ecm.ecm_mcp_decide(enrollment=enrollment, decision="denied", actor=ecm_world["manager"])
    enrollment.refresh_from_db()
    assert enrollment.status == "ended"
    assert clocks(ecm_world["case"], "ecm.presumptive_authorization").get().status == "met_on_time"
    assert set(clocks(ecm_world["case"], "ecm.assessment").values_list("status", flat=True)) == {"cancelled"}


# ----------------------------------------------------------------------------- placement


def test_move_out_of_a_cohs_county_opens_the_24_hour_clock_and_a_continuity_of_care_window(ecm_world):
    case, manager = cohs_member_case(ecm_world), ecm_world["manager"]
    moved_at = timezone.now() - datetime.timedelta(hours=2)
    # When the child is placed in the multi-plan county
    move = ecm.placement_move_record(case=case, to_county=ecm_world["multi"], moved_at=moved_at, actor=manager)
    # Then the 24-hour plan-of-enrollment clock runs from the placement
    cohs_clock = clocks(case, "ecm.cohs_plan_of_enrollment").get()
    assert cohs_clock.due_at == moved_at + datetime.timedelta(hours=24) and move.from_cohs
    case.member.refresh_from_db()
    assert case.member.county == ecm_world["multi"]
    # A new plan waits for the MEDS address
    with pytest.raises(RuleViolation) as exc:
        ecm.placement_plan_decide(move=move, meds_status="enrolled", choice="mcp", plan=ecm_world["plan_y"],
                                  activation_date=timezone.localdate() + datetime.timedelta(days=10), participants=["sw", "phn"],
                                  actor=manager)
    assert exc.value.rule == "ecm.meds_address_first"
    ecm.placement_meds_address_update(move=move, actor=manager)
    # The 10-day NOA applies to the new plan
    with pytest.raises(RuleViolation) as exc:
        ecm.placement_plan_decide(move=move, meds_status="enrolled", choice="mcp", plan=ecm_world["plan_y"],
                                  activation_date=timezone.localdate() + datetime.timedelta(days=9), participants=["sw"], actor=manager)
    assert exc.value.rule == "ecm.noa_ten_day"
    activation = timezone.localdate() + datetime.timedelta(days=10)
    ecm.placement_plan_decide(move=move, meds_status="enrolled", choice="mcp", plan=ecm_world["plan_y"],
                              activation_date=activation, participants=["sw", "phn", "resource_family"], actor=manager)
    # Then the 24-hour clock is met, and the 12-month continuity of care window opens from the new plan's start
    assert clocks(case, "ecm.cohs_plan_of_enrollment").get().status == "met_on_time"
    window = clocks(case, "mcp.continuity_of_care_window").get()
    assert timezone.localtime(window.due_at).date() in (activation.replace(year=activation.year + 1),
                                                         activation.replace(year=activation.year + 1) - datetime.timedelta(days=1))
    assert clocks(case, "ecm.noa_plan_choice").get().status == "open"
    # A continuity of care request inside the window runs its own decision clock
    request = ecm.coc_request_record(move=move, provider_name="Dr. Patel (pediatrics)", urgency="urgent", actor=manager)
    assert clocks(case, "mcp.coc_request_urgent").get().status == "open"
    ecm.coc_request_decide(request=request, decision="approved", actor=manager)
    assert clocks(case, "mcp.coc_request_urgent").get().status == "met_on_time"


def test_a_removal_starts_the_first_placement_health_and_education_summary_and_recording_it_meets_it(ecm_world):
    case, manager = ecm_world["case"], ecm_world["manager"]
    removed_at = timezone.now() - datetime.timedelta(days=2)
    pathway = ecm.ecm_pathway_start(case=case, kind="removal", removed_at=removed_at, actor=manager)
    summary = clocks(case, "cws.health_education_summary").get()
    assert (timezone.localtime(summary.due_at).date() - timezone.localtime(removed_at).date()).days == 30
    with pytest.raises(RuleViolation) as refused:
        ecm.ecm_first_placement_summary_given(pathway=pathway, at=removed_at - datetime.timedelta(hours=1), actor=manager)
    assert refused.value.rule == "ecm.summary_before_placement"
    ecm.ecm_first_placement_summary_given(pathway=pathway, actor=manager)
    summary.refresh_from_db()
    assert summary.status == "met_on_time"
    pathway.refresh_from_db()
    assert pathway.health_summary_given_at is not None


def test_every_placement_starts_the_child_welfare_health_clocks_and_recording_a_step_meets_its_own(ecm_world):
    case, manager = ecm_world["case"], ecm_world["manager"]
    moved_at = timezone.now() - datetime.timedelta(hours=3)
    move = ecm.placement_move_record(case=case, to_county=ecm_world["cohs"], moved_at=moved_at, actor=manager)
    # Then an exam within 30 days, the health and education summary within 48 hours and the mental health
    # plan's presumptive transfer notice within 3 working days are running from the placement
    exam, summary, mhp = (clocks(case, code).get() for code in (
        "cws.placement_exam", "cws.health_education_summary_later", "cws.presumptive_transfer_notice"))
    assert summary.due_at == moved_at + datetime.timedelta(hours=48)
    assert (timezone.localtime(exam.due_at).date() - timezone.localtime(moved_at).date()).days == 30
    assert mhp.status == exam.status == "open"
    # When the summary is given to the caregiver
    ecm.placement_cws_step_record(move=move, step="health_summary", actor=manager)
    # Then its clock alone is met, the move shows it, and the timeline says so
    summary.refresh_from_db()
    exam.refresh_from_db()
    assert summary.status == "met_on_time" and exam.status == "open"
    move.refresh_from_db()
    assert move.health_summary_given_at is not None
    assert case.timeline.filter(kind="ecm.placement_health_step").exists()
    # A step is recorded once, never before the placement, and only the known steps exist
    for step, at, rule in (("health_summary", None, "ecm.step_done"),
                           ("exam", moved_at - datetime.timedelta(days=1), "ecm.move_step_before_placement"),
                           ("dentist", None, "ecm.move_cws_step")):
        with pytest.raises(RuleViolation) as refused:
            ecm.placement_cws_step_record(move=move, step=step, at=at, actor=manager)
        assert refused.value.rule == rule
    exam.refresh_from_db()
    assert exam.status == "open"


def test_changing_the_ecm_provider_hands_off_records_under_consent(ecm_world):
    case, manager = ecm_world["case"], ecm_world["manager"]
    _referred(ecm_world)
    move = ecm.placement_move_record(case=case, to_county=ecm_world["cohs"], moved_at=timezone.now(), actor=manager)
    assert not clocks(case, "ecm.cohs_plan_of_enrollment").exists()  # moving into a COHS county: no 24-hour clock
    ecm.placement_ecm_provider_decide(move=move, action="change", new_provider=ecm_world["provider_2"], actor=manager)
    # Without a release naming the new provider, the transfer is refused
    with pytest.raises(RuleViolation) as exc:
        ecm.placement_ecm_handoff(move=move, actor=manager)
    assert exc.value.field == "consent"
    signed_release(ecm_world)
    ecm.placement_ecm_handoff(move=move, actor=manager)
    move.refresh_from_db()
    assert move.warm_handoff_at and move.records_disclosure.recipient == ecm_world["provider_2"]
    assert list(case.care_team.filter(role="ecm_provider", end_date__isnull=True).values_list("organization", flat=True)) == [
        ecm_world["provider_2"].pk]


# ----------------------------------------------------------------------------- closure


def test_closure_ecm_continues_until_26_and_otherwise_the_case_closes(ecm_world):
    case, manager = ecm_world["case"], ecm_world["manager"]
    member = case.member
    member.date_of_birth = timezone.localdate().replace(year=timezone.localdate().year - 26)
    member.save()
    with pytest.raises(RuleViolation) as exc:
        ecm.ecm_closure_record(case=case, reason="nmd", cws_closed_on=timezone.localdate(), ecm_continues=True,
                               after_care_plan="Keep Bridges", actor=manager)
    assert (exc.value.field, exc.value.rule) == ("ecm_continues", "ecm.continue_age_26")
    member.date_of_birth = member.date_of_birth + datetime.timedelta(days=1)
    member.save()
    closure = ecm.ecm_closure_record(case=case, reason="nmd", cws_closed_on=timezone.localdate(), ecm_continues=True,
                                     after_care_plan="ECM continues with Bridges", actor=manager)
    case.refresh_from_db()
    assert closure.ecm_continues and case.status == "open"


def test_closure_without_continuing_ends_ecm_and_closes_the_case(ecm_world):
    case = ecm_world["case"]
    ecm.ecm_closure_record(case=case, reason="reunification", cws_closed_on=timezone.localdate(), ecm_continues=False,
                           after_care_plan="Family declined further ECM", actor=ecm_world["manager"])
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED


# ----------------------------------------------------------------------------- the whole scenario


def test_removal_to_first_cft_meeting_opens_and_meets_every_clock(ecm_world):
    case, manager, provider = ecm_world["case"], ecm_world["manager"], ecm_world["provider"]
    # Removal and placement: the pathway starts, the populations of focus show, the 30-day health needs clock opens
    pathway = ecm.ecm_pathway_start(case=case, kind="removal", removed_at=timezone.now() - datetime.timedelta(hours=3), actor=manager)
    case.refresh_from_db()
    assert case.populations_of_focus == ["cw_foster_care_now"]
    # Medi-Cal check and plan selection, NOA 10 days before activation, mailed
    selection = ecm.plan_selection_record(case=case, meds_status="enrolled", choice="mcp", plan=ecm_world["plan_x"],
                                          activation_date=timezone.localdate() + datetime.timedelta(days=12),
                                          participants=ALL_CHOOSERS, actor=manager)
    notice_send(notice=selection.noa, by=manager)
    notice_mark_mailed(notice=Notice.objects.get(pk=selection.noa_id), mailed_on=timezone.localdate(), by=manager)
    # Verbal consent, then referral to the ECM provider; outreach; signed release; prior services check
    verbal_consent(ecm_world)
    enrollment = ecm.ecm_referral_make(case=case, referrer="sw", recipient=provider, actor=manager)
    ecm.ecm_outreach_record(enrollment=enrollment, at=timezone.now(), method="phone", outcome="reached_agreed", actor=manager)
    signed_release(ecm_world)
    ecm.ecm_prior_services_check(enrollment=enrollment, prior_ecm=False, prior_community_supports=False, actor=manager)
    # Presumptive authorization: the MCP decision, notification and assessment clocks open
    ecm.ecm_authorization_start(enrollment=enrollment, presumptive=True, actor=manager)
    assert clocks(case, "ecm.enrollment_notification").count() == 2
    assert clocks(case, "ecm.assessment").get().owner == manager  # in the ECM care manager's queue
    # The SW and the PHN are told (one notice each); each notice meets its own clock when it leaves
    notices = ecm.ecm_enrollment_notify(enrollment=enrollment, actor=manager)
    assert {n.recipient_kind for n in notices} == {"social_worker", "public_health_nurse"}
    assert ecm.ecm_enrollment_notify(enrollment=enrollment, actor=manager) == []  # not sent twice
    deliver(notices[0], manager)
    assert sorted(clocks(case, "ecm.enrollment_notification").values_list("status", flat=True)) == ["met_on_time", "open"]
    deliver(notices[1], manager)
    ecm.ecm_mcp_decide(enrollment=enrollment, decision="authorized", actor=manager)
    ecm.ecm_assessment_complete(enrollment=enrollment, summary="Needs dental and therapy; school stable", actor=manager)
    ecm.ecm_care_plan_write(case=case, title="ECM care plan", summary="Dental, therapy, placement stability", actor=manager,
                            at=timezone.now() - datetime.timedelta(days=1))
    ecm.ecm_care_plan_share(enrollment=enrollment, actor=manager)
    ecm.ecm_immediate_needs_met(pathway=pathway, actor=manager)
    # The first CFT meeting, with the ECM provider; CANS initiated; action items become tasks; care plan updated
    with pytest.raises(RuleViolation) as exc:
        ecm.cft_meeting_schedule(case=case, scheduled_for=timezone.now() + datetime.timedelta(days=2), participants=["sw", "phn"],
                                 actor=manager)
    assert exc.value.rule == "ecm.cft_ecm_provider"
    meeting = ecm.cft_meeting_schedule(case=case, scheduled_for=timezone.now() - datetime.timedelta(minutes=30),
                                       participants=["sw", "phn", "ecm_provider", "youth", "resource_family"], actor=manager,
                                       cans_status="initiated")
    ecm.cft_meeting_hold(meeting=meeting, held_at=timezone.now() - datetime.timedelta(minutes=1), notes="Plan agreed",
                         cans_status="completed", actor=manager,
                         action_items=[{"title": "Book dental exam", "owner": manager,
                                        "due_date": timezone.localdate() + datetime.timedelta(days=7)}])
    assert Task.objects.filter(case=case, title="Book dental exam", source="cft_meeting").exists()
    ecm.cft_care_plan_update(meeting=meeting, summary="Dental goal added after the CFT meeting", actor=manager)
    meeting.refresh_from_db()
    assert meeting.held and meeting.cans_status == "completed" and meeting.care_plan_updated_at
    # Six months on, the care plan review meets its clock and opens the next
    care_plans.care_plan_review_record(case=case, kind="six_month", summary="Goals on track", reviewed_by=manager)
    statuses = {}
    for rule, status in clocks(case).values_list("rule_code", "status"):
        statuses.setdefault(rule, []).append(status)
    assert statuses == {
        "ecm.immediate_health_needs": ["met_on_time"],
        "ecm.noa_plan_choice": ["met_on_time"],
        "ecm.presumptive_authorization": ["met_on_time"],
        "ecm.enrollment_notification": ["met_on_time", "met_on_time"],
        "ecm.assessment": ["met_on_time"],
        "ecm.care_plan_review": ["met_on_time", "open"],
        # The removal's first placement: the caregiver's health and education summary is still to give
        "cws.health_education_summary": ["open"],
        # The plan-choice NOA, once delivered, gave the family its appeal windows
        "plan.appeal_filing_window": ["open"],
        "plan.aid_paid_pending_window": ["open"],
    }
