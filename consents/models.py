"""Consents to share a member's information, and the accounting of what was shared.

* :class:`Consent` — one signed (or, for ECM referral, verbal) permission with an
  explicit scope: recipients (named organizations, named persons and/or recipient
  categories such as "the member's managed care plan"), purposes, data categories,
  effective date and expiry (a date, an event, or both). Revocation and expiry by
  event are recorded on the row; nothing is deleted.
* :class:`Disclosure` — the append-only accounting of disclosures: one row per
  disclosure, written only by ``consents.services.disclose``. Rows are never
  updated or deleted (``save`` refuses updates, the queryset refuses bulk
  update/delete, a database trigger refuses both on PostgreSQL).
* :class:`DisclosureListRequest` — a member's request for the list of disclosures
  (42 CFR 2.24); starts the ``all.part2_disclosure_list`` clock, met when produced.

Whether a disclosure may happen is decided in ``consents.services.disclosure_check``
(see the rule table there), never here.
"""
from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecoord.model_rows import FromRow


class DataCategory(models.TextChoices):
    """Categories of member information. SUD records are 42 CFR Part 2 protected."""

    GENERAL = "general", _("General health and case information")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    SUD = "sud", _("Substance use disorder (42 CFR Part 2)")
    HIV = "hiv", _("HIV/AIDS")
    REPRODUCTIVE = "reproductive", _("Reproductive and sexual health")
    EDUCATION = "education", _("Education records")


class Purpose(models.TextChoices):
    """Why information goes out."""

    TREATMENT = "treatment", _("Treatment")
    CARE_COORDINATION = "care_coordination", _("Care coordination")
    REFERRAL = "referral", _("Referral")
    TRANSITION = "transition", _("Transition of care")
    PAYMENT = "payment", _("Payment")
    OPERATIONS = "operations", _("Health care operations")
    ENROLLMENT = "enrollment", _("Enrollment")
    MEMBER_REQUEST = "member_request", _("At the member's request")
    LEGAL = "legal", _("Legal")


class RecipientCategory(models.TextChoices):
    """Recipients described generically rather than by name. Resolved against the
    member's own data at the moment of the check (``consents.services``)."""

    MEMBER_PLAN = "member_plan", _("The member's managed care plan")
    PRIMARY_CARE = "primary_care", _("The member's primary care provider")
    TREATING_PROVIDERS = "treating_providers", _("The member's treating providers")
    CARE_TEAM = "care_team", _("Organizations on the member's care team")


class ConsentKind(models.TextChoices):
    HIPAA_AUTHORIZATION = "hipaa_authorization", _("HIPAA authorization / release of information")
    PART2 = "part2", _("42 CFR Part 2 consent (SUD records)")
    ECM_VERBAL = "ecm_verbal", _("ECM verbal referral consent")
    COORDINATED_CARE = "coordinated_care", _("Coordinated care consent (DMC-ODS)")


#: Consent kinds written to the 42 CFR 2.31 standard; only these can cover SUD data.
PART2_KINDS = frozenset({ConsentKind.PART2, ConsentKind.COORDINATED_CARE})


class ConsentQuerySet(models.QuerySet):
    def in_force(self, at: datetime.datetime | None = None):
        """Consents in force at ``at``: effective_on <= day < expires_on (day in Pacific time),
        not revoked before ``at``, no expiry event recorded before ``at``."""
        at = at or timezone.now()
        day = timezone.localtime(at).date()
        return self.filter(effective_on__lte=day).filter(
            models.Q(expires_on__isnull=True) | models.Q(expires_on__gt=day),
            models.Q(revoked_at__isnull=True) | models.Q(revoked_at__gt=at),
            models.Q(event_occurred_at__isnull=True) | models.Q(event_occurred_at__gt=at),
        )


