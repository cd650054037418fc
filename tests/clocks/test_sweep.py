"""The deadline sweep: warnings once, missed once, escalated once, windows end; the outbox delivers.

The sweep is called directly with a chosen ``now``; the Celery tasks only call it
(tests/clocks/test_reliability.py runs it in real worker processes).
"""
import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from carecoord.clocks.calendar import PACIFIC
from carecoord.clocks.models import Deadline, Notification, OutboxMessage
from carecoord.clocks.outbox import backoff, outbox_dispatch_pending, register_channel
from carecoord.clocks.services import deadline_meet, deadline_pause, deadline_start, outbox_enqueue
from carecoord.clocks.sweep import supervisor_for, sweep_deadlines
from cases.models import TimelineEntry
from tests.factories import SupervisorFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=PACIFIC)  # a Monday


@pytest.fixture
def assessment(case_a, supervisor_a):
    # ECM assessment: 30 days, warning 5 days before; due end of Wed 4 Feb 2026
    return deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=START)


def test_warning_is_sent_once_in_app_and_by_email(assessment, manager_a):
    # given the warning time has come
    now = assessment.warn_at + datetime.timedelta(minutes=1)
    # when the sweep runs twice (two beats) and the outbox is delivered twice
    first = sweep_deadlines(now=now)
    second = sweep_deadlines(now=now + datetime.timedelta(minutes=1))
    outbox_dispatch_pending()
    outbox_dispatch_pending()
    # then the owner has one warning notification and one email
    assert (first.warned, second.warned) == (1, 0)
    [warning] = Notification.objects.filter(deadline=assessment)
    assert (warning.key, warning.user, warning.kind) == (f"deadline:{assessment.pk}:warning", manager_a, "warning")
    assert "ECM assessment" in warning.message and "Feb 04, 2026" in warning.message
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [manager_a.email]
    assert OutboxMessage.objects.get(key=f"email:deadline:{assessment.pk}:warning").status == OutboxMessage.Status.SENT
    assessment.refresh_from_db()
    assert assessment.warned_at == now and assessment.status == Deadline.Status.OPEN and assessment.lease_until is None


def test_nothing_happens_before_the_warning_time(assessment):
    result = sweep_deadlines(now=assessment.warn_at - datetime.timedelta(minutes=1))
    assert result.as_dict() == {"ended": 0, "missed": 0, "escalated": 0, "warned": 0, "errors": 0}
    assert not Notification.objects.exists() and not OutboxMessage.objects.exists()


def test_missed_deadline_is_marked_and_escalated_once(assessment, manager_a, supervisor_a):
    # given the due time has passed
    now = assessment.due_at + datetime.timedelta(minutes=1)
    # when the sweep runs twice
    first = sweep_deadlines(now=now)
    second = sweep_deadlines(now=now + datetime.timedelta(minutes=5))
    outbox_dispatch_pending()
    # then it is missed once (owner told) and escalated once to the team supervisor (in-app and email)
    assert (first.missed, first.escalated, first.warned) == (1, 1, 0)
    assert (second.missed, second.escalated) == (0, 0)
    assessment.refresh_from_db()
    assert (assessment.status, assessment.missed_at, assessment.escalated_at, assessment.escalated_to) == (
        Deadline.Status.MISSED, now, now, supervisor_a)
    kinds = {(n.kind, n.user) for n in Notification.objects.filter(deadline=assessment)}
    assert kinds == {("missed", manager_a), ("escalation", supervisor_a)}
    assert [m.to for m in mail.outbox] == [[supervisor_a.email]]
    timeline = set(TimelineEntry.objects.filter(case=assessment.case).values_list("kind", flat=True))
    assert {"clock.missed", "clock.escalated"} <= timeline


