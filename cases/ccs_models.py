"""Case-management records beyond the core case: CCS eligibility and authorizations, care plans
(shared by every program), case conferences, and the county/plan problem log and liaison meetings.

Imported by ``cases.models`` so they live in the ``cases`` app. Writes go
through ``cases.ccs`` and ``cases.care_plans``; nothing here saves itself.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .validators import validate_icd10_list


class EligibilityDetermination(models.Model):
    """One CCS eligibility decision: medical (by a medical consultant), residential or financial."""

    class Kind(models.TextChoices):
        MEDICAL = "medical", _("Medical")
        RESIDENTIAL = "residential", _("Residential")
        FINANCIAL = "financial", _("Financial")

    class Outcome(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="eligibility_determinations")
    referral = models.ForeignKey("referrals.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("determination"), max_length=12, choices=Kind.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    reason = models.TextField(_("reason"))
    diagnoses = models.JSONField(_("CCS-eligible diagnoses"), default=list, blank=True, validators=[validate_icd10_list],
                                 help_text=_("ICD-10-CM codes (medical determinations)."))
    other_resources_offered = models.TextField(_("other resources offered to the family"), blank=True)
    decided_at = models.DateTimeField(_("decided on"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [models.Index(fields=["case", "kind", "-decided_at"], name="eligibility_case_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="medical", outcome="eligible") | ~Q(diagnoses=[]),
                name="eligibility_medical_eligible_has_diagnosis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_outcome_display()} ({self.decided_at:%Y-%m-%d})"


class ServiceAuthorization(models.Model):
    """A service authorization request (SAR): requested, reviewed for medical necessity, decided."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        MODIFIED = "modified", _("Modified")
        DENIED = "denied", _("Denied")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="authorizations")
    service = models.CharField(_("service"), max_length=200)
    service_code = models.CharField(_("service code"), max_length=20, blank=True, help_text=_("CPT/HCPCS code, if known."))
    diagnosis = models.CharField(_("related diagnosis"), max_length=8, blank=True)
    provider = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="authorizations",
                                 verbose_name=_("provider"))
    provider_warning = models.CharField(_("provider warning"), max_length=300, blank=True,
                                        help_text=_("Set when the provider was not CCS-paneled or an SCC at the request."))
    quantity = models.CharField(_("quantity / units"), max_length=100, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    expedited = models.BooleanField(_("expedited"), default=False)
    requested_at = models.DateTimeField(_("request received"), default=timezone.now)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    medical_necessity_review = models.TextField(_("medical necessity review"), blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    approved_terms = models.CharField(_("approved terms (if modified)"), max_length=300, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["case", "decision"], name="sar_case_decision_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="sar_dates_ordered"),
            models.CheckConstraint(
                condition=(Q(decision="pending") & Q(decided_at__isnull=True)) | (~Q(decision="pending") & Q(decided_at__isnull=False)),
                name="sar_decided_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} at {self.provider} ({self.get_decision_display()})"


class CarePlan(models.Model):
    """A care plan of any program (CCS, ECM, DMC-ODS): goals, interventions with owners, reviews."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="care_plans")
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    summary = models.TextField(_("summary of needs and strengths"), blank=True)
    family_participated = models.BooleanField(_("family / member took part"), default=True)
    written_at = models.DateTimeField(_("written on"), default=timezone.now)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-written_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(status="active"), name="care_plan_one_active_per_case"),
        ]

    def __str__(self) -> str:
        return self.title


class CarePlanGoal(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MET = "met", _("Met")
        NOT_MET = "not_met", _("Not met")
        DISCONTINUED = "discontinued", _("Discontinued")

    care_plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField(_("goal"), max_length=500)
    domain = models.CharField(_("domain"), max_length=100, blank=True, help_text=_("e.g. medical, family support, school, transition."))
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.description


class CarePlanIntervention(models.Model):
    """One thing someone will do toward a goal. The owner is a user, or a named person outside the system."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    goal = models.ForeignKey(CarePlanGoal, on_delete=models.CASCADE, related_name="interventions")
    description = models.CharField(_("intervention"), max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("owner"))
    owner_name = models.CharField(_("owner (outside the system)"), max_length=200, blank=True)
    owner_organization = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+", verbose_name=_("owner organization"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    referral = models.ForeignKey("referrals.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 help_text=_("The outbound referral that carries this intervention, if any."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(owner__isnull=False) | ~Q(owner_name="") | Q(owner_organization__isnull=False),
                                   name="intervention_has_owner"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def owner_display(self) -> str:
        return str(self.owner) if self.owner_id else (self.owner_name or str(self.owner_organization or ""))


class CarePlanReview(models.Model):
    """A review of the case's plan: routine, the CCS Annual Medical Review, the ECM six-month review."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("Routine review")
        ANNUAL_MEDICAL_REVIEW = "annual_medical_review", _("CCS Annual Medical Review")
        SIX_MONTH = "six_month", _("Six-month review")
        CHANGE_IN_CONDITION = "change_in_condition", _("Change in condition")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="care_plan_reviews")
    care_plan = models.ForeignKey(CarePlan, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.ROUTINE)
    reviewed_at = models.DateTimeField(_("reviewed on"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.TextField(_("findings"))
    family_engaged = models.BooleanField(_("family remains engaged"), default=True)
    still_eligible = models.BooleanField(_("condition still CCS-eligible"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reviewed_at:%Y-%m-%d}"


class CaseConference(models.Model):
    """A multidisciplinary case conference (or CFT meeting): who took part, notes, action items as tasks."""

    class Kind(models.TextChoices):
        MULTIDISCIPLINARY = "multidisciplinary", _("Multidisciplinary case conference")
        CHILD_FAMILY_TEAM = "cft", _("Child and Family Team meeting")
        DISCHARGE_PLANNING = "discharge_planning", _("Discharge planning conference")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="conferences")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.MULTIDISCIPLINARY)
    held_at = models.DateTimeField(_("held on"))
    staff_participants = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                                verbose_name=_("staff participants"))
    other_participants = models.JSONField(_("other participants"), default=list, blank=True,
                                          help_text=_("People outside the system: family, community providers."))
    notes = models.TextField(_("notes"))
    tasks = models.ManyToManyField("cases.Task", blank=True, related_name="+", verbose_name=_("action items"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_at:%Y-%m-%d}"


class ProblemItem(models.Model):
    """An issue between a county program and a plan, resolved locally or escalated to the regional
    office, then the state branch (seed 002, Problem Resolution)."""

    class Level(models.TextChoices):
        LOCAL = "local", _("Local (county and plan)")
        REGIONAL_OFFICE = "regional_office", _("Regional office")
        STATE_BRANCH = "state_branch", _("State branch (CMS Branch)")

    class Category(models.TextChoices):
        COORDINATION = "coordination", _("Coordination")
        COMMUNICATION = "communication", _("Communication")
        REFERRAL = "referral", _("Referral")
        TRAINING = "training", _("Training")
        BILLING = "billing", _("Billing")
        SERVICES = "services", _("Provision of appropriate services")
        AUTHORIZATION = "authorization", _("Authorization of services")
        POLICY = "policy", _("Policy")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    LEVEL_ORDER = [Level.LOCAL, Level.REGIONAL_OFFICE, Level.STATE_BRANCH]

    program = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="problem_items",
                                verbose_name=_("county program"))
    plan = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="plan_problem_items",
                             verbose_name=_("plan"), limit_choices_to={"type": "mcp"})
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="problem_items",
                             help_text=_("For an individual member's issue."))
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    title = models.CharField(_("issue"), max_length=200)
    description = models.TextField(_("description"))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.LOCAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "-opened_at"]
        indexes = [models.Index(fields=["program", "status"], name="problem_program_status_idx"),
                   models.Index(fields=["plan", "status"], name="problem_plan_status_idx")]
        constraints = [
            models.CheckConstraint(condition=(Q(status="resolved") & Q(resolved_at__isnull=False) & ~Q(resolution=""))
                                   | (Q(status="open") & Q(resolved_at__isnull=True)), name="problem_resolved_has_resolution"),
        ]

    def __str__(self) -> str:
        return self.title


class ProblemItemEvent(models.Model):
    """One step of a problem item: opened, escalated (to which level, to whom), note, resolved. Append-only."""

    item = models.ForeignKey(ProblemItem, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)  # opened, escalated, note, resolved
    level = models.CharField(max_length=16, choices=ProblemItem.Level.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    referred_to = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]


class LiaisonMeeting(models.Model):
    """A (at least quarterly) meeting of a county program's liaison with a plan's liaison (seed 002)."""

    program = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="liaison_meetings",
                                verbose_name=_("county program"))
    plan = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="plan_liaison_meetings",
                             verbose_name=_("plan"), limit_choices_to={"type": "mcp"})
    held_at = models.DateTimeField(_("held on"))
    attendees = models.TextField(_("attendees"))
    minutes = models.TextField(_("minutes"))
    protocols_reviewed = models.BooleanField(
        _("county and plan protocols reviewed"), default=False,
        help_text=_("The yearly review of the protocols that divide the work between the county and the plan."))
    problem_items = models.ManyToManyField(ProblemItem, blank=True, related_name="meetings", verbose_name=_("issues discussed"))
    tasks = models.ManyToManyField("cases.Task", blank=True, related_name="+", verbose_name=_("action items"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.program} / {self.plan} {self.held_at:%Y-%m-%d}"
