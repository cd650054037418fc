"""Demo data: several counties, plans and providers, ~50 members across CCS, ECM and DMC-ODS,
and one login per role. Idempotent: every record is found by a stable key before it is created.

Each domain app may add its own records in ``<app>/demo.py`` with a ``load(ctx)``
function; :func:`load_demo` calls them in order after the core data exists.
"""
from __future__ import annotations

import datetime
import importlib
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from carecoord.accounts.models import County, Organization, Team, User
from carecoord.accounts.services import user_create
from cases.models import CareTeamMember, Case, Coverage, Member
from cases.services import case_create, case_change_status, coverage_add, member_create

DEMO_PASSWORD = "carecoord-demo"
DOMAIN_DEMO_MODULES = ["cases.demo", "cases.ecm_demo", "consents.demo", "referrals.demo", "transitions.demo", "notices.demo", "transitions.population_demo", "carecoord.audit.demo", "directory.demo",
                       "carecoord.dashboards.demo"]

FIRST_NAMES = ["Sofia", "Mateo", "Isabella", "Liam", "Camila", "Noah", "Valentina", "Ethan", "Mia", "Daniel", "Lucia",
               "Gabriel", "Emma", "Diego", "Ava", "Jayden", "Ximena", "Adrian", "Olivia", "Santiago", "Chloe", "Leo",
               "Aaliyah", "Julian", "Zoe"]
LAST_NAMES = ["Garcia", "Nguyen", "Hernandez", "Smith", "Lopez", "Martinez", "Johnson", "Tran", "Rodriguez", "Kim",
              "Gonzalez", "Perez", "Williams", "Sanchez", "Ramirez", "Brown", "Flores", "Chavez", "Lee", "Torres"]


@dataclass
class DemoContext:
    counties: dict[str, County] = field(default_factory=dict)
    orgs: dict[str, Organization] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    members: list[Member] = field(default_factory=list)
    cases: dict[str, list[Case]] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, what they see


def _org(ctx: DemoContext, key: str, name: str, type_: str, county: County | None = None, **extra) -> Organization:
    org, _ = Organization.objects.get_or_create(name=name, type=type_, defaults={"county": county, **extra})
    ctx.orgs[key] = org
    return org


def _user(ctx: DemoContext, username: str, role: str, org: Organization | None, first: str, last: str, title: str,
          team: Team | None = None, sees: str = "") -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(username=username, role=role, organization=org, team=team, password=DEMO_PASSWORD,
                           first_name=first, last_name=last, email=f"{username}@demo.carecoord.invalid", title=title)
    ctx.users[username] = user
    if sees:
        ctx.logins.append((username, role, sees))
    return user