class Consent(FromRow, models.Model):
    """One consent or authorization, with the elements its rule requires.

    Validation of the required elements per kind is in ``consents.services.consent_record``;
    the database holds the invariants that never depend on kind.
    """

    Kind = ConsentKind

    member = models.ForeignKey("cases.Member", on_delete=models.PROTECT, related_name="consents", verbose_name=_("member"))
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="consents",
                             verbose_name=_("case"), help_text=_("Case it was taken for, if any."))
    kind = models.CharField(_("kind"), max_length=32, choices=ConsentKind.choices, db_index=True)

    # Scope.
    description_of_information = models.TextField(
        _("information to be disclosed"), blank=True,
        help_text=_("A specific and meaningful description of the information (e.g. 'assessments, care plan, SUD treatment records')."))
    data_categories = models.JSONField(_("data categories"), default=list, blank=True)
    purposes = models.JSONField(_("purposes"), default=list, blank=True)
    discloser = models.CharField(_("who may disclose"), max_length=300, blank=True,
                                 help_text=_("Person or organization authorized to disclose."))
    recipients = models.ManyToManyField("accounts.Organization", blank=True, related_name="consents_received",
                                        verbose_name=_("recipient organizations"))
    recipient_persons = models.JSONField(_("recipient persons"), default=list, blank=True,
                                         help_text=_("Named people outside any organization (e.g. a relative)."))
    recipient_categories = models.JSONField(_("recipient categories"), default=list, blank=True)
    tpo_generic = models.BooleanField(
        _("recipients described generically for treatment, payment and health care operations"), default=False,
        help_text=_("42 CFR 2.31(a)(4)(ii): a TPO consent may describe recipients generically."))
    effective_on = models.DateField(_("effective on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True,
                                  help_text=_("First day the consent is no longer in force."))
    expiry_event = models.CharField(_("expiry event"), max_length=300, blank=True,
                                    help_text=_("Event that ends the consent, e.g. 'discharge from ECM'."))

    # Signature (written kinds).
    signed_by_name = models.CharField(_("signed by"), max_length=200, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_by_representative = models.BooleanField(_("signed by a personal representative"), default=False)
    representative_authority = models.CharField(
        _("representative's authority"), max_length=300, blank=True,
        help_text=_("e.g. parent of a minor, legal guardian, conservator, health care power of attorney."))

    # Required statements (45 CFR 164.508(c)(2); 42 CFR 2.31(a)).
    statement_right_to_revoke = models.BooleanField(_("states the right to revoke and how"), default=False)
    statement_treatment_not_conditioned = models.BooleanField(
        _("states that treatment, payment, enrollment or eligibility is not conditioned on signing"), default=False)
    statement_redisclosure = models.BooleanField(_("states that disclosed information may be redisclosed"), default=False)

    # ECM verbal referral consent: the four elements of the ECM guide and who took it.
    verbal_provider_and_service = models.CharField(
        _("provider and service explained"), max_length=300, blank=True,
        help_text=_("What was explained about the provider and the service."))
    verbal_information_shared = models.BooleanField(_("explained what information will be shared"), default=False)
    verbal_duration = models.BooleanField(_("explained how long information will be shared"), default=False)
    verbal_right_to_withdraw = models.BooleanField(_("explained the right to withdraw consent"), default=False)
    given_by_name = models.CharField(_("given by"), max_length=200, blank=True,
                                     help_text=_("Youth, member or family member who gave consent."))
    obtained_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("taken by"))
    obtained_at = models.DateTimeField(_("taken at"), null=True, blank=True)

    document = models.ForeignKey("cases.Document", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="consents", verbose_name=_("signed document"))
    notes = models.TextField(_("notes"), blank=True)

    # Revocation and expiry by event.
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("revocation recorded by"))
    revocation_in_writing = models.BooleanField(_("revoked in writing"), default=False)
    revocation_note = models.CharField(_("revocation note"), max_length=500, blank=True)
    event_occurred_at = models.DateTimeField(_("expiry event occurred at"), null=True, blank=True)
    event_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+", verbose_name=_("expiry event recorded by"))

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ConsentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_on", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gt=models.F("effective_on")),
                name="consent_expiry_after_effective"),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | models.Q(revoked_by__isnull=False),
                name="consent_revocation_has_author"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.member} ({self.effective_on:%Y-%m-%d})"

    @property
    def is_part2(self) -> bool:
        return self.kind in PART2_KINDS

    @property
    def recipients_display(self) -> str:
        """Named organizations, named people and recipient categories, in words."""
        names = [str(org) for org in self.recipients.all()] + list(self.recipient_persons)
        names += [str(RecipientCategory(c).label) for c in self.recipient_categories if c in RecipientCategory.values]
        return ", ".join(names)

    @property
    def purposes_display(self) -> str:
        return ", ".join(str(Purpose(p).label) for p in self.purposes if p in Purpose.values)

    @property
    def categories_display(self) -> str:
        return ", ".join(str(DataCategory(c).label) for c in self.data_categories if c in DataCategory.values)

    def is_in_force(self, at: datetime.datetime | None = None) -> bool:
        """Same test as ``Consent.objects.in_force`` for one row already loaded."""
        at = at or timezone.now()
        day = timezone.localtime(at).date()
        return (
            self.effective_on <= day
            and (self.expires_on is None or day < self.expires_on)
            and (self.revoked_at is None or at < self.revoked_at)
            and (self.event_occurred_at is None or at < self.event_occurred_at)
        )

    def status(self, at: datetime.datetime | None = None) -> str:
        """One of ``active``, ``pending`` (not yet effective), ``revoked``, ``expired``."""
        at = at or timezone.now()
        if self.revoked_at is not None and self.revoked_at <= at:
            return "revoked"
        if self.event_occurred_at is not None and self.event_occurred_at <= at:
            return "expired"
        day = timezone.localtime(at).date()
        if self.expires_on is not None and day >= self.expires_on:
            return "expired"
        if self.effective_on > day:
            return "pending"
        return "active"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The accounting of disclosures is append-only.")

    def delete(self):
        raise PermissionError("The accounting of disclosures is append-only.")


