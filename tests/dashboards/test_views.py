"""Dashboard pages: figures, drill-down links, CSV from the same numbers, organization scope, constant query counts."""
import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carecoord.clocks.models import Deadline
from cases.ccs_models import LiaisonMeeting, ProblemItem
from tests.factories import CaseFactory, MemberFactory, TaskFactory, UserFactory

from .conftest import END, OCT, R1, START, grant_role_group
from .factories import DeadlineFactory

pytestmark = pytest.mark.django_db
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}


def test_dashboard_needs_the_permission(client, known):
    client.force_login(known.worker_1)
    assert client.get(reverse("dashboard")).status_code == 403


def test_compliance_page_shows_the_slipping_rule_and_links_to_its_cases(client, known):
    client.force_login(known.supervisor_a)
    response = client.get(reverse("dashboard"), PERIOD)
    assert response.status_code == 200
    page = response.content.decode()
    # The rule below target says so in words (not colour alone) and shows its rate and target
    assert "Below target" in page and "71.4%" in page and "95.0%" in page
    # Its "missed" figure links to the drill-down, which lists exactly the one missed case
    link = re.search(r'href="(/dashboard/compliance/cases/\?[^"]*rule=ccs.medical_eligibility[^"]*outcome=missed)"', page)
    assert link, "missed figure is a link"
    drill = client.get(link.group(1).replace("&amp;", "&"))
    assert drill.status_code == 200
    assert drill.context["page_obj"].paginator.count == 1
    assert [d.pk for d in drill.context["page_obj"]] == known.ids["w1_oct_missed"]
    assert "Alvarez" in drill.content.decode()
    # Organization B's worker is nowhere on A's page
    assert "worker_b_other_org" not in page and "Otherorg" not in drill.content.decode()


def test_compliance_csv_has_the_same_figures(client, known):
    client.force_login(known.supervisor_a)
    response = client.get(reverse("dashboard"), {**PERIOD, "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    rule_row = next(r for r in rows if r["grouping"] == "rule" and r["rule_code"] == R1)
    assert (rule_row["due"], rule_row["met_on_time"], rule_row["met_late"], rule_row["missed"], rule_row["open"]) == ("7", "5", "1", "1", "1")
    assert rule_row["on_time_pct"] == "71.4" and rule_row["below_target"] == "True"
    assert {r["worker"] for r in rows if r["grouping"] == "worker"} <= {
        known.worker_1.get_full_name(), known.worker_2.get_full_name()}


def test_the_page_lists_the_workers_furthest_below_target_first_and_the_csv_all(client, known, monkeypatch):
    from carecoord.dashboards import views

    client.force_login(known.supervisor_a)
    # worker_1 is below target on R1 (2 of 4 on time in October), worker_2 is not (all on time)
    overview = client.get(reverse("dashboard"), PERIOD).context["overview"]
    assert [(row["owner_id"], row["below_target"]) for row in overview["by_owner"]][:1] == [(known.worker_1.pk, True)]
    assert all(not row["below_target"] for row in overview["by_owner"][1:])
    # When the page has room for one worker figure only
    monkeypatch.setattr(views, "WORKER_ROWS_SHOWN", 1)
    response = client.get(reverse("dashboard"), PERIOD)
    # Then it shows worker_1's, says how many there are, and the CSV still has every one
    assert [row["owner_id"] for row in response.context["by_owner_shown"]] == [known.worker_1.pk]
    total = len(overview["by_owner"])
    assert f"The 1 of {total} worker figures furthest below target" in response.content.decode()
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("dashboard"), {**PERIOD, "format": "csv"}).content.decode())))
    assert len([r for r in rows if r["grouping"] == "worker"]) == total > 1


def test_supervisor_b_sees_only_organization_b(client, known):
    client.force_login(known.supervisor_b)
    overview = client.get(reverse("dashboard"), PERIOD).context["overview"]
    assert [(r.rule_code, r.due, r.missed) for r in overview["rules"]] == [(R1, 5, 5)]
    drill = client.get(reverse("dashboard_compliance_cases"), {**PERIOD, "outcome": "due",
                                                                "owner": known.worker_1.pk})
    assert drill.context["page_obj"].paginator.count == 0


