"""Work queue and compliance figures (carecoord.clocks.selectors)."""
import datetime

import pytest
from django.utils import timezone, translation

from carecoord.clocks.calendar import PACIFIC
from carecoord.clocks.models import Deadline
from carecoord.clocks.selectors import (
    bucket_of, compliance_figure_sets, compliance_figures, deadline_queue_for, queue_row, queue_values, rule_words,
    time_left,
)
from carecoord.clocks.services import deadline_meet, deadline_start
from carecoord.clocks.sweep import sweep_deadlines
from tests.conftest import requires_postgres
from tests.factories import CaseFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 4, 10, 0, tzinfo=PACIFIC)  # Wednesday


@pytest.mark.parametrize("due, bucket", [
    (NOW - datetime.timedelta(minutes=1), "overdue"),
    (datetime.datetime(2026, 3, 4, 23, 59, tzinfo=PACIFIC), "today"),
    (datetime.datetime(2026, 3, 5, 0, 1, tzinfo=PACIFIC), "week"),
    (datetime.datetime(2026, 3, 11, 23, 0, tzinfo=PACIFIC), "week"),
    (datetime.datetime(2026, 3, 12, 0, 1, tzinfo=PACIFIC), "later"),
])
def test_bucket_of(due, bucket):
    assert bucket_of(due, now=NOW) == bucket


@pytest.mark.parametrize("delta, words", [
    (datetime.timedelta(days=3, hours=5), "3 days left"),
    (datetime.timedelta(days=1), "1 day left"),
    (datetime.timedelta(hours=5, minutes=59), "5 hours left"),
    (datetime.timedelta(minutes=20), "20 minutes left"),
    (datetime.timedelta(seconds=10), "1 minute left"),
    (-datetime.timedelta(hours=2), "overdue by 2 hours"),
    (-datetime.timedelta(days=9), "overdue by 9 days"),
])
def test_time_left_in_words(delta, words):
    assert time_left(NOW + delta, now=NOW) == words


def _start(case, code="ecm.assessment", days_ago=10, occurrence=""):
    return deadline_start(rule_code=code, subject=case, case=case, occurrence=occurrence,
                          started_at=NOW - datetime.timedelta(days=days_ago))


def test_case_manager_sees_own_deadlines_in_due_order(case_a, manager_a, case_b):
    # given a 5-working-day eligibility clock and a 30-day assessment on the manager's case, and someone else's case
    assessment = _start(case_a)
    eligibility = _start(case_a, "ccs.medical_eligibility", days_ago=1)
    _start(case_b)
    # then the manager sees their two, soonest first, and nothing of case B
    assert list(deadline_queue_for(user=manager_a)) == [eligibility, assessment]


def test_queue_row_has_member_rule_in_plain_words_and_time_left(case_a):
    # documentation received Wednesday 25 Nov 2026: due end of Friday 4 Dec
    deadline = deadline_start(rule_code="ccs.medical_eligibility", subject=case_a, case=case_a,
                              started_at=datetime.datetime(2026, 11, 25, 15, 0, tzinfo=PACIFIC))
    values = queue_values(deadline_queue_for(user=case_a.primary_case_manager)).get(pk=deadline.pk)
    row = queue_row(values, now=datetime.datetime(2026, 12, 1, 9, 0, tzinfo=PACIFIC))
    assert row["bucket"] == "week" and row["time_left"] == "3 days left"
    assert row["rule"] == ("CCS medical eligibility determination: within 5 working days of adequate medical "
                           "documentation received")
    assert row["member_name"] == f"{case_a.member.first_name} {case_a.member.last_name}"
    assert (row["case_id"], row["program"], row["source"]) == (case_a.pk, "ccs", deadline.rule.source)


def test_supervisor_sees_the_team_and_escalations_but_not_other_teams(case_a, manager_a, supervisor_a, program_a):
    mine = _start(case_a)
    other_manager = UserFactory(organization=program_a)
    other_case = CaseFactory(organization=program_a, team=other_manager.team, primary_case_manager=other_manager)
    other = _start(other_case)
    assert list(deadline_queue_for(user=supervisor_a)) == [mine]
    # an escalation reaches them even from another team
    Deadline.objects.filter(pk=other.pk).update(escalated_to=supervisor_a, status=Deadline.Status.MISSED)
    assert set(deadline_queue_for(user=supervisor_a)) == {mine, other}
    assert list(deadline_queue_for(user=other_manager)) == [other]