class Disclosure(models.Model):
    """One disclosure of a member's information: what, to whom, why, under which consent(s),
    by whom, when, how. Append-only; written only by ``consents.services.disclose``."""

    member = models.ForeignKey("cases.Member", on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("member"))
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures", verbose_name=_("case"))
    recipient = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="disclosures_received", verbose_name=_("recipient organization"))
    recipient_name = models.CharField(_("recipient"), max_length=300, blank=True)
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    categories = models.JSONField(_("data categories"), default=list)
    description = models.CharField(_("what was disclosed"), max_length=500)
    consents = models.ManyToManyField(Consent, blank=True, related_name="disclosures", verbose_name=_("under consent(s)"))
    rule = models.CharField(_("basis"), max_length=64, help_text=_("Rule code of the disclosure check that allowed it."))
    reason = models.CharField(_("why allowed"), max_length=500, blank=True)
    disclosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("disclosed by"))
    disclosed_at = models.DateTimeField(_("disclosed at"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=64, blank=True, help_text=_("e.g. fax, secure_email, api, export, mail."))
    redisclosure_notice = models.TextField(_("redisclosure notice sent"), blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("accounting of disclosures")

    def __str__(self) -> str:
        return f"{self.disclosed_at:%Y-%m-%d} {self.recipient or self.recipient_name}: {self.description}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The accounting of disclosures is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The accounting of disclosures is append-only.")

    @property
    def recipient_display(self) -> str:
        return str(self.recipient) if self.recipient_id else self.recipient_name


class DisclosureListRequest(models.Model):
    """A member's request for the list of disclosures of their records (42 CFR 2.24)."""

    member = models.ForeignKey("cases.Member", on_delete=models.PROTECT, related_name="disclosure_list_requests", verbose_name=_("member"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    requested_by_name = models.CharField(_("requested by"), max_length=200, blank=True,
                                         help_text=_("Member or representative who asked."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("recorded by"))
    produced_at = models.DateTimeField(_("list produced at"), null=True, blank=True)
    produced_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("produced by"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("request for list of disclosures")
        verbose_name_plural = _("requests for list of disclosures")

    def __str__(self) -> str:
        return f"{self.member} — {self.requested_at:%Y-%m-%d}"
