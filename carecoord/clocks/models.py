"""Deadlines (one row per started clock), their pauses, closure days, the outbox and in-app notifications.

Deadlines live in the database, not in the broker: a deadline row is written in
the same transaction as the event that starts it, and the Celery sweep claims
due rows with ``select_for_update(skip_locked=True)`` and a lease.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecoord.model_rows import FromRow


class ClosureDay(models.Model):
    """An extra day a county's or plan's offices are closed (beyond state holidays)."""

    date = models.DateField()
    county = models.ForeignKey("accounts.County", null=True, blank=True, on_delete=models.CASCADE, related_name="closure_days")
    organization = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="closure_days")
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(condition=Q(county__isnull=False) | Q(organization__isnull=False), name="closure_day_has_scope"),
            models.UniqueConstraint(fields=["date", "county", "organization"], name="closure_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


class Deadline(FromRow, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MET_ON_TIME = "met_on_time", _("Met on time")
        MET_LATE = "met_late", _("Met late")
        MISSED = "missed", _("Missed")
        CANCELLED = "cancelled", _("Cancelled")
        # A window (a right of the member's, a protection period) that reached its end:
        # never "missed", never escalated, and left out of the on-time figures.
        ENDED = "ended", _("Window ended")

    ACTIVE_STATUSES = (Status.OPEN, Status.MISSED)  # still work to do

    rule_code = models.CharField(max_length=64, db_index=True)
    rule_version = models.PositiveSmallIntegerField()
    # Several deadlines of one rule on one subject (e.g. the 90/60/30-day notices).
    occurrence = models.CharField(max_length=32, blank=True, default="")
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines")
    member = models.ForeignKey("cases.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines")
    organization = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="deadlines")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="deadlines")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="deadlines")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    met_at = models.DateTimeField(null=True, blank=True)
    met_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cancelled_reason = models.CharField(max_length=200, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    missed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="escalations")
    paused_at = models.DateTimeField(null=True, blank=True, help_text=_("Set while the clock waits, e.g. on the family."))
    # The sweep's claim: another sweep skips the row until the lease ends.
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "subject_type", "subject_id", "occurrence"],
                condition=~Q(status="cancelled"),
                name="deadline_one_live_per_rule_subject",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["met_on_time", "met_late"], met_at__isnull=False) | ~Q(status__in=["met_on_time", "met_late"]),
                name="deadline_met_has_time",
            ),
        ]
        indexes = [
            # The sweep: open rows by the next moment they need attention.
            models.Index(fields=["warn_at"], name="deadline_sweep_warn_idx", condition=Q(status="open", warned_at__isnull=True, paused_at__isnull=True)),
            models.Index(fields=["due_at"], name="deadline_sweep_due_idx", condition=Q(status="open", paused_at__isnull=True)),
            models.Index(fields=["missed_at"], name="deadline_sweep_escalate_idx", condition=Q(status="missed", escalated_at__isnull=True)),
            # The work queue and compliance figures.
            models.Index(fields=["owner", "status", "due_at"], name="deadline_owner_queue_idx"),
            models.Index(fields=["team", "status", "due_at"], name="deadline_team_queue_idx"),
            # With the columns the compliance figures group and count by, so that a county's figures read the
            # index alone (an index-only scan, where the table's pages are all-visible) rather than a heap page
            # for every deadline of the period: at 1M members, 2,200 pages and two fifths of the dashboard's
            # query. ``lease_until``, which the sweep writes, stays out of every index (migration 0003).
            models.Index(fields=["organization", "rule_code", "due_at"], name="deadline_org_rule_idx",
                         include=["status", "team", "owner", "started_at", "met_at"]),
            models.Index(fields=["subject_type", "subject_id"], name="deadline_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def rule(self):
        from .catalog import get_rule

        return get_rule(self.rule_code)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class DeadlinePause(models.Model):
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="pauses")
    paused_at = models.DateTimeField()
    resumed_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200)
    paused_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["paused_at"]
        constraints = [
            models.UniqueConstraint(fields=["deadline"], condition=Q(resumed_at__isnull=True), name="deadline_one_open_pause"),
        ]


class OutboxMessage(models.Model):
    """Something to deliver outside the transaction that decided it (email, webhook, notice).

    ``key`` is unique: enqueueing the same message twice is a no-op, and the
    dispatcher marks a row sent in the same transaction as its delivery record,
    so a retry or a dead worker never delivers twice through our own channels.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        # At-most-once channels (email): committed before the handler runs, so a worker
        # that dies after the SMTP server took the message never sends it again.
        SENDING = "sending", _("Handed to the channel (outcome unknown if it stays here)")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (gave up)")

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=32, db_index=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    available_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["available_at"], name="outbox_pending_idx", condition=Q(status="pending"))]

    def __str__(self) -> str:
        return self.key


class Notification(FromRow, models.Model):
    """An in-app message to a user (warning, missed, escalation). Unique per key: never twice."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Due soon")
        MISSED = "missed", _("Missed")
        ESCALATION = "escalation", _("Escalated to you")
        INFO = "info", _("Information")

    key = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    deadline = models.ForeignKey(Deadline, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread_idx")]
