"""Whole Child Model population transitions (seed 000): a county's CCS children move into a health plan at once.

* :class:`PopulationTransition` names the county, the receiving plan(s) and the date. Confirming it
  snapshots the affected children into :class:`PopulationTransitionMember` (one row per CCS case).
* :class:`DataDelivery`: each hand-over file (identification data 30 days before, utilization and SAR data
  45 days before) a plan downloaded, with what it held; the first download meets the clock.
* :class:`FamilyNotice`: the 90/60/30-day notice of one family for one wave — the unique key that makes
  the bulk job send a family each notice once, however often it is rerun.
* :class:`ContinuityOfCareAgreement`: the automatic agreement with each child's existing provider, per
  provider and child, for 12 months from the transition date.
* :class:`ReadinessItem`: the plan readiness checklist; the transition cannot be marked ready while one is open.
* :class:`WelcomeCall`: the plan's welcome call list with each call's outcome and follow-up;
  :class:`FaqShare`: a FAQ document shared with call centers.
* :class:`BulkJob`: a Celery job over the members with its cursor and progress, resumable after a worker dies.

Written only by :mod:`transitions.population_services`.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class NoticeWave(models.TextChoices):
    DAYS_90 = "90", _("90 days before")
    DAYS_60 = "60", _("60 days before")
    DAYS_30 = "30", _("30 days before")


class PopulationTransition(models.Model):
    """A county's CCS children moving into the Whole Child Model with one or more plans on one date."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft: members not yet confirmed")
        CONFIRMED = "confirmed", _("Confirmed: members selected")
        READY = "ready", _("Plan ready")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=200)
    county = models.ForeignKey("accounts.County", on_delete=models.PROTECT, related_name="population_transitions",
                               verbose_name=_("county"))
    county_program = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="population_transitions_out",
                                       verbose_name=_("county CCS program"), limit_choices_to={"type": "ccs_county"})
    plans = models.ManyToManyField("accounts.Organization", related_name="population_transitions_in",
                                   verbose_name=_("receiving plans"), limit_choices_to={"type": "mcp"})
    transition_date = models.DateField(_("transition date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    member_count = models.PositiveIntegerField(_("children selected"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ready_at = models.DateTimeField(null=True, blank=True)
    ready_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-transition_date", "-pk"]
        verbose_name = _("population transition (Whole Child Model)")
        constraints = [
            models.CheckConstraint(condition=Q(status="draft") | Q(confirmed_at__isnull=False), name="population_confirmed_has_time"),
            models.CheckConstraint(condition=~Q(status="ready") | Q(ready_at__isnull=False), name="population_ready_has_time"),
        ]

    def __str__(self) -> str:
        return self.name


class PopulationTransitionMember(models.Model):
    """One child in a confirmed transition (a snapshot: later changes to the case do not move it)."""

    transition = models.ForeignKey(PopulationTransition, on_delete=models.CASCADE, related_name="members")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="population_transitions")
    member = models.ForeignKey("cases.Member", on_delete=models.PROTECT, related_name="population_transitions")
    plan = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving plan"))
    language = models.CharField(_("family's language"), max_length=8)
    address_valid = models.BooleanField(_("valid mailing address"), default=True)
    selected_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["transition", "case"], name="population_member_once")]
        indexes = [models.Index(fields=["transition", "plan"], name="population_member_plan_idx")]

    def __str__(self) -> str:
        return f"{self.member} → {self.plan}"


