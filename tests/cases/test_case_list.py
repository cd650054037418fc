"""The Cases page: a user's caseload, newest case first, each case with its next deadline."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carecoord.audit.models import AccessEvent
from carecoord.clocks.services import deadline_start
from cases.models import Case
from cases.views import CASE_PAGE_SIZE
from tests.factories import CareTeamMemberFactory, CaseFactory, CoverageFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


def carried_case(manager, *, last_name, **fields):
    return CaseFactory(member=MemberFactory(last_name=last_name), organization=manager.organization, team=manager.team,
                       primary_case_manager=manager, **fields)


def start_clock(case, *, rule_code, days_ago=0):
    return deadline_start(rule_code=rule_code, subject=case, case=case,
                          started_at=timezone.now() - datetime.timedelta(days=days_ago))


def listed(response) -> list[int]:
    return [case.pk for case in response.context["rows"]]


@pytest.fixture
def manager_client(client, manager_a):
    client.force_login(manager_a)
    return client


def test_a_case_manager_sees_the_cases_they_carry_newest_first_with_what_each_needs_next(manager_client, manager_a, program_a, case_b):
    # Given two cases the manager carries, a case they are on the care team of in another team,
    # a team colleague's case and another county's case
    zuniga = carried_case(manager_a, last_name="Zuniga")
    abbott = carried_case(manager_a, last_name="Abbott")
    on_care_team = CaseFactory(member=MemberFactory(last_name="Moreno"), organization=program_a)
    CareTeamMemberFactory(case=on_care_team, user=manager_a)
    colleague = UserFactory(organization=program_a, team=manager_a.team)
    colleagues_case = carried_case(colleague, last_name="Baker")
    # Zuniga's case has an overdue clock and a later one; the page names the overdue one
    start_clock(zuniga, rule_code="dmc.problem_list_update", days_ago=10)
    start_clock(zuniga, rule_code="all.part2_disclosure_list")

    # When the manager opens Cases
    response = manager_client.get(reverse("case_list"))

    # Then their own caseload is listed newest first, and the soonest clock is shown with its time left
    assert response.status_code == 200
    assert listed(response) == [on_care_team.pk, abbott.pk, zuniga.pk]
    html = response.content.decode()
    assert f'href="{reverse("case_detail", args=[zuniga.pk])}"' in html
    zuniga_row = html.split(f'id="case-{zuniga.pk}"')[1].split("</tr>")[0]
    assert "Problem list" in zuniga_row and "overdue by" in zuniga_row and "text-danger" in zuniga_row
    assert "None open" in html.split(f'id="case-{abbott.pk}"')[1].split("</tr>")[0]
    assert case_b.member.last_name not in html

    # And "all cases I can see" adds the team's cases, never another county's
    response = manager_client.get(reverse("case_list"), {"scope": "all"})
    assert set(listed(response)) == {abbott.pk, colleagues_case.pk, on_care_team.pk, zuniga.pk}


def test_closed_cases_are_left_out_until_asked_for_and_the_program_filter_narrows(manager_client, manager_a):
    # Given an open CCS case, a referred ECM case and a closed CCS case of the manager
    open_ccs = carried_case(manager_a, last_name="Avila")
    referred_ecm = carried_case(manager_a, last_name="Bravo", program="ecm", status=Case.Status.REFERRED)
    closed_ccs = carried_case(manager_a, last_name="Cruz", status=Case.Status.CLOSED, closed_at=timezone.now(),
                             closed_reason="Aged out")

    def cases(**params):
        return listed(manager_client.get(reverse("case_list"), params))

    # Then the page starts from the cases still being worked
    assert cases() == [referred_ecm.pk, open_ccs.pk]
    assert cases(status="closed") == [closed_ccs.pk]
    assert cases(status="all") == [closed_ccs.pk, referred_ecm.pk, open_ccs.pk]
    assert cases(program="ecm") == [referred_ecm.pk]
    assert cases(program="ccs", status="all") == [closed_ccs.pk, open_ccs.pk]


@pytest.mark.parametrize("field, value, error", [
    ("program", "dental", "is not one of the available choices"),
    ("status", "pending", "is not one of the available choices"),
    ("scope", "everyone", "is not one of the available choices"),
    ("before", "last", "Enter a whole number"),
    ("after", "0", "greater than or equal to 1"),
])
def test_a_filter_value_the_page_does_not_offer_is_named_and_shows_nothing(manager_client, manager_a, field, value, error):
    # Given a case the manager carries
    carried_case(manager_a, last_name="Avila")
    events = AccessEvent.objects.count()

    # When a filter carries a value the form does not offer
    response = manager_client.get(reverse("case_list"), {field: value})

    # Then the field says why, no case is listed, and no read is recorded
    assert response.status_code == 200
    assert error in response.context["form"].errors[field][0]
    assert response.context["rows"] == []
    html = response.content.decode()
    assert "Correct the filters above" in html and error in html
    assert AccessEvent.objects.count() == events


def test_the_read_of_the_list_is_recorded_with_the_members_and_cases_shown(manager_client, manager_a):
    case = carried_case(manager_a, last_name="Avila")

    manager_client.get(reverse("case_list"))

    event = AccessEvent.objects.filter(action="list", members__shows=case.member_id).get()
    assert event.user == manager_a
    assert ["cases.case", case.pk] in event.records


def test_a_plan_liaison_sees_the_plans_members_cases_without_their_clocks(client, liaison_x, case_a, case_b, plan_x):
    # Given a DMC-ODS case of a Plan X member with a running clock, and Plan Y's member's case
    member = MemberFactory(last_name="Ochoa")
    CoverageFactory(member=member, plan=plan_x)
    sud_case = CaseFactory(member=member, organization=case_a.organization, program="dmc_ods")
    start_clock(sud_case, rule_code="dmc.problem_list_update")
    client.force_login(liaison_x)

    # When the liaison opens Cases
    response = client.get(reverse("case_list"))

    # Then the plan's members' cases are listed, with no "cases I carry" choice and no clock named
    assert set(listed(response)) == {case_a.pk, sud_case.pk}
    assert "scope" not in response.context["form"].fields
    html = response.content.decode()
    assert "Next deadline" not in html and "Problem list" not in html
    # A choice a liaison is not offered is ignored rather than applied
    assert set(listed(client.get(reverse("case_list"), {"scope": "mine"}))) == {case_a.pk, sud_case.pk}


def test_pages_of_fifty_go_older_and_back_newer_keeping_the_filters(manager_client, manager_a):
    # Given one CCS case more than a page holds, and an ECM case
    ccs = [carried_case(manager_a, last_name=f"Member{n:03d}").pk for n in range(CASE_PAGE_SIZE + 1)]
    carried_case(manager_a, last_name="Bravo", program="ecm")

    # When the manager reads the CCS cases and follows "Older cases", then "Newer cases"
    first = manager_client.get(reverse("case_list"), {"program": "ccs"})
    older_link = f'href="?program=ccs&amp;before={ccs[1]}"'
    assert older_link in first.content.decode()
    second = manager_client.get(reverse("case_list"), {"program": "ccs", "before": ccs[1]})
    back = manager_client.get(reverse("case_list"), {"program": "ccs", "after": ccs[0]})

    # Then the pages hold the newest fifty and the oldest one, and going back shows the first page again
    assert listed(first) == ccs[:0:-1]
    assert listed(second) == [ccs[0]]
    assert f'href="?program=ccs&amp;after={ccs[0]}"' in second.content.decode()
    assert listed(back) == listed(first)
    assert older_link in back.content.decode()


def test_the_query_count_does_not_grow_with_the_page(manager_client, manager_a):
    def queries_for_a_page_of(rows: int) -> int:
        for n in range(rows - len(Case.objects.filter(primary_case_manager=manager_a))):
            case = carried_case(manager_a, last_name=f"Member{rows}{n:03d}")
            start_clock(case, rule_code="all.part2_disclosure_list")
        manager_client.get(reverse("case_list"))  # warm per-process caches
        with CaptureQueriesContext(connection) as ctx:
            response = manager_client.get(reverse("case_list"))
        assert len(listed(response)) == rows
        return len(ctx.captured_queries)

    assert queries_for_a_page_of(1) == queries_for_a_page_of(30)


def test_htmx_filtering_answers_with_the_results_only_and_the_menu_links_the_page(manager_client, manager_a):
    ecm = carried_case(manager_a, last_name="Bravo", program="ecm")
    ccs = carried_case(manager_a, last_name="Avila")

    response = manager_client.get(reverse("case_list"), {"program": "ecm"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-results")

    html = response.content.decode()
    assert 'id="case-results"' in html and "<html" not in html
    assert ecm.member.last_name in html and ccs.member.last_name not in html
    home = manager_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("case_list")}"' in home


def test_a_supervisor_reads_one_case_managers_caseload_or_the_cases_nobody_carries(client, supervisor_a, manager_a, program_a,
                                                                                  program_b):
    # Given a case of manager A, a case of a colleague who has left, an unassigned case, and a worker of another county
    mine = carried_case(manager_a, last_name="Avila")
    departed = UserFactory(organization=program_a, team=manager_a.team, is_active=False)
    departed_case = carried_case(departed, last_name="Bravo")
    unassigned = CaseFactory(member=MemberFactory(last_name="Cruz"), organization=program_a)
    outsider = UserFactory(organization=program_b)
    client.force_login(supervisor_a)

    def cases(**params):
        return listed(client.get(reverse("case_list"), params))

    # Then the supervisor sees the organization's cases, one manager's, the departed one's, or nobody's
    assert cases() == [unassigned.pk, departed_case.pk, mine.pk]
    assert cases(manager=manager_a.pk) == [mine.pk]
    assert cases(manager=departed.pk) == [departed_case.pk]
    assert cases(manager="nobody") == [unassigned.pk]
    # and "cases I carry" gives way to the chosen case manager
    assert cases(manager=manager_a.pk, scope="mine") == [mine.pk]
    # and another county's worker is not a choice
    response = client.get(reverse("case_list"), {"manager": outsider.pk})
    assert "is not one of the available choices" in response.context["form"].errors["manager"][0]

