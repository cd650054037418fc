"""The plans' notifications API: plan-scoped list and acknowledgement."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from carecoord.accounts.services import api_token_issue
from carecoord.clocks.models import OutboxMessage
from carecoord.clocks.outbox import handler_for
from notices.models import Notice
from notices.services import notice_create, notice_send

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    _, raw = api_token_issue(user=user, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _sent_notification(case, plan, by, kind="eligibility_outcome_to_plan"):
    plan.secure_email = "liaison@plan.example"
    plan.save()
    notice = notice_create(kind=kind, member=case.member, case=case, recipient_kind="plan", recipient_org=plan,
                           channel="secure_email", context={"outcome": "CCS eligible"}, created_by=by)
    notice_send(notice=notice, by=by)
    message = OutboxMessage.objects.get(key=f"notice:{notice.pk}:send")
    handler_for(message.channel)(message)
    return Notice.objects.get(pk=notice.pk)


def test_liaison_lists_only_their_plans_sent_notifications(case_a, case_b, manager_a, liaison_x, plan_x, plan_y):
    # given a notification sent to plan X, a draft to plan X, one sent to plan Y, and a letter to the member
    sent = _sent_notification(case_a, plan_x, manager_a)
    notice_create(kind="eligibility_outcome_to_plan", member=case_a.member, case=case_a, recipient_kind="plan",
                  recipient_org=plan_x, channel="secure_email", context={"outcome": "draft"}, created_by=manager_a)
    _sent_notification(case_b, plan_y, manager_a)
    # when plan X's liaison lists notifications
    response = _client(liaison_x).get("/api/notifications/")
    # then only the sent one addressed to plan X is there, with its exact text
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [sent.pk]
    assert rows[0]["body"] == sent.body and rows[0]["recipient_org"]["id"] == plan_x.pk and rows[0]["acknowledged_at"] is None


def test_liaison_acknowledges_a_notification_through_the_api(case_a, manager_a, liaison_x, plan_x):
    # given a residential admission-like notification to plan X (general data: eligibility outcome)
    sent = _sent_notification(case_a, plan_x, manager_a)
    client = _client(liaison_x)
    # when the liaison acknowledges it
    response = client.post(f"/api/notifications/{sent.pk}/acknowledge/")
    # then it is recorded as acknowledged by them, and listed as acknowledged
    assert response.status_code == 200, response.content
    sent.refresh_from_db()
    assert sent.status == Notice.Status.ACKNOWLEDGED and sent.acknowledged_by == liaison_x
    assert response.json()["status"] == "acknowledged"
    assert client.get("/api/notifications/?acknowledged=false").json()["results"] == []
    assert [r["id"] for r in client.get("/api/notifications/?acknowledged=true").json()["results"]] == [sent.pk]


def test_other_plans_notification_cannot_be_acknowledged(case_b, manager_a, liaison_x, plan_y):
    other = _sent_notification(case_b, plan_y, manager_a)
    response = _client(liaison_x).post(f"/api/notifications/{other.pk}/acknowledge/")
    assert response.status_code == 404
    assert Notice.objects.get(pk=other.pk).acknowledged_at is None


def test_a_notice_not_yet_sent_cannot_be_acknowledged(case_a, manager_a, liaison_x, plan_x):
    plan_x.secure_email = "liaison@plan.example"
    plan_x.save()
    notice = notice_create(kind="eligibility_outcome_to_plan", member=case_a.member, case=case_a, recipient_kind="plan",
                           recipient_org=plan_x, channel="secure_email", context={"outcome": "x"}, created_by=manager_a)
    notice_send(notice=notice, by=manager_a)  # queued, not yet delivered: not listed, so not found
    response = _client(liaison_x).post(f"/api/notifications/{notice.pk}/acknowledge/")
    assert response.status_code == 404
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.QUEUED


def test_list_query_count_does_not_grow_with_the_page(case_a, manager_a, liaison_x, plan_x):
    client = _client(liaison_x)
    _sent_notification(case_a, plan_x, manager_a)
    client.get("/api/notifications/")  # warm caches (content types, throttles)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/notifications/").status_code == 200
    for _ in range(4):
        _sent_notification(case_a, plan_x, manager_a)
    with CaptureQueriesContext(connection) as five:
        response = client.get("/api/notifications/")
    assert len(response.json()["results"]) == 5
    assert len(five) == len(one)
