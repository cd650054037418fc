"""The Celery tasks: exact names for beat, reliability options, and that they do the work."""
import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from carecoord.celery import app
from carecoord.clocks import tasks
from carecoord.clocks.models import Deadline, Notification
from carecoord.clocks.services import deadline_start


def test_beat_schedule_names_registered_tasks():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"clocks.sweep", "clocks.outbox_dispatch"} <= scheduled
    assert scheduled <= set(app.tasks)


@pytest.mark.parametrize("task", [tasks.sweep, tasks.outbox_dispatch])
def test_tasks_survive_dead_workers_and_retry_a_bounded_number_of_times(task):
    assert task.acks_late and task.reject_on_worker_lost
    assert task.max_retries == 5 and task.retry_backoff and task.retry_backoff_max <= 60
    assert task.autoretry_for


@pytest.mark.django_db
def test_sweep_task_sweeps_and_dispatch_task_delivers(case_a, supervisor_a, monkeypatch):
    kicked = []
    monkeypatch.setattr("carecoord.clocks.services.outbox_kick", lambda: kicked.append(1))
    deadline = deadline_start(rule_code="ecm.assessment", subject=case_a, case=case_a,
                              started_at=timezone.now() - datetime.timedelta(days=40))
    # when the tasks run (in this process)
    assert tasks.sweep.apply().get() == {"ended": 0, "missed": 1, "escalated": 1, "warned": 0, "errors": 0}
    assert kicked == [1]  # one kick for the whole sweep, not one per message
    assert tasks.outbox_dispatch.apply().get() == 1
    # then the deadline is missed and escalated, and the supervisor has the email
    deadline.refresh_from_db()
    assert deadline.status == Deadline.Status.MISSED
    assert Notification.objects.filter(deadline=deadline, kind="escalation", user=supervisor_a).count() == 1
    assert [m.to for m in mail.outbox] == [[supervisor_a.email]]
