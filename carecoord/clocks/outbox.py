"""Outbox channels: how each kind of outbox message is delivered.

An app registers a handler for its channel (``@register_channel("email")``). The
dispatcher (``carecoord.clocks.tasks.outbox_dispatch``) claims pending messages
and calls the handler inside the transaction that marks the message sent, so a
handler that writes its own delivery record (a Notification row, a notice's
"sent" status) is exactly-once. A handler raising an exception leaves the message
pending for a retry with backoff.
"""
from __future__ import annotations

from collections.abc import Callable

from .models import OutboxMessage

Handler = Callable[[OutboxMessage], None]
_HANDLERS: dict[str, Handler] = {}


def register_channel(name: str) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        _HANDLERS[name] = handler
        return handler

    return decorator


def handler_for(channel: str) -> Handler:
    try:
        return _HANDLERS[channel]
    except KeyError:
        raise LookupError(f"No outbox handler registered for channel {channel!r}") from None
