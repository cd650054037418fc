"""Notices: letters and notifications rendered from versioned templates, and their delivery history.

A :class:`NoticeTemplate` is data an administrator edits; editing saves a new
version (the admin never updates a version in place), so a :class:`Notice` keeps
the template and version it was rendered from together with the exact subject and
body that went out. :class:`NoticeEvent` is the append-only delivery history
(queued, sent, mailed, returned, acknowledged, failed).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cases.models import Language


class NoticeKind(models.TextChoices):
    """Stable codes other apps use to ask for a notice."""

    NOA_PLAN_CHOICE = "noa_plan_choice", _("Notice of Action: managed care plan choice")
    CCS_NOA = "ccs_noa", _("CCS Notice of Action (denial, modification or discontinuance)")
    ADVANCE_NOTICE = "advance_notice", _("Advance notice of termination or reduction")
    CCS_ELIGIBILITY = "ccs_eligibility", _("CCS eligibility notice")
    CCS_DENIAL = "ccs_denial", _("CCS denial notice")
    ECM_ENROLLMENT_NOTIFICATION = "ecm_enrollment_notification", _("ECM enrollment notification to social worker and PHN")
    RESIDENTIAL_ADMISSION = "residential_admission", _("Plan notification of residential admission")
    RESIDENTIAL_DISCHARGE = "residential_discharge", _("Plan notification of residential discharge")
    WCM_TRANSITION_90 = "wcm_transition_90", _("Transition notice to the family (90 days)")
    WCM_TRANSITION_60 = "wcm_transition_60", _("Transition notice to the family (60 days)")
    WCM_TRANSITION_30 = "wcm_transition_30", _("Transition notice to the family (30 days)")
    CONTINUITY_OF_CARE_DECISION = "continuity_of_care_decision", _("Continuity of care decision")
    ELIGIBILITY_OUTCOME_TO_PLAN = "eligibility_outcome_to_plan", _("Eligibility outcome to the plan")
    CRISIS_FOLLOW_UP = "crisis_follow_up", _("Crisis follow-up to care providers and the plan")
    MAT_REFERRAL = "mat_referral", _("Medication for addiction treatment (MAT) referral")
    PCP_MEDICAL_REPORT = "pcp_medical_report", _("Medical report to the primary care provider")
    GENERIC = "generic", _("Letter")


# Notices of Action: federal and state rules fix what they must say (42 CFR 431.210, 438.404; 22 CCR §42132).
NOA_KINDS = frozenset({NoticeKind.NOA_PLAN_CHOICE, NoticeKind.CCS_NOA, NoticeKind.ADVANCE_NOTICE, NoticeKind.CCS_DENIAL})

# Kinds that announce a change on a date and so must go out at least 10 days before it (42 CFR 431.211; seed 004).
TEN_DAY_ADVANCE_KINDS = frozenset({NoticeKind.NOA_PLAN_CHOICE, NoticeKind.ADVANCE_NOTICE, NoticeKind.CCS_NOA})


class NoaSection(models.TextChoices):
    """The parts every Notice of Action must carry; a NOA rendered without one is refused."""

    ACTION = "action", _("the action")
    REASON = "reason", _("the reason")
    RULE = "rule", _("the rule relied on")
    APPEAL_RIGHTS = "appeal_rights", _("appeal rights and time limits")
    STATE_HEARING = "state_hearing", _("state hearing rights and time limits")
    EXPEDITED_REVIEW = "expedited_review", _("expedited review")
    CONTINUATION_OF_BENEFITS = "continuation_of_benefits", _("continuation of benefits")
    REPRESENTATIVE = "representative", _("the right to a representative")
    NONDISCRIMINATION = "nondiscrimination", _("the nondiscrimination notice")
    TAGLINES = "taglines", _("language taglines")


class RecipientKind(models.TextChoices):
    MEMBER = "member", _("Member")
    FAMILY = "family", _("Family or caregiver")
    PROVIDER = "provider", _("Provider")
    PLAN = "plan", _("Managed care plan")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    PUBLIC_HEALTH_NURSE = "public_health_nurse", _("Public health nurse")
    MENTAL_HEALTH_PLAN = "mental_health_plan", _("County mental health plan")
    OTHER = "other", _("Other")


# The member and their family are the subject of the letter, not a third party (no disclosure check).
FIRST_PARTY_RECIPIENTS = frozenset({RecipientKind.MEMBER, RecipientKind.FAMILY})


class Channel(models.TextChoices):
    MAIL = "mail", _("Mail")
    EMAIL = "email", _("Email")
    SECURE_EMAIL = "secure_email", _("Secure email")
    FAX = "fax", _("Fax")
    PHONE = "phone", _("Phone")
    PORTAL = "portal", _("Portal")


class NoticeTemplate(models.Model):
    """One version of the wording of one kind of notice in one language.

    ``body`` uses Django template syntax; parts a NOA must carry are wrapped in
    ``{% section "code" %}…{% endsection %}`` so rendering can prove each is present.
    """

    kind = models.CharField(_("kind"), max_length=40, choices=NoticeKind.choices)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), help_text=_("Django template syntax. Wrap required parts in {% section \"code\" %}…{% endsection %}."))
    required_sections = models.JSONField(_("required sections"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "language", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "language", "version"], name="notice_template_unique_version"),
            models.UniqueConstraint(fields=["kind", "language"], condition=Q(is_active=True), name="notice_template_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language}) v{self.version}"


class Notice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        MAILED = "mailed", _("Mailed")
        RETURNED = "returned", _("Returned undeliverable")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40, choices=NoticeKind.choices)
    member = models.ForeignKey("cases.Member", on_delete=models.PROTECT, related_name="notices")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    sender_org = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="notices_sent",
                                   verbose_name=_("sending organization"))
    recipient_kind = models.CharField(_("recipient"), max_length=24, choices=RecipientKind.choices)
    recipient_org = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="notices_received",
                                      verbose_name=_("recipient organization"))
    recipient_name = models.CharField(_("recipient name"), max_length=200, blank=True)
    recipient_address = models.TextField(_("recipient address"), blank=True)
    recipient_email = models.EmailField(_("recipient email"), blank=True)
    recipient_fax = models.CharField(_("recipient fax"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    requested_language = models.CharField(_("requested language"), max_length=8, choices=Language.choices)
    language_fallback = models.BooleanField(_("sent in English for lack of a translation"), default=False)
    template = models.ForeignKey(NoticeTemplate, on_delete=models.PROTECT, related_name="notices")
    template_version = models.PositiveIntegerField()
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), help_text=_("The exact text as rendered and sent."))
    context = models.JSONField(default=dict, blank=True, help_text=_("The values the text was rendered with."))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    action_date = models.DateField(_("action date"), null=True, blank=True, help_text=_("Date of the change the notice announces."))
    notice_date = models.DateField(_("notice date"), default=timezone.localdate)
    mailed_on = models.DateField(_("mailed on"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(max_length=300, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    clock_rule = models.CharField(_("clock opened"), max_length=64, blank=True)
    meets = models.JSONField(default=list, blank=True, help_text=_("Clock rule codes that sending this notice meets."))
    occurrence = models.CharField(max_length=32, blank=True)
    data_categories = models.JSONField(default=list, blank=True)
    # The consents.Disclosure row that accounted for a third-party notice (kept by id: disclosures are append-only).
    disclosure_id_ref = models.PositiveBigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "queued"]) | Q(sent_at__isnull=False), name="notice_sent_has_time"),
            models.CheckConstraint(condition=~Q(status="mailed") | Q(mailed_on__isnull=False), name="notice_mailed_has_date"),
            models.CheckConstraint(condition=~Q(status="acknowledged") | Q(acknowledged_at__isnull=False), name="notice_ack_has_time"),
        ]
        indexes = [
            models.Index(fields=["recipient_org", "status"], name="notice_recipient_status_idx"),
            models.Index(fields=["case", "created_at"], name="notice_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.recipient_display}"

    @property
    def is_noa(self) -> bool:
        return self.kind in NOA_KINDS

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def recipient_display(self) -> str:
        if self.recipient_name:
            return self.recipient_name
        return str(self.recipient_org) if self.recipient_org_id else self.get_recipient_kind_display()


class NoticeEvent(models.Model):
    """One step in a notice's delivery. Append-only."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        QUEUED = "queued", _("Queued for sending")
        SENT = "sent", _("Sent")
        QUEUED_FOR_PRINT = "queued_for_print", _("Queued for print and mail")
        EMAIL_DELIVERED = "email_delivered", _("Email handed to the mail server")
        EMAIL_FAILED = "email_failed", _("Email failed")
        CONTACT_LOGGED = "contact_logged", _("Contact logged")
        MAILED = "mailed", _("Mailed")
        RETURNED = "returned", _("Returned undeliverable")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        FAILED = "failed", _("Failed")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            # Delivery happens once: one "sent" and one email hand-off per notice, whatever retries happen.
            models.UniqueConstraint(fields=["notice"], condition=Q(kind="sent"), name="notice_event_one_sent"),
            models.UniqueConstraint(fields=["notice"], condition=Q(kind="email_delivered"), name="notice_event_one_email"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class Appeal(models.Model):
    """A grievance, appeal or hearing request the program or plan received, with the clocks it starts.

    The kinds follow the rights a Notice of Action states: a CCS appeal and then a CCS fair
    hearing (22 CCR §42160, §42180); a plan grievance, a plan appeal and then a State Hearing
    (42 CFR 438 subpart F). ``notice`` is the NOA appealed, when there is one: the filing
    windows it opened are met by the appeal. Written only by ``notices.appeals``.
    """

    class Kind(models.TextChoices):
        CCS_APPEAL = "ccs_appeal", _("CCS appeal")
        CCS_FAIR_HEARING = "ccs_fair_hearing", _("CCS fair hearing request")
        PLAN_GRIEVANCE = "plan_grievance", _("Plan grievance")
        PLAN_APPEAL = "plan_appeal", _("Plan appeal")
        STATE_HEARING = "state_hearing", _("State Hearing request")

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Decision upheld")
        OVERTURNED = "overturned", _("Decision overturned")
        PARTLY_OVERTURNED = "partly_overturned", _("Decision partly overturned")
        RESOLVED = "resolved", _("Grievance resolved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    member = models.ForeignKey("cases.Member", on_delete=models.PROTECT, related_name="appeals")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="appeals")
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, null=True, blank=True, related_name="appeals",
                               help_text=_("The Notice of Action appealed, if any."))
    appeal_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="hearings",
                                  help_text=_("For a hearing request: the appeal whose decision is contested."))
    received_at = models.DateTimeField(_("received"))
    expedited = models.BooleanField(_("expedited"), default=False)
    summary = models.TextField(_("what the member disputes"))
    aid_paid_pending = models.BooleanField(_("aid paid pending"), default=False,
                                           help_text=_("Filed within the window that keeps the service going meanwhile."))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=32, choices=Outcome.choices, blank=True)
    decision_notes = models.TextField(_("decision"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(decided_at__isnull=True) | ~Q(outcome=""), name="appeal_decision_has_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
