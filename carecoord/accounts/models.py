"""Organizations, counties, teams and staff users: who works where, in which role."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecoord.model_rows import FromRow


class Organization(FromRow, models.Model):
    class Type(models.TextChoices):
        CCS_COUNTY = "ccs_county", _("County CCS program")
        STATE_OFFICE = "state_office", _("State office (CMS Branch)")
        REGIONAL_OFFICE = "regional_office", _("Regional office")
        MCP = "mcp", _("Managed care plan")
        ECM_PROVIDER = "ecm_provider", _("ECM provider")
        DMC_ODS_PROVIDER = "dmc_ods_provider", _("DMC-ODS provider")
        COUNTY_MHP = "county_mhp", _("County mental health plan")
        CWS_AGENCY = "cws_agency", _("Child welfare services agency")
        CCS_PHYSICIAN = "ccs_physician", _("CCS-paneled physician")
        SPECIAL_CARE_CENTER = "special_care_center", _("Special Care Center")
        HOSPITAL = "hospital", _("Hospital")
        PHARMACY = "pharmacy", _("Pharmacy")
        DME_VENDOR = "dme_vendor", _("DME vendor")
        NTP = "ntp", _("Narcotic treatment program")
        DENTAL = "dental", _("Dental provider")
        MEDICAL_HOME = "medical_home", _("Medical home / primary care")
        MENTAL_HEALTH = "mental_health", _("Mental health provider")
        MEDICAL_THERAPY_UNIT = "medical_therapy_unit", _("Medical Therapy Program unit")
        COMMUNITY = "community", _("Community resource")
        OTHER_PROVIDER = "other_provider", _("Other provider")

    class CountyProgramType(models.TextChoices):
        INDEPENDENT = "independent", _("Independent county")
        DEPENDENT = "dependent", _("Dependent county")

    name = models.CharField(max_length=200)
    type = models.CharField(max_length=32, choices=Type.choices, db_index=True)
    county = models.ForeignKey("accounts.County", null=True, blank=True, on_delete=models.PROTECT, related_name="organizations")
    ccs_county_type = models.CharField(max_length=16, choices=CountyProgramType.choices, blank=True)
    npi = models.CharField("NPI", max_length=10, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    fax = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    secure_email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    # The supervising office one level up, for problem-resolution escalation.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "type"], name="organization_unique_name_type"),
            models.CheckConstraint(
                condition=Q(ccs_county_type="") | Q(type="ccs_county"),
                name="organization_county_type_only_for_ccs_county",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_plan(self) -> bool:
        return self.type == self.Type.MCP


class County(FromRow, models.Model):
    class PlanModel(models.TextChoices):
        SINGLE_PLAN = "single_plan", _("Single-plan (COHS: members auto-enrolled)")
        MULTI_PLAN = "multi_plan", _("Multi-plan (member chooses a plan or stays FFS)")

    name = models.CharField(max_length=64, unique=True)
    fips_code = models.CharField(max_length=5, unique=True)
    plan_model = models.CharField(max_length=16, choices=PlanModel.choices)
    plans = models.ManyToManyField(Organization, blank=True, related_name="counties_offered", limit_choices_to={"type": "mcp"})
    whole_child_model = models.BooleanField(default=False, help_text=_("CCS case management is done by the health plan."))
    history = HistoricalRecords(m2m_fields=[plans])

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "counties"

    def __str__(self) -> str:
        return self.name

    @property
    def is_cohs(self) -> bool:
        return self.plan_model == self.PlanModel.SINGLE_PLAN


class Team(FromRow, models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=120)
    supervisor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="supervised_teams")
    history = HistoricalRecords()

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="team_unique_name_per_org")]

    def __str__(self) -> str:
        return self.name_from(str(self.organization), self.name)

    @staticmethod
    def name_from(organization_name: str, name: str) -> str:
        """How a team is named (``str(team)``), from its organization's name and its own: for a list of teams
        read as rows."""
        return f"{organization_name} / {name}"


class User(FromRow, AbstractUser):
    class Role(models.TextChoices):
        CASE_MANAGER = "case_manager", _("Case manager")
        SUPERVISOR = "supervisor", _("Supervisor")
        MEDICAL_CONSULTANT = "medical_consultant", _("Medical consultant")
        PLAN_LIAISON = "plan_liaison", _("MCP liaison")
        ADMINISTRATOR = "administrator", _("Administrator")

    role = models.CharField(max_length=32, choices=Role.choices, default=Role.CASE_MANAGER, db_index=True)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    title = models.CharField(max_length=120, blank=True, help_text=_("e.g. CCS nurse case manager, ECM care manager"))
    phone = models.CharField(max_length=32, blank=True)
    preferred_language = models.CharField(max_length=8, default="en")
    # Entitled to see full identifiers (SSN); everyone else sees them masked.
    may_see_full_identifiers = models.BooleanField(default=False)
    # Role, organization and entitlement changes matter for security reviews.
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="plan_liaison") | Q(organization__isnull=False),
                name="user_liaison_has_plan",
            ),
        ]

    def __str__(self) -> str:
        return self.name_from(self.first_name, self.last_name, self.username)

    @staticmethod
    def name_from(first_name: str, last_name: str, username: str) -> str:
        """How a user is named (``str(user)``), from the three columns: for a list of names read
        without building a User for each."""
        return f"{first_name} {last_name}".strip() or username

    @property
    def supervisor(self) -> "User | None":
        return self.team.supervisor if self.team_id else None


class ApiToken(FromRow, models.Model):
    """A plan liaison's API token. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, db_index=True, help_text=_("First characters, to recognise a token."))
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
