"""Celery tasks of the deadline engine. Beat runs both every minute (settings ``CELERY_BEAT_SCHEDULE``).

The tasks hold no state: the work lives in database rows that the sweep and the
dispatcher claim with ``select_for_update(skip_locked=True)`` and a lease, so a
task that runs twice (two beats, a redelivery after a worker died) does nothing
twice. ``acks_late`` + ``reject_on_worker_lost``: a task whose worker dies is
redelivered. Retries are bounded (5) with exponential backoff capped at a minute;
no long ``eta``/``countdown`` (the broker's visibility timeout would redeliver it).
"""
from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

RETRY_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (DatabaseError, ConnectionError),
    "max_retries": 5,
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
}


@shared_task(name="clocks.sweep", **RETRY_OPTIONS)
def sweep() -> dict[str, int]:
    """Warn, mark missed, escalate (see :mod:`carecoord.clocks.sweep`); then deliver what it queued."""
    from .services import outbox_kick
    from .sweep import sweep_deadlines

    result = sweep_deadlines()
    if result.warned or result.escalated:
        outbox_kick()
    return result.as_dict()


@shared_task(name="clocks.outbox_dispatch", **RETRY_OPTIONS)
def outbox_dispatch() -> int:
    """Deliver pending outbox messages through their channels (see :mod:`carecoord.clocks.outbox`)."""
    from .outbox import outbox_dispatch_pending

    return outbox_dispatch_pending()
