"""Starting, meeting, pausing and cancelling clocks (carecoord.clocks.services)."""
import dataclasses
import datetime

import pytest
from django.utils import timezone

from carecoord.clocks import catalog
from carecoord.clocks.calendar import PACIFIC
from carecoord.clocks.models import Deadline, DeadlinePause
from carecoord.clocks.selectors import deadline_queue_for
from carecoord.clocks.services import (
    deadline_cancel,
    deadline_meet,
    deadline_pause,
    deadline_resume,
    deadline_start,
    working_calendar_for,
)
from carecoord.errors import RuleViolation
from cases.models import TimelineEntry
from tests.factories import CaseFactory, ClosureDayFactory

pytestmark = pytest.mark.django_db

EOD = (23, 59, 59, 999999)


def at(*args):
    return datetime.datetime(*args, tzinfo=PACIFIC)


def test_start_writes_the_due_time_owner_rule_version_and_a_timeline_line(case_a, manager_a):
    # when adequate documentation is recorded on the Wednesday before Thanksgiving 2026
    deadline = deadline_start(rule_code="ccs.medical_eligibility", subject=case_a, case=case_a,
                              started_at=at(2026, 11, 25, 15, 0))
    # then the clock is due at the end of Friday 4 December, owned by the case manager
    assert deadline.due_at == at(2026, 12, 4, *EOD)
    assert deadline.warn_at == deadline.due_at - datetime.timedelta(hours=48)
    assert (deadline.owner, deadline.member, deadline.organization, deadline.team) == (
        manager_a, case_a.member, case_a.organization, case_a.team)
    assert deadline.rule_version == catalog.get_rule("ccs.medical_eligibility").version
    assert TimelineEntry.objects.filter(case=case_a, kind="clock.started", data__deadline=deadline.pk).exists()


def test_starting_the_same_clock_twice_returns_the_open_one(case_a):
    first = deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=at(2026, 1, 5, 9))
    again = deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=at(2026, 1, 9, 9))
    assert again.pk == first.pk and again.due_at == first.due_at
    assert Deadline.objects.filter(rule_code="ecm.assessment").count() == 1


def test_several_occurrences_of_one_rule_on_one_subject(case_a):
    for days in (90, 60, 30):
        deadline_start(rule_code=f"wcm.family_notice_{days}", subject=case_a, case=case_a,
                       started_at=at(2026, 1, 5, 9), target=datetime.date(2026, 7, 1))
    notices = Deadline.objects.filter(rule_code__startswith="wcm.family_notice").order_by("due_at")
    assert [d.due_at.astimezone(PACIFIC).date() for d in notices] == [
        datetime.date(2026, 4, 2), datetime.date(2026, 5, 2), datetime.date(2026, 6, 1)]


def test_naive_start_time_is_refused(case_a):
    with pytest.raises(ValueError, match="aware"):
        deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=datetime.datetime(2026, 1, 5))
    assert not Deadline.objects.exists()


def test_a_county_closure_day_moves_a_working_day_clock(case_a):
    # given the member's county closes its offices on Thursday 3 December 2026
    ClosureDayFactory(county=case_a.member.county, date=datetime.date(2026, 12, 3), reason="Furlough day")
    assert datetime.date(2026, 12, 3) in working_calendar_for(county=case_a.member.county).closure_days
    # when documentation arrives the Wednesday before Thanksgiving
    deadline = deadline_start(rule_code="ccs.medical_eligibility", subject=case_a, case=case_a,
                              started_at=at(2026, 11, 25, 15, 0))
    # then the five working days are Mon 30, Tue 1, Wed 2, Fri 4, Mon 7
    assert deadline.due_at == at(2026, 12, 7, *EOD)


def test_another_countys_closure_day_does_not_move_the_clock(case_a, county_b):
    ClosureDayFactory(county=county_b, date=datetime.date(2026, 12, 3), reason="Furlough day")
    deadline = deadline_start(rule_code="ccs.medical_eligibility", subject=case_a, case=case_a,
                              started_at=at(2026, 11, 25, 15, 0))
    assert deadline.due_at == at(2026, 12, 4, *EOD)


def test_changing_a_rule_never_moves_an_existing_deadline(case_a, monkeypatch):
    # given a deadline started under version 1 of the ECM assessment rule
    old = deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=at(2026, 1, 5, 9))
    # when the rule changes to 20 days (version 2)
    rule = catalog.get_rule("ecm.assessment")
    monkeypatch.setitem(catalog._BY_CODE, rule.code, dataclasses.replace(rule, duration=20, version=rule.version + 1))
    new = deadline_start(rule_code="ecm.assessment", subject=CaseFactory(organization=case_a.organization), started_at=at(2026, 1, 5, 9))
    # then the old deadline keeps its version and due time; the new one follows the new rule
    old.refresh_from_db()
    assert (old.rule_version, old.due_at) == (rule.version, at(2026, 2, 4, *EOD))
    assert (new.rule_version, new.due_at) == (rule.version + 1, at(2026, 1, 25, *EOD))