def test_caseloads_figures(client, known, program_a):
    # Given organization A: case_1 (worker_1, ccs, idle 40 days), case_2 (worker_2, ecm), one closed in November
    type(known.case_1).objects.filter(pk=known.case_1.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=40))
    CaseFactory(member=MemberFactory(), organization=program_a, status="closed", closed_reason="Moved",
                closed_at=datetime.datetime(2026, 11, 3, 12, tzinfo=datetime.timezone.utc), opened_at=None,
                referred_at=datetime.datetime(2026, 10, 2, 12, tzinfo=datetime.timezone.utc))
    # and an overdue annual medical review
    DeadlineFactory(case=known.case_1, owner=known.worker_1, rule_code="ccs.annual_medical_review",
                    due=timezone.localdate() - datetime.timedelta(days=3), status=Deadline.Status.MISSED)
    client.force_login(known.supervisor_a)
    figures = client.get(reverse("dashboard_caseloads"), PERIOD).context["figures"]
    per_worker = {(row["primary_case_manager_id"], row["program"]): row["open_cases"] for row in figures["per_worker"]}
    assert per_worker == {(known.worker_1.pk, "ccs"): 1, (known.worker_2.pk, "ecm"): 1}
    assert [c.pk for c in figures["inactive"]] == [known.case_1.pk] and figures["inactive_count"] == 1
    months = {row["month"]: (row["new"], row["closed"]) for row in figures["months"]}
    assert months[datetime.date(2026, 11, 1)][1] == 1 and months[datetime.date(2026, 10, 1)][0] >= 1
    assert figures["reviews"]["annual_medical_review"]["count"] == 1
    assert figures["reviews"]["care_plan_review"]["count"] == 0


def test_the_caseload_dashboard_links_each_worker_to_the_open_cases_it_counts(client, known, program_a):
    # Given worker 1's open CCS case (known.case_1) and a referred one, which the dashboard does not count
    CaseFactory(organization=program_a, primary_case_manager=known.worker_1, status="referred", opened_at=None)
    client.force_login(known.supervisor_a)

    # When the supervisor follows worker 1's CCS row of the caseload dashboard
    html = client.get(reverse("dashboard_caseloads"), PERIOD).content.decode()
    link = f'{reverse("case_list")}?manager={known.worker_1.pk}&amp;program=ccs&amp;status=open'
    assert f'href="{link}"' in html

    # Then the Cases page lists exactly the open CCS case the dashboard counted
    response = client.get(link.replace("&amp;", "&"))
    assert [case.pk for case in response.context["rows"]] == [known.case_1.pk]


def test_escalations_problems_and_action_items(client, known, program_a, plan_x):
    now = timezone.now()
    escalated = DeadlineFactory(case=known.case_1, owner=known.worker_1, status=Deadline.Status.MISSED, due=OCT,
                                escalated_to=known.supervisor_a, escalated_at=now)
    DeadlineFactory(case=known.case_b, status=Deadline.Status.MISSED, due=OCT, escalated_to=known.supervisor_b, escalated_at=now)
    for level, days in (("local", 5), ("local", 45), ("regional_office", 100)):
        ProblemItem.objects.create(program=program_a, plan=plan_x, category="referral", title=f"{level} {days}",
                                   description="x", level=level, opened_at=now - datetime.timedelta(days=days))
    meeting = LiaisonMeeting.objects.create(program=program_a, plan=plan_x, held_at=now, attendees="a", minutes="m")
    task = TaskFactory(case=None, title="Send the plan the referral list", status="open")
    TaskFactory(case=None, title="Not from a meeting")
    meeting.tasks.add(task)
    client.force_login(known.supervisor_a)
    figures = client.get(reverse("dashboard_escalations")).context["figures"]
    assert [d.pk for d in figures["escalated"]] == [escalated.pk]
    levels = {row["level"]: row for row in figures["problem_levels"]}
    assert (levels["local"]["total"], levels["local"]["0_30"], levels["local"]["31_60"]) == (2, 1, 1)
    assert (levels["regional_office"]["total"], levels["regional_office"]["over_90"]) == (1, 1)
    assert levels["state_branch"]["total"] == 0
    assert [t.pk for t in figures["action_items"]] == [task.pk]
    # Organization B's supervisor sees none of A's problems or escalations
    client.force_login(known.supervisor_b)
    other = client.get(reverse("dashboard_escalations")).context["figures"]
    assert other["problems_open"] == 0 and other["action_items_count"] == 0
    assert escalated.pk not in [d.pk for d in other["escalated"]]


