"""Webhook delivery: signing, the outbox channel, and what triggers a delivery.

Each delivery is a POST of the JSON body stored on the ``WebhookDelivery`` with

- ``Carecoord-Event``: the event type (``notice.sent``, ``case.status_changed``, ``ping``),
- ``Carecoord-Delivery``: the delivery id (receivers de-duplicate on it),
- ``Carecoord-Signature: t=<unix seconds>,v1=<hex>`` where
  ``v1 = HMAC-SHA256(secret, "<t>." + body)``.

The outbox dispatcher retries a failed attempt (non-2xx, timeout, connection
error) with backoff; the attempt that succeeds marks the delivery delivered in
the dispatcher's transaction, so it is never delivered twice by us.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time

import requests
from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone

from carecoord.accounts.models import Organization
from carecoord.clocks.outbox import register_channel
from cases.models import Program
from cases.signals import case_status_changed
from notices.signals import notice_sent

from .disclosure import SUD
from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from .services import WEBHOOK_CHANNEL, private_host_reason, webhook_publish

SIGNATURE_HEADER = "Carecoord-Signature"
EVENT_HEADER = "Carecoord-Event"
DELIVERY_HEADER = "Carecoord-Delivery"
SIGNATURE_TOLERANCE_SECONDS = 300


class WebhookDeliveryError(Exception):
    """The endpoint did not accept the delivery; the outbox retries it later."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify_signature(secret: str, header: str, body: bytes, *, tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
                     now: float | None = None) -> bool:
    """What a receiver does (also shown in the docs page)."""
    try:
        parts = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), given)


def encode_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


@register_channel(WEBHOOK_CHANNEL)
def deliver(message) -> None:
    delivery = WebhookDelivery.objects.select_related("endpoint").select_for_update(of=("self",)).get(
        pk=message.payload["delivery_id"]
    )
    endpoint = delivery.endpoint
    if delivery.delivered_at is not None or not endpoint.active:
        return
    body = encode_body(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "carecoord-webhooks/1",
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.id),
        SIGNATURE_HEADER: signature_header(endpoint.secret, body),
    }
    refused = private_host_reason(endpoint.url, resolve=True)
    if refused:  # the name may have been re-pointed since registration
        raise WebhookDeliveryError(f"refused to call {endpoint.url}: {refused}")
    timeout = settings.CARECOORD.get("WEBHOOK_TIMEOUT_SECONDS", 10)
    try:
        response = requests.post(endpoint.url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        raise WebhookDeliveryError(f"{type(exc).__name__} posting to {endpoint.url}") from None
    if not 200 <= response.status_code < 300:
        raise WebhookDeliveryError(f"HTTP {response.status_code} from {endpoint.url}")
    delivery.delivered_at = timezone.now()
    delivery.response_status = response.status_code
    delivery.save(update_fields=["delivered_at", "response_status"])


def notice_event_data(notice) -> dict:
    """A thin event: what happened and where to read it (the full notice is one authenticated GET away)."""
    return {
        "notice": {
            "id": notice.pk, "kind": notice.kind, "subject": notice.subject, "channel": notice.channel,
            "notice_date": notice.notice_date.isoformat() if notice.notice_date else None,
            "action_date": notice.action_date.isoformat() if notice.action_date else None,
            "sent_at": notice.sent_at.isoformat() if notice.sent_at else None,
        },
        "member_id": notice.member_id,
        "case_id": notice.case_id,
        "links": {"notification": f"/api/notifications/{notice.pk}/", "member": f"/api/members/{notice.member_id}/"},
    }


@receiver(notice_sent, dispatch_uid="carecoord.api.webhooks.notice_sent")
def publish_notice_sent(sender, notice, **kwargs) -> None:
    """A notice sent to a plan goes to the plan's webhook endpoints (queued in the send transaction)."""
    plan = notice.recipient_org
    if plan is None or plan.type != Organization.Type.MCP:
        return
    webhook_publish(plan_id=plan.pk, event=WebhookEvent.NOTICE_SENT, subject_type="notices.notice",
                    subject_id=notice.pk, data=notice_event_data(notice))


def case_event_data(case, *, previous_status: str, changed_at) -> dict:
    """A thin event: the case's new status (read the rest at the case endpoint)."""
    return {
        "case": {"id": case.pk, "program": case.program, "status": case.status, "previous_status": previous_status,
                 "changed_at": changed_at.isoformat(), "closed_reason": case.closed_reason or None},
        "member_id": case.member_id,
        "links": {"case": f"/api/cases/{case.pk}/", "member": f"/api/members/{case.member_id}/"},
    }


@receiver(case_status_changed, dispatch_uid="carecoord.api.webhooks.case_status_changed")
def publish_case_status_changed(sender, case, previous_status, entry, **kwargs) -> None:
    """A case of a member enrolled in a plan opened, closed or moved: the plan's endpoints hear of it.

    That a member has a DMC-ODS case is itself 42 CFR Part 2 information: it goes only under a Part 2
    consent naming the plan, and the push is written in the accounting of disclosures.
    """
    from cases.selectors import active_coverage
    from consents.services import disclose, filter_categories_for_members

    coverage = active_coverage(member=case.member, on=timezone.localtime(entry.at).date())
    plan = coverage.plan if coverage is not None and coverage.plan_id else None
    if plan is None or not WebhookEndpoint.objects.filter(plan=plan, active=True).exists():
        return
    if case.program == Program.DMC_ODS:
        allowed = filter_categories_for_members(member_ids=[case.member_id], recipient=plan, purpose="care_coordination",
                                                categories=[SUD])
        if SUD not in allowed[case.member_id]:
            return
        disclose(member=case.member, recipient=plan, purpose="care_coordination", categories=[SUD], case=case,
                 description=f"DMC-ODS case {case.pk} status ({case.status}) by webhook", disclosed_by=None, channel="api")
    webhook_publish(plan_id=plan.pk, event=WebhookEvent.CASE_STATUS_CHANGED, subject_type="cases.timelineentry",
                    subject_id=entry.pk, data=case_event_data(case, previous_status=previous_status, changed_at=entry.at))
