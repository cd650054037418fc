"""Webhooks: a plan's HTTPS endpoints and the deliveries made to them.

A delivery row is written when an event is queued (in the transaction of the
event itself) and marked delivered by the outbox handler in the dispatcher's
transaction. Failed attempts, the attempt count and the next retry live on the
delivery's outbox message, which the dispatcher updates outside the rolled-back
attempt, so failures stay visible.
"""
from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def validate_https_url(value: str) -> None:
    if not value.lower().startswith("https://"):
        raise ValidationError(_("Webhook endpoints must use HTTPS."), code="https_required")


class WebhookEvent(models.TextChoices):
    NOTICE_SENT = "notice.sent", _("A notice or notification was sent to the plan")
    CASE_STATUS_CHANGED = "case.status_changed", _("A case of a member enrolled in the plan changed status")
    PING = "ping", _("Test event sent on request")


class WebhookEndpoint(models.Model):
    """An HTTPS URL of a plan that receives signed event deliveries."""

    plan = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="webhook_endpoints",
                             limit_choices_to={"type": "mcp"}, verbose_name=_("plan"))
    url = models.URLField(_("URL"), max_length=500, validators=[validate_https_url])
    description = models.CharField(_("description"), max_length=200, blank=True)
    # Kept in clear: signing needs it. Shown to the plan once, when the endpoint is registered.
    secret = models.CharField(_("signing secret"), max_length=100)
    events = models.JSONField(_("events"), default=list, help_text=_("Event types delivered; empty means all."))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(url__istartswith="https://"), name="webhook_endpoint_https"),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.url}"

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class WebhookDelivery(models.Model):
    """One event for one endpoint: the exact body sent, and whether it arrived."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending (retrying)")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed (gave up)")
        SKIPPED = "skipped", _("Skipped (endpoint deactivated)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=64, choices=WebhookEvent.choices)
    # The object the event is about, for de-duplication and for the plan's reference.
    subject_type = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64)
    payload = models.JSONField(help_text=_("The JSON body delivered (without the signature)."))
    outbox_message = models.OneToOneField("clocks.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_delivery")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event", "subject_type", "subject_id"], name="webhook_delivery_once_per_event"),
        ]
        indexes = [models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint_idx")]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} {self.subject_type}:{self.subject_id} → {self.endpoint.url}"

    @property
    def status(self) -> str:
        if self.delivered_at is not None:
            return self.Status.DELIVERED
        if self.outbox_message is not None and self.outbox_message.status == "failed":
            return self.Status.FAILED
        if self.outbox_message is not None and self.outbox_message.status == "sent":
            return self.Status.SKIPPED
        return self.Status.PENDING

    @property
    def attempts(self) -> int:
        return self.outbox_message.attempts if self.outbox_message else 0

    @property
    def last_error(self) -> str:
        return self.outbox_message.last_error if self.outbox_message else ""

    @property
    def next_attempt_at(self):
        if self.status == self.Status.PENDING and self.outbox_message is not None:
            return self.outbox_message.available_at
        return None
