"""The rule catalog: every clock of SPEC.md and CLOCKS.md, each with its source, due times through the rules."""
import datetime

import pytest

from carecoord.clocks import catalog
from carecoord.clocks.calendar import PACIFIC
from carecoord.clocks.catalog import Direction, Kind, Unit, all_rules, get_rule

H, D, WD, M = Unit.HOURS, Unit.CALENDAR_DAYS, Unit.WORKING_DAYS, Unit.MONTHS

# Each row of the clock tables in SPEC.md and CLOCKS.md, and the rule that enforces it.
DOCUMENTED_CLOCKS = [
    # SPEC.md / CLOCKS.md, from the source documents
    ("CCS medical eligibility", "ccs.medical_eligibility", 5, WD, Direction.AFTER),
    ("CCS annual medical review", "ccs.annual_medical_review", 12, M, Direction.AFTER),
    ("WCM identification data to plan", "wcm.identification_data", 30, D, Direction.BEFORE),
    ("WCM utilization and SAR data", "wcm.utilization_sar_data", 45, D, Direction.BEFORE),
    ("WCM family notice 90", "wcm.family_notice_90", 90, D, Direction.BEFORE),
    ("WCM family notice 60", "wcm.family_notice_60", 60, D, Direction.BEFORE),
    ("WCM family notice 30", "wcm.family_notice_30", 30, D, Direction.BEFORE),
    ("NOA of the MCP plan choice", "ecm.noa_plan_choice", 10, D, Direction.BEFORE),
    ("ECM presumptive authorization", "ecm.presumptive_authorization", 30, D, Direction.AFTER),
    ("ECM enrollment notice routine", "ecm.enrollment_notification", 5, WD, Direction.AFTER),
    ("ECM enrollment notice expedited", "ecm.enrollment_notification_expedited", 72, H, Direction.AFTER),
    ("ECM assessment", "ecm.assessment", 30, D, Direction.AFTER),
    ("ECM care plan review", "ecm.care_plan_review", 6, M, Direction.AFTER),
    ("immediate health care needs", "ecm.immediate_health_needs", 30, D, Direction.AFTER),
    ("plan of enrollment after leaving a COHS county", "ecm.cohs_plan_of_enrollment", 24, H, Direction.AFTER),
    ("continuity of care with existing providers", "mcp.continuity_of_care_window", 12, M, Direction.AFTER),
    ("MCP told of residential admission/discharge", "dmc.mcp_residential_notice", 24, H, Direction.AFTER),
    ("problem list update", "dmc.problem_list_update", 72, H, Direction.AFTER),
    ("problem list update, crisis", "dmc.problem_list_update_crisis", 24, H, Direction.AFTER),
    ("DMC-ODS initial screening", "dmc.initial_screening", 90, D, Direction.AFTER),
    ("crisis follow-up", "dmc.crisis_follow_up", 24, H, Direction.AFTER),
    ("MAT referral", "dmc.mat_referral", 24, H, Direction.AFTER),
    ("coordination with other plans", "dmc.coordination_other_plans", 1, M, Direction.AFTER),
    ("plan-liaison meetings", "all.liaison_meeting", 3, M, Direction.AFTER),
    ("protocol review with the plan", "all.protocol_review", 12, M, Direction.AFTER),
    # CLOCKS.md, related Medi-Cal rules
    ("CCS NOA after a decision", "ccs.noa_after_decision", 7, D, Direction.AFTER),
    ("CCS appeal filing", "ccs.appeal_filing_window", 30, D, Direction.AFTER),
    ("CCS appeal response", "ccs.appeal_response", 21, D, Direction.AFTER),
    ("CCS fair hearing request", "ccs.fair_hearing_window", 14, D, Direction.AFTER),
    ("SAR standard", "plan.sar_standard", 5, WD, Direction.AFTER),
    ("SAR outer limit", "plan.sar_standard_outer", 14, D, Direction.AFTER),
    ("SAR expedited", "plan.sar_expedited", 72, H, Direction.AFTER),
    ("plan NOA mailing", "plan.noa_mailing", 2, D, Direction.AFTER),
    ("advance notice", "plan.advance_notice", 10, D, Direction.BEFORE),
    ("grievance acknowledgment", "plan.grievance_ack", 5, D, Direction.AFTER),
    ("grievance resolution", "plan.grievance_resolution", 30, D, Direction.AFTER),
    ("grievance expedited", "plan.grievance_expedited", 72, H, Direction.AFTER),
    ("appeal filing", "plan.appeal_filing_window", 60, D, Direction.AFTER),
    ("appeal resolution", "plan.appeal_resolution", 30, D, Direction.AFTER),
    ("appeal expedited", "plan.appeal_expedited", 72, H, Direction.AFTER),
    ("aid paid pending", "plan.aid_paid_pending_window", 10, D, Direction.AFTER),
    ("state fair hearing", "plan.state_hearing_window", 120, D, Direction.AFTER),
    ("continuity of care request", "mcp.coc_request", 30, D, Direction.AFTER),
    ("continuity of care request, urgent", "mcp.coc_request_urgent", 15, D, Direction.AFTER),
    ("continuity of care request, risk of harm", "mcp.coc_request_risk_of_harm", 3, D, Direction.AFTER),
    ("foster placement exam", "cws.placement_exam", 30, D, Direction.AFTER),
    ("health and education summary", "cws.health_education_summary", 30, D, Direction.AFTER),
    ("health and education summary, later placement", "cws.health_education_summary_later", 48, H, Direction.AFTER),
    ("presumptive transfer notice", "cws.presumptive_transfer_notice", 3, WD, Direction.AFTER),
    ("Part 2 disclosure list", "all.part2_disclosure_list", 30, D, Direction.AFTER),
    ("inter-county transfer", "all.inter_county_transfer", 7, WD, Direction.AFTER),
]