def test_met_cancelled_and_window_deadlines_leave_the_queue(case_a, manager_a):
    met = _start(case_a)
    deadline_meet(rule_code="ecm.assessment", subject=case_a, met_at=NOW)
    _start(case_a, "plan.appeal_filing_window")
    missed = _start(case_a, "ecm.enrollment_notification", days_ago=20)
    sweep_deadlines(now=NOW)
    assert met.pk not in {d.pk for d in deadline_queue_for(user=manager_a)}
    assert list(deadline_queue_for(user=manager_a)) == [missed]  # missed stays until met


def test_queue_filters_by_program(case_a, manager_a):
    _start(case_a)
    assert not deadline_queue_for(user=manager_a, program="ecm").exists()
    assert deadline_queue_for(user=manager_a, program="ccs").count() == 1


def test_anonymous_or_inactive_user_sees_nothing(case_a, manager_a):
    _start(case_a)
    manager_a.is_active = False
    assert not deadline_queue_for(user=manager_a).exists()


# ---------------------------------------------------------------- compliance figures

@pytest.fixture
def history(case_a, manager_a, supervisor_a, case_b):
    """Four ECM assessments due in January and February 2026 in program A, one in program B."""
    def clock(case, started, met_after=None, occurrence=""):
        d = deadline_start(rule_code="ecm.assessment", subject=case, case=case, started_at=started, occurrence=occurrence)
        if met_after is not None:
            deadline_meet(rule_code="ecm.assessment", subject=case, occurrence=occurrence, met_at=started + met_after)
        return d

    jan = datetime.datetime(2025, 12, 10, 9, 0, tzinfo=PACIFIC)  # due 9 Jan
    clock(case_a, jan, datetime.timedelta(days=10), "1")  # on time, 240 h
    clock(case_a, jan, datetime.timedelta(days=20), "2")  # on time, 480 h
    clock(case_a, jan, datetime.timedelta(days=40), "3")  # late, 960 h
    feb = datetime.datetime(2026, 1, 10, 9, 0, tzinfo=PACIFIC)  # due 9 Feb
    clock(case_a, feb, None, "4")
    sweep_deadlines(now=datetime.datetime(2026, 3, 1, tzinfo=PACIFIC))  # 4 is missed
    clock(case_b, jan, datetime.timedelta(days=1), "5")


def test_compliance_by_rule_and_month_for_a_supervisor(history, supervisor_a):
    rows = compliance_figures(user=supervisor_a, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 2, 28),
                              group_by=("rule", "month"))
    assert [(r["month"], r["due"], r["met_on_time"], r["met_late"], r["missed"], r["on_time_rate"],
             r["median_hours_to_meet"]) for r in rows] == [
        (datetime.date(2026, 1, 1), 3, 2, 1, 0, round(2 / 3, 4), 480.0),
        (datetime.date(2026, 2, 1), 1, 0, 0, 1, 0.0, None),
    ]
    assert rows[0]["rule_code"] == "ecm.assessment" and rows[0]["rule_title"] == "ECM assessment"


def test_compliance_by_organization_and_owner_is_limited_to_the_supervisors_organization(history, supervisor_a, manager_a):
    rows = compliance_figures(user=supervisor_a, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 2, 28),
                              group_by=("organization", "owner"))
    assert len(rows) == 1
    assert (rows[0]["organization_id"], rows[0]["owner_id"], rows[0]["due"]) == (manager_a.organization_id, manager_a.pk, 4)


def test_compliance_period_bounds_are_pacific_dates(history, supervisor_a):
    rows = compliance_figures(user=supervisor_a, start=datetime.date(2026, 1, 10), end=datetime.date(2026, 2, 9))
    assert [(r["due"], r["missed"]) for r in rows] == [(1, 1)]  # only the one due 9 Feb


def test_compliance_for_an_administrator_covers_every_organization(history):
    admin = SupervisorFactory(role="administrator")
    rows = compliance_figures(user=admin, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 2, 28),
                              group_by=("organization",))
    assert sorted(r["due"] for r in rows) == [1, 4]