def test_meeting_after_missed_records_met_late(assessment, manager_a):
    sweep_deadlines(now=assessment.due_at + datetime.timedelta(minutes=1))
    [met] = deadline_meet(rule_code="ecm.assessment", subject=assessment.case, by=manager_a,
                          met_at=assessment.due_at + datetime.timedelta(days=2))
    assert met.status == Deadline.Status.MET_LATE
    assert met.escalated_at is not None  # the escalation stays on record


def test_a_met_deadline_is_never_warned_or_missed(assessment):
    deadline_meet(rule_code="ecm.assessment", subject=assessment.case, met_at=START + datetime.timedelta(days=1))
    result = sweep_deadlines(now=assessment.due_at + datetime.timedelta(days=1))
    assert (result.warned, result.missed) == (0, 0) and not Notification.objects.exists()


def test_a_paused_deadline_is_left_alone(case_a):
    deadline = deadline_start(rule_code="ccs.medical_eligibility", subject=case_a, case=case_a, started_at=START)
    deadline_pause(deadline=deadline, reason="Waiting on the family", at=START + datetime.timedelta(hours=1))
    result = sweep_deadlines(now=deadline.due_at + datetime.timedelta(days=3))
    deadline.refresh_from_db()
    assert (result.missed, deadline.status) == (0, Deadline.Status.OPEN)


def test_a_window_ends_without_being_missed_or_escalated(case_a):
    # given the member's 60-day appeal window
    window = deadline_start(rule_code="plan.appeal_filing_window", subject=case_a, case=case_a, started_at=START)
    assert window.warn_at is None
    # when its end passes
    result = sweep_deadlines(now=window.due_at + datetime.timedelta(minutes=1))
    # then it is ended, nobody is told and nothing is escalated
    window.refresh_from_db()
    assert (result.ended, result.missed, result.escalated) == (1, 0, 0)
    assert (window.status, window.missed_at, window.escalated_at) == (Deadline.Status.ENDED, None, None)
    assert not Notification.objects.exists()
    assert TimelineEntry.objects.filter(case=case_a, kind="clock.ended").exists()


def test_deadline_without_owner_goes_to_the_team_supervisor(case_a, supervisor_a):
    # given a case with nobody assigned
    case_a.primary_case_manager = None
    case_a.save()
    deadline = deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=START)
    assert deadline.owner is None
    sweep_deadlines(now=deadline.warn_at + datetime.timedelta(minutes=1))
    assert Notification.objects.get(key=f"deadline:{deadline.pk}:warning").user == supervisor_a


def test_escalation_falls_back_to_an_organization_supervisor(case_a, manager_a):
    # given the owner's team has no supervisor but the organization has one
    org_supervisor = SupervisorFactory(organization=case_a.organization)
    deadline = deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=START)
    assert supervisor_for(deadline) == org_supervisor


def test_escalation_with_no_supervisor_anywhere_is_recorded_once(case_a, manager_a):
    deadline = deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=START)
    now = deadline.due_at + datetime.timedelta(minutes=1)
    assert sweep_deadlines(now=now).escalated == 1
    assert sweep_deadlines(now=now).escalated == 0
    deadline.refresh_from_db()
    assert deadline.escalated_at == now and deadline.escalated_to is None
    assert TimelineEntry.objects.filter(case=case_a, kind="clock.escalated", summary__contains="no supervisor").exists()


def test_sweep_works_in_batches(case_a, settings):
    settings.CARECOORD = {**settings.CARECOORD, "SWEEP_BATCH_SIZE": 2}
    for n in range(5):
        deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=START, occurrence=str(n))
    result = sweep_deadlines(now=START + datetime.timedelta(days=40))
    assert (result.missed, result.escalated) == (5, 5)
    assert Notification.objects.filter(kind="missed").count() == 5


def test_sweep_command_runs_one_sweep_and_delivers(assessment, capsys, supervisor_a):
    Deadline.objects.filter(pk=assessment.pk).update(due_at=START, warn_at=START)
    call_command("sweep_deadlines")
    out = capsys.readouterr().out
    assert "missed: 1" in out and "escalated: 1" in out and "outbox messages sent: 1" in out
    assert [m.to for m in mail.outbox] == [[supervisor_a.email]]


