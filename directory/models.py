"""The care network: who delivers care and support, what they offer, to whom, where.

A ProviderProfile extends an accounts.Organization (the one record of an
organization) with directory facts: services, CCS paneling, Special Care Center
designation, plans contracted, counties served, languages, capacity and location.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Service(models.Model):
    """A need a family may have, and what a provider or resource offers to meet it."""

    class Kind(models.TextChoices):
        SPECIALTY = "specialty", _("Medical specialty")
        SERVICE = "service", _("Health service")
        COMMUNITY = "community", _("Community resource")

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class ProviderProfile(models.Model):
    class Paneling(models.TextChoices):
        PANELED = "paneled", _("CCS-paneled")
        APPLICATION = "application", _("CCS application in progress")
        NOT_PANELED = "not_paneled", _("Not CCS-paneled")
        LAPSED = "lapsed", _("CCS paneling lapsed")

    organization = models.OneToOneField("accounts.Organization", on_delete=models.CASCADE, related_name="profile")
    is_community_resource = models.BooleanField(_("community resource"), default=False)
    services = models.ManyToManyField(Service, related_name="providers", verbose_name=_("services and specialties"))
    ccs_paneling = models.CharField(_("CCS paneling"), max_length=16, choices=Paneling.choices, default=Paneling.NOT_PANELED)
    paneled_from = models.DateField(_("paneled from"), null=True, blank=True)
    paneled_until = models.DateField(_("paneled until"), null=True, blank=True)
    application_submitted_on = models.DateField(_("application submitted"), null=True, blank=True)
    special_care_center = models.BooleanField(_("CCS Special Care Center"), default=False)
    scc_designation = models.CharField(_("SCC designation"), max_length=120, blank=True)
    plans = models.ManyToManyField("accounts.Organization", blank=True, related_name="network_providers",
                                   limit_choices_to={"type": "mcp"}, verbose_name=_("plans contracted"))
    counties_served = models.ManyToManyField("accounts.County", blank=True, related_name="providers", verbose_name=_("counties served"))
    languages = models.JSONField(_("languages"), default=list, blank=True, help_text=_("Language codes, e.g. en, es, vi."))
    accepting_new_patients = models.BooleanField(_("accepting new patients"), default=True)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    street = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    zip_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    eligibility_notes = models.TextField(_("eligibility notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(paneled_until__isnull=True) | Q(paneled_from__isnull=True) | Q(paneled_until__gte=models.F("paneled_from")),
                name="profile_paneling_dates_ordered",
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__gte=-90, latitude__lte=90) & Q(longitude__gte=-180, longitude__lte=180)),
                name="profile_location_valid",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organization)

    def is_paneled_on(self, day) -> bool:
        if self.ccs_paneling != self.Paneling.PANELED:
            return False
        return (self.paneled_from is None or self.paneled_from <= day) and (self.paneled_until is None or day <= self.paneled_until)

    @property
    def point(self) -> tuple[float, float] | None:
        from .geo import zip_point

        if self.latitude is not None and self.longitude is not None:
            return (self.latitude, self.longitude)
        return zip_point(self.zip_code)


class Practitioner(models.Model):
    """A person who delivers care at a provider (a CCS-paneled physician, a therapist)."""

    profile = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE, related_name="practitioners")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("title"), max_length=120, blank=True)
    npi = models.CharField("NPI", max_length=10, blank=True)
    services = models.ManyToManyField(Service, blank=True, related_name="practitioners")
    languages = models.JSONField(default=list, blank=True)
    ccs_paneled = models.BooleanField(_("CCS-paneled"), default=False)
    accepting_new_patients = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}" if self.title else self.name


class UnmetNeed(models.Model):
    """A need that found no provider or resource: the gaps the program reports to the state."""

    member = models.ForeignKey("cases.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="unmet_needs")
    county = models.ForeignKey("accounts.County", on_delete=models.PROTECT, related_name="unmet_needs")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="unmet_needs")
    language = models.CharField(max_length=8, blank=True)
    plan = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [models.Index(fields=["county", "service", "recorded_at"], name="unmet_need_report_idx")]


class ConcurrentReview(models.Model):
    """Concurrent review of an inpatient stay: level of care, expected discharge, transfer arranged."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="concurrent_reviews")
    facility = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("facility"))
    admitted_on = models.DateField(_("admitted on"))
    level_of_care = models.CharField(_("level of care"), max_length=100)
    expected_discharge = models.DateField(_("expected discharge"), null=True, blank=True)
    transfer_arranged = models.BooleanField(_("transfer arranged"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(expected_discharge__isnull=True) | Q(expected_discharge__gte=models.F("admitted_on")),
                                   name="concurrent_review_dates_ordered"),
        ]


class MedicalReport(models.Model):
    """A CCS-authorized provider's medical report on a case, and its delivery to the plan's PCP."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        SENT = "sent", _("Sent to the PCP")
        BLOCKED = "blocked", _("Not sent: no consent covers it")

    document = models.OneToOneField("cases.Document", on_delete=models.PROTECT, related_name="medical_report")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="medical_reports")
    author = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("reporting provider"))
    pcp = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("primary care provider"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    status_reason = models.CharField(max_length=300, blank=True)
    notice = models.ForeignKey("notices.Notice", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
