"""Grievances, appeals and hearing requests, and the clocks they start and meet.

A Notice of Action to the member or family opens the filing windows its appeal rights
state when it is delivered (:func:`start_filing_windows`): 30 days to appeal a CCS
decision; 60 days to appeal a plan's, of which the first 10 keep the service going
while the appeal is decided (aid paid pending). Recording an appeal meets those windows
and starts the answer clock; deciding it meets that clock and, unless the decision went
the member's way, opens the window for a hearing (14 days after a CCS appeal decision,
120 days for a State Hearing after a plan's). A plan grievance is acknowledged within 5
days and resolved within 30 (72 hours when expedited).

Every refusal is a ``RuleViolation`` naming the field and the rule; nothing is written.
"""
from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoord.errors import RuleViolation

from .models import FIRST_PARTY_RECIPIENTS, Appeal, Notice, NoticeKind

CCS_NOA_KINDS = frozenset({NoticeKind.CCS_NOA, NoticeKind.CCS_DENIAL})
PLAN_NOA_KINDS = frozenset({NoticeKind.NOA_PLAN_CHOICE, NoticeKind.ADVANCE_NOTICE})

# The windows a delivered NOA opens for the member, by the program whose decision it announces.
FILING_WINDOWS = {
    **{kind: ("ccs.appeal_filing_window",) for kind in CCS_NOA_KINDS},
    **{kind: ("plan.appeal_filing_window", "plan.aid_paid_pending_window") for kind in PLAN_NOA_KINDS},
}
# What each kind of appeal may contest: the NOA kinds, or the appeal whose decision a hearing contests.
NOTICE_KINDS_FOR = {Appeal.Kind.CCS_APPEAL: CCS_NOA_KINDS, Appeal.Kind.PLAN_APPEAL: PLAN_NOA_KINDS,
                    Appeal.Kind.PLAN_GRIEVANCE: CCS_NOA_KINDS | PLAN_NOA_KINDS}
HEARING_OF = {Appeal.Kind.CCS_FAIR_HEARING: Appeal.Kind.CCS_APPEAL, Appeal.Kind.STATE_HEARING: Appeal.Kind.PLAN_APPEAL}
HEARING_WINDOW = {Appeal.Kind.CCS_APPEAL: "ccs.fair_hearing_window", Appeal.Kind.PLAN_APPEAL: "plan.state_hearing_window"}
EXPEDITABLE = frozenset({Appeal.Kind.PLAN_GRIEVANCE, Appeal.Kind.PLAN_APPEAL})
# The clocks that answer an appeal: (standard, expedited).
ANSWER_CLOCKS = {
    Appeal.Kind.CCS_APPEAL: ("ccs.appeal_response", "ccs.appeal_response"),
    Appeal.Kind.PLAN_GRIEVANCE: ("plan.grievance_resolution", "plan.grievance_expedited"),
    Appeal.Kind.PLAN_APPEAL: ("plan.appeal_resolution", "plan.appeal_expedited"),
}
OUTCOMES_FOR = {
    Appeal.Kind.PLAN_GRIEVANCE: {Appeal.Outcome.RESOLVED, Appeal.Outcome.WITHDRAWN},
    **{kind: {Appeal.Outcome.UPHELD, Appeal.Outcome.OVERTURNED, Appeal.Outcome.PARTLY_OVERTURNED, Appeal.Outcome.WITHDRAWN}
       for kind in (Appeal.Kind.CCS_APPEAL, Appeal.Kind.PLAN_APPEAL, Appeal.Kind.CCS_FAIR_HEARING, Appeal.Kind.STATE_HEARING)},
}
# Decisions after which the member has nothing left to contest.
IN_MEMBERS_FAVOUR = frozenset({Appeal.Outcome.OVERTURNED, Appeal.Outcome.RESOLVED, Appeal.Outcome.WITHDRAWN})


def start_filing_windows(*, notice: Notice, at: datetime.datetime) -> None:
    """Open the appeal windows a Notice of Action gives the member, once it has reached them."""
    from carecoord.clocks.services import deadline_start

    if notice.recipient_kind not in FIRST_PARTY_RECIPIENTS:
        return
    for rule_code in FILING_WINDOWS.get(notice.kind, ()):
        deadline_start(rule_code=rule_code, subject=notice, started_at=at, case=notice.case, member=notice.member)


