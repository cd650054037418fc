"""A case manager's newest-first case pages, read arm by arm (cases.models.CaseQuerySet)."""
from __future__ import annotations

import json

import pytest
from django.db import connection
from guardian.shortcuts import assign_perm

from carecoord.accounts.models import User
from carecoord.scale.bench import pick_users
from carecoord.scale.dataset import DatasetGenerator
from cases.models import CareTeamMember, Case
from cases.selectors import case_list_visible_to, caseload_for
from tests.conftest import requires_postgres

pytestmark = [pytest.mark.django_db, requires_postgres()]

PAGE = 51  # the case API's page of 50 and the row that says there is another


def case_scans(queryset) -> list[dict]:
    """The plan's scans of the case table, as EXPLAIN (ANALYZE) ran them: rows kept and dropped, index condition."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def walk(node):
        if node.get("Relation Name") == "cases_case":
            loops = node.get("Actual Loops", 1)
            yield {"read": (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops,
                   "kept": node.get("Actual Rows", 0) * loops, "index_cond": node.get("Index Cond", "")}
        for child in node.get("Plans", []):
            yield from walk(child)

    return list(walk(plan[0]["Plan"]))


def newest_first(queryset) -> list[int]:
    """The queryset's ids newest first, read whole (no slice, so not arm by arm) and sorted here."""
    return sorted(queryset.values_list("pk", flat=True), reverse=True)


def test_a_case_managers_page_reads_a_page_of_each_arm_not_the_states_cases():
    # Given a data set of 5,000 members (1,500 cases), analyzed as after a load: a case manager with a
    # full caseload and a team, and a new case manager without a team who carries three cases
    DatasetGenerator(members=5000).run()
    full = pick_users()["case_manager"]
    new = User.objects.create_user(username="new.cm", role=User.Role.CASE_MANAGER, organization=full.organization)
    Case.objects.filter(pk__in=Case.objects.order_by("pk").values("pk")[:3]).update(primary_case_manager=new)
    total = Case.objects.count()
    for user, scope in ((full, "visible"), (full, "mine"), (new, "visible")):
        cases = case_list_visible_to(user=user) if scope == "visible" else caseload_for(user=user, mine=True)
        expected = newest_first(cases)
        # When their first page, newest first, and the page after it are read, as the case API and the
        # Cases page (the cases they carry, at first) do
        first = cases.order_by("-pk")[:PAGE]
        assert [c.pk for c in first] == expected[:PAGE]
        pages = [first]
        if len(expected) > PAGE:
            after = cases.filter(pk__lt=expected[PAGE - 1]).order_by("-pk")[:PAGE]
            assert [c.pk for c in after] == expected[PAGE:2 * PAGE]
            pages.append(after)
        # Then each page is read by id among each arm's newest (own, team, listed: at most a page of
        # each), not by walking the case table in primary key order until the page is full
        for page in pages:
            scans = case_scans(page)
            by_id = [scan for scan in scans if "= ANY ($" in scan["index_cond"]]
            assert len(by_id) == 1 and by_id[0]["read"] <= PAGE, (user.username, scope, scans)
            assert sum(scan["kept"] for scan in scans) <= 4 * PAGE + len(expected), (user.username, scope, scans)
    # And the caseload smaller than a page is read in a few rows, where the walk read every case of the
    # table (300,000 rows, 53 ms at 1M members)
    assert sum(scan["read"] for scan in case_scans(case_list_visible_to(user=new).order_by("-pk")[:PAGE])) <= 2 * 3
    assert total > 50 * len(newest_first(case_list_visible_to(user=new)))


def test_a_page_read_by_arm_holds_what_the_whole_scope_holds_in_every_filter_and_direction():
    # Given a small data set and its busiest case manager, with a case of another team shared to them and
    # a care team case: all three arms hold cases
    DatasetGenerator(members=400).run()
    user = pick_users()["case_manager"]
    elsewhere = Case.objects.exclude(team_id=user.team_id).exclude(primary_case_manager=user).order_by("pk")
    assign_perm("cases.view_case", user, elsewhere[0])
    CareTeamMember.objects.create(case=elsewhere[1], user=user, role=CareTeamMember.Role.OTHER)
    visible = case_list_visible_to(user=user)
    assert {elsewhere[0].pk, elsewhere[1].pk} <= set(newest_first(visible))
    scopes = {
        "all": visible,
        "ccs": visible.filter(program="ccs"),
        "open": visible.filter(status=Case.Status.OPEN),
        "mine": caseload_for(user=user, mine=True),
        "everything, with its related rows": caseload_for(user=user, mine=False),
    }
    for name, scope in scopes.items():
        expected = newest_first(scope)
        assert expected, name
        # When pages are read newest first, oldest first, from a marker, and first()
        for size in (1, 5, 50):
            assert [c.pk for c in scope.order_by("-pk")[:size]] == expected[:size], (name, size)
            assert [c.pk for c in scope.order_by("pk")[:size]] == sorted(expected)[:size], (name, size)
            marker = expected[len(expected) // 2]
            assert ([c.pk for c in scope.filter(pk__lt=marker).order_by("-pk")[:size]]
                    == [pk for pk in expected if pk < marker][:size]), (name, size)
            # (the page before a marker, as a cursor's previous link and the Cases page's "newer" read it)
            assert ([c.pk for c in scope.filter(pk__gt=marker).order_by("pk")[:size]]
                    == sorted(pk for pk in expected if pk > marker)[:size]), (name, size)
        assert scope.order_by("pk").first().pk == min(expected), name
    # And a queryset joined with another by | is read whole: its arms no longer describe it
    other = Case.objects.exclude(pk__in=newest_first(visible)).order_by("-pk").first()
    assert other.pk in [c.pk for c in (visible | Case.objects.filter(pk=other.pk)).order_by("-pk")[:len(newest_first(visible)) + 1]]