# ---------------------------------------------------------------- outbox

@register_channel("test_flaky")
def _flaky(message):
    raise ConnectionError("endpoint down")


def test_outbox_failure_backs_off_then_gives_up(settings):
    settings.CARECOORD = {**settings.CARECOORD, "OUTBOX_MAX_ATTEMPTS": 3}
    message = outbox_enqueue(key="t:flaky", channel="test_flaky", payload={}, kick=False)
    assert outbox_dispatch_pending() == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 1)
    assert "endpoint down" in message.last_error and message.available_at > message.created_at
    # not retried before its backoff ends
    assert outbox_dispatch_pending() == 0
    message.refresh_from_db()
    assert message.attempts == 1
    for _ in range(2):
        OutboxMessage.objects.filter(pk=message.pk).update(available_at=message.created_at)
        outbox_dispatch_pending()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.FAILED, 3)


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(50).total_seconds() == 3600


def test_email_failure_is_retried_not_lost(settings, manager_a):
    settings.EMAIL_BACKEND = "tests.clocks.test_sweep.FailingBackend"
    message = outbox_enqueue(key="t:mail", channel="email", kick=False, payload={"to": [manager_a.email], "subject": "s", "body": "b"})
    outbox_dispatch_pending()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 1)


def test_email_left_sending_by_a_dead_worker_is_never_sent_again(manager_a):
    # given a message a dead worker had committed as "sending" (the SMTP outcome is unknown)
    message = outbox_enqueue(key="t:mail2", channel="email", kick=False, payload={"to": [manager_a.email], "subject": "s", "body": "b"})
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxMessage.Status.SENDING)
    # when the dispatcher runs again, it does not send it a second time
    outbox_dispatch_pending()
    assert mail.outbox == []


def test_in_app_channel_writes_one_notification(manager_a):
    for _ in range(2):
        outbox_enqueue(key="t:inapp", channel="in_app", kick=False,
                       payload={"user_id": manager_a.pk, "kind": "info", "message": "Hello"})
        outbox_dispatch_pending()
    assert Notification.objects.get(key="t:inapp").user == manager_a
    assert OutboxMessage.objects.get(key="t:inapp").status == OutboxMessage.Status.SENT


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


def test_a_failing_row_does_not_stop_the_sweep_and_is_retried_after_its_lease(case_a, monkeypatch, settings):
    from carecoord.clocks import sweep as sweep_module

    first = deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=START, occurrence="1")
    second = deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a, started_at=START, occurrence="2")
    real_timeline = sweep_module._timeline

    def broken_for_first(deadline, **kwargs):
        if deadline.pk == first.pk:
            raise RuntimeError("disk full")
        real_timeline(deadline, **kwargs)

    monkeypatch.setattr(sweep_module, "_timeline", broken_for_first)
    now = first.due_at + datetime.timedelta(minutes=1)
    # when one row fails while being marked missed
    result = sweep_deadlines(now=now)
    # then the other is done, the failed one is untouched (no notification) but keeps its lease
    first.refresh_from_db()
    second.refresh_from_db()
    assert (result.missed, result.errors) == (1, 1)
    assert (first.status, second.status) == (Deadline.Status.OPEN, Deadline.Status.MISSED)
    assert not Notification.objects.filter(deadline=first).exists() and first.lease_until is not None
    # and once fixed, a sweep after the lease ends finishes it
    monkeypatch.setattr(sweep_module, "_timeline", real_timeline)
    assert sweep_deadlines(now=now).missed == 0  # still leased
    later = now + datetime.timedelta(seconds=settings.CARECOORD["SWEEP_LEASE_SECONDS"] + 1)
    assert sweep_deadlines(now=later).missed == 1
    assert Notification.objects.filter(deadline=first, kind="missed").count() == 1