@pytest.mark.parametrize("clock, code, duration, unit, direction", DOCUMENTED_CLOCKS, ids=[row[0] for row in DOCUMENTED_CLOCKS])
def test_every_documented_clock_is_in_the_catalog_with_its_timing(clock, code, duration, unit, direction):
    rule = get_rule(code)
    assert (rule.duration, rule.unit, rule.direction) == (duration, unit, direction), clock


def test_every_rule_names_its_source_program_and_events():
    for rule in all_rules():
        assert rule.source.strip(), rule.code
        assert rule.program in {"ccs", "ecm", "dmc_ods", "mcp", "cws", "all"}, rule.code
        assert str(rule.title) and str(rule.starts_on) and str(rule.met_by), rule.code
        assert rule.version >= 1 and rule.duration > 0, rule.code


def test_rule_codes_are_unique_and_lookup_of_an_unknown_code_fails_loudly():
    codes = [rule.code for rule in all_rules()]
    assert len(codes) == len(set(codes))
    with pytest.raises(KeyError, match="no.such"):
        get_rule("no.such")


def test_windows_never_warn_and_filing_windows_belong_to_the_member():
    windows = [rule for rule in all_rules() if rule.kind == Kind.WINDOW]
    assert {"ccs.appeal_filing_window", "plan.state_hearing_window", "mcp.continuity_of_care_window"} <= {w.code for w in windows}
    for window in windows:
        assert window.warn_at(datetime.datetime(2026, 1, 1, tzinfo=PACIFIC)) is None


def test_plain_words_say_the_duration_unit_and_event():
    assert str(get_rule("ccs.medical_eligibility").plain) == (
        "CCS medical eligibility determination: within 5 working days of adequate medical documentation received")
    assert str(get_rule("ecm.noa_plan_choice").plain) == "Notice of Action of the plan choice: 10 days before benefit activation"


# Due times through the rules, one per unit (the calendar module's own tests cover the arithmetic in depth).

def test_working_day_rule_from_the_wednesday_before_thanksgiving():
    # given documentation received Wednesday 25 Nov 2026 (Thursday and Friday are holidays)
    started = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=PACIFIC)
    # then 5 working days are Mon 30 Nov .. Fri 4 Dec: due at the end of Friday 4 Dec, Pacific
    due = get_rule("ccs.medical_eligibility").due_at(started_at=started)
    assert due == datetime.datetime(2026, 12, 4, 23, 59, 59, 999999, tzinfo=PACIFIC)


def test_working_day_rule_spanning_cesar_chavez_day_on_a_sunday():
    # 31 March 2030 is a Sunday: Monday 1 April is closed
    started = datetime.datetime(2030, 3, 29, 10, 0, tzinfo=PACIFIC)  # Friday
    due = get_rule("plan.sar_standard").due_at(started_at=started)
    # then the count is Tue 2, Wed 3, Thu 4, Fri 5, Mon 8 April
    assert due == datetime.datetime(2030, 4, 8, 23, 59, 59, 999999, tzinfo=PACIFIC)


def test_hour_rule_counts_elapsed_hours_across_spring_forward():
    # given a residential admission at 20:00 on Saturday 7 March 2026 (clocks jump at 02:00 Sunday)
    started = datetime.datetime(2026, 3, 7, 20, 0, tzinfo=PACIFIC)
    due = get_rule("dmc.mcp_residential_notice").due_at(started_at=started)
    # then 24 elapsed hours end at 21:00 local on Sunday
    utc = datetime.timezone.utc
    assert due.astimezone(utc) - started.astimezone(utc) == datetime.timedelta(hours=24)
    assert due.astimezone(PACIFIC).replace(tzinfo=None) == datetime.datetime(2026, 3, 8, 21, 0)


def test_calendar_day_rule_ends_at_the_end_of_the_pacific_day():
    started = datetime.datetime(2026, 1, 5, 9, 30, tzinfo=PACIFIC)
    assert get_rule("ecm.assessment").due_at(started_at=started) == datetime.datetime(2026, 2, 4, 23, 59, 59, 999999, tzinfo=PACIFIC)


def test_month_rule_keeps_the_day_of_month():
    started = datetime.datetime(2026, 1, 31, 9, 30, tzinfo=PACIFIC)
    assert get_rule("ecm.care_plan_review").due_at(started_at=started).astimezone(PACIFIC).date() == datetime.date(2026, 7, 31)


def test_before_rule_ten_days_before_a_monday_activation():
    # given a benefit activation on Monday 1 June 2026
    due = get_rule("ecm.noa_plan_choice").due_at(started_at=datetime.datetime(2026, 5, 1, tzinfo=PACIFIC),
                                                 target=datetime.date(2026, 6, 1))
    # then the NOA must be dated no later than Friday 22 May
    assert due == datetime.datetime(2026, 5, 22, 23, 59, 59, 999999, tzinfo=PACIFIC)


def test_before_rule_without_a_target_is_refused():
    with pytest.raises(ValueError, match="target"):
        get_rule("ecm.noa_plan_choice").due_at(started_at=datetime.datetime(2026, 5, 1, tzinfo=PACIFIC))


def test_catalog_module_keeps_one_rule_per_code():
    assert catalog._BY_CODE.keys() == {rule.code for rule in catalog.RULES}
