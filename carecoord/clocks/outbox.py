"""Outbox channels and the dispatcher that delivers outbox messages.

An app registers a handler for its channel (``@register_channel("email")``); the
handler receives the :class:`OutboxMessage` and delivers ``message.payload``.

Two kinds of channel:

- **exactly once** (the default): the dispatcher locks the message, calls the
  handler and marks the message sent in one transaction. A handler that writes
  its own delivery record (a Notification row, a notice's "sent" status, a
  webhook delivery row) is therefore exactly-once: if the worker dies, the
  transaction rolls back and a later dispatch runs it again from scratch.
- **at most once** (``register_channel("email", at_most_once=True)``): for
  deliveries the database cannot roll back (an SMTP server). The dispatcher
  first commits the message as ``sending``, then calls the handler, then marks
  it ``sent``. A worker that dies after the server took the message leaves it
  ``sending`` and it is never sent again (an administrator sees it in the
  admin); a handler that raises means "not delivered" and is retried.

A handler raising an exception leaves the message pending with exponential
backoff (``available_at``); after ``CARECOORD["OUTBOX_MAX_ATTEMPTS"]`` failures it
is marked ``failed``. Delivery is driven by the ``clocks.outbox_dispatch`` task
(beat every minute, and a kick after each enqueue).
"""
from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutboxMessage

log = logging.getLogger(__name__)

Handler = Callable[[OutboxMessage], None]


@dataclass(frozen=True)
class Channel:
    name: str
    handler: Handler
    at_most_once: bool = False


_CHANNELS: dict[str, Channel] = {}

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


def register_channel(name: str, *, at_most_once: bool = False) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        _CHANNELS[name] = Channel(name=name, handler=handler, at_most_once=at_most_once)
        return handler

    return decorator


def channel_for(name: str) -> Channel:
    try:
        return _CHANNELS[name]
    except KeyError:
        raise LookupError(f"No outbox handler registered for channel {name!r}") from None


def handler_for(channel: str) -> Handler:
    return channel_for(channel).handler


def backoff(attempts: int) -> datetime.timedelta:
    """Delay before the next try after ``attempts`` failures: 30 s, 60 s, 2 min ... at most an hour."""
    return datetime.timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def _claim(*, now: datetime.datetime, batch_size: int, lease: datetime.timedelta) -> list[int]:
    """Lease a batch of due pending messages; rows another dispatcher holds are skipped."""
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, available_at__lte=now)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
            .order_by("available_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch_size]
        )
        if ids:
            OutboxMessage.objects.filter(pk__in=ids).update(lease_until=now + lease)
    return ids


def _record_failure(pk: int, error: Exception, *, counted: bool) -> None:
    """Back off (or give up). ``counted``: the attempt was already counted when it was committed as sending."""
    max_attempts = settings.CARECOORD.get("OUTBOX_MAX_ATTEMPTS", 8)
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=pk)
        if not counted:
            message.attempts += 1
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        message.lease_until = None
        if message.attempts >= max_attempts:
            message.status = OutboxMessage.Status.FAILED
            log.error("outbox message %s failed for good after %s attempts: %s", message.key, message.attempts, error)
        else:
            message.status = OutboxMessage.Status.PENDING
            message.available_at = timezone.now() + backoff(message.attempts)
        message.save(update_fields=["attempts", "last_error", "lease_until", "status", "available_at"])


def _deliver(pk: int) -> bool:
    """Deliver one leased message. True if it is now sent."""
    committed_sending = False
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.select_for_update().get(pk=pk)
            if message.status != OutboxMessage.Status.PENDING:
                return False  # another dispatcher finished it while our lease ran out
            channel = channel_for(message.channel)
            if not channel.at_most_once:
                channel.handler(message)
                message.status, message.sent_at, message.lease_until = OutboxMessage.Status.SENT, timezone.now(), None
                message.attempts += 1
                message.save(update_fields=["status", "sent_at", "lease_until", "attempts"])
                return True
            message.status = OutboxMessage.Status.SENDING
            message.attempts += 1
            message.save(update_fields=["status", "attempts"])
        committed_sending = True
        # Committed as "sending": from here on a crash can lose the message but never repeat it.
        channel.handler(message)
    except Exception as error:  # the handler (or the lookup) failed: not delivered, try again later
        log.warning("outbox message %s not delivered: %s", pk, error, exc_info=True)
        _record_failure(pk, error, counted=committed_sending)
        return False
    OutboxMessage.objects.filter(pk=pk, status=OutboxMessage.Status.SENDING).update(
        status=OutboxMessage.Status.SENT, sent_at=timezone.now(), lease_until=None
    )
    return True


def outbox_dispatch_pending(*, now: datetime.datetime | None = None, max_batches: int = 20) -> int:
    """Deliver pending messages that are due, batch by batch. Returns how many were sent."""
    batch_size = settings.CARECOORD.get("SWEEP_BATCH_SIZE", 500)
    lease = datetime.timedelta(seconds=settings.CARECOORD.get("SWEEP_LEASE_SECONDS", 120))
    sent = 0
    for _batch in range(max_batches):
        ids = _claim(now=now or timezone.now(), batch_size=batch_size, lease=lease)
        if not ids:
            break
        sent += sum(_deliver(pk) for pk in ids)
    return sent
