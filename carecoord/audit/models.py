"""The access audit trail: append-only events chained by hash, and break-glass grants.

``AccessEvent`` rows are never updated or deleted by the application. Each row
stores the hash of the row before it (``prev_hash``) and its own hash over its
canonical content plus ``prev_hash``; ``AuditChainHead`` remembers the last
sequence number and hash so that deleting the newest rows is detected too.
``manage.py verify_audit_chain`` recomputes the chain.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Lookup
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class MemberIdsField(models.JSONField):
    """A JSON list of member ids, searched by one id with the ``shows`` lookup."""


@MemberIdsField.register_lookup
class Shows(Lookup):
    """``members__shows=<member id>``: the event showed that member. Answers "who saw this
    member" (the access report, the member page's access tab) from the event rows themselves.

    On PostgreSQL it is containment (``members @> '[id]'``), which the GIN index of migration
    0006 answers. A GIN index takes an event's thousand members as one row in its pending list,
    where a table of one row per member shown (what this replaced) wrote a row and two index
    entries per member into random pages: most of an export's audit cost. SQLite (the quick
    start) looks through the list.
    """

    lookup_name = "shows"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [int(value)]

    def _fill(self, template: str, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return template.format(lhs=lhs, rhs=rhs), [*lhs_params, *rhs_params]

    def as_sql(self, compiler, connection):
        return self._fill("EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = {rhs})", compiler, connection)

    def as_postgresql(self, compiler, connection):
        return self._fill("{lhs} @> jsonb_build_array({rhs}::bigint)", compiler, connection)


class AccessEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        LIST = "list", _("Listed")
        EXPORT = "export", _("Exported")
        DOWNLOAD = "download", _("Downloaded")
        PRINT = "print", _("Printed")
        API = "api", _("Read through the API")
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Locked out")
        BREAK_GLASS = "break_glass", _("Break-glass access granted")
        TWO_FACTOR = "two_factor", _("Two-factor change")

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    # No database foreign key: the trail must outlive (and never block) changes to users.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    members = MemberIdsField(default=list, blank=True, help_text=_("Ids of the members shown"))
    records = models.JSONField(default=list, blank=True, help_text=_('["app_label.model", pk] pairs shown'))
    part2 = models.BooleanField(
        default=False, help_text=_("Shows substance use disorder records protected by 42 CFR Part 2")
    )
    ip_address = models.CharField(max_length=45, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=500, blank=True)
    method = models.CharField(max_length=10, blank=True)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["user", "occurred_at"], name="audit_event_user_time"),
            # Login throttling counts recent failures of one username.
            models.Index(fields=["action", "username", "occurred_at"], name="audit_event_login_lookup"),
        ]
        verbose_name = _("access event")
        verbose_name_plural = _("access events")

    def __str__(self) -> str:
        return f"#{self.seq} {self.username or '-'} {self.action} {self.occurred_at:%Y-%m-%d %H:%M}"


class AuditChainHead(models.Model):
    """One row: the last link of the chain. Locking it serializes writers."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"head #{self.seq}"


class BreakGlassGrant(models.Model):
    """Emergency access to one case outside the user's scope, with a reason, for a limited time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="break_glass_grants")
    reason = models.TextField(_("reason"))
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "case", "expires_at"], name="audit_breakglass_lookup")]
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("granted_at")),
                                   name="audit_breakglass_expires_after_grant"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="audit_breakglass_reason_required"),
        ]
        verbose_name = _("break-glass grant")

    def __str__(self) -> str:
        return f"{self.user} → {self.case} until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def active(self) -> bool:
        return self.expires_at > timezone.now()


class TwoFactorDevice(models.Model):
    """A confirmed TOTP authenticator (supervisors and administrators may enable one)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor_device")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(default=timezone.now)
    # The last accepted time step: a code is never accepted twice.
    last_step = models.BigIntegerField(default=-1)

    class Meta:
        verbose_name = _("two-factor device")

    def __str__(self) -> str:
        return f"TOTP for {self.user}"
