"""A real Celery worker process on the real broker runs a task to completion."""
import pytest
from django.conf import settings

from carecoord.clocks.models import Notification, OutboxMessage
from carecoord.clocks.services import outbox_enqueue
from tests.conftest import requires_postgres, wait_until

pytestmark = [pytest.mark.worker, requires_postgres()]


@pytest.mark.django_db(transaction=True)
def test_worker_process_on_redis_delivers_an_outbox_message(celery_worker_process, manager_a):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "CI runs the worker on Redis"
    # given a pending in-app message and a running worker
    message = outbox_enqueue(key="test:ping", channel="in_app", kick=False, payload={
        "key": "test:ping", "user_id": manager_a.pk, "kind": "info", "message": "Hello from the worker"})
    celery_worker_process(concurrency=1)
    # when the dispatch task is sent through the broker
    from carecoord.clocks.tasks import outbox_dispatch

    outbox_dispatch.delay()
    # then the worker delivers it (the notification exists) and marks it sent
    wait_until(lambda: OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.SENT,
               timeout=90, message="the worker to dispatch the message")
    notification = Notification.objects.get(key="test:ping")
    assert notification.user == manager_a and notification.message == "Hello from the worker"
