"""Writes of the API app: registering plans' webhook endpoints and queueing deliveries."""
from __future__ import annotations

import secrets
import uuid

from django.db import transaction
from django.utils import timezone

from carecoord.accounts.models import Organization
from carecoord.clocks.services import outbox_enqueue
from carecoord.errors import RuleViolation
from cases.services import validate_model

from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent

WEBHOOK_CHANNEL = "webhook"


def _check_events(events: list[str]) -> list[str]:
    for event in events:
        if event not in WebhookEvent.values:
            raise RuleViolation(f"Unknown event {event!r}; known: {', '.join(WebhookEvent.values)}.", field="events",
                                rule="webhook.event_known")
    return sorted(set(events))


def private_host_reason(url: str, *, resolve: bool) -> str:
    """Why a webhook URL may not be called ("" when it may): a host on a private, loopback,
    link-local or reserved address would let a registration reach inside our network (SSRF).
    ``resolve`` looks the name up (at delivery); at registration only literal hosts are judged."""
    import ipaddress
    import socket
    from urllib.parse import urlsplit

    from django.conf import settings

    if settings.CARECOORD.get("WEBHOOK_ALLOW_PRIVATE_HOSTS", False):
        return ""
    host = (urlsplit(url).hostname or "").strip("[]").lower()
    if not host:
        return "The URL has no host."
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is this machine."
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        if not resolve:
            return ""
        try:
            addresses = {ipaddress.ip_address(info[4][0]) for info in socket.getaddrinfo(host, None)}
        except (socket.gaierror, ValueError):
            return f"{host} cannot be resolved."
    for address in addresses:
        if not address.is_global:
            return f"{host} is a private or reserved address ({address})."
    return ""


def _validate_endpoint(endpoint: WebhookEndpoint) -> None:
    validate_model(endpoint)
    refused = private_host_reason(endpoint.url, resolve=False)
    if refused:
        raise RuleViolation(f"Webhook endpoints must be on the public internet: {refused}", field="url",
                            rule="webhook.public_host")


def webhook_endpoint_register(*, plan: Organization, url: str, events: list[str] | None = None, description: str = "",
                              actor=None) -> WebhookEndpoint:
    """Register an HTTPS endpoint of a plan; its signing secret is generated here."""
    if plan.type != Organization.Type.MCP:
        raise RuleViolation("Only a managed care plan registers webhook endpoints.", field="plan", rule="webhook.plan_only")
    endpoint = WebhookEndpoint(plan=plan, url=url.strip(), description=description, events=_check_events(events or []),
                               secret="whsec_" + secrets.token_urlsafe(32), created_by=actor)
    _validate_endpoint(endpoint)
    with transaction.atomic():
        endpoint.save()
    return endpoint


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, actor=None, **fields) -> WebhookEndpoint:
    """Change the URL, events, description or active flag of an endpoint."""
    allowed = {"url", "events", "description", "active"}
    for name, value in fields.items():
        if name not in allowed:
            raise RuleViolation(f"{name} cannot be changed.", field=name, rule="webhook.field_not_editable")
        setattr(endpoint, name, _check_events(value) if name == "events" else value)
    _validate_endpoint(endpoint)
    with transaction.atomic():
        endpoint.save()
    return endpoint


def _queue_delivery(*, endpoint: WebhookEndpoint, event: str, subject_type: str, subject_id, data: dict) -> WebhookDelivery | None:
    """One delivery of ``event`` to ``endpoint`` and its outbox message; None if it was already queued."""
    delivery, created = WebhookDelivery.objects.get_or_create(
        endpoint=endpoint, event=event, subject_type=subject_type, subject_id=str(subject_id), defaults={"payload": {}},
    )
    if not created:
        return None
    delivery.payload = {"id": str(delivery.id), "type": event, "created_at": timezone.now().isoformat(), "data": data}
    delivery.outbox_message = outbox_enqueue(key=f"webhook:{delivery.id}", channel=WEBHOOK_CHANNEL,
                                             payload={"delivery_id": str(delivery.id)})
    delivery.save(update_fields=["payload", "outbox_message"])
    return delivery


def webhook_publish(*, plan_id: int, event: str, subject_type: str, subject_id, data: dict) -> list[WebhookDelivery]:
    """Queue ``event`` for every active endpoint of the plan that wants it.

    Call inside the transaction of the event itself: the deliveries and their
    outbox messages commit with it or not at all. One delivery per endpoint and
    subject (a second publish of the same event is a no-op).
    """
    deliveries = []
    with transaction.atomic():
        for endpoint in WebhookEndpoint.objects.filter(plan_id=plan_id, active=True):
            if endpoint.wants(event):
                delivery = _queue_delivery(endpoint=endpoint, event=event, subject_type=subject_type,
                                           subject_id=subject_id, data=data)
                if delivery is not None:
                    deliveries.append(delivery)
    return deliveries


def webhook_ping(*, endpoint: WebhookEndpoint, actor=None) -> WebhookDelivery:
    """Send a test event to one endpoint, so a plan can check its receiver and signature code."""
    if not endpoint.active:
        raise RuleViolation("The endpoint is paused; activate it first.", field="active", rule="webhook.endpoint_paused")
    with transaction.atomic():
        ping_id = uuid.uuid4()
        return _queue_delivery(endpoint=endpoint, event=WebhookEvent.PING, subject_type="ping", subject_id=ping_id,
                               data={"ping": str(ping_id), "endpoint": endpoint.pk,
                                     "sent_by": actor.get_username() if actor is not None else None})
