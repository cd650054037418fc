"""Reminders are never lost and never doubled, with real Redis, real workers that die, and two beats.

Two thousand deadlines are due at once: half past due (missed, then escalated),
half inside their warning lead. Real ``celery worker`` processes sweep them
while the test SIGKILLs the worker three times mid-sweep and restarts it, and two
``celery beat`` processes send the sweep at the same time. The test waits for
outcomes (counts), never for a fixed time, then checks that every reminder
exists exactly once and none is missing.
"""
import datetime
import subprocess
import sys
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.utils import timezone

from carecoord.clocks.models import Deadline, Notification, OutboxMessage
from tests.conftest import ROOT, requires_postgres, service_env, wait_until
from tests.factories import CaseFactory, MemberFactory, OrganizationFactory, SupervisorFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.slow, requires_postgres()]

MISSED = 1000  # past due: a "missed" notice to the owner, an escalation (in-app and email) to the supervisor
WARNED = 1000  # due tomorrow, warning time passed: a warning (in-app and email) to the owner
KILLS = 3


def _beat(tmp_path, n: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "carecoord", "beat", "--loglevel=WARNING", "-s", str(tmp_path / f"beat{n}")],
        cwd=ROOT, env=service_env(), start_new_session=True, stdout=subprocess.DEVNULL)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def due_deadlines():
    organization = OrganizationFactory(name="Reliability County CCS")
    supervisor = SupervisorFactory(organization=organization)
    team = TeamFactory(organization=organization, supervisor=supervisor)
    owner = UserFactory(organization=organization, team=team)
    case = CaseFactory(member=MemberFactory(), organization=organization, team=team, primary_case_manager=owner)
    now = timezone.now()
    subject_type = ContentType.objects.get_for_model(case)

    def row(n: int, due_at: datetime.datetime) -> Deadline:
        return Deadline(rule_code="ecm.assessment", rule_version=1, occurrence=str(n), subject_type=subject_type,
                        subject_id=case.pk, organization=organization, team=team, owner=owner,
                        started_at=due_at - datetime.timedelta(days=30), due_at=due_at,
                        warn_at=due_at - datetime.timedelta(days=5))

    Deadline.objects.bulk_create(
        [row(n, now - datetime.timedelta(hours=1)) for n in range(MISSED)]
        + [row(MISSED + n, now + datetime.timedelta(days=1)) for n in range(WARNED)],
        batch_size=500,
    )
    return {"owner": owner, "supervisor": supervisor}


@pytest.mark.django_db(transaction=True)
def test_every_reminder_exactly_once_despite_killed_workers_and_two_beats(
        due_deadlines, celery_worker_process, monkeypatch, tmp_path):
    # given short leases and small batches, so a dead worker's rows come back quickly and kills land mid-sweep
    monkeypatch.setenv("SWEEP_LEASE_SECONDS", "5")
    monkeypatch.setenv("SWEEP_BATCH_SIZE", "50")
    monkeypatch.setenv("SWEEP_INTERVAL_SECONDS", "1")
    expected_notifications = MISSED * 2 + WARNED
    expected_emails = MISSED + WARNED

    # when two beats run at once and a worker sweeps, killed with SIGKILL three times mid-sweep
    beats = [_beat(tmp_path, 1), _beat(tmp_path, 2)]
    try:
        worker = celery_worker_process(concurrency=2)
        for kill in range(1, KILLS + 1):
            threshold = expected_notifications * kill // (KILLS + 2)
            wait_until(lambda: Notification.objects.count() >= threshold, timeout=120,
                       message=f"the sweep to pass {threshold} notifications before kill {kill}")
            worker.kill()
            worker = celery_worker_process(concurrency=2)
        assert all(beat.poll() is None for beat in beats), "both beats ran through the kills"
        # then, once the surviving worker has caught up ...
        wait_until(lambda: Notification.objects.count() >= expected_notifications
                   and not OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).exists()
                   and OutboxMessage.objects.count() >= expected_emails,
                   timeout=180, message="every reminder to be written and every email handed over")
    finally:
        for beat in beats:
            _stop(beat)

    # ... every deadline reached its end state
    deadlines = Deadline.objects.filter(organization__name="Reliability County CCS")
    assert deadlines.filter(status=Deadline.Status.MISSED, escalated_to=due_deadlines["supervisor"]).count() == MISSED
    assert deadlines.filter(status=Deadline.Status.OPEN, warned_at__isnull=False).count() == WARNED
    assert not deadlines.filter(lease_until__gt=timezone.now() + datetime.timedelta(seconds=5)).exists()

    # every reminder exists exactly once per deadline and kind, none missing, none extra
    per_kind = Counter(Notification.objects.values_list("kind", flat=True))
    assert per_kind == {"missed": MISSED, "escalation": MISSED, "warning": WARNED}
    doubled = (Notification.objects.values("deadline", "kind").annotate(n=Count("pk")).filter(n__gt=1))
    assert not doubled.exists()
    owner, supervisor = due_deadlines["owner"], due_deadlines["supervisor"]
    assert Notification.objects.filter(kind__in=["missed", "warning"]).exclude(user=owner).count() == 0
    assert Notification.objects.filter(kind="escalation").exclude(user=supervisor).count() == 0

    # one email per warning and escalation; handed to the mail backend at most once (a kill may leave one "sending")
    emails = OutboxMessage.objects.filter(channel="email")
    assert emails.count() == expected_emails
    assert emails.values("key").distinct().count() == expected_emails
    statuses = Counter(emails.values_list("status", flat=True))
    assert set(statuses) <= {OutboxMessage.Status.SENT, OutboxMessage.Status.SENDING}
    assert statuses[OutboxMessage.Status.SENDING] <= KILLS * 2
