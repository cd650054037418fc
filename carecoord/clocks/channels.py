"""The outbox channels of the deadline engine: ``email`` (at most once) and ``in_app`` (exactly once).

Registered on import from ``ClocksConfig.ready()``.

- ``email``: payload ``{"to": [addresses], "subject": str, "body": str}``, sent with
  Django's ``send_mail``. At most once: SMTP cannot be rolled back, so the
  dispatcher commits the message as ``sending`` before the handler runs (see
  :mod:`carecoord.clocks.outbox`). A reminder that must never be lost is the
  in-app Notification, written in the sweep's own transaction; email is the
  courtesy copy.
- ``in_app``: payload ``{"key", "user_id", "kind", "message", "url", "deadline_id"}``;
  writes the Notification in the dispatcher's transaction, unique per key.
"""
from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from .models import OutboxMessage
from .outbox import register_channel


@register_channel("email", at_most_once=True)
def deliver_email(message: OutboxMessage) -> None:
    payload = message.payload
    recipients = [address for address in payload.get("to", []) if address]
    if not recipients:
        return
    send_mail(subject=payload.get("subject", "")[:200], message=payload.get("body", ""),
              from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=recipients, fail_silently=False)


@register_channel("in_app")
def deliver_in_app(message: OutboxMessage) -> None:
    from carecoord.accounts.models import User

    from .models import Deadline
    from .services import notification_create

    payload = message.payload
    deadline = Deadline.objects.filter(pk=payload["deadline_id"]).first() if payload.get("deadline_id") else None
    notification_create(key=payload.get("key") or message.key, user=User.objects.get(pk=payload["user_id"]),
                        kind=payload.get("kind", "info"), message=payload.get("message", ""), deadline=deadline,
                        url=payload.get("url", ""))
