"""Referrals, inbound and outbound, tracked in a closed loop.

One model serves every program: an **inbound** referral brings a member to a
program (CCS, ECM, DMC-ODS) from any source — family, provider, school,
community member, health plan, social worker, the member themselves; an
**outbound** referral sends a member on to a service (mental health, palliative
care, an ECM provider, MAT/NTP, community supports, medical home, dental, DME,
a Special Care Center, the Medical Therapy Program, SUD settings...).

Each step of the loop (consent checked, sent, received, scheduled, attended,
closed; or declined, no-show, revoked) is a :class:`ReferralEvent` row saying who
did it and when; the referral itself keeps the current status and, once closed,
the outcome (got help, no capacity, could not contact, declined, not eligible).
The FHIR view of a referral is a ServiceRequest plus a Task whose status both
sides update (the SDOH closed-loop pattern).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Program


class Referral(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound (to a program)")
        OUTBOUND = "outbound", _("Outbound (to a service)")

    class Source(models.TextChoices):
        FAMILY = "family", _("Family")
        PROVIDER = "provider", _("Health care provider")
        SCHOOL = "school", _("School")
        COMMUNITY = "community", _("Community member")
        HEALTH_PLAN = "health_plan", _("Health plan")
        SOCIAL_WORKER = "social_worker", _("Social worker / child welfare")
        SELF = "self", _("Self-referral")
        HOSPITAL = "hospital", _("Hospital discharge planner")
        OTHER_PROGRAM = "other_program", _("Another program")
        OTHER = "other", _("Other")

    class ServiceType(models.TextChoices):
        PROGRAM_ENROLLMENT = "program_enrollment", _("Program enrollment (inbound)")
        MENTAL_HEALTH = "mental_health", _("Mental health services")
        PALLIATIVE_CARE = "palliative_care", _("Pediatric palliative care")
        ECM_PROVIDER = "ecm_provider", _("ECM provider")
        MAT_NTP = "mat_ntp", _("MAT / narcotic treatment program")
        COMMUNITY_SUPPORTS = "community_supports", _("Community supports")
        MEDICAL_HOME = "medical_home", _("Medical home / primary care")
        DENTAL = "dental", _("Dental care")
        DME = "dme", _("Durable medical equipment")
        PHARMACY = "pharmacy", _("Pharmacy")
        SPECIAL_CARE_CENTER = "special_care_center", _("CCS Special Care Center")
        CCS_SPECIALIST = "ccs_specialist", _("CCS-paneled specialist")
        MEDICAL_THERAPY_PROGRAM = "medical_therapy_program", _("Medical Therapy Program")
        SUD_RESIDENTIAL = "sud_residential", _("Residential SUD treatment")
        SUD_OUTPATIENT = "sud_outpatient", _("Outpatient SUD treatment")
        REGIONAL_CENTER = "regional_center", _("Regional Center")
        HOME_HEALTH = "home_health", _("Home health / private duty nursing")
        OTHER = "other", _("Other service")

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        URGENT = "urgent", _("Urgent")
        EMERGENT = "emergent", _("Emergent")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CONSENT_CHECKED = "consent_checked", _("Consent checked")
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received")
        SCHEDULED = "scheduled", _("Scheduled")
        ATTENDED = "attended", _("Attended")
        CLOSED = "closed", _("Closed")
        DECLINED = "declined", _("Declined")
        NO_SHOW = "no_show", _("No-show")
        REVOKED = "revoked", _("Revoked (sent in error)")

    class Outcome(models.TextChoices):
        GOT_HELP = "got_help", _("Got help")
        ACCEPTED = "accepted", _("Accepted into the program")
        NO_CAPACITY = "no_capacity", _("No capacity")
        COULD_NOT_CONTACT = "could_not_contact", _("Could not contact")
        DECLINED = "declined", _("Declined")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible")
        DUPLICATE = "duplicate", _("Duplicate of another referral")
        SENT_IN_ERROR = "sent_in_error", _("Sent in error")
        OTHER = "other", _("Other")

    # Statuses after which nothing more happens to the referral.
    TERMINAL = (Status.CLOSED, Status.DECLINED, Status.REVOKED)

    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, db_index=True)
    member = models.ForeignKey("cases.Member", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("member"))
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("case"),
        help_text=_("Inbound: the case the referral opened or joined. Outbound: the case that sent it."),
    )
    program = models.CharField(_("program"), max_length=8, choices=Program.choices, blank=True,
                               help_text=_("Inbound: the program the member is referred to."))
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="referrals_owned", verbose_name=_("program or sender"),
        help_text=_("Inbound: the receiving program. Outbound: the sending organization."),
    )
    source = models.CharField(_("referral source"), max_length=16, choices=Source.choices, blank=True)
    source_organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_made",
        verbose_name=_("referring organization"),
    )
    reporter_name = models.CharField(_("referred by (name)"), max_length=200, blank=True)
    reporter_relationship = models.CharField(_("relationship to the member"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=32, blank=True)
    reporter_email = models.EmailField(_("reporter email"), blank=True)
    service_type = models.CharField(_("service"), max_length=32, choices=ServiceType.choices,
                                    default=ServiceType.PROGRAM_ENROLLMENT)
    recipient_organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_received",
        verbose_name=_("recipient organization"),
    )
    recipient_contact = models.CharField(_("recipient contact"), max_length=200, blank=True)
    reason = models.TextField(_("reason for referral"), blank=True)
    suspected_condition = models.CharField(_("suspected condition"), max_length=300, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    warm_handoff = models.BooleanField(_("warm hand-off"), default=False,
                                       help_text=_("The member was introduced to the recipient in person or by a joint call."))
    referred_at = models.DateTimeField(_("referral date"), default=timezone.now, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    status_changed_at = models.DateTimeField(default=timezone.now)
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    documentation_adequate_at = models.DateTimeField(
        _("adequate documentation received"), null=True, blank=True,
        help_text=_("When the documentation needed to decide on the referral was complete."),
    )
    # Duplicate detection: recorded, shown to the user, never silently doubled.
    possible_duplicate = models.BooleanField(_("possible duplicate"), default=False, db_index=True)
    duplicate_note = models.CharField(_("duplicate note"), max_length=300, blank=True)
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates")
    documents = models.ManyToManyField("cases.Document", blank=True, related_name="referrals")
    external_reference = models.CharField(_("external reference"), max_length=100, blank=True,
                                          help_text=_("The sender's own identifier (e.g. a plan's ServiceRequest id)."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referred_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "direction", "status"], name="referral_org_queue_idx"),
            models.Index(fields=["member", "program", "status"], name="referral_member_program_idx"),
            models.Index(fields=["recipient_organization", "status"], name="referral_recipient_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(direction="inbound") | ~Q(program=""), name="referral_inbound_has_program",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["closed", "declined", "revoked"]) | (Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="referral_terminal_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["closed", "declined", "revoked"]) | Q(closed_at__isnull=True),
                name="referral_open_has_no_closed_at",
            ),
        ]

    def __str__(self) -> str:
        if self.direction == self.Direction.INBOUND:
            return f"{self.get_program_display()} referral of {self.member} ({self.get_source_display() or '-'})"
        return f"{self.get_service_type_display()} referral of {self.member}"

    @property
    def is_open(self) -> bool:
        return self.status not in self.TERMINAL


class ReferralEvent(models.Model):
    """One step of a referral's loop: who, when, what, and the status it left behind. Append-only."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=32, help_text=_("Stable code: created, consent_checked, sent, received, "
                                                         "scheduled, attended, closed, declined, no_show, revoked, "
                                                         "documents_attached, documentation_adequate, duplicate_flagged, note."))
    from_status = models.CharField(max_length=16, choices=Referral.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Referral.Status.choices)
    outcome = models.CharField(max_length=20, choices=Referral.Outcome.choices, blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["referral", "at"], name="referral_event_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} → {self.to_status}"
