"""API of the deadline engine: /api/work-queue/, /api/compliance/, /api/clock-rules/ and the rule catalog page."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from carecoord.accounts.services import api_token_issue
from carecoord.audit.models import AccessEvent
from carecoord.clocks.calendar import PACIFIC
from carecoord.clocks.catalog import all_rules
from carecoord.clocks.services import deadline_meet, deadline_start
from tests.factories import CaseFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    _, raw = api_token_issue(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _start(case, code="ecm.assessment", *, ago=datetime.timedelta(days=10), occurrence=""):
    return deadline_start(rule_code=code, subject=case, case=case, started_at=timezone.now() - ago, occurrence=occurrence)


def test_work_queue_lists_my_deadlines_with_plain_words(case_a, manager_a, case_b):
    # given a deadline 20 days away on the manager's case and one overdue; and another organization's case
    later = _start(case_a)
    overdue = _start(case_a, "ecm.enrollment_notification", ago=datetime.timedelta(days=20))
    _start(case_b)
    response = _client(manager_a).get("/api/work-queue/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["id"], r["bucket"]) for r in rows] == [(overdue.pk, "overdue"), (later.pk, "later")]
    assert rows[1]["rule"] == "ECM assessment: within 30 days of ECM enrollment"
    assert rows[1]["time_left"] in {"19 days left", "20 days left"}
    assert rows[0]["time_left"].startswith("overdue by")
    assert rows[1]["member_id"] == case_a.member_id and rows[1]["member_name"].startswith(case_a.member.first_name)
    # the due time as DRF's DateTimeField writes it: ISO 8601 in the request's time zone
    assert [r["due_at"] for r in rows] == [serializers.DateTimeField().to_representation(d.due_at) for d in (overdue, later)]
    assert AccessEvent.objects.filter(action="list", username=manager_a.username).exists()


def test_work_queue_filters_by_bucket_and_rejects_bad_input(case_a, manager_a):
    _start(case_a)
    overdue = _start(case_a, "ecm.enrollment_notification", ago=datetime.timedelta(days=20))
    client = _client(manager_a)
    assert [r["id"] for r in client.get("/api/work-queue/?bucket=overdue").json()["results"]] == [overdue.pk]
    assert client.get("/api/work-queue/?bucket=today").json()["results"] == []
    response = client.get("/api/work-queue/?bucket=someday")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "bucket"


def test_work_queue_is_paginated_with_constant_queries(case_a, manager_a):
    client = _client(manager_a)
    _start(case_a, occurrence="0")
    client.get("/api/work-queue/")  # warm up (content types, token)
    with CaptureQueriesContext(connection) as one:
        client.get("/api/work-queue/")
    for n in range(1, 8):
        _start(case_a, occurrence=str(n))
    with CaptureQueriesContext(connection) as eight:
        first = client.get("/api/work-queue/?page_size=5").json()
    assert len(eight) == len(one)
    assert len(first["results"]) == 5 and first["next"]
    rest = client.get(first["next"]).json()
    assert len(rest["results"]) == 3


def test_work_queue_needs_authentication():
    assert APIClient().get("/api/work-queue/").status_code in (401, 403)


def test_supervisor_work_queue_shows_the_team(case_a, supervisor_a):
    deadline = _start(case_a)
    rows = _client(supervisor_a).get("/api/work-queue/").json()["results"]
    assert [r["id"] for r in rows] == [deadline.pk]


def test_compliance_endpoint_groups_and_limits_to_the_organization(case_a, manager_a, supervisor_a, case_b):
    started = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=PACIFIC)
    deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=started)
    deadline_meet(rule_code="ecm.assessment", subject=case_a, met_at=started + datetime.timedelta(days=2))
    deadline_start(rule_code="ecm.assessment", subject=case_b, case=case_b, started_at=started)
    deadline_meet(rule_code="ecm.assessment", subject=case_b, met_at=started + datetime.timedelta(days=40))
    response = _client(supervisor_a).get("/api/compliance/?start=2026-01-01&end=2026-03-31&group_by=rule,month")
    assert response.status_code == 200
    assert response.json() == [{
        "rule_code": "ecm.assessment", "rule_title": "ECM assessment", "month": "2026-02-01", "due": 1,
        "met_on_time": 1, "met_late": 0, "missed": 0, "open": 0, "on_time_rate": 1.0, "median_hours_to_meet": 48.0}]


@pytest.mark.parametrize("query, field", [
    ("start=2026-13-01", "start"), ("start=2026-03-01&end=2026-01-01", "start"), ("group_by=county", "group_by"),
])
def test_compliance_endpoint_rejects_bad_input(supervisor_a, query, field):
    response = _client(supervisor_a).get(f"/api/compliance/?{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


def test_clock_rules_endpoint_lists_every_rule_with_its_source(liaison_x):
    response = _client(liaison_x).get("/api/clock-rules/")
    assert response.status_code == 200
    rules = {r["code"]: r for r in response.json()}
    assert set(rules) == {rule.code for rule in all_rules()}
    eligibility = rules["ccs.medical_eligibility"]
    assert (eligibility["duration"], eligibility["unit"], eligibility["pausable"]) == (5, "working_days", True)
    assert eligibility["source"].startswith("Seed 002")
    assert all(r["source"] for r in rules.values())


def test_rule_catalog_page_groups_rules_by_program_with_sources(client, manager_a):
    client.force_login(manager_a)
    response = client.get(reverse("clock_rules"))
    assert response.status_code == 200
    page = response.content.decode()
    for rule in all_rules():
        assert f'id="rule-{rule.code}"' in page
    assert "Drug Medi-Cal Organized Delivery System" in page and "5 working days" in page
    assert "Seed 002: CMS plan/MOU delineation of responsibilities" in page and "2 days before" in page


def test_api_schema_documents_the_clock_endpoints(client, manager_a):
    client.force_login(manager_a)
    schema = client.get("/api/schema/?format=json").json()
    assert {"/api/work-queue/", "/api/compliance/", "/api/clock-rules/"} <= set(schema["paths"])


def test_work_queue_api_does_not_show_other_members(case_a, manager_a):
    # given a deadline on a case of another team's member in the same organization
    other = CaseFactory(member=MemberFactory(), organization=case_a.organization)
    _start(other)
    assert _client(manager_a).get("/api/work-queue/").json()["results"] == []