def _check_when(value: datetime.datetime | None, *, field: str, not_before: datetime.datetime | None = None) -> None:
    if value is None:
        raise RuleViolation(_("Say when."), field=field, rule="appeal.date_required")
    if value > timezone.now():
        raise RuleViolation(_("This cannot be in the future."), field=field, rule="appeal.date_future")
    if not_before is not None and value < not_before:
        raise RuleViolation(_("This cannot be before the appeal was received."), field=field, rule="appeal.date_order")


def _validate(*, kind: str, member, case, notice: Notice | None, appeal_of: Appeal | None, expedited: bool,
              summary: str) -> None:
    if kind not in Appeal.Kind.values:
        raise RuleViolation(_("Choose what was received."), field="kind", rule="appeal.kind")
    if not (summary or "").strip():
        raise RuleViolation(_("Say what the member disputes."), field="summary", rule="appeal.summary_required")
    if case is not None and case.member_id != member.pk:
        raise RuleViolation(_("The case belongs to another member."), field="case", rule="appeal.case_member")
    if expedited and kind not in EXPEDITABLE:
        raise RuleViolation(_("Only a plan grievance or appeal can be expedited here."), field="expedited",
                            rule="appeal.not_expeditable")
    if notice is not None:
        if notice.member_id != member.pk:
            raise RuleViolation(_("The notice was sent about another member."), field="notice", rule="appeal.notice_member")
        if notice.kind not in NOTICE_KINDS_FOR.get(kind, ()):
            raise RuleViolation(_("A %(kind)s cannot contest a %(notice)s.") % {
                "kind": Appeal.Kind(kind).label, "notice": notice.get_kind_display()}, field="notice", rule="appeal.notice_kind")
    hearing_of = HEARING_OF.get(kind)
    if hearing_of is not None:
        if appeal_of is None or appeal_of.kind != hearing_of or appeal_of.member_id != member.pk:
            raise RuleViolation(_("Name the %(appeal)s whose decision is contested.") % {"appeal": hearing_of.label},
                                field="appeal_of", rule="appeal.hearing_needs_appeal")
        if appeal_of.decided_at is None:
            raise RuleViolation(_("A hearing can be requested once the appeal is decided."), field="appeal_of",
                                rule="appeal.hearing_before_decision")
    elif appeal_of is not None:
        raise RuleViolation(_("Only a hearing request contests an appeal decision."), field="appeal_of",
                            rule="appeal.appeal_of_not_hearing")


def appeal_record(*, kind: str, member, received_at: datetime.datetime, summary: str, by, case=None,
                  notice: Notice | None = None, appeal_of: Appeal | None = None, expedited: bool = False) -> Appeal:
    """Record a grievance, appeal or hearing request received at ``received_at``: starts its answer clocks
    and meets the filing window it was made in."""
    from carecoord.clocks.selectors import clock_running_at
    from carecoord.clocks.services import deadline_meet, deadline_start
    from cases.timeline import timeline_record

    _validate(kind=kind, member=member, case=case, notice=notice, appeal_of=appeal_of, expedited=expedited, summary=summary)
    _check_when(received_at, field="received_at")
    case = case or (notice.case if notice is not None else None) or (appeal_of.case if appeal_of is not None else None)
    with transaction.atomic():
        # Aid paid pending: the appeal came while the NOA's 10-day window was still open.
        aid_paid_pending = kind == Appeal.Kind.PLAN_APPEAL and notice is not None and clock_running_at(
            rule_code="plan.aid_paid_pending_window", subject=notice, at=received_at)
        appeal = Appeal.objects.create(kind=kind, member=member, case=case, notice=notice, appeal_of=appeal_of,
                                       received_at=received_at, expedited=expedited, summary=summary.strip(),
                                       aid_paid_pending=aid_paid_pending, recorded_by=by)
        if kind in ANSWER_CLOCKS:
            deadline_start(rule_code=ANSWER_CLOCKS[kind][expedited], subject=appeal, started_at=received_at, case=case,
                           member=member)
        if kind == Appeal.Kind.PLAN_GRIEVANCE:
            deadline_start(rule_code="plan.grievance_ack", subject=appeal, started_at=received_at, case=case, member=member)
        if notice is not None:
            for rule_code in FILING_WINDOWS.get(notice.kind, ()):
                deadline_meet(rule_code=rule_code, subject=notice, met_at=received_at, by=by)
        if appeal_of is not None:
            deadline_meet(rule_code=HEARING_WINDOW[appeal_of.kind], subject=appeal_of, met_at=received_at, by=by)
        if case is not None:
            timeline_record(case=case, kind="appeal.received", actor=by,
                            summary=_("%(kind)s received%(expedited)s: %(summary)s") % {
                                "kind": appeal.get_kind_display(), "expedited": _(" (expedited)") if expedited else "",
                                "summary": appeal.summary[:200]},
                            data={"appeal": appeal.pk})
    return appeal


