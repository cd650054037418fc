"""Transitions of care and the DMC-ODS care coordination records (seed 003).

All DMC-ODS-specific models live here rather than in ``cases``: they are written
only by ``transitions.services``, and keeping them in this app keeps their
migrations out of the ``cases`` app that many people change at once.

* Care transitions (:class:`CareTransition` with append-only :class:`TransitionStep`
  rows): a move between settings of care or ASAM levels as a closed loop, a hospital
  discharge home, pediatric-to-adult care, a transfer of records between counties.
  The outbound part rides on a ``referrals.Referral`` (one referral model for the
  whole system); the steps here add what the referral loop does not carry.
* Settings of care (:class:`SettingEpisode`) and the plan notifications of
  residential admissions and discharges (:class:`PlanNotification`).
* The coordinator record (:class:`CoordinatorInforming`), assessments (program-agnostic
  :class:`Assessment`), contact attempts, service notes, the DMC-ODS problem list and
  the member status changes that make its updates due, crisis events and their
  follow-up, and coordination with other plans.
* :class:`TransitionSettings`: the administrator-editable age at which the
  pediatric-to-adult transition assessment starts.

The Whole Child Model population transition (a county moving children into a plan)
is a different thing and gets its own model beside these.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class SettingOfCare(models.TextChoices):
    WITHDRAWAL_MANAGEMENT = "withdrawal_management", _("Withdrawal management (detox)")
    RESIDENTIAL = "residential", _("Residential SUD treatment")
    INTENSIVE_OUTPATIENT = "intensive_outpatient", _("Intensive outpatient")
    OUTPATIENT = "outpatient", _("Outpatient")
    OPIOID_TREATMENT = "opioid_treatment", _("Opioid treatment program / MAT")
    HOSPITAL = "hospital", _("Hospital (acute care)")
    SNF = "snf", _("Skilled nursing facility")
    MHP_PROGRAM = "mhp_program", _("County mental health plan program")
    COMMUNITY = "community", _("Community-based setting")
    HOME = "home", _("Home")


#: Settings whose admissions and discharges the member's plan must hear of within 24 hours (seed 003 I.2.b.ix).
RESIDENTIAL_SETTINGS = frozenset({SettingOfCare.RESIDENTIAL})
#: Settings a discharge from which needs a follow-up contact (seed 003 II.3: follow-up post-discharge).
DISCHARGE_FOLLOW_UP_SETTINGS = frozenset({SettingOfCare.RESIDENTIAL, SettingOfCare.WITHDRAWAL_MANAGEMENT,
                                          SettingOfCare.HOSPITAL, SettingOfCare.SNF})
#: Settings nobody is discharged from (nothing to close at the previous setting).
NON_PROGRAM_SETTINGS = frozenset({SettingOfCare.COMMUNITY, SettingOfCare.HOME})


class AsamLevel(models.TextChoices):
    """ASAM Criteria levels of care used by DMC-ODS."""

    L0_5 = "0.5", _("0.5 Early intervention")
    L1_0 = "1.0", _("1.0 Outpatient")
    L2_1 = "2.1", _("2.1 Intensive outpatient")
    L2_5 = "2.5", _("2.5 Partial hospitalization")
    L3_1 = "3.1", _("3.1 Clinically managed low-intensity residential")
    L3_3 = "3.3", _("3.3 Clinically managed population-specific high-intensity residential")
    L3_5 = "3.5", _("3.5 Clinically managed high-intensity residential")
    L3_7 = "3.7", _("3.7 Medically monitored intensive inpatient")
    L4_0 = "4.0", _("4.0 Medically managed intensive inpatient")
    WM_1 = "1-WM", _("1-WM Ambulatory withdrawal management")
    WM_2 = "2-WM", _("2-WM Ambulatory withdrawal management with extended monitoring")
    WM_3_2 = "3.2-WM", _("3.2-WM Clinically managed residential withdrawal management")
    WM_3_7 = "3.7-WM", _("3.7-WM Medically monitored inpatient withdrawal management")
    WM_4 = "4-WM", _("4-WM Medically managed intensive inpatient withdrawal management")
    OTP = "OTP", _("Opioid treatment program")


class TransitionSettings(models.Model):
    """One row of settings an administrator edits in the admin (falls back to ``settings.CARECOORD``)."""

    transition_assessment_age = models.PositiveSmallIntegerField(
        _("age the pediatric-to-adult transition assessment starts"), default=14,
        help_text=_("CCS eligibility ends at 21; the transition assessment starts at this age."))
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transition settings")
        verbose_name_plural = _("transition settings")
        constraints = [
            models.CheckConstraint(condition=Q(transition_assessment_age__gte=10) & Q(transition_assessment_age__lte=20),
                                   name="transition_age_between_10_and_20"),
        ]

    def __str__(self) -> str:
        return str(_("Transition settings"))


class CoordinatorInforming(models.Model):
    """The member was told who coordinates their care and how to reach them (seed 003 I.1, II.1.c)."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("Phone")
        VIDEO = "video", _("Video visit")
        LETTER = "letter", _("Letter")
        SECURE_MESSAGE = "secure_message", _("Secure message")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="coordinator_informings")
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("coordinator named"))
    informed_at = models.DateTimeField(_("told on"))
    method = models.CharField(_("how"), max_length=16, choices=Method.choices)
    contact_given = models.CharField(_("contact details given"), max_length=300,
                                     help_text=_("The phone number, hours and other ways to reach the coordinator that the member was given."))
    informed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("told by"))
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-informed_at", "-pk"]
        verbose_name = _("coordinator informing")
        indexes = [models.Index(fields=["case", "informed_at"], name="coord_informing_case_idx")]

    def __str__(self) -> str:
        return f"{self.case.member} told of {self.coordinator} ({self.informed_at:%Y-%m-%d})"


