"""Sending is exactly once: a worker killed in the middle of a notice's delivery, then a new worker, delivers once.

Real worker processes on Redis against PostgreSQL. The first worker is held inside the delivery
transaction (the test holds the notice's row lock), then killed with SIGKILL; the second worker
redelivers after the lease runs out. Email in a worker process goes to its own in-memory outbox,
so the test counts the delivery records the handler writes: one "sent", one email hand-off.
"""
import time

import psycopg2
import pytest
from django.db import connection

from carecoord.clocks.models import OutboxMessage
from notices.models import Notice, NoticeEvent
from notices.services import notice_create, notice_send
from tests.conftest import requires_postgres, wait_until

pytestmark = [pytest.mark.worker, requires_postgres()]


def _lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0]


def _delivered_once(notice_pk: int, message_pk: int) -> bool:
    from carecoord.clocks.tasks import outbox_dispatch

    if OutboxMessage.objects.get(pk=message_pk).status == OutboxMessage.Status.SENT and \
            NoticeEvent.objects.filter(notice_id=notice_pk, kind=NoticeEvent.Kind.EMAIL_DELIVERED).exists():
        return True
    outbox_dispatch.delay()  # as beat would, every minute
    time.sleep(1)
    return False


@pytest.mark.django_db(transaction=True)
def test_worker_killed_during_the_send_delivers_exactly_once(celery_worker_process, case_a, manager_a, monkeypatch):
    monkeypatch.setenv("SWEEP_LEASE_SECONDS", "3")  # the workers' claim on a message runs out quickly
    # given an email notice queued for sending
    case_a.member.email = "family@example.org"
    case_a.member.save()
    notice = notice_create(kind="ccs_eligibility", member=case_a.member, case=case_a, recipient_kind="family",
                           channel="email", context={"condition": "cerebral palsy"}, created_by=manager_a)
    notice_send(notice=notice, by=manager_a)
    message = OutboxMessage.objects.get(key=f"notice:{notice.pk}:send")
    # and another session holding the notice row, so the worker stops inside the delivery transaction
    db = connection.settings_dict
    blocker = psycopg2.connect(dbname=db["NAME"], user=db["USER"] or "postgres", host=db["HOST"] or "127.0.0.1",
                               port=db["PORT"] or 5432)
    try:
        with blocker.cursor() as cursor:
            cursor.execute("SELECT id FROM notices_notice WHERE id = %s FOR UPDATE", [notice.pk])
        # when a worker picks the message up and is killed while delivering it
        from carecoord.clocks.tasks import outbox_dispatch

        first = celery_worker_process(concurrency=1)
        outbox_dispatch.delay()
        wait_until(lambda: _lock_waiters() > 0, timeout=60, message="the worker to reach the notice delivery")
        first.kill()
    finally:
        blocker.rollback()
        blocker.close()
    # then nothing was delivered by the dead worker
    assert not NoticeEvent.objects.filter(notice=notice, kind=NoticeEvent.Kind.SENT).exists()
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.QUEUED
    # and when a new worker starts, the notice is delivered, once
    celery_worker_process(concurrency=2)
    wait_until(lambda: _delivered_once(notice.pk, message.pk), timeout=120, message="the new worker to deliver the notice")
    time.sleep(3)  # further dispatches (beat, redelivered kicks) must find nothing to do
    outbox_dispatch.delay()
    time.sleep(3)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT and notice.sent_at
    assert NoticeEvent.objects.filter(notice=notice, kind=NoticeEvent.Kind.SENT).count() == 1
    assert NoticeEvent.objects.filter(notice=notice, kind=NoticeEvent.Kind.EMAIL_DELIVERED).count() == 1
    assert case_a.timeline.filter(kind="notice.sent").count() == 1