def test_ecm_funnel_counts_each_step(client, known, program_a, program_b):
    from cases.ecm_models import EcmEnrollment

    # Given four ECM referrals of organization A in October at different steps, one outside the period,
    # and one of organization B
    october = datetime.datetime(2026, 10, 5, 12, tzinfo=datetime.timezone.utc)

    def referral(case, **fields):
        return EcmEnrollment.objects.create(case=case, referrer="self", referred_at=fields.pop("at", october), **fields)

    cases = [CaseFactory(member=MemberFactory(), organization=program_a, program="ecm") for _ in range(5)]
    referral(cases[0])
    referral(cases[1], status="enrolled", enrolled_at=october, presumptive=True)
    referral(cases[2], status="enrolled", enrolled_at=october, mcp_decision="authorized", mcp_decided_at=october,
             assessment_completed_at=october)
    referral(cases[3], status="enrolled", enrolled_at=october, presumptive=True, assessment_completed_at=october)
    referral(cases[4], at=october - datetime.timedelta(days=90))
    referral(CaseFactory(member=MemberFactory(), organization=program_b, program="ecm"))
    client.force_login(known.supervisor_a)
    funnel = {row["step"]: row["count"] for row in client.get(reverse("dashboard_programs"), PERIOD).context["funnel"]}
    assert funnel == {"referred": 4, "consented": 3, "presumptively_authorized": 3, "enrolled": 3, "assessed": 2}


def _count_queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(known, program_a, county_a, count, prefix):
    """``count`` more workers, each with an idle case, met, late, missed (escalated) and overdue review clocks."""
    for n in range(count):
        worker = UserFactory(organization=program_a, username=f"{prefix}_{n}")
        case = CaseFactory(member=MemberFactory(county=county_a), organization=program_a, team=worker.team,
                           primary_case_manager=worker, last_activity_at=timezone.now() - datetime.timedelta(days=60))
        for status in (Deadline.Status.MET_ON_TIME, Deadline.Status.MET_LATE, Deadline.Status.MISSED):
            DeadlineFactory(case=case, owner=worker, status=status, due=OCT, escalated_to=known.supervisor_a)
        for rule in ("ecm.care_plan_review", "ccs.annual_medical_review"):
            DeadlineFactory(case=case, owner=worker, rule_code=rule, status=Deadline.Status.MISSED,
                            due=timezone.localdate() - datetime.timedelta(days=2))


@pytest.mark.parametrize("name", ["dashboard", "dashboard_caseloads", "dashboard_escalations", "dashboard_programs",
                                  "dashboard_compliance_cases"])
def test_query_count_does_not_grow_with_the_cases(client, known, program_a, county_a, name, django_assert_num_queries):
    # Given one more worker with every kind of row, the page's query count
    _grow(known, program_a, county_a, 1, "first")
    client.force_login(known.supervisor_a)
    url = reverse(name)
    _count_queries(client, url, PERIOD)  # warm caches (content types, sessions)
    small = _count_queries(client, url, PERIOD)
    # When there are ten times as many cases, workers and deadlines
    _grow(known, program_a, county_a, 10, "more")
    # Then the page runs the same number of queries
    with django_assert_num_queries(small):
        assert client.get(url, PERIOD).status_code == 200


def test_supervisor_role_group_grants_the_dashboard(known):
    assert grant_role_group(known.supervisor_a).has_perm("cases.view_dashboard")


def test_every_figure_links_to_exactly_the_deadlines_it_counts(client, known):
    """Each count on the page, per rule, month, team and worker, is a link whose drill-down lists that
    many deadlines: the query string of each figure names its own rule, period, team or worker."""
    client.force_login(known.supervisor_a)
    page = client.get(reverse("dashboard"), PERIOD).content.decode()
    links = re.findall(r'<a href="(/dashboard/compliance/cases/\?[^"]*)">([\d,]+)</a>', page)
    kinds = {key for href, _count in links for key in ("team=", "owner=") if key in href}
    periods = {re.search(r"start=([\d-]+)&amp;end=([\d-]+)", href).groups() for href, _count in links}
    assert kinds == {"team=", "owner="}, "team and worker figures link"
    assert {("2026-10-01", "2026-10-31"), ("2026-11-01", "2026-11-30")} <= periods, "each month's figures link to it"
    for href, count in links:
        drill = client.get(href.replace("&amp;", "&"))
        assert drill.status_code == 200 and drill.context["form"].is_valid(), href
        assert drill.context["page_obj"].paginator.count == int(count.replace(",", "")), href


def test_the_csv_has_every_figures_median_and_the_page_the_rules(client, known):
    client.force_login(known.supervisor_a)
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("dashboard"), {**PERIOD, "format": "csv"}).content.decode())))
    rule_median = next(r for r in rows if r["grouping"] == "rule" and r["rule_code"] == R1)["median_hours_to_meet"]
    assert rule_median
    for grouping in ("month", "team", "worker"):
        assert any(r["median_hours_to_meet"] for r in rows if r["grouping"] == grouping and r["rule_code"] == R1), grouping
    # The page shows the rules' medians (its other tables have no such column)
    overview = client.get(reverse("dashboard"), PERIOD).context["overview"]
    assert next(rule for rule in overview["rules"] if rule.rule_code == R1).median_hours_to_meet == float(rule_median)
