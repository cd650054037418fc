"""Members, their coverage and contacts, and their cases in CCS, ECM and DMC-ODS."""
from __future__ import annotations

import datetime
import functools
import operator

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, models
from django.db.models import F, Q
from django.db.models.sql.where import AND
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from carecoord.expressions import EqualsAny
from carecoord.model_rows import FromRow

from .validators import mask_ssn, validate_cin, validate_icd10_list, validate_ssn


class Language(models.TextChoices):
    """Medi-Cal threshold languages carecoord writes notices in (more can be added)."""

    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    VIETNAMESE = "vi", _("Vietnamese")
    CHINESE = "zh", _("Chinese")
    TAGALOG = "tl", _("Tagalog")
    KOREAN = "ko", _("Korean")
    ARMENIAN = "hy", _("Armenian")
    RUSSIAN = "ru", _("Russian")
    ARABIC = "ar", _("Arabic")
    FARSI = "fa", _("Farsi")


class Program(models.TextChoices):
    CCS = "ccs", _("CCS")
    ECM = "ecm", _("ECM")
    DMC_ODS = "dmc_ods", _("DMC-ODS")


class Member(FromRow, models.Model):
    first_name = models.CharField(_("first name"), max_length=100)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, db_index=True)
    date_of_birth = models.DateField(_("date of birth"), db_index=True)
    sex = models.CharField(_("sex"), max_length=16, blank=True)
    cin = models.CharField(_("Medi-Cal CIN"), max_length=9, unique=True, validators=[validate_cin])
    ssn = models.CharField(_("SSN"), max_length=11, blank=True, validators=[validate_ssn], help_text=_("Only if known; always shown masked."))
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, default="CA")
    zip_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    address_valid = models.BooleanField(_("mail reaches this address"), default=True)
    county = models.ForeignKey("accounts.County", on_delete=models.PROTECT, related_name="members", verbose_name=_("county of residence"))
    preferred_language = models.CharField(_("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    primary_care_provider = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="pcp_members",
        verbose_name=_("primary care provider"),
    )
    meds_status = models.CharField(_("MEDS eligibility status"), max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="member_name_idx")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def ssn_masked(self) -> str:
        return mask_ssn(self.ssn)

    def age_on(self, day: datetime.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def mailing_address(self) -> str:
        parts = [self.address_line1, self.address_line2, f"{self.city}, {self.state} {self.zip_code}".strip(", ")]
        return "\n".join(p for p in parts if p)


class MemberName(models.Model):
    """A first and last name that some member has, or had: the member search's name dictionary.

    The search ranks members by their names alone, so a plan's search for a common surname ranks the
    few thousand names that match instead of the tens of thousands of members who bear them, then
    reads the members of the best names in order (cases.selectors.search_members). PostgreSQL
    triggers on the member table add every name a member is saved with (migration 0015), whatever
    writes it: the services, the admin, a bulk load. A name nobody has any more stays and finds nobody.
    """

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["first_name", "last_name"], name="member_name_unique")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class MemberContact(models.Model):
    """A person who speaks or cares for the member: authorized representative, guardian, family."""

    class Kind(models.TextChoices):
        AUTHORIZED_REPRESENTATIVE = "authorized_representative", _("Authorized representative (MC 382)")
        GUARDIAN = "guardian", _("Legal guardian")
        PARENT = "parent", _("Parent")
        RESOURCE_FAMILY = "resource_family", _("Resource family")
        BIRTH_PARENT = "birth_parent", _("Birth parent")
        EMERGENCY = "emergency", _("Emergency contact")
        OTHER = "other", _("Other")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    preferred_language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    # Whether the person may sign consents and receive notices for the member.
    has_legal_authority = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class ChildWelfareEpisode(models.Model):
    """A period of foster care, Family Maintenance or Adoption Assistance (ECM populations of focus)."""

    class Kind(models.TextChoices):
        FOSTER_CARE = "foster_care", _("Foster care")
        FAMILY_MAINTENANCE = "family_maintenance", _("Family Maintenance")
        ADOPTION_ASSISTANCE = "adoption_assistance", _("Adoption Assistance Program")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="child_welfare_episodes")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    state = models.CharField(max_length=2, default="CA", help_text=_("State that placed the child."))
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text=_("Empty while ongoing."))
    # For Adoption Assistance: eligible though not yet receiving.
    eligible_only = models.BooleanField(default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")), name="cw_episode_dates_ordered"),
        ]