def load_core(ctx: DemoContext) -> None:
    for name, fips, model, wcm in [
        ("Sacramento", "06067", County.PlanModel.MULTI_PLAN, False),
        ("San Mateo", "06081", County.PlanModel.SINGLE_PLAN, True),
        ("Fresno", "06019", County.PlanModel.MULTI_PLAN, False),
        ("Orange", "06059", County.PlanModel.SINGLE_PLAN, True),
    ]:
        ctx.counties[name], _ = County.objects.get_or_create(
            name=name, defaults={"fips_code": fips, "plan_model": model, "whole_child_model": wcm})
    c = ctx.counties
    _org(ctx, "state", "CMS Branch (State CCS)", Organization.Type.STATE_OFFICE)
    _org(ctx, "regional", "Northern Regional Office", Organization.Type.REGIONAL_OFFICE, parent=ctx.orgs["state"])
    _org(ctx, "ccs_sac", "Sacramento County CCS", Organization.Type.CCS_COUNTY, c["Sacramento"], ccs_county_type="independent",
         phone="916-555-0100", parent=ctx.orgs["regional"])
    _org(ctx, "ccs_fresno", "Fresno County CCS", Organization.Type.CCS_COUNTY, c["Fresno"], ccs_county_type="dependent",
         phone="559-555-0100", parent=ctx.orgs["regional"])
    _org(ctx, "ccs_sanmateo", "San Mateo County CCS", Organization.Type.CCS_COUNTY, c["San Mateo"], ccs_county_type="independent")
    _org(ctx, "plan_valley", "Valley Health Plan", Organization.Type.MCP, phone="800-555-0110", secure_email="liaison@valleyhealth.invalid")
    _org(ctx, "plan_golden", "Golden State Care", Organization.Type.MCP, phone="800-555-0120", secure_email="ccs@goldenstate.invalid")
    _org(ctx, "plan_bayside", "Bayside Health Plan", Organization.Type.MCP, phone="800-555-0130")
    c["Sacramento"].plans.add(ctx.orgs["plan_valley"], ctx.orgs["plan_golden"])
    c["Fresno"].plans.add(ctx.orgs["plan_valley"], ctx.orgs["plan_golden"])
    c["San Mateo"].plans.add(ctx.orgs["plan_bayside"])
    c["Orange"].plans.add(ctx.orgs["plan_bayside"])
    _org(ctx, "ecm_bridges", "Bridges ECM Services", Organization.Type.ECM_PROVIDER, c["Sacramento"], phone="916-555-0140")
    _org(ctx, "dmc_sac", "Sacramento County DMC-ODS", Organization.Type.DMC_ODS_PROVIDER, c["Sacramento"], phone="916-555-0150")
    _org(ctx, "cws_sac", "Sacramento County Child Welfare", Organization.Type.CWS_AGENCY, c["Sacramento"])
    _org(ctx, "mhp_sac", "Sacramento County Mental Health Plan", Organization.Type.COUNTY_MHP, c["Sacramento"])
    _org(ctx, "pulm", "Capitol Pediatric Pulmonology", Organization.Type.CCS_PHYSICIAN, c["Sacramento"], phone="916-555-0160")
    _org(ctx, "scc", "Valley Children's Special Care Center", Organization.Type.SPECIAL_CARE_CENTER, c["Fresno"])
    _org(ctx, "hospital", "Riverside Children's Hospital", Organization.Type.HOSPITAL, c["Sacramento"])
    _org(ctx, "pharmacy", "Midtown Compounding Pharmacy", Organization.Type.PHARMACY, c["Sacramento"])
    _org(ctx, "dme", "Delta DME Supply", Organization.Type.DME_VENDOR, c["Sacramento"])
    _org(ctx, "pcp", "Oak Park Family Medicine", Organization.Type.MEDICAL_HOME, c["Sacramento"], fax="916-555-0199")
    _org(ctx, "residential", "New Dawn Residential Treatment", Organization.Type.DMC_ODS_PROVIDER, c["Sacramento"])
    _org(ctx, "outpatient", "Harbor Outpatient Recovery", Organization.Type.DMC_ODS_PROVIDER, c["Sacramento"])
    _org(ctx, "ntp", "Sunrise Narcotic Treatment Program", Organization.Type.NTP, c["Sacramento"])

    team_ccs, _ = Team.objects.get_or_create(organization=ctx.orgs["ccs_sac"], name="CCS nurses")
    team_ecm, _ = Team.objects.get_or_create(organization=ctx.orgs["ecm_bridges"], name="ECM care managers")
    team_dmc, _ = Team.objects.get_or_create(organization=ctx.orgs["dmc_sac"], name="Primary case managers")
    team_fresno, _ = Team.objects.get_or_create(organization=ctx.orgs["ccs_fresno"], name="Fresno CCS")
    sup = _user(ctx, "supervisor", User.Role.SUPERVISOR, ctx.orgs["ccs_sac"], "Grace", "Okafor", "CCS supervising nurse",
                sees="Sacramento County CCS: all its cases, dashboards, escalations")
    team_ccs.supervisor = sup
    team_ccs.save()
    _user(ctx, "nurse", User.Role.CASE_MANAGER, ctx.orgs["ccs_sac"], "Maria", "Delgado", "CCS nurse case manager", team_ccs,
          sees="CCS cases of the Sacramento nurses team")
    _user(ctx, "nurse2", User.Role.CASE_MANAGER, ctx.orgs["ccs_sac"], "Tom", "Becker", "CCS nurse case manager", team_ccs)
    _user(ctx, "consultant", User.Role.MEDICAL_CONSULTANT, ctx.orgs["ccs_sac"], "Dr. Priya", "Raman", "Medical consultant",
          sees="Sacramento County CCS cases, for eligibility decisions")
    ecm_sup = _user(ctx, "ecm_supervisor", User.Role.SUPERVISOR, ctx.orgs["ecm_bridges"], "Andre", "Williams", "ECM program manager")
    team_ecm.supervisor = ecm_sup
    team_ecm.save()
    _user(ctx, "ecm", User.Role.CASE_MANAGER, ctx.orgs["ecm_bridges"], "Lena", "Park", "ECM care manager", team_ecm,
          sees="ECM cases of Bridges ECM Services")
    dmc_sup = _user(ctx, "dmc_supervisor", User.Role.SUPERVISOR, ctx.orgs["dmc_sac"], "Rosa", "Medina", "DMC-ODS program manager")
    team_dmc.supervisor = dmc_sup
    team_dmc.save()
    _user(ctx, "dmc", User.Role.CASE_MANAGER, ctx.orgs["dmc_sac"], "Sam", "Ortiz", "DMC-ODS primary case manager", team_dmc,
          sees="DMC-ODS cases of Sacramento County")
    _user(ctx, "fresno", User.Role.CASE_MANAGER, ctx.orgs["ccs_fresno"], "Nina", "Shah", "CCS case manager", team_fresno)
    _user(ctx, "liaison", User.Role.PLAN_LIAISON, ctx.orgs["plan_valley"], "Kevin", "Cho", "MCP CCS liaison",
          sees="members enrolled in Valley Health Plan (API and read-only pages)")
    _user(ctx, "liaison_golden", User.Role.PLAN_LIAISON, ctx.orgs["plan_golden"], "Amy", "Fox", "MCP CWS liaison")
    admin = _user(ctx, "admin", User.Role.ADMINISTRATOR, ctx.orgs["state"], "Ada", "Admin", "System administrator",
                  sees="Django admin: organizations, users, calendars, templates (no member data)")
    if not admin.is_superuser:
        admin.is_superuser = False
        admin.is_staff = True
        admin.save(update_fields=["is_staff", "is_superuser"])