def test_meeting_on_time_and_late(case_a, manager_a):
    deadline = deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=at(2026, 1, 5, 9))
    [met] = deadline_meet(rule_code="ecm.assessment", subject=case_a, met_at=at(2026, 2, 4, 23, 0), by=manager_a)
    assert (met.pk, met.status, met.met_by) == (deadline.pk, Deadline.Status.MET_ON_TIME, manager_a)
    assert TimelineEntry.objects.filter(case=case_a, kind="clock.met").exists()

    late = deadline_start(rule_code="ecm.care_plan_review", subject=case_a, case=case_a, started_at=at(2026, 1, 5, 9))
    [met_late] = deadline_meet(rule_code="ecm.care_plan_review", subject=case_a, met_at=late.due_at + datetime.timedelta(seconds=1))
    assert met_late.status == Deadline.Status.MET_LATE


def test_meeting_a_clock_with_nothing_open_changes_nothing(case_a):
    assert deadline_meet(rule_code="ecm.assessment", subject=case_a) == []


def test_pause_and_resume_move_the_due_time_by_the_time_paused(case_a, manager_a):
    # given a running pausable clock
    deadline = deadline_start(rule_code="ccs.medical_eligibility", subject=case_a, case=case_a,
                              started_at=at(2026, 11, 25, 15, 0))
    due, warn = deadline.due_at, deadline.warn_at
    # when it waits 3 days and 2 hours on the family's documents
    deadline_pause(deadline=deadline, reason="Waiting on the family's records", by=manager_a, at=at(2026, 11, 30, 9, 0))
    deadline.refresh_from_db()
    assert deadline.paused_at == at(2026, 11, 30, 9, 0)
    resumed = deadline_resume(deadline=deadline, by=manager_a, at=at(2026, 12, 3, 11, 0))
    # then the due and warning times move later by exactly that long, and the pause is recorded
    paused_for = datetime.timedelta(days=3, hours=2)
    assert (resumed.due_at, resumed.warn_at, resumed.paused_at) == (due + paused_for, warn + paused_for, None)
    pause = DeadlinePause.objects.get(deadline=deadline)
    assert (pause.paused_at, pause.resumed_at, pause.reason, pause.paused_by) == (
        at(2026, 11, 30, 9, 0), at(2026, 12, 3, 11, 0), "Waiting on the family's records", manager_a)
    assert set(TimelineEntry.objects.filter(case=case_a).values_list("kind", flat=True)) >= {"clock.paused", "clock.resumed"}


def test_a_paused_clock_met_closes_its_pause(case_a):
    deadline = deadline_start(rule_code="ccs.medical_eligibility", subject=case_a, case=case_a, started_at=at(2026, 11, 25, 15))
    deadline_pause(deadline=deadline, reason="Waiting on records", at=at(2026, 11, 30, 9))
    [met] = deadline_meet(rule_code="ccs.medical_eligibility", subject=case_a, met_at=at(2026, 12, 1, 9))
    assert met.paused_at is None and met.status == Deadline.Status.MET_ON_TIME
    assert DeadlinePause.objects.get(deadline=deadline).resumed_at == at(2026, 12, 1, 9)


@pytest.mark.parametrize("rule_code, reason, rule", [
    ("ecm.assessment", "Waiting", "clock.not_pausable"),
    ("ccs.medical_eligibility", "", "clock.pause_reason"),
])
def test_pause_refused_when_the_rule_does_not_allow_it_or_no_reason(case_a, rule_code, reason, rule):
    deadline = deadline_start(rule_code=rule_code, subject=case_a, case=case_a, started_at=at(2026, 1, 5, 9))
    with pytest.raises(RuleViolation) as error:
        deadline_pause(deadline=deadline, reason=reason)
    assert error.value.rule == rule
    deadline.refresh_from_db()
    assert deadline.paused_at is None and not DeadlinePause.objects.exists()


def test_pausing_twice_and_resuming_a_running_clock_are_refused(case_a):
    deadline = deadline_start(rule_code="ccs.medical_eligibility", subject=case_a, case=case_a, started_at=at(2026, 1, 5, 9))
    with pytest.raises(RuleViolation) as error:
        deadline_resume(deadline=deadline)
    assert error.value.rule == "clock.resume_state"
    deadline_pause(deadline=deadline, reason="Waiting", at=at(2026, 1, 6, 9))
    with pytest.raises(RuleViolation) as error:
        deadline_pause(deadline=deadline, reason="Again", at=at(2026, 1, 7, 9))
    assert error.value.rule == "clock.pause_state"
    assert DeadlinePause.objects.count() == 1


def test_cancel_needs_a_reason_and_frees_the_rule_for_a_new_start(case_a):
    deadline = deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=at(2026, 1, 5, 9))
    with pytest.raises(RuleViolation) as error:
        deadline_cancel(rule_code="ecm.assessment", subject=case_a, reason="")
    assert error.value.field == "reason"
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.OPEN
    deadline_cancel(rule_code="ecm.assessment", subject=case_a, reason="Member disenrolled")
    deadline.refresh_from_db()
    assert (deadline.status, deadline.cancelled_reason) == (Deadline.Status.CANCELLED, "Member disenrolled")
    fresh = deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=at(2026, 3, 5, 9))
    assert fresh.pk != deadline.pk and fresh.status == Deadline.Status.OPEN


@pytest.mark.django_db
def test_a_plan_clock_is_owned_by_the_members_plan_liaison(case_a, liaison_x):
    # given a member enrolled in plan X, which has a liaison
    # when a clock the plan owns starts on the case
    deadline = deadline_start(rule_code="ecm.presumptive_authorization", subject=case_a, case=case_a,
                              started_at=timezone.now())
    # then it lands in the liaison's work queue
    assert deadline.owner == liaison_x
    assert list(deadline_queue_for(user=liaison_x)) == [deadline]