class Coverage(FromRow, models.Model):
    """Medi-Cal coverage: enrollment in a managed care plan, or fee-for-service."""

    class Kind(models.TextChoices):
        MCP = "mcp", _("Managed care plan")
        FFS = "ffs", _("Fee-for-service")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="coverages")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    plan = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="enrollments", limit_choices_to={"type": "mcp"})
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text=_("Empty while the coverage continues."))
    aid_code = models.CharField(max_length=4, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date"]
        # "Members of plan P covered today" (a plan's case list and members, the tracking list) as an
        # index-only scan: the dates are in the index, so no coverage row is read from the table.
        indexes = [models.Index(fields=["plan", "member"], include=["start_date", "end_date"],
                                name="coverage_plan_member_dates_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="mcp") & Q(plan__isnull=False)) | (Q(kind="ffs") & Q(plan__isnull=True)),
                name="coverage_plan_iff_mcp",
            ),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")), name="coverage_dates_ordered"),
            # One open-ended coverage per member on every database; PostgreSQL also
            # refuses any two overlapping periods (exclusion constraint in the migration).
            models.UniqueConstraint(fields=["member"], condition=Q(end_date__isnull=True), name="coverage_one_open_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.plan or _('Fee-for-service')} from {self.start_date}"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)


_KEY_ORDERINGS = {("pk",), ("-pk",), ("id",), ("-id",)}


class CaseQuerySet(models.QuerySet):
    """Cases, with one way to read a page of a narrow scope: arm by arm.

    A case manager sees an OR of narrow arms (their own cases, their team's, those opened to them
    one by one): a few hundred cases of the state's hundreds of thousands. For a page in primary key
    order PostgreSQL walks the primary key from the newest case, testing each against the OR until
    the page is full, so the page reads more of the table as the state grows (the whole table for a
    caseload smaller than a page). ``visible_through(arms)`` keeps the cases that meet any arm and
    remembers the arms; then any slice of the queryset in primary key order (the case API's cursor
    pages, the Cases page's keyset pages, ``first()``) takes each arm's next ``stop`` ids on that
    arm's own index (``ORDER BY id LIMIT stop`` per arm, with every other filter of the queryset),
    and reads the page among those: at most (arms × page) index entries, whatever the size of the
    table. Within an arm, and for the page among the arms' ids, the OR is left out: it holds there
    by construction, and repeated in them it only made PostgreSQL misjudge each arm's rows (and
    plan 2 ms for it)."""

    _arms: tuple[Q, ...] = ()
    _scope: tuple = ()  # the WHERE nodes of the OR, to leave out where an arm implies it

    def visible_through(self, arms) -> CaseQuerySet:
        arms = tuple(arms)
        clone = self._chain()
        before = len(clone.query.where.children)
        clone.query.add_q(functools.reduce(operator.or_, arms))
        clone._arms, clone._scope = arms, tuple(clone.query.where.children[before:])
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._arms, clone._scope = self._arms, self._scope
        return clone

    def __getitem__(self, k):
        if isinstance(k, slice) and k.stop is not None and self._result_cache is None and self._pages_by_arm():
            return self._among_each_arms_first(k.stop)[k]
        return super().__getitem__(k)

    def _pages_by_arm(self) -> bool:
        """Arms known, PostgreSQL (the arrays; SQLite's quick start reads the whole scope), ordered by
        primary key alone, and the scope still ANDed with the rest (not combined with another queryset
        by ``|`` or a set operation, which would change what it means)."""
        where = self.query.where
        return (bool(self._arms) and connections[self.db].vendor == "postgresql"
                and tuple(self.query.order_by) in _KEY_ORDERINGS and not self.query.combinator
                and where.connector == AND and not where.negated
                and all(node in where.children for node in self._scope))

    def _among_each_arms_first(self, count: int) -> CaseQuerySet:
        """This queryset's rows among each arm's first ``count`` ids in its order: the first ``count``
        rows of the whole are among them."""
        rest = self._chain()
        rest._arms, rest._scope = (), ()
        # Cloned WHERE nodes compare equal to the originals (Django's lookups compare by what they test).
        rest.query.where.children = [node for node in rest.query.where.children if node not in self._scope]
        ids = rest.values_list("pk")
        first, *others = [ids.filter(arm)[:count] for arm in self._arms]
        candidates = first.union(*others, all=True) if others else first
        # As an array, so the page is read by id among them; given IN (…) PostgreSQL may merge them
        # with a walk of the primary key, the walk this is here to avoid.
        return rest.filter(EqualsAny(F("pk"), ArraySubquery(candidates)))


class Case(FromRow, models.Model):
    objects = CaseQuerySet.as_manager()

    class Status(models.TextChoices):
        REFERRED = "referred", _("Referred")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="cases")
    program = models.CharField(max_length=8, choices=Program.choices, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REFERRED)
    # Indexed with the member (case_org_member_idx), not alone: see Meta.indexes.
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="cases", db_index=False,
                                     help_text=_("Responsible program or provider."))
    # Both indexed with the case id (case_team_id_idx, case_pcm_id_idx), not alone: see Meta.indexes.
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases",
                             db_index=False)
    primary_case_manager = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                             related_name="primary_cases", db_index=False)
    case_number = models.CharField(_("case number"), max_length=32, blank=True, help_text=_("CCS case number, where the program assigns one."))
    referred_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=200, blank=True)
    # CCS
    eligibility_date = models.DateField(null=True, blank=True)
    diagnoses = models.JSONField(default=list, blank=True, validators=[validate_icd10_list], help_text=_("CCS-eligible diagnoses as ICD-10-CM codes."))
    referral_source = models.CharField(max_length=64, blank=True)
    # ECM
    populations_of_focus = models.JSONField(default=list, blank=True)
    # DMC-ODS
    asam_level = models.CharField(_("ASAM level of care"), max_length=8, blank=True)
    member_informed_of_coordinator_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Optimistic concurrency: API updates carry the version they read (ETag / If-Match).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referred_at"]
        permissions = [
            ("view_dashboard", "Can view supervisor dashboards"),
            ("reassign_case", "Can reassign cases to another worker"),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "program"], name="case_org_status_idx"),
            # "Members with a case in organization O" (a supervisor's scope: member search, member lists)
            # as an index-only scan, without reading thousands of case rows.
            models.Index(fields=["organization", "member"], name="case_org_member_idx"),
            models.Index(fields=["team", "status"], name="case_team_status_idx"),
            models.Index(fields=["primary_case_manager", "status"], name="case_pcm_status_idx"),
            # A case manager's arms, each read newest first, index-only, for a page (CaseQuerySet).
            models.Index(fields=["team", "id"], name="case_team_id_idx"),
            models.Index(fields=["primary_case_manager", "id"], name="case_pcm_id_idx"),
            models.Index(fields=["member", "program"], name="case_member_program_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "program"], condition=~Q(status="closed"), name="case_one_active_per_member_program",
            ),
            models.UniqueConstraint(fields=["case_number"], condition=~Q(case_number=""), name="case_number_unique"),
            models.CheckConstraint(
                condition=(Q(status="closed") & Q(closed_at__isnull=False) & ~Q(closed_reason=""))
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="case_closed_has_reason_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_program_display()} case of {self.member}"


class CareTeamMember(models.Model):
    class Role(models.TextChoices):
        PRIMARY_CASE_MANAGER = "primary_case_manager", _("Primary case manager")
        SOCIAL_WORKER = "sw", _("Social worker")
        PUBLIC_HEALTH_NURSE = "phn", _("Public health nurse")
        ELIGIBILITY_WORKER = "ew", _("Eligibility worker")
        ECM_PROVIDER = "ecm_provider", _("ECM provider")
        MCP_LIAISON = "mcp_liaison", _("MCP liaison")
        TRIBAL_REPRESENTATIVE = "tribal_representative", _("ICWA / tribal representative")
        RESOURCE_FAMILY = "resource_family", _("Resource family")
        BIRTH_PARENT = "birth_parent", _("Birth parent")
        YOUTH = "youth", _("Youth / NMD")
        SPECIALIST = "specialist", _("Specialist")
        PRIMARY_CARE = "primary_care", _("Primary care provider")
        OTHER = "other", _("Other")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="care_team")
    role = models.CharField(max_length=32, choices=Role.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="care_team_memberships")
    contact_name = models.CharField(max_length=200, blank=True, help_text=_("For someone outside the system."))
    contact_phone = models.CharField(max_length=32, blank=True)
    contact_email = models.EmailField(blank=True)
    organization = models.ForeignKey("accounts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="care_team_memberships")
    # The county's date, not the server's: in the evening, UTC is already tomorrow.
    start_date = models.DateField(default=timezone.localdate)
    end_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "start_date"]
        indexes = [models.Index(fields=["user", "case"], name="careteam_user_case_idx", condition=Q(end_date__isnull=True))]
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(contact_name=""), name="careteam_user_or_contact"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")), name="careteam_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"

    @property
    def display_name(self) -> str:
        return str(self.user) if self.user_id else self.contact_name


