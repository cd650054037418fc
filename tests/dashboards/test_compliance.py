"""Compliance figures on a known data set, the drill-down behind each figure, and organization scope."""
import pytest

from carecoord.clocks.catalog import get_rule
from carecoord.dashboards import selectors

from .conftest import END, R1, R2, START

pytestmark = pytest.mark.django_db


def by(rows, **keys):
    found = [row for row in rows if all(row[k] == v for k, v in keys.items())]
    assert len(found) == 1, found
    return found[0]


def test_rule_figures_match_the_hand_count(known):
    # Given the known set, when organization A's supervisor looks at October and November
    overview = selectors.compliance_overview(user=known.supervisor_a, start=START, end=END)
    rules = {rule.rule_code: rule for rule in overview["rules"]}

    # Then R1 counts 7 (5 on time, 1 late, 1 missed), 1 open; cancelled, September and organization B left out
    r1 = rules[R1]
    assert (r1.due, r1.met_on_time, r1.met_late, r1.missed, r1.open) == (7, 5, 1, 1, 1)
    assert r1.on_time_rate == round(5 / 7, 4)
    assert r1.on_time_percent == 71.4
    # and R1 is below its target, R2 (1 of 1 on time) is not, and the rule below target is listed first
    assert get_rule(R1).on_time_target > 5 / 7
    assert r1.below_target is True
    assert rules[R2].due == 1 and rules[R2].below_target is False
    assert overview["rules"][0].rule_code == R1


def test_figures_per_month_team_and_worker(known):
    overview = selectors.compliance_overview(user=known.supervisor_a, start=START, end=END)
    october = by(overview["by_month"], rule_code=R1, month=START)
    november = by(overview["by_month"], rule_code=R1, month=END.replace(day=1))
    assert (october["due"], october["met_on_time"], october["met_late"], october["missed"]) == (4, 2, 1, 1)
    assert (november["due"], november["met_on_time"], november["open"]) == (3, 3, 1)
    assert overview["trend"][R1] == [50.0, 100.0]

    worker_1 = by(overview["by_owner"], rule_code=R1, owner_id=known.worker_1.pk)
    worker_2 = by(overview["by_owner"], rule_code=R1, owner_id=known.worker_2.pk)
    assert (worker_1["due"], worker_1["missed"], worker_1["on_time_percent"]) == (4, 1, 50.0)
    assert (worker_2["due"], worker_2["on_time_percent"]) == (3, 100.0)
    assert worker_1["below_target"] and not worker_2["below_target"]

    team_one = by(overview["by_team"], rule_code=R1, team__name="Team One")
    assert (team_one["due"], team_one["met_late"]) == (4, 1)


@pytest.mark.parametrize("outcome, keys, expected", [
    ("due", {}, ["w1_oct_on_time", "w1_oct_late", "w1_oct_missed", "w2_nov_on_time"]),
    ("met_on_time", {}, ["w1_oct_on_time", "w2_nov_on_time"]),
    ("met_late", {}, ["w1_oct_late"]),
    ("missed", {}, ["w1_oct_missed"]),
    ("open", {}, ["w1_nov_open"]),
    ("due", {"owner": "worker_1"}, ["w1_oct_on_time", "w1_oct_late", "w1_oct_missed"]),
    ("due", {"team": "worker_2"}, ["w2_nov_on_time"]),
    ("due", {"start": "nov"}, ["w2_nov_on_time"]),
])
def test_drilldown_lists_exactly_the_deadlines_counted(known, outcome, keys, expected):
    # Given a figure of R1, when its drill-down is asked with the same keys
    kwargs = {"start": START, "end": END, "rule_code": R1, "outcome": outcome}
    if "owner" in keys:
        kwargs["owner"] = str(getattr(known, keys["owner"]).pk)
    if "team" in keys:
        kwargs["team"] = str(getattr(known, keys["team"]).team_id)
    if "start" in keys:
        kwargs["start"] = END.replace(day=1)
    listed = selectors.compliance_drilldown(user=known.supervisor_a, **kwargs)
    # Then it lists exactly the deadlines behind the number
    assert sorted(d.pk for d in listed) == sorted(pk for key in expected for pk in known.ids[key])


def test_every_figure_equals_the_length_of_its_drilldown(known):
    overview = selectors.compliance_overview(user=known.supervisor_a, start=START, end=END)
    for row in overview["by_owner"]:
        for outcome in ("due", "met_on_time", "met_late", "missed", "open"):
            listed = selectors.compliance_drilldown(user=known.supervisor_a, start=START, end=END, outcome=outcome,
                                                    rule_code=row["rule_code"], owner=str(row["owner_id"] or "none"))
            assert listed.count() == row[outcome], (row, outcome)


def test_a_supervisor_never_sees_another_organizations_figures(known):
    # Organization B's 5 missed deadlines are counted for B's supervisor only
    overview_a = selectors.compliance_overview(user=known.supervisor_a, start=START, end=END)
    overview_b = selectors.compliance_overview(user=known.supervisor_b, start=START, end=END)
    assert {row["owner_id"] for row in overview_a["by_owner"]} == {known.worker_1.pk, known.worker_2.pk}
    b_rules = {rule.rule_code: rule for rule in overview_b["rules"]}
    assert set(b_rules) == {R1} and (b_rules[R1].due, b_rules[R1].missed) == (5, 5)
    # and A's supervisor asking the drill-down for B's worker gets nothing
    other_owner = selectors.compliance_drilldown(user=known.supervisor_b, start=START, end=END, outcome="missed").first().owner_id
    assert not selectors.compliance_drilldown(user=known.supervisor_a, start=START, end=END, outcome="missed",
                                              owner=str(other_owner)).exists()


def test_program_filter_keeps_the_programs_rules(known):
    overview = selectors.compliance_overview(user=known.supervisor_a, start=START, end=END, program="ecm")
    assert [rule.rule_code for rule in overview["rules"]] == [R2]
    listed = selectors.compliance_drilldown(user=known.supervisor_a, start=START, end=END, program="ecm")
    assert sorted(d.pk for d in listed) == known.ids["w2_nov_r2"]
