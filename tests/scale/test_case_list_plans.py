"""A case manager's newest-first case list on a data set large enough for PostgreSQL's own costs to plan it."""
from __future__ import annotations

import json

import pytest
from django.db import connection

from carecoord.accounts.models import User
from carecoord.scale.bench import pick_users
from carecoord.scale.dataset import DatasetGenerator
from cases.models import Case
from cases.selectors import case_list_visible_to
from tests.conftest import requires_postgres

pytestmark = [pytest.mark.django_db, requires_postgres()]

PAGE = 51  # the case API's page of 50 and the row that says there is another


def case_rows_read(queryset) -> int:
    """How many rows of the case table the query's plan read, those it kept and those its filters dropped."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan

    def walk(node):
        reads = 0
        if node.get("Relation Name") == "cases_case":
            loops = node.get("Actual Loops", 1)
            reads += (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
        return reads + sum(walk(child) for child in node.get("Plans", []))

    return walk(plan[0]["Plan"])


def test_a_case_managers_newest_first_page_reads_their_own_cases_not_the_states():
    # Given a data set of 5,000 members (about 1,500 cases), analyzed as after a load, a case manager with
    # a full caseload and their team, and a new case manager without a team who carries three cases
    DatasetGenerator(members=5000).run()
    full = pick_users()["case_manager"]
    new = User.objects.create_user(username="new.cm", role=User.Role.CASE_MANAGER, organization=full.organization)
    Case.objects.filter(pk__in=Case.objects.order_by("pk").values("pk")[:3]).update(primary_case_manager=new)
    total = Case.objects.count()
    for user in (full, new):
        visible = case_list_visible_to(user=user)
        seen = visible.count()
        # When the first page of their cases, newest first, is read, as the case API and the Cases page do
        page = visible.order_by("-pk")[:PAGE]
        # Then it holds their newest cases, and PostgreSQL read about as many case rows as the case manager
        # may see (each arm of their scope and the page), not every case of the table in primary key order
        # until the page was full (all of them for a caseload smaller than a page: 53 ms at 1M members)
        assert [c.pk for c in page] == sorted(visible.values_list("pk", flat=True), reverse=True)[:PAGE]
        reads = case_rows_read(page)
        assert reads <= 2 * seen + PAGE, (user.username, reads, seen, total)
    assert total > 20 * case_list_visible_to(user=new).count()