def test_compliance_rejects_an_unknown_grouping(supervisor_a):
    with pytest.raises(ValueError, match="county"):
        compliance_figures(user=supervisor_a, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 2, 1),
                           group_by=("county",))


def test_portable_median_fallback_gives_the_same_figures(history, supervisor_a, monkeypatch):
    # given the database has no percentile_cont (SQLite), the median is computed from the met rows
    from carecoord.clocks import selectors

    args = {"user": supervisor_a, "start": datetime.date(2026, 1, 1), "end": datetime.date(2026, 2, 28),
            "group_by": ("rule", "month")}
    in_database = compliance_figures(**args)
    monkeypatch.setattr(selectors, "connection", type("FakeConnection", (), {"vendor": "sqlite"})())
    assert compliance_figures(**args) == in_database


@requires_postgres()
def test_several_groupings_from_one_scan_give_each_groupings_own_figures(history, program_b, django_assert_num_queries):
    # given deadlines of two organizations, one of them with a second worker on another team
    other = UserFactory(organization=program_b)
    case = CaseFactory(organization=program_b)
    started = datetime.datetime(2026, 1, 12, 9, 0, tzinfo=PACIFIC)
    deadline = deadline_start(rule_code="ecm.assessment", subject=case, case=case, started_at=started, owner=other)
    deadline_meet(rule_code="ecm.assessment", subject=case, met_at=started + datetime.timedelta(hours=30))
    admin = SupervisorFactory(role="administrator")
    period = {"user": admin, "start": datetime.date(2026, 1, 1), "end": datetime.date(2026, 2, 28)}
    groupings = [("rule",), ("rule", "month"), ("rule", "team"), ("rule", "owner"), ("organization", "owner")]
    # when they are asked for at once
    with django_assert_num_queries(1 + 3):  # one scan of the deadlines, then the teams', owners' and organizations' names
        at_once = compliance_figure_sets(**period, groupings=groupings)
    # then each list is what that grouping alone gives, medians and names included
    assert at_once[2] and all("team__name" in row for row in at_once[2])
    assert at_once == [compliance_figures(**period, group_by=group_by) for group_by in groupings]
    assert deadline.owner_id == other.pk and other.pk in {row["owner_id"] for row in at_once[3]}
    assert len(at_once[4]) >= 2 and at_once[1][0]["median_hours_to_meet"] is not None
    # and asked for the medians of some groupings only (a second scan, of those), the figures are the same,
    # the others' medians left out
    with django_assert_num_queries(2 + 3):
        some = compliance_figure_sets(**period, groupings=groupings, medians=[("rule", "month"), ("organization", "owner")])
    assert some[1] == at_once[1] and some[4] == at_once[4]
    for n in (0, 2, 3):
        assert [{**row, "median_hours_to_meet": None} for row in at_once[n]] == some[n]
    assert any(row["median_hours_to_meet"] is not None for row in at_once[0])


def test_rule_words_are_cached_per_language_not_across_languages():
    # Asked in English first, then in Spanish, then in English again
    english = rule_words("ecm.assessment")
    with translation.override("es"):
        spanish = rule_words("ecm.assessment")
    # Then each language gets its own words, and the cache hands English back unchanged
    assert english.title == "ECM assessment" and english.plain == "ECM assessment: within 30 days of ECM enrollment"
    assert spanish.title == "Evaluación de ECM" and spanish.plain.startswith("Evaluación de ECM: en un plazo de 30")
    assert rule_words("ecm.assessment") == english



def test_due_texts_follow_the_active_language_and_time_zone_though_kept():
    from zoneinfo import ZoneInfo

    from carecoord.clocks.selectors import due_texts

    due = datetime.datetime(2026, 12, 4, 17, 0, tzinfo=datetime.UTC)  # 9 a.m. in California
    assert due_texts()(due) == ("2026-12-04T09:00:00-08:00", "12/04/2026 9 a.m.")
    assert due_texts()(due) == due_texts()(due)  # a second time, from the cache
    with translation.override("es"):
        assert due_texts()(due)[1] == "04/12/2026 09:00"
    with timezone.override(ZoneInfo("America/New_York")):
        assert due_texts()(due) == ("2026-12-04T12:00:00-05:00", "12/04/2026 noon")
