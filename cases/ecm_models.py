"""ECM for child-welfare-involved youth and families (seed 004): the pathway from removal (or a
Family Maintenance, existing or prevention case) through Medi-Cal and plan selection, the
consent-gated ECM referral, the ECM provider's enrollment steps, Child and Family Team meetings,
out-of-county placement moves and closure."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PlanParticipant(models.TextChoices):
    """Who may take part in choosing the plan (guide: EW, PHN, SW, resource family, birth parent, youth/NMD)."""

    EW = "ew", _("Eligibility worker")
    SW = "sw", _("Social worker")
    PHN = "phn", _("Public health nurse")
    RESOURCE_FAMILY = "resource_family", _("Resource family")
    BIRTH_PARENT = "birth_parent", _("Birth parent")
    YOUTH = "youth", _("Youth / NMD")
    COMMUNITY_CM = "community_cm", _("Prevention case manager")


class EcmPathway(models.Model):
    """How the child came to ECM and where the pathway stands (one per ECM case)."""

    class Kind(models.TextChoices):
        REMOVAL = "removal", _("New case: initial removal")
        FAMILY_MAINTENANCE = "family_maintenance", _("New case: Family Maintenance")
        EXISTING = "existing", _("Existing case")
        PREVENTION = "prevention", _("Prevention pathway")

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="ecm_pathway")
    kind = models.CharField(_("pathway"), max_length=24, choices=Kind.choices)
    removed_at = models.DateTimeField(_("removal / placement"), null=True, blank=True)
    immediate_needs_met_at = models.DateTimeField(_("immediate health care needs met"), null=True, blank=True)
    health_summary_given_at = models.DateTimeField(_("health and education summary given"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ECM pathway")
        constraints = [
            models.CheckConstraint(condition=~Q(kind="removal") | Q(removed_at__isnull=False), name="ecm_pathway_removal_has_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.case}"


class PlanSelection(models.Model):
    """Medi-Cal status in MEDS and the managed care plan choice, with who took part (initial or after a move)."""

    class MedsStatus(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled in Medi-Cal")
        NOT_ENROLLED = "not_enrolled", _("Not enrolled: application made")

    class Choice(models.TextChoices):
        COHS_AUTO = "cohs_auto", _("Auto-enrolled in the county organized health system")
        MCP = "mcp", _("Managed care plan chosen")
        FFS = "ffs", _("Stays in fee-for-service")
        KEEP = "keep", _("Keeps the current plan")

    class Reason(models.TextChoices):
        INITIAL = "initial", _("Initial selection")
        PLACEMENT = "placement", _("Out-of-county placement")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="ecm_plan_selections")
    reason = models.CharField(max_length=12, choices=Reason.choices, default=Reason.INITIAL)
    meds_status = models.CharField(_("Medi-Cal status in MEDS"), max_length=16, choices=MedsStatus.choices)
    county = models.ForeignKey("accounts.County", on_delete=models.PROTECT, related_name="+")
    county_plan_model = models.CharField(max_length=16)
    choice = models.CharField(_("plan choice"), max_length=12, choices=Choice.choices)
    plan = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("managed care plan"))
    activation_date = models.DateField(_("benefit activation date"), null=True, blank=True)
    participants = models.JSONField(_("who took part"), default=list)
    notes = models.TextField(_("notes"), blank=True)
    noa = models.ForeignKey("notices.Notice", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(choice__in=["ffs", "keep"]) | Q(plan__isnull=False), name="ecm_plan_choice_names_plan"),
            models.CheckConstraint(condition=~Q(choice="ffs") | Q(plan__isnull=True), name="ecm_ffs_has_no_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.get_choice_display()} ({self.decided_at:%Y-%m-%d})"


class EcmEnrollment(models.Model):
    """The ECM provider's side: outreach, consents, presumptive authorization, the MCP decision,
    enrollment notifications, assessment and the shared care plan."""

    class Referrer(models.TextChoices):
        SOCIAL_WORKER = "sw", _("Social worker")
        PHN = "phn", _("Public health nurse")
        COMMUNITY_CM = "community_cm", _("Prevention pathway case manager")
        SELF = "self", _("The family or youth referred themselves")

    class Status(models.TextChoices):
        REFERRED = "referred", _("Referred: outreach")
        ENROLLED = "enrolled", _("Enrolled")
        ENDED = "ended", _("Ended")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        AUTHORIZED = "authorized", _("Authorized")
        DENIED = "denied", _("Denied")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="ecm_enrollments")
    referral = models.OneToOneField("referrals.Referral", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    referrer = models.CharField(_("referred by"), max_length=16, choices=Referrer.choices)
    recipient = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("MCP CWS liaison or ECM provider"))
    consent = models.ForeignKey("consents.Consent", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("verbal consent"))
    ecm_provider = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("ECM provider"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REFERRED)
    referred_at = models.DateTimeField(default=timezone.now)
    prior_checked_at = models.DateTimeField(_("prior ECM / Community Supports checked"), null=True, blank=True)
    prior_ecm = models.BooleanField(_("received ECM before"), default=False)
    prior_community_supports = models.BooleanField(_("received Community Supports before"), default=False)
    prior_note = models.CharField(_("how it affects this referral"), max_length=500, blank=True)
    presumptive = models.BooleanField(_("presumptive authorization"), default=False)
    expedited = models.BooleanField(_("expedited"), default=False)
    enrolled_at = models.DateTimeField(null=True, blank=True)
    mcp_decision = models.CharField(_("MCP authorization"), max_length=12, choices=Decision.choices, default=Decision.PENDING)
    mcp_decided_at = models.DateTimeField(null=True, blank=True)
    assessment_completed_at = models.DateTimeField(null=True, blank=True)
    assessment_summary = models.TextField(_("assessment summary"), blank=True)
    care_plan_shared_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referred_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(referrer="self") | Q(consent__isnull=False), name="ecm_referral_has_consent_unless_self"),
            models.CheckConstraint(condition=~Q(status="enrolled") | Q(enrolled_at__isnull=False), name="ecm_enrolled_has_date"),
            models.UniqueConstraint(fields=["case"], condition=~Q(status="ended"), name="ecm_one_live_enrollment_per_case"),
        ]

    def __str__(self) -> str:
        return f"ECM {self.get_status_display().lower()} — {self.case}"


class OutreachAttempt(models.Model):
    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        TEXT = "text", _("Text message")
        IN_PERSON = "in_person", _("In person")
        LETTER = "letter", _("Letter")
        EMAIL = "email", _("Email")

    class Outcome(models.TextChoices):
        REACHED_AGREED = "reached_agreed", _("Reached: agreed to ECM")
        REACHED_THINKING = "reached_thinking", _("Reached: wants time to decide")
        REACHED_DECLINED = "reached_declined", _("Reached: declined")
        NOT_REACHED = "not_reached", _("Not reached")

    enrollment = models.ForeignKey(EcmEnrollment, on_delete=models.CASCADE, related_name="outreach")
    at = models.DateTimeField(_("when"))
    method = models.CharField(_("how"), max_length=12, choices=Method.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-at", "-pk"]


class CftMeeting(models.Model):
    """A Child and Family Team meeting: scheduled with participants, then held (a CaseConference)."""

    class Cans(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        INITIATED = "initiated", _("Initiated")
        COMPLETED = "completed", _("Completed at the meeting")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="cft_meetings")
    scheduled_for = models.DateTimeField(_("scheduled for"))
    participants = models.JSONField(_("participants"), default=list, help_text=_("Care team roles invited."))
    tribal_representative_chosen = models.BooleanField(_("the family chose to include their ICWA / tribal representative"),
                                                       default=False)
    cans_status = models.CharField(_("CANS"), max_length=12, choices=Cans.choices, default=Cans.NOT_STARTED)
    conference = models.OneToOneField("cases.CaseConference", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    care_plan_updated_at = models.DateTimeField(_("ECM care plan updated after the meeting"), null=True, blank=True)
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-scheduled_for", "-pk"]

    def __str__(self) -> str:
        return f"CFT meeting {self.scheduled_for:%Y-%m-%d}"

    @property
    def held(self) -> bool:
        return self.conference_id is not None


class PlacementMove(models.Model):
    """A placement in another county and its steps (guide: Out-of-County Placement)."""

    class ProviderAction(models.TextChoices):
        KEEP = "keep", _("Keep the ECM provider")
        CHANGE = "change", _("Change to a new ECM provider")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="ecm_placement_moves")
    from_county = models.ForeignKey("accounts.County", on_delete=models.PROTECT, related_name="+")
    to_county = models.ForeignKey("accounts.County", on_delete=models.PROTECT, related_name="+")
    moved_at = models.DateTimeField(_("placed on"))
    from_cohs = models.BooleanField(default=False)
    plan_at_move = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    plan_selection = models.OneToOneField(PlanSelection, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    meds_address_updated_at = models.DateTimeField(_("MEDS address updated"), null=True, blank=True)
    provider_action = models.CharField(_("ECM provider"), max_length=8, choices=ProviderAction.choices, blank=True)
    new_ecm_provider = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name=_("new ECM provider"))
    records_disclosure = models.ForeignKey("consents.Disclosure", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+")
    warm_handoff_at = models.DateTimeField(_("warm hand-off"), null=True, blank=True)
    # Child welfare health steps every placement starts (cws.* clocks).
    exam_completed_at = models.DateTimeField(_("medical and dental exam done"), null=True, blank=True)
    health_summary_given_at = models.DateTimeField(_("health and education summary given"), null=True, blank=True)
    mhp_notified_at = models.DateTimeField(_("mental health plan told of presumptive transfer"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-moved_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_county=models.F("to_county")), name="ecm_move_changes_county"),
            models.CheckConstraint(condition=~Q(provider_action="change") | Q(new_ecm_provider__isnull=False),
                                   name="ecm_move_change_names_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.from_county} → {self.to_county} ({self.moved_at:%Y-%m-%d})"


class ContinuityOfCareRequest(models.Model):
    """A request to keep seeing an existing provider after the plan changes (APL 22-032)."""

    class Urgency(models.TextChoices):
        STANDARD = "standard", _("Standard (30 days)")
        URGENT = "urgent", _("Urgent (15 days)")
        RISK_OF_HARM = "risk_of_harm", _("Risk of harm (3 days)")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")

    move = models.ForeignKey(PlacementMove, on_delete=models.PROTECT, related_name="coc_requests")
    provider_name = models.CharField(_("provider to keep"), max_length=200)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.STANDARD)
    received_at = models.DateTimeField(_("request received"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-pk"]


class EcmClosure(models.Model):
    """The CWS case closes: whether ECM continues, as recorded in the after-care plan."""

    class Reason(models.TextChoices):
        REUNIFICATION = "reunification", _("Reunification")
        GUARDIANSHIP = "guardianship", _("Guardianship")
        ADOPTION = "adoption", _("Adoption")
        APPLA = "appla", _("APPLA")
        NMD = "nmd", _("Non-minor dependent exit")

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="ecm_closure")
    reason = models.CharField(_("reason the CWS case closes"), max_length=16, choices=Reason.choices)
    cws_closed_on = models.DateField(_("CWS case closes on"))
    ecm_continues = models.BooleanField(_("ECM continues"))
    after_care_plan = models.TextField(_("after-care plan"))
    provider_informed_at = models.DateTimeField(_("ECM provider informed"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.cws_closed_on})"