class DataDelivery(models.Model):
    """A hand-over file a receiving plan downloaded: which, how many children, how many withheld."""

    class Kind(models.TextChoices):
        IDENTIFICATION = "identification", _("CCS identification data")
        UTILIZATION_SAR = "utilization_sar", _("Utilization and service authorization (SAR) data")

    RULE_FOR_KIND = {"identification": "wcm.identification_data", "utilization_sar": "wcm.utilization_sar_data"}

    transition = models.ForeignKey(PopulationTransition, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(_("file"), max_length=16, choices=Kind.choices)
    plan = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("plan"))
    delivered_at = models.DateTimeField(_("delivered at"), default=timezone.now)
    delivered_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("downloaded by"))
    rows = models.PositiveIntegerField(_("rows"), default=0)
    children = models.PositiveIntegerField(_("children"), default=0)
    withheld = models.PositiveIntegerField(_("children withheld"), default=0,
                                           help_text=_("Children of the transition the plan may no longer receive data about."))
    sha256 = models.CharField(max_length=64)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-delivered_at", "-pk"]
        verbose_name_plural = _("data deliveries")
        indexes = [models.Index(fields=["transition", "kind", "plan"], name="population_delivery_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.plan} ({self.delivered_at:%Y-%m-%d})"


class FamilyNotice(models.Model):
    """The notice of one wave to one family. Unique per (child, wave): the bulk job's exactly-once key."""

    transition_member = models.ForeignKey(PopulationTransitionMember, on_delete=models.CASCADE, related_name="family_notices")
    wave = models.CharField(_("wave"), max_length=2, choices=NoticeWave.choices)
    notice = models.OneToOneField("notices.Notice", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    follow_up_reason = models.CharField(_("needs follow-up"), max_length=200, blank=True,
                                        help_text=_("Why no letter could be sent (no valid address)."))
    follow_up_done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["transition_member", "wave"], name="family_notice_once_per_wave"),
            models.CheckConstraint(condition=Q(notice__isnull=False) | ~Q(follow_up_reason=""), name="family_notice_sent_or_follow_up"),
        ]

    def __str__(self) -> str:
        return f"{self.transition_member.member} {self.wave}"


class ContinuityOfCareAgreement(models.Model):
    """The automatic continuity-of-care agreement with one existing provider of one child (12 months)."""

    class Source(models.TextChoices):
        SAR = "sar", _("Authorized service (SAR)")
        CARE_TEAM = "care_team", _("Care team")
        PCP = "pcp", _("Primary care provider")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In force")
        ENDED = "ended", _("Ended")
        NOT_MET = "not_met", _("Conditions not met")

    transition_member = models.ForeignKey(PopulationTransitionMember, on_delete=models.CASCADE, related_name="coc_agreements")
    provider = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="coc_agreements",
                                 verbose_name=_("provider"))
    plan = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("plan"))
    source = models.CharField(_("found from"), max_length=10, choices=Source.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["transition_member", "provider__name"]
        verbose_name = _("continuity of care agreement")
        constraints = [
            models.UniqueConstraint(fields=["transition_member", "provider"], name="coc_agreement_once_per_provider"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="coc_agreement_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.transition_member.member} · {self.provider} (until {self.ends_on})"


class ReadinessItem(models.Model):
    """One item of the plan readiness checklist (seed 000: MOU, policies, deficiencies, staffing, meetings)."""

    class Kind(models.TextChoices):
        MOU_SIGNED = "mou_signed", _("MOU on care coordination roles signed")
        POLICIES_REVIEWED = "policies_reviewed", _("Plan's care coordination policies and procedures reviewed")
        DEFICIENCIES_CORRECTED = "deficiencies_corrected", _("Deficiencies corrected before the transition")
        STAFFING_TRAINING = "staffing_training", _("Staffing, training and education in place")
        REGULAR_MEETINGS = "regular_meetings", _("Regular meetings with the plan scheduled")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    transition = models.ForeignKey(PopulationTransition, on_delete=models.CASCADE, related_name="readiness_items")
    kind = models.CharField(_("item"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    plan = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("plan"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("owner"))
    due_date = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status="open") | Q(done_at__isnull=False), name="readiness_done_has_time"),
        ]

    def __str__(self) -> str:
        return self.title


class WelcomeCall(models.Model):
    """One family on the plan's welcome call list, with the latest outcome and any follow-up."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not called yet")
        REACHED = "reached", _("Reached")
        MESSAGE_LEFT = "message_left", _("Message left")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        QUESTIONS_RAISED = "questions_raised", _("Questions raised")

    transition_member = models.OneToOneField(PopulationTransitionMember, on_delete=models.CASCADE, related_name="welcome_call")
    plan = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+", verbose_name=_("plan"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_called_at = models.DateTimeField(_("last call"), null=True, blank=True)
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    questions = models.TextField(_("questions or concerns"), blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    follow_up_done_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["outcome", "pk"]
        indexes = [models.Index(fields=["plan", "outcome"], name="welcome_call_plan_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(outcome="questions_raised") | ~Q(questions=""), name="welcome_call_questions_noted"),
        ]

    def __str__(self) -> str:
        return f"{self.transition_member.member}: {self.get_outcome_display()}"


class FaqShare(models.Model):
    """A FAQ (a ``cases.Document`` of kind ``faq``) given to call centers for consistent answers."""

    class Audience(models.TextChoices):
        PLAN_CALL_CENTER = "plan_call_center", _("Plan call centers")
        HCO = "hco", _("Health Care Options (HCO)")
        COUNTY_CCS = "county_ccs", _("County CCS program")
        STATE_CCS = "state_ccs", _("State CCS program")

    transition = models.ForeignKey(PopulationTransition, on_delete=models.CASCADE, related_name="faqs")
    document = models.ForeignKey("cases.Document", on_delete=models.PROTECT, related_name="+")
    audiences = models.JSONField(_("shared with"), default=list)
    shared_at = models.DateTimeField(default=timezone.now)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-shared_at"]

    def __str__(self) -> str:
        return str(self.document)


class BulkJob(models.Model):
    """Work over every child of a transition, run in Celery batch by batch.

    ``cursor`` is the last ``PopulationTransitionMember`` pk whose work is committed; it moves in the
    same transaction as that work, so a worker killed mid-batch leaves the cursor where the last
    committed batch ended. ``lease_until`` keeps a second runner off while one is alive.
    """

    class Kind(models.TextChoices):
        NOTICES = "notices", _("Family notices")
        CONTINUITY = "continuity", _("Continuity of care agreements")
        CALL_LIST = "call_list", _("Welcome call list")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    transition = models.ForeignKey(PopulationTransition, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(_("job"), max_length=12, choices=Kind.choices)
    wave = models.CharField(_("wave"), max_length=2, choices=NoticeWave.choices, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    cursor = models.PositiveBigIntegerField(default=0)
    created = models.PositiveIntegerField(_("records written"), default=0)
    skipped = models.PositiveIntegerField(_("already done"), default=0)
    runs = models.PositiveSmallIntegerField(_("runs"), default=0, help_text=_("How many times a worker picked the job up."))
    lease_until = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One live job of a kind (and wave) per transition: a second click joins the first.
            models.UniqueConstraint(fields=["transition", "kind", "wave"], condition=Q(status__in=["queued", "running"]),
                                    name="bulk_job_one_live"),
            models.CheckConstraint(condition=~Q(kind="notices") | ~Q(wave=""), name="bulk_job_notices_have_wave"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.wave} ({self.processed}/{self.total})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