def appeal_acknowledge(*, appeal: Appeal, at: datetime.datetime, by) -> Appeal:
    """The acknowledgment letter went out (a plan grievance must be acknowledged within 5 days)."""
    from carecoord.clocks.services import deadline_meet
    from cases.timeline import timeline_record

    _check_when(at, field="acknowledged_at", not_before=appeal.received_at)
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.acknowledged_at is not None:
            raise RuleViolation(_("It was already acknowledged."), field="acknowledged_at", rule="appeal.already_acknowledged")
        appeal.acknowledged_at = at
        appeal.save(update_fields=["acknowledged_at"])
        deadline_meet(rule_code="plan.grievance_ack", subject=appeal, met_at=at, by=by)
        if appeal.case_id:
            timeline_record(case=appeal.case, kind="appeal.acknowledged", actor=by,
                            summary=_("%(kind)s acknowledged") % {"kind": appeal.get_kind_display()}, data={"appeal": appeal.pk})
    return appeal


def appeal_decide(*, appeal: Appeal, outcome: str, at: datetime.datetime, notes: str, by) -> Appeal:
    """Record the decision sent to the member: meets the answer clock and, unless the member got what they
    asked, opens the window to ask for a hearing."""
    from carecoord.clocks.services import deadline_cancel, deadline_meet, deadline_start
    from cases.timeline import timeline_record

    if outcome not in OUTCOMES_FOR[appeal.kind]:
        raise RuleViolation(_("Choose an outcome that fits a %(kind)s.") % {"kind": appeal.get_kind_display()},
                            field="outcome", rule="appeal.outcome")
    _check_when(at, field="decided_at", not_before=appeal.received_at)
    if outcome != Appeal.Outcome.WITHDRAWN and not (notes or "").strip():
        raise RuleViolation(_("Say what was decided and why."), field="decision_notes", rule="appeal.decision_notes")
    with transaction.atomic():
        appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if appeal.decided_at is not None:
            raise RuleViolation(_("It was already decided."), field="outcome", rule="appeal.already_decided")
        appeal.decided_at, appeal.outcome, appeal.decision_notes = at, outcome, (notes or "").strip()
        appeal.save(update_fields=["decided_at", "outcome", "decision_notes"])
        for rule_code in set(ANSWER_CLOCKS.get(appeal.kind, ())) | ({"plan.grievance_ack"} if appeal.kind == Appeal.Kind.PLAN_GRIEVANCE else set()):
            if outcome == Appeal.Outcome.WITHDRAWN:
                deadline_cancel(rule_code=rule_code, subject=appeal, reason=_("Withdrawn by the member"), by=by)
            else:
                deadline_meet(rule_code=rule_code, subject=appeal, met_at=at, by=by)
        if appeal.kind in HEARING_WINDOW and outcome not in IN_MEMBERS_FAVOUR:
            deadline_start(rule_code=HEARING_WINDOW[appeal.kind], subject=appeal, started_at=at, case=appeal.case,
                           member=appeal.member)
        if appeal.case_id:
            timeline_record(case=appeal.case, kind="appeal.decided", actor=by,
                            summary=_("%(kind)s decided: %(outcome)s") % {"kind": appeal.get_kind_display(),
                                                                          "outcome": appeal.get_outcome_display()},
                            data={"appeal": appeal.pk})
    return appeal