class TimelineEntry(models.Model):
    """One line of a case's chronological feed, written by the services (who, what, when)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=64, help_text=_("Stable code, e.g. case.opened, referral.sent, clock.missed."))
    summary = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"], name="timeline_case_at_idx")]
        verbose_name_plural = "timeline entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.summary}"


class Task(models.Model):
    """A to-do for a person: action items of meetings, follow-ups of returned letters."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(max_length=64, blank=True, help_text=_("What created it, e.g. case_conference, cft_meeting, notice_returned."))
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "due_date"]
        indexes = [models.Index(fields=["owner", "status", "due_date"], name="task_owner_status_idx")]


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Explicit per-case shares (guardian, real foreign key): a delegation to one person."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


def document_upload_path(instance: "Document", filename: str) -> str:
    # Stored under an opaque name: the original file name never reaches the disk path.
    return f"documents/{instance.member_id}/{instance.sha256[:2]}/{instance.sha256}"


class Document(models.Model):
    """An uploaded file about a member (medical report, signed consent, letter). Never served by URL:
    the download view checks the case is visible first."""

    class Kind(models.TextChoices):
        MEDICAL_REPORT = "medical_report", _("Medical report")
        REFERRAL_FORM = "referral_form", _("Referral form")
        SIGNED_CONSENT = "signed_consent", _("Signed consent")
        ASSESSMENT = "assessment", _("Assessment")
        CARE_PLAN = "care_plan", _("Care plan")
        NOTICE = "notice", _("Notice")
        DISCHARGE_SUMMARY = "discharge_summary", _("Discharge summary")
        FAQ = "faq", _("FAQ / informing material")
        OTHER = "other", _("Other")

    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=document_upload_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Data category for disclosure control (general, mental_health, sud, hiv, reproductive, education).
    data_category = models.CharField(max_length=32, default="general")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title


# CCS eligibility and authorizations, care plans, conferences, problem log and liaison meetings.
from .ccs_models import (  # noqa: E402,F401
    CarePlan, CarePlanGoal, CarePlanIntervention, CarePlanReview, CaseConference, EligibilityDetermination,
    LiaisonMeeting, ProblemItem, ProblemItemEvent, ServiceAuthorization,
)

# ECM for child-welfare-involved youth: pathway, plan selection, enrollment, CFT meetings, placement moves, closure.
from .ecm_models import (  # noqa: E402,F401
    CftMeeting, ContinuityOfCareRequest, EcmClosure, EcmEnrollment, EcmPathway, OutreachAttempt, PlacementMove, PlanSelection,
)