PROGRAM_HOMES = {
    "ccs": ("ccs_sac", "nurse"),
    "ecm": ("ecm_bridges", "ecm"),
    "dmc_ods": ("dmc_sac", "dmc"),
}


def load_members(ctx: DemoContext, count: int = 50) -> None:
    rng = random.Random(2026)
    today = timezone.localdate()
    for i in range(count):
        cin = f"{91000000 + i:08d}{'ABCDEFGHJK'[i % 10]}"
        member = Member.objects.filter(cin=cin).first()
        program = ["ccs", "ccs", "ecm", "dmc_ods", "ccs"][i % 5]
        county = ctx.counties["Fresno"] if i % 10 == 9 else ctx.counties["Sacramento"]
        if member is None:
            age_days = rng.randint(200, 17 * 365) if program != "dmc_ods" else rng.randint(19 * 365, 50 * 365)
            member = member_create(
                county=county, first_name=FIRST_NAMES[i % len(FIRST_NAMES)], last_name=LAST_NAMES[(i * 7) % len(LAST_NAMES)],
                date_of_birth=today - datetime.timedelta(days=age_days), cin=cin,
                preferred_language="es" if i % 3 == 0 else "en",
                address_line1=f"{100 + i} {['Oak', 'Elm', 'Pine', 'Maple'][i % 4]} Street" if i % 17 else "",
                city="Sacramento" if county.name == "Sacramento" else "Fresno", zip_code="95817",
                phone=f"916-555-{1000 + i:04d}", primary_care_provider=ctx.orgs["pcp"],
                ssn=f"{600 + i:03d}-12-{3000 + i:04d}" if i % 4 == 0 else "",
            )
            plan = ctx.orgs["plan_valley"] if i % 2 == 0 else ctx.orgs["plan_golden"]
            coverage_add(member=member, kind=Coverage.Kind.MCP, plan=plan, start_date=today - datetime.timedelta(days=400))
        ctx.members.append(member)
        org_key, manager_key = PROGRAM_HOMES[program]
        if county.name == "Fresno" and program == "ccs":
            org_key, manager_key = "ccs_fresno", "fresno"
        case = member.cases.filter(program=program).first()
        if case is None:
            manager = ctx.users[manager_key]
            with transaction.atomic():
                case = case_create(member=member, program=program, organization=ctx.orgs[org_key], team=manager.team,
                                   primary_case_manager=manager, referral_source=["family", "provider", "school", "health_plan"][i % 4],
                                   referred_at=timezone.now() - datetime.timedelta(days=rng.randint(1, 300)))
                state = i % 7
                if state in (1, 2, 3, 4, 5):
                    case_change_status(case=case, status=Case.Status.OPEN, actor=manager)
                if state == 6:
                    case_change_status(case=case, status=Case.Status.CLOSED, actor=manager, reason="Moved out of state")
        ctx.cases.setdefault(program, []).append(case)
    # A social worker and PHN outside the system on every ECM case's care team.
    for case in ctx.cases.get("ecm", []):
        if not case.care_team.filter(role=CareTeamMember.Role.SOCIAL_WORKER).exists():
            CareTeamMember.objects.create(case=case, role=CareTeamMember.Role.SOCIAL_WORKER, contact_name="Jordan Lee (CWS)",
                                          contact_email="jlee@cws.invalid", organization=ctx.orgs["cws_sac"])
            CareTeamMember.objects.create(case=case, role=CareTeamMember.Role.PUBLIC_HEALTH_NURSE, contact_name="Pat Rivera, PHN",
                                          contact_email="privera@cws.invalid", organization=ctx.orgs["cws_sac"])


def load_demo() -> DemoContext:
    ctx = DemoContext()
    with transaction.atomic():
        load_core(ctx)
        load_members(ctx)
    for module_name in DOMAIN_DEMO_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        with transaction.atomic():
            module.load(ctx)
    return ctx