class Assessment(models.Model):
    """An assessment of any program: CANS, ANSA, ASAM, ECM assessment, DMC-ODS initial screening,
    transition readiness, risk assessment."""

    class Kind(models.TextChoices):
        CANS = "cans", _("CANS (Child and Adolescent Needs and Strengths)")
        ANSA = "ansa", _("ANSA (Adult Needs and Strengths Assessment)")
        ASAM = "asam", _("ASAM Criteria assessment")
        ECM = "ecm", _("ECM assessment")
        INITIAL_SCREENING = "initial_screening", _("DMC-ODS initial screening")
        TRANSITION_READINESS = "transition_readiness", _("Transition readiness (pediatric to adult)")
        RISK = "risk", _("Risk assessment")

    class RiskLevel(models.TextChoices):
        LOW = "low", _("Low")
        MODERATE = "moderate", _("Moderate")
        HIGH = "high", _("High")

    member = models.ForeignKey("cases.Member", on_delete=models.PROTECT, related_name="assessments")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(_("assessment"), max_length=24, choices=Kind.choices, db_index=True)
    completed_at = models.DateTimeField(_("completed on"))
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("completed by"))
    summary = models.TextField(_("findings"))
    asam_level = models.CharField(_("recommended ASAM level"), max_length=8, choices=AsamLevel.choices, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices, blank=True)
    data_category = models.CharField(_("data category"), max_length=16, default="general",
                                     help_text=_("Consent category of the content (general, mental_health, sud)."))
    document = models.ForeignKey("cases.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("scanned form"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-completed_at", "-pk"]
        indexes = [models.Index(fields=["member", "kind", "-completed_at"], name="assessment_member_kind_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="asam") | ~Q(asam_level=""), name="assessment_asam_has_level"),
            models.CheckConstraint(condition=~Q(kind="risk") | ~Q(risk_level=""), name="assessment_risk_has_level"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.completed_at:%Y-%m-%d}"


class ContactAttempt(models.Model):
    """One try to reach the member (initial screening, follow-up after discharge...), reached or not."""

    class Purpose(models.TextChoices):
        INITIAL_SCREENING = "initial_screening", _("Initial screening")
        POST_DISCHARGE = "post_discharge", _("Follow-up after discharge")
        TRANSITION = "transition", _("Transition of care")
        OTHER = "other", _("Other")

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        TEXT = "text", _("Text message")
        LETTER = "letter", _("Letter")
        IN_PERSON = "in_person", _("In person / field visit")
        EMAIL = "email", _("Email")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        LEFT_MESSAGE = "left_message", _("Left a message")
        WRONG_NUMBER = "wrong_number", _("Wrong or disconnected number")
        DECLINED = "declined", _("Declined")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="contact_attempts")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    at = models.DateTimeField(_("when"))
    method = models.CharField(_("how"), max_length=12, choices=Method.choices)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["case", "purpose", "at"], name="contact_attempt_case_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.get_outcome_display()} ({self.at:%Y-%m-%d})"


class ServiceNote(models.Model):
    """A progress or coordination note; recent ones go into a referral packet."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("Progress note")
        COORDINATION = "coordination", _("Care coordination note")
        CRISIS = "crisis", _("Crisis note")
        DISCHARGE = "discharge", _("Discharge note")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="service_notes")
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.PROGRESS)
    written_at = models.DateTimeField(_("service date"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("note"))
    coordination_between_settings = models.BooleanField(
        _("documents coordination between settings of care"), default=False,
        help_text=_("Tick when the note records coordination with another setting (detox, residential, outpatient, hospital...)."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-written_at", "-pk"]
        indexes = [models.Index(fields=["case", "-written_at"], name="service_note_case_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.written_at:%Y-%m-%d}"


class SettingEpisode(models.Model):
    """A stay of the member in one setting of care (admission to discharge)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="setting_episodes")
    setting = models.CharField(_("setting of care"), max_length=24, choices=SettingOfCare.choices)
    asam_level = models.CharField(_("ASAM level"), max_length=8, choices=AsamLevel.choices, blank=True)
    provider = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="setting_episodes", verbose_name=_("provider"))
    provider_name = models.CharField(_("provider (not in the system)"), max_length=200, blank=True)
    admitted_at = models.DateTimeField(_("admitted"))
    admitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    discharged_at = models.DateTimeField(_("discharged"), null=True, blank=True)
    discharged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    discharge_reason = models.CharField(_("discharge reason"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-admitted_at", "-pk"]
        indexes = [models.Index(fields=["case", "setting", "admitted_at"], name="setting_episode_case_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(discharged_at__isnull=True) | Q(discharged_at__gte=models.F("admitted_at")),
                                   name="setting_episode_dates_ordered"),
            models.CheckConstraint(condition=Q(provider__isnull=False) | ~Q(provider_name=""), name="setting_episode_has_provider"),
            models.UniqueConstraint(fields=["case", "setting"], condition=Q(discharged_at__isnull=True),
                                    name="setting_episode_one_open_per_setting"),
        ]

    def __str__(self) -> str:
        return f"{self.get_setting_display()} from {self.admitted_at:%Y-%m-%d}"

    @property
    def provider_display(self) -> str:
        return str(self.provider) if self.provider_id else self.provider_name

    @property
    def is_residential(self) -> bool:
        return self.setting in RESIDENTIAL_SETTINGS


class PlanNotification(models.Model):
    """The member's plan told of a residential admission or discharge: how, who was reached, when, by whom."""

    class Event(models.TextChoices):
        ADMISSION = "admission", _("Admission")
        DISCHARGE = "discharge", _("Discharge")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        SECURE_EMAIL = "secure_email", _("Secure email")
        FAX = "fax", _("Fax")

    episode = models.ForeignKey(SettingEpisode, on_delete=models.PROTECT, related_name="plan_notifications")
    event = models.CharField(_("event"), max_length=10, choices=Event.choices)
    plan = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="residential_notifications",
                             verbose_name=_("plan"), limit_choices_to={"type": "mcp"})
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    person_reached = models.CharField(_("person reached"), max_length=200,
                                      help_text=_("Name and role of the person at the plan who took the call or received the message."))
    notified_at = models.DateTimeField(_("notified at"))
    notified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    follow_up_services = models.TextField(_("follow-up services coordinated with the plan"), blank=True)
    notice_id_ref = models.PositiveBigIntegerField(null=True, blank=True, help_text=_("The notices.Notice written for it, if any."))
    disclosure_id_ref = models.PositiveBigIntegerField(null=True, blank=True,
                                                       help_text=_("The consents.Disclosure that accounted for it."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-notified_at", "-pk"]
        indexes = [models.Index(fields=["plan", "notified_at"], name="plan_notification_plan_idx")]
        constraints = [
            models.UniqueConstraint(fields=["episode", "event"], name="plan_notification_once_per_event"),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.get_event_display()} ({self.get_channel_display()}, {self.notified_at:%Y-%m-%d %H:%M})"


class CareTransition(models.Model):
    """One transition of care with its checklist of steps (who and when in :class:`TransitionStep`)."""

    class Kind(models.TextChoices):
        SETTING_CHANGE = "setting_change", _("Change of setting of care")
        LEVEL_OF_CARE = "level_of_care", _("ASAM level-of-care change")
        HOSPITAL_DISCHARGE = "hospital_discharge", _("Hospital discharge to home")
        PEDIATRIC_TO_ADULT = "pediatric_to_adult", _("Pediatric to adult care")
        INTER_COUNTY_TRANSFER = "inter_county_transfer", _("Transfer of records to another county")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("transition"), max_length=24, choices=Kind.choices, db_index=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="care_transitions")
    member = models.ForeignKey("cases.Member", on_delete=models.PROTECT, related_name="care_transitions")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    from_setting = models.CharField(_("from setting"), max_length=24, choices=SettingOfCare.choices, blank=True)
    to_setting = models.CharField(_("to setting"), max_length=24, choices=SettingOfCare.choices, blank=True)
    from_asam_level = models.CharField(_("from ASAM level"), max_length=8, choices=AsamLevel.choices, blank=True)
    to_asam_level = models.CharField(_("to ASAM level"), max_length=8, choices=AsamLevel.choices, blank=True)
    from_episode = models.ForeignKey(SettingEpisode, null=True, blank=True, on_delete=models.PROTECT, related_name="transitions_out",
                                     verbose_name=_("stay being left"))
    to_episode = models.ForeignKey(SettingEpisode, null=True, blank=True, on_delete=models.PROTECT, related_name="transitions_in",
                                   verbose_name=_("new stay"))
    recipient_organization = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                               related_name="care_transitions_in", verbose_name=_("new setting / recipient"))
    recipient_contact = models.CharField(_("recipient contact"), max_length=200, blank=True,
                                         help_text=_("The person at the new setting who receives the referral."))
    receiving_county = models.ForeignKey("accounts.County", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                         verbose_name=_("receiving county"))
    reasons = models.TextField(_("reasons"), blank=True)
    event_at = models.DateTimeField(_("event date"), help_text=_(
        "Referral date; hospital discharge date; change of residence reported; for pediatric to adult, when started."))
    referral = models.OneToOneField("referrals.Referral", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="care_transition")
    appointment_at = models.DateTimeField(_("initial appointment"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_step_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-event_at", "-pk"]
        indexes = [models.Index(fields=["status", "last_step_at"], name="transition_stalled_idx"),
                   models.Index(fields=["case", "status"], name="transition_case_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(status="open", closed_at__isnull=True) | (~Q(status="open") & Q(closed_at__isnull=False)),
                                   name="transition_closed_has_time"),
            models.CheckConstraint(condition=~Q(kind__in=["setting_change", "level_of_care"])
                                   | Q(recipient_organization__isnull=False) | ~Q(recipient_contact=""),
                                   name="transition_loop_has_recipient"),
            models.CheckConstraint(condition=~Q(kind="inter_county_transfer") | Q(receiving_county__isnull=False),
                                   name="transition_transfer_has_county"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.member}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class TransitionStep(models.Model):
    """One step of a transition's checklist: what, who, when. Append-only."""

    transition = models.ForeignKey(CareTransition, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=40)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    # Steps that may happen more than once (a packet produced again, a note).
    REPEATABLE = ("packet_produced", "note")

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["transition", "step"], name="transition_step_idx")]
        constraints = [
            models.UniqueConstraint(fields=["transition", "step"], condition=~Q(step__in=["packet_produced", "note"]),
                                    name="transition_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.step} {self.at:%Y-%m-%d %H:%M}"


class MemberStatusChange(models.Model):
    """A change in the member's status that makes a problem-list update due: 72 hours, 24 for a crisis (seed 003 I.2.e)."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Recorded by staff")
        ADMISSION = "admission", _("Admission to a setting")
        DISCHARGE = "discharge", _("Discharge from a setting")
        CRISIS = "crisis", _("Crisis service")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="status_changes")
    at = models.DateTimeField(_("when"))
    description = models.CharField(_("what changed"), max_length=300)
    crisis = models.BooleanField(_("crisis"), default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    problem_list_updated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["case"], name="status_change_pending_idx", condition=Q(problem_list_updated_at__isnull=True))]

    def __str__(self) -> str:
        return f"{self.description} ({self.at:%Y-%m-%d %H:%M})"

    @property
    def rule_code(self) -> str:
        return "dmc.problem_list_update_crisis" if self.crisis else "dmc.problem_list_update"


class ProblemListItem(models.Model):
    """One entry on the member's problem list."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MONITORING = "monitoring", _("Monitoring")
        RESOLVED = "resolved", _("Resolved")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="problem_list")
    title = models.CharField(_("problem"), max_length=200)
    detail = models.TextField(_("detail and plan"), blank=True)
    crisis = models.BooleanField(_("crisis item"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    identified_at = models.DateTimeField(_("identified"))
    updated_at = models.DateTimeField(_("last updated"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "-crisis", "-updated_at"]
        indexes = [models.Index(fields=["case", "status"], name="problem_list_case_idx")]

    def __str__(self) -> str:
        return self.title


class CrisisEvent(models.Model):
    """A SUD crisis service; follow-up to care providers and the plan is due in 24 hours (seed 003 I.7)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="crisis_events")
    at = models.DateTimeField(_("crisis service at"))
    description = models.TextField(_("what happened"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    follow_up_at = models.DateTimeField(_("follow-up sent"), null=True, blank=True)
    follow_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    follow_up_providers = models.CharField(_("care providers told"), max_length=300, blank=True)
    follow_up_plan = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("plan told"))
    follow_up_note = models.TextField(_("relapse prevention / support shared"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"Crisis {self.at:%Y-%m-%d %H:%M}"


class PlanCoordination(models.Model):
    """Coordination with another managed care organization serving the member (at least monthly; seed 003 I.2.b)."""

    class Topic(models.TextChoices):
        TREATMENT_PLANNING = "treatment_planning", _("Collaborative treatment planning")
        CLINICAL_CONSULTATION = "clinical_consultation", _("Clinical consultation")
        MEDICATIONS = "medications", _("Medications, labs, radiology")
        ECM = "ecm", _("Enhanced Care Management")
        CCM = "ccm", _("Complex Care Management")
        COMMUNITY_SUPPORTS = "community_supports", _("Community Supports")
        TRANSPORTATION = "transportation", _("Transportation")
        HOME_HEALTH = "home_health", _("Home health")
        RESIDENTIAL = "residential", _("Residential SUD treatment")
        DISCHARGE = "discharge", _("Treatment discharge")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="plan_coordinations")
    organization = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("plan or organization"))
    organization_name = models.CharField(_("organization (not in the system)"), max_length=200, blank=True)
    at = models.DateTimeField(_("when"))
    topics = models.JSONField(_("topics"), default=list)
    note = models.TextField(_("what was coordinated"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(organization__isnull=False) | ~Q(organization_name=""), name="plan_coordination_has_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organization or self.organization_name} {self.at:%Y-%m-%d}"


# Whole Child Model population transitions (a county's CCS children moving into a plan), kept in their own module.
from .population import (  # noqa: E402,F401
    BulkJob, ContinuityOfCareAgreement, DataDelivery, FamilyNotice, FaqShare, NoticeWave, PopulationTransition,
    PopulationTransitionMember, ReadinessItem, WelcomeCall,
)
