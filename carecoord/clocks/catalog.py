"""The rule catalog: every time limit carecoord enforces, with its source.

One rule per clock. A rule's ``version`` goes up whenever its timing changes; a
deadline stores the version and due time it was created with, so changing a rule
never moves an existing deadline silently (see ``deadline_start``).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from . import calendar as workdays


class Unit(StrEnum):
    HOURS = "hours"
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    MONTHS = "months"


class Direction(StrEnum):
    AFTER = "after"  # due N units after the starting event
    BEFORE = "before"  # due at least N units before a target date (e.g. activation)


class Kind(StrEnum):
    TASK = "task"  # someone must do something by the due time
    WINDOW = "window"  # a period that simply ends (a right or a protection), never "missed"


class Owner(StrEnum):
    CASE_MANAGER = "case_manager"  # the case's primary case manager (else its team)
    MEDICAL_CONSULTANT = "medical_consultant"
    PLAN = "plan"  # the member's managed care plan (its liaisons)
    PROGRAM = "program"  # the responsible organization's supervisor
    MEMBER = "member"  # a right of the member's (a filing window)


@dataclass(frozen=True)
class ClockRule:
    code: str
    version: int
    program: str  # ccs, ecm, dmc_ods, mcp, cws, all
    title: str
    starts_on: str
    duration: int
    unit: Unit
    met_by: str
    source: str
    direction: Direction = Direction.AFTER
    kind: Kind = Kind.TASK
    warn_before_hours: int = 24
    owner: Owner = Owner.CASE_MANAGER
    escalate_to: str = "supervisor"
    pausable: bool = False
    on_time_target: float = 0.95  # dashboards flag a rule below this share met on time
    seed: bool = False  # figure taken from the source documents

    @property
    def plain(self) -> str:
        """The rule in plain words, for the work queue."""
        unit_words = {
            Unit.HOURS: _("hours"), Unit.CALENDAR_DAYS: _("days"),
            Unit.WORKING_DAYS: _("working days"), Unit.MONTHS: _("months"),
        }[self.unit]
        # Whole phrases (not words glued in an f-string, which makemessages cannot extract) so each
        # language can order them.
        parts = {"title": self.title, "duration": self.duration, "unit": unit_words, "start": self.starts_on}
        if self.direction == Direction.BEFORE:
            return _("%(title)s: %(duration)s %(unit)s before %(start)s") % parts
        return _("%(title)s: within %(duration)s %(unit)s of %(start)s") % parts

    def due_at(self, *, started_at: datetime.datetime, target: datetime.date | None = None,
               calendar: workdays.WorkingCalendar | None = None) -> datetime.datetime:
        calendar = calendar or workdays.WorkingCalendar()
        if self.direction == Direction.BEFORE:
            if target is None:
                raise ValueError(f"{self.code} counts back from a target date; none given")
            return workdays.due_before(target, self.duration, self.unit.value, calendar=calendar)
        if self.unit == Unit.HOURS:
            return workdays.due_after_hours(started_at, self.duration)
        if self.unit == Unit.CALENDAR_DAYS:
            return workdays.due_after_calendar_days(started_at, self.duration)
        if self.unit == Unit.WORKING_DAYS:
            return workdays.due_after_working_days(started_at, self.duration, calendar=calendar)
        return workdays.due_after_months(started_at, self.duration)

    def warn_at(self, due_at: datetime.datetime) -> datetime.datetime | None:
        if self.kind == Kind.WINDOW or not self.warn_before_hours:
            return None
        return due_at - datetime.timedelta(hours=self.warn_before_hours)


def _r(**kwargs) -> ClockRule:
    return ClockRule(**kwargs)


H, D, WD, M = Unit.HOURS, Unit.CALENDAR_DAYS, Unit.WORKING_DAYS, Unit.MONTHS
BEFORE = Direction.BEFORE
WINDOW = Kind.WINDOW

RULES: tuple[ClockRule, ...] = (
    # CCS (seed 001, 002)
    _r(code="ccs.medical_eligibility", version=1, program="ccs", title=_("CCS medical eligibility determination"),
       starts_on=_("adequate medical documentation received"), duration=5, unit=WD,
       met_by=_("medical eligibility decided"), source="Seed 002: CMS plan/MOU delineation of responsibilities",
       warn_before_hours=48, owner=Owner.MEDICAL_CONSULTANT, pausable=True, seed=True),
    _r(code="ccs.annual_medical_review", version=1, program="ccs", title=_("CCS annual medical review"),
       starts_on=_("eligibility or last review"), duration=12, unit=M, met_by=_("review completed"),
       source="Seed 001: CCS case management definition", warn_before_hours=24 * 30, seed=True),
    _r(code="ccs.noa_after_decision", version=1, program="ccs", title=_("CCS Notice of Action after denial, modification or discontinuance"),
       starts_on=_("the decision"), duration=7, unit=D, met_by=_("NOA sent"), source="22 CCR §42132", warn_before_hours=48),
    _r(code="ccs.appeal_response", version=1, program="ccs", title=_("CCS appeal response"),
       starts_on=_("appeal received"), duration=21, unit=D, met_by=_("appeal decided"), source="22 CCR §42160",
       warn_before_hours=24 * 5, owner=Owner.PROGRAM),
    _r(code="ccs.appeal_filing_window", version=1, program="ccs", title=_("Family may appeal a CCS NOA"),
       starts_on=_("NOA sent"), duration=30, unit=D, met_by=_("appeal filed or window ends"), source="22 CCR §42160",
       kind=WINDOW, owner=Owner.MEMBER),
    _r(code="ccs.fair_hearing_window", version=1, program="ccs", title=_("Family may request a CCS fair hearing"),
       starts_on=_("appeal decision"), duration=14, unit=D, met_by=_("hearing requested or window ends"), source="22 CCR §42180",
       kind=WINDOW, owner=Owner.MEMBER),
    # Plan authorization and notices (related Medi-Cal rules)
    _r(code="plan.sar_standard", version=1, program="mcp", title=_("Standard authorization (SAR) decision"),
       starts_on=_("information reasonably necessary received"), duration=5, unit=WD, met_by=_("SAR decided"),
       source="APL 21-011; 42 CFR 438.210", warn_before_hours=48, owner=Owner.MEDICAL_CONSULTANT),
    _r(code="plan.sar_standard_outer", version=1, program="mcp", title=_("Standard authorization (SAR) outer limit"),
       starts_on=_("SAR request"), duration=14, unit=D, met_by=_("SAR decided"),
       source="APL 21-011; 42 CFR 438.210(d)(1) (one 14-day extension with notice)", warn_before_hours=72,
       owner=Owner.MEDICAL_CONSULTANT),
    _r(code="plan.sar_expedited", version=1, program="mcp", title=_("Expedited authorization decision"),
       starts_on=_("expedited SAR request"), duration=72, unit=H, met_by=_("SAR decided"),
       source="42 CFR 438.210(d)(2)", warn_before_hours=24, owner=Owner.MEDICAL_CONSULTANT),
    _r(code="plan.noa_mailing", version=1, program="mcp", title=_("Plan NOA dated and mailed"),
       starts_on=_("the authorization decision"), duration=2, unit=D, met_by=_("NOA mailed"), source="APL 21-011",
       warn_before_hours=24),
    _r(code="plan.advance_notice", version=1, program="mcp", title=_("Advance notice of termination, suspension or reduction"),
       starts_on=_("the effective date of the change"), duration=10, unit=D, direction=BEFORE, met_by=_("notice mailed"),
       source="22 CCR §51014.1; 42 CFR 431.211", warn_before_hours=48),
    _r(code="plan.grievance_ack", version=1, program="mcp", title=_("Grievance acknowledged"),
       starts_on=_("grievance received"), duration=5, unit=D, met_by=_("acknowledgment sent"),
       source="28 CCR §1300.68; APL 21-011", owner=Owner.PLAN),
    _r(code="plan.grievance_resolution", version=1, program="mcp", title=_("Grievance resolved"),
       starts_on=_("grievance received"), duration=30, unit=D, met_by=_("resolution sent"),
       source="28 CCR §1300.68; APL 21-011", warn_before_hours=24 * 5, owner=Owner.PLAN),
    _r(code="plan.grievance_expedited", version=1, program="mcp", title=_("Expedited grievance resolved"),
       starts_on=_("expedited grievance received"), duration=72, unit=H, met_by=_("resolution sent"),
       source="28 CCR §1300.68(d)(3); APL 21-011", owner=Owner.PLAN),
    _r(code="plan.appeal_filing_window", version=1, program="mcp", title=_("Member may appeal a plan NOA"),
       starts_on=_("NOA date"), duration=60, unit=D, met_by=_("appeal filed or window ends"),
       source="42 CFR 438.402(c)(2); APL 21-011", kind=WINDOW, owner=Owner.MEMBER),
    _r(code="plan.appeal_resolution", version=1, program="mcp", title=_("Plan appeal resolved"),
       starts_on=_("appeal received"), duration=30, unit=D, met_by=_("appeal resolution notice sent"),
       source="42 CFR 438.408; APL 21-011", warn_before_hours=24 * 5, owner=Owner.PLAN),
    _r(code="plan.appeal_expedited", version=1, program="mcp", title=_("Expedited plan appeal resolved"),
       starts_on=_("expedited appeal received"), duration=72, unit=H, met_by=_("appeal resolution notice sent"),
       source="42 CFR 438.408(b)(3); APL 21-011", owner=Owner.PLAN),
    _r(code="plan.aid_paid_pending_window", version=1, program="mcp", title=_("Appeal in time to keep benefits (aid paid pending)"),
       starts_on=_("NOA mailed"), duration=10, unit=D, met_by=_("appeal filed or window ends"),
       source="42 CFR 438.420", kind=WINDOW, owner=Owner.MEMBER),
    _r(code="plan.state_hearing_window", version=1, program="mcp", title=_("Member may request a state fair hearing"),
       starts_on=_("notice of appeal resolution"), duration=120, unit=D, met_by=_("hearing requested or window ends"),
       source="W&I §10951; 42 CFR 438.408(f)", kind=WINDOW, owner=Owner.MEMBER),
    _r(code="mcp.continuity_of_care_window", version=1, program="mcp", title=_("Continuity of care with existing providers"),
       starts_on=_("new plan enrollment"), duration=12, unit=M, met_by=_("period ends"),
       source="Seed 004 (ECM guide); APL 22-032", kind=WINDOW, owner=Owner.PLAN, seed=True),
    _r(code="mcp.coc_request", version=1, program="mcp", title=_("Continuity of care request decided"),
       starts_on=_("request received"), duration=30, unit=D, met_by=_("request decided"), source="APL 22-032",
       warn_before_hours=24 * 5, owner=Owner.PLAN),
    _r(code="mcp.coc_request_urgent", version=1, program="mcp", title=_("Urgent continuity of care request decided"),
       starts_on=_("request received"), duration=15, unit=D, met_by=_("request decided"), source="APL 22-032",
       warn_before_hours=48, owner=Owner.PLAN),
    _r(code="mcp.coc_request_risk_of_harm", version=1, program="mcp", title=_("Continuity of care request with risk of harm decided"),
       starts_on=_("request received"), duration=3, unit=D, met_by=_("request decided"), source="APL 22-032",
       warn_before_hours=24, owner=Owner.PLAN),
    # Whole Child Model transition (seed 000)
    _r(code="wcm.identification_data", version=1, program="ccs", title=_("CCS identification data to the plan"),
       starts_on=_("the transition date"), duration=30, unit=D, direction=BEFORE, met_by=_("data delivered"),
       source="Seed 000: WCM lessons learned", warn_before_hours=24 * 7, owner=Owner.PROGRAM, seed=True),
    _r(code="wcm.utilization_sar_data", version=1, program="ccs", title=_("Utilization and SAR data to the plan"),
       starts_on=_("the transition date"), duration=45, unit=D, direction=BEFORE, met_by=_("data delivered"),
       source="Seed 000: WCM lessons learned", warn_before_hours=24 * 7, owner=Owner.PROGRAM, seed=True),
    _r(code="wcm.family_notice_90", version=1, program="ccs", title=_("First family transition notice"),
       starts_on=_("the transition date"), duration=90, unit=D, direction=BEFORE, met_by=_("notice sent"),
       source="Seed 000: WCM lessons learned", warn_before_hours=24 * 7, owner=Owner.PROGRAM, seed=True),
    _r(code="wcm.family_notice_60", version=1, program="ccs", title=_("Second family transition notice"),
       starts_on=_("the transition date"), duration=60, unit=D, direction=BEFORE, met_by=_("notice sent"),
       source="Seed 000: WCM lessons learned", warn_before_hours=24 * 7, owner=Owner.PROGRAM, seed=True),
    _r(code="wcm.family_notice_30", version=1, program="ccs", title=_("Third family transition notice"),
       starts_on=_("the transition date"), duration=30, unit=D, direction=BEFORE, met_by=_("notice sent"),
       source="Seed 000: WCM lessons learned", warn_before_hours=24 * 7, owner=Owner.PROGRAM, seed=True),
    # ECM (seed 004)
    _r(code="ecm.noa_plan_choice", version=1, program="ecm", title=_("Notice of Action of the plan choice"),
       starts_on=_("benefit activation"), duration=10, unit=D, direction=BEFORE, met_by=_("NOA sent"),
       source="Seed 004 (ECM guide for CWS-involved children and youth)", warn_before_hours=48, seed=True),
    _r(code="ecm.presumptive_authorization", version=1, program="ecm", title=_("MCP authorization decision during presumptive authorization"),
       starts_on=_("presumptive authorization start"), duration=30, unit=D, met_by=_("MCP authorization decided"),
       source="Seed 004 (ECM guide)", warn_before_hours=24 * 5, owner=Owner.PLAN, seed=True),
    _r(code="ecm.enrollment_notification", version=1, program="ecm", title=_("ECM enrollment notification to SW and PHN"),
       starts_on=_("ECM enrollment"), duration=5, unit=WD, met_by=_("SW and PHN informed"),
       source="Seed 004 (ECM guide)", warn_before_hours=48, seed=True),
    _r(code="ecm.enrollment_notification_expedited", version=1, program="ecm", title=_("Expedited ECM enrollment notification to SW and PHN"),
       starts_on=_("ECM enrollment"), duration=72, unit=H, met_by=_("SW and PHN informed"),
       source="Seed 004 (ECM guide)", warn_before_hours=24, seed=True),
    _r(code="ecm.assessment", version=1, program="ecm", title=_("ECM assessment"),
       starts_on=_("ECM enrollment"), duration=30, unit=D, met_by=_("assessment completed"),
       source="Seed 004 (ECM guide)", warn_before_hours=24 * 5, seed=True),
    _r(code="ecm.care_plan_review", version=1, program="ecm", title=_("ECM care plan review"),
       starts_on=_("care plan written or last reviewed"), duration=6, unit=M, met_by=_("review completed"),
       source="Seed 004 (ECM guide)", warn_before_hours=24 * 14, seed=True),
    _r(code="ecm.immediate_health_needs", version=1, program="ecm", title=_("Immediate health care needs after placement"),
       starts_on=_("the child's placement"), duration=30, unit=D, met_by=_("needs met"),
       source="Seed 004 (ECM guide)", warn_before_hours=24 * 5, seed=True),
    _r(code="ecm.cohs_plan_of_enrollment", version=1, program="ecm", title=_("Plan of enrollment after a move out of a COHS county"),
       starts_on=_("out-of-county placement"), duration=24, unit=H, met_by=_("plan of enrollment decided"),
       source="Seed 004 (ECM guide)", warn_before_hours=6, seed=True),
    # Child welfare health rules (related)
    _r(code="cws.placement_exam", version=1, program="cws", title=_("Medical and dental exam after placement"),
       starts_on=_("the placement"), duration=30, unit=D, met_by=_("exam completed"), source="MPP 31-206.36",
       warn_before_hours=24 * 5),
    _r(code="cws.health_education_summary", version=1, program="cws", title=_("Health and education summary to the caregiver"),
       starts_on=_("first placement"), duration=30, unit=D, met_by=_("summary given"), source="W&I §16010",
       warn_before_hours=24 * 5),
    _r(code="cws.health_education_summary_later", version=1, program="cws", title=_("Health and education summary after a later placement"),
       starts_on=_("a later placement"), duration=48, unit=H, met_by=_("summary given"), source="W&I §16010",
       warn_before_hours=12),
    _r(code="cws.presumptive_transfer_notice", version=1, program="cws", title=_("Mental health plan told of presumptive transfer"),
       starts_on=_("out-of-county placement"), duration=3, unit=WD, met_by=_("mental health plan notified"),
       source="W&I §14717.1", warn_before_hours=24),
    # DMC-ODS (seed 003)
    _r(code="dmc.mcp_residential_notice", version=1, program="dmc_ods", title=_("Plan told of residential admission or discharge"),
       starts_on=_("residential admission or discharge"), duration=24, unit=H, met_by=_("MCP notified"),
       source="Seed 003: DMC-ODS coordination of care procedure", warn_before_hours=6, seed=True),
    _r(code="dmc.problem_list_update", version=1, program="dmc_ods", title=_("Problem list updated"),
       starts_on=_("a change in member status"), duration=72, unit=H, met_by=_("problem list updated"),
       source="Seed 003: DMC-ODS coordination of care procedure", warn_before_hours=24, seed=True),
    _r(code="dmc.problem_list_update_crisis", version=1, program="dmc_ods", title=_("Problem list updated after a crisis"),
       starts_on=_("a crisis"), duration=24, unit=H, met_by=_("problem list updated"),
       source="Seed 003: DMC-ODS coordination of care procedure", warn_before_hours=6, seed=True),
    _r(code="dmc.initial_screening", version=1, program="dmc_ods", title=_("DMC-ODS initial screening"),
       starts_on=_("enrollment effective"), duration=90, unit=D, met_by=_("screening done (attempts logged)"),
       source="Seed 003: DMC-ODS coordination of care procedure", warn_before_hours=24 * 14, pausable=True, seed=True),
    _r(code="dmc.crisis_follow_up", version=1, program="dmc_ods", title=_("Crisis follow-up to care providers and the plan"),
       starts_on=_("a crisis service"), duration=24, unit=H, met_by=_("follow-up sent"),
       source="Seed 003: DMC-ODS coordination of care procedure", warn_before_hours=6, seed=True),
    _r(code="dmc.mat_referral", version=1, program="dmc_ods", title=_("MAT referral"),
       starts_on=_("MAT need identified or requested"), duration=24, unit=H, met_by=_("referral made"),
       source="Seed 003: DMC-ODS coordination of care procedure", warn_before_hours=6, seed=True),
    _r(code="dmc.coordination_other_plans", version=1, program="dmc_ods", title=_("Coordination with other managed care plans"),
       starts_on=_("last coordination"), duration=1, unit=M, met_by=_("coordination logged"),
       source="Seed 003: DMC-ODS coordination of care procedure", warn_before_hours=24 * 5, seed=True),
    _r(code="dmc.transition_first_appointment", version=1, program="dmc_ods", title=_("First appointment at the new setting of care"),
       starts_on=_("referral packet sent to the new setting"), duration=10, unit=WD, met_by=_("member attended the initial appointment"),
       source="Seed 003 II.3 (timely transitions in level of care); DHCS timely access standard for DMC-ODS "
              "outpatient services, 10 business days (42 CFR 438.68; W&I §14197)", warn_before_hours=48),
    # Every program
    _r(code="all.liaison_meeting", version=1, program="all", title=_("Plan liaison meeting"),
       starts_on=_("last meeting"), duration=3, unit=M, met_by=_("meeting held"),
       source="Seed 002: CMS plan/MOU delineation (meet at least quarterly)", warn_before_hours=24 * 14,
       owner=Owner.PROGRAM, seed=True),
    _r(code="all.protocol_review", version=1, program="all", title=_("Protocol review with the plan"),
       starts_on=_("last review"), duration=12, unit=M, met_by=_("review held"),
       source="Seed 002: CMS plan/MOU delineation", warn_before_hours=24 * 30, owner=Owner.PROGRAM, seed=True),
    _r(code="all.part2_disclosure_list", version=1, program="all", title=_("List of disclosures given to the member"),
       starts_on=_("written request"), duration=30, unit=D, met_by=_("list provided"), source="42 CFR §2.24",
       warn_before_hours=24 * 5),
    _r(code="all.inter_county_transfer", version=1, program="all", title=_("Inter-county transfer started"),
       starts_on=_("change of residence reported"), duration=7, unit=WD, met_by=_("transfer started"),
       source="W&I §10003", warn_before_hours=48),
    _r(code="all.post_discharge_follow_up", version=1, program="all", title=_("Follow-up after discharge"),
       starts_on=_("discharge from a hospital, residential or withdrawal management stay"), duration=7, unit=D,
       met_by=_("follow-up contact or first appointment after discharge"),
       source="Seed 003 II.3 (evidence of follow-up post-discharge); HEDIS FUH/FUA 7-day follow-up measures",
       warn_before_hours=48),
    _r(code="ccs.adult_transition_plan", version=1, program="ccs", title=_("Adult transition plan in place"),
       starts_on=_("the 21st birthday (end of CCS eligibility)"), duration=180, unit=D, direction=BEFORE,
       met_by=_("adult transition plan written"),
       source="CCS eligibility ends at 21 (Health & Safety Code §123800 et seq.); transition planning from the "
              "administrator-set age", warn_before_hours=24 * 30),
)

_BY_CODE = {rule.code: rule for rule in RULES}
assert len(_BY_CODE) == len(RULES), "duplicate clock rule code"


def get_rule(code: str) -> ClockRule:
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"No clock rule {code!r} in the catalog") from None


def all_rules() -> tuple[ClockRule, ...]:
    return RULES


def window_codes() -> tuple[str, ...]:
    """The codes of the rules that are windows (a right's time limit, not work to do): the work queue and the
    figures leave them out, the sweep ends them rather than missing them."""
    return _WINDOW_CODES


_WINDOW_CODES = tuple(rule.code for rule in RULES if rule.kind == Kind.WINDOW)
