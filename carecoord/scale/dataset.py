"""A state-sized data set loaded with PostgreSQL ``COPY``.

Why not the services: ``member_create``/``case_create``/``deadline_start`` write one
row at a time with their timeline lines, clocks and audit, which is right for a
person's click and takes hours for a million members. A bulk load is not a domain
event, so this module writes the tables directly — but only rows the services
could have written: every database constraint (checks, partial unique indexes,
the coverage exclusion constraint, foreign keys) stays in force during the load,
and the values follow the same rules (one open coverage, one live case per member
and program, closed cases with a reason and date, met deadlines with a time).
History tables (simple_history) and timelines are left empty: they describe
changes, and a loaded snapshot has none.

Sizes follow ``members`` (N): N members with coverage (about a fifth with an
earlier, ended period), 0.3·N cases (CCS 40 %, ECM 35 %, DMC-ODS 25 %) in twelve
counties, care team rows, an inbound referral per case and some outbound ones, a
consent per case naming its recipients, 2·N deadlines in every state, and staff in teams of eight case
managers and a supervisor (thousands at 1M), and in each county's CCS program a case manager
new to it, with the program's three oldest cases.

Secondary indexes of the big tables are dropped before ``COPY`` and rebuilt after
(one sorted build is much faster than millions of index inserts); unique and
exclusion constraints are kept, so the load is checked row by row. ``ANALYZE``
runs at the end.
"""
from __future__ import annotations

import csv
import datetime
import io
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

from carecoord.accounts.models import County, Organization, Team, User
from carecoord.clocks.catalog import Kind, all_rules
from carecoord.clocks.models import Deadline
from cases.models import CareTeamMember, Case, Coverage, Member, MemberName
from consents.models import Consent
from referrals.models import Referral

PASSWORD = "carecoord-demo"
CASE_SHARE = 0.3          # cases per member
DEADLINES_PER_MEMBER = 2  # deadlines per member (spread over the cases)
CASE_MANAGERS_PER_TEAM = 8
CASES_PER_CASE_MANAGER = 80
# Each county's CCS program has a case manager new to it, on a team of their own, carrying the program's
# oldest few cases: a caseload smaller than a page, which the benchmark reads (the case list is newest
# first, so a page of it must not walk the state's cases down to these).
NEW_HIRE_CASES = 3
PART2_NAMING_PLAN = 0.7  # of DMC-ODS members, the share whose Part 2 consent names their plan too
CHUNK_ROWS = 50_000

# (name, FIPS, plan model, whole child model, weight by Medi-Cal population, plans)
COUNTIES = [
    ("Los Angeles", "06037", "multi_plan", False, 30, ["Golden State Care", "Pacific Coast Health"]),
    ("San Diego", "06073", "multi_plan", False, 9, ["Golden State Care", "Harbor Community Plan"]),
    ("Orange", "06059", "single_plan", True, 8, ["Coastal Counties Health Authority"]),
    ("Riverside", "06065", "multi_plan", False, 8, ["Inland Family Health", "Golden State Care"]),
    ("San Bernardino", "06071", "multi_plan", False, 8, ["Inland Family Health", "Golden State Care"]),
    ("Fresno", "06019", "multi_plan", False, 6, ["Valley Health Plan", "Golden State Care"]),
    ("Sacramento", "06067", "multi_plan", False, 6, ["Valley Health Plan", "Pacific Coast Health"]),
    ("Santa Clara", "06085", "multi_plan", False, 6, ["Bayside Health Plan", "Pacific Coast Health"]),
    ("Alameda", "06001", "multi_plan", False, 6, ["Bayside Health Plan", "Pacific Coast Health"]),
    ("Kern", "06029", "multi_plan", False, 5, ["Valley Health Plan", "Golden State Care"]),
    ("Contra Costa", "06013", "multi_plan", False, 4, ["Bayside Health Plan", "Pacific Coast Health"]),
    ("San Mateo", "06081", "single_plan", True, 4, ["Bayside Health Plan"]),
]
PROGRAM_ORGS = {
    "ccs": ("ccs_county", "{county} County CCS"),
    "ecm": ("ecm_provider", "{county} Community Care Management (ECM)"),
    "dmc_ods": ("dmc_ods_provider", "{county} Recovery Services (DMC-ODS)"),
}
FIRST_NAMES = (
    "Maria Jose Juan Sofia Daniel Isabella Luis Camila Angel Valeria Carlos Emily Anthony Mia David Olivia "
    "Christopher Emma Jacob Ava Michael Abigail Matthew Sophia Ethan Ashley Andrew Samantha Joshua Natalie "
    "Nguyen Linh Minh Anh Wei Mei Jun Hana Min-jun Seo-yeon Armen Ani Ivan Olga Omar Fatima Reza Leila "
    "Miguel Ximena Diego Alejandra Jesus Guadalupe Kevin Jessica Brian Jennifer Jasmine Aaliyah Malik Tiana"
).split()
LAST_NAMES = (
    "Garcia Hernandez Lopez Martinez Gonzalez Rodriguez Perez Sanchez Ramirez Torres Flores Rivera Gomez Diaz "
    "Reyes Cruz Morales Ortiz Gutierrez Chavez Ramos Ruiz Alvarez Mendoza Castillo Jimenez Vasquez Romero "
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Jackson White Harris "
    "Nguyen Tran Le Pham Huynh Vo Chen Wang Li Zhang Liu Kim Lee Park Choi Santos Reyes Bautista Petrosyan "
    "Sargsyan Ivanov Petrov Haddad Hosseini Ahmadi Washington Robinson Walker Young Allen King Wright Scott"
).split()
MIDDLE = ("", "", "", "A", "J", "M", "L", "R", "E")
LANGUAGES = ["en"] * 55 + ["es"] * 35 + ["vi", "vi", "zh", "zh", "tl", "ko", "hy", "ru", "ar", "fa"]
CITIES = ("Springfield", "Riverside", "Fairview", "Oak Grove", "Lakeside", "Hillcrest", "Mission", "Bayview")
STREETS = ("Main St", "Oak Ave", "Mission Blvd", "Pine St", "Elm St", "Valley Rd", "Bay St", "Sunset Blvd")
CCS_DIAGNOSES = ("Q21.0", "Q90.9", "G80.9", "E84.0", "C91.00", "D57.1", "Q05.9", "P07.32", "E10.9", "Q37.9")
ECM_POPULATIONS = ("homelessness", "high_utilizer", "smi_sud", "transitioning_from_incarceration",
                   "children_welfare", "long_term_care_risk", "birth_equity")
ASAM_LEVELS = ("1.0", "2.1", "2.5", "3.1", "3.3", "3.5", "3.7", "4.0")
REFERRAL_SOURCES = ("family", "provider", "school", "health_plan", "hospital", "social_worker", "self")
CLOSED_REASONS = ("Goals met", "Moved out of county", "Aged out of program", "Declined services",
                  "No longer eligible", "Unable to contact")


@dataclass
class LoadReport:
    members: int
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


# ------------------------------------------------------------------ COPY plumbing

def db_text(value) -> str:
    """One value as COPY's CSV text (``\\N`` is NULL)."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


class TableCopier:
    """COPY rows into one model's table; columns not supplied get the model's default.

    Columns a later migration adds with a Python default are filled the same way,
    so the loader keeps working as the models grow.
    """

    def __init__(self, model: type[models.Model], columns: list[str]):
        self.model = model
        self.table = model._meta.db_table
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in by_attname]
        if unknown:
            raise ValueError(f"{self.table}: no columns {unknown}")
        extra = [f for f in model._meta.concrete_fields
                 if f.attname not in columns and not f.null and not f.primary_key]
        self.columns = [by_attname[c].column for c in columns] + [f.column for f in extra]
        self.tail = [db_text(f.get_default()) for f in extra]
        self.count = 0

    def copy(self, rows: Iterable[list[str]]) -> int:
        """``rows`` yields the supplied columns' values already as text (see :func:`db_text`)."""
        sql = (f'COPY "{self.table}" ({", ".join(chr(34) + c + chr(34) for c in self.columns)}) '
               f"FROM STDIN WITH (FORMAT csv, NULL '\\N')")
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        tail = self.tail
        pending = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor
            for row in rows:
                writer.writerow(row + tail if tail else row)
                pending += 1
                if pending >= CHUNK_ROWS:
                    buffer.seek(0)
                    raw.copy_expert(sql, buffer)
                    self.count += pending
                    buffer.seek(0)
                    buffer.truncate()
                    pending = 0
            if pending:
                buffer.seek(0)
                raw.copy_expert(sql, buffer)
                self.count += pending
        return self.count


def _next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{model._meta.db_table}"')
        return cursor.fetchone()[0]


def _reset_sequence(model: type[models.Model]) -> None:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                       f'GREATEST((SELECT MAX(id) FROM "{table}"), 1))')


# The tables the load fills in bulk; the member name dictionary is filled by PostgreSQL's triggers as the
# members are copied, so its trigram indexes too are built once after the load rather than name by name.
BULK_MODELS = (Member, MemberName, Coverage, Case, CareTeamMember, Referral, Consent, Deadline)


def _droppable_indexes(model: type[models.Model]) -> list[tuple[str, str]]:
    """(name, definition) of the table's plain secondary indexes: not the primary key, not constraints."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            """,
            [f'"{model._meta.db_table}"'],
        )
        return cursor.fetchall()


# ------------------------------------------------------------------ the data set

class DatasetGenerator:
    """Builds the data set for ``members`` members; ``seed`` makes it repeatable."""

    def __init__(self, *, members: int, seed: int = 14, log: Callable[[str], None] = lambda s: None,
                 now: datetime.datetime | None = None):
        if members < 100:
            raise ValueError("members must be at least 100")
        self.n = members
        self.rng = random.Random(seed)
        self.log = log
        self.now = now or timezone.now().replace(microsecond=0)
        self.epoch = int(self.now.timestamp())
        self.report = LoadReport(members=members)

    # -- helpers
    def _ts(self, offset_seconds: int) -> str:
        return datetime.datetime.fromtimestamp(self.epoch + offset_seconds, datetime.UTC).isoformat()

    def _day(self, offset_days: int) -> str:
        return (self.now.date() + datetime.timedelta(days=offset_days)).isoformat()

    def _timed(self, label: str, fn: Callable[[], int]) -> None:
        started = time.perf_counter()
        rows = fn()
        self.report.seconds[label] = time.perf_counter() - started
        self.report.rows[label] = rows
        self.log(f"  {label}: {rows:,} rows in {self.report.seconds[label]:.1f} s")

    # -- entry point
    def run(self) -> LoadReport:
        if Member.objects.exists():
            raise RuntimeError("The database already holds members; run with --reset to replace them.")
        self._timed("reference", self._reference)
        dropped = self._drop_indexes()
        with transaction.atomic():
            self._timed("members", self._members)
            self._timed("coverage", self._coverage)
            self._timed("cases", self._cases)
            self._timed("care_team", self._care_team)
            self._timed("referrals", self._referrals)
            self._timed("consents", self._consents)
            self._timed("deadlines", self._deadlines)
            # Check the deferred foreign keys now, before the index builds (which refuse pending trigger events).
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self._timed("indexes", lambda: self._recreate_indexes(dropped))
        self._timed("vacuum and analyze", self._analyze)
        return self.report

    # -- reference data: counties, plans, organizations, teams, staff (ORM bulk_create: thousands of rows)
    def _reference(self) -> int:
        rng = self.rng
        plans = {}
        for *_, plan_names in COUNTIES:
            for name in plan_names:
                plans.setdefault(name, None)
        for name in plans:
            plans[name], _ = Organization.objects.get_or_create(name=name, type=Organization.Type.MCP)
        self.plan_ids = {name: org.pk for name, org in plans.items()}
        self.counties = []
        total_weight = sum(c[4] for c in COUNTIES)
        self.program_orgs: dict[tuple[int, str], int] = {}
        self.pcp_orgs: dict[int, list[int]] = {}
        for name, fips, plan_model, wcm, weight, plan_names in COUNTIES:
            county, _ = County.objects.get_or_create(
                name=name, defaults={"fips_code": fips, "plan_model": plan_model, "whole_child_model": wcm})
            county.plans.add(*[plans[p] for p in plan_names])
            self.counties.append((county.pk, weight / total_weight, [self.plan_ids[p] for p in plan_names]))
            for program, (org_type, pattern) in PROGRAM_ORGS.items():
                org, _ = Organization.objects.get_or_create(
                    name=pattern.format(county=name), type=org_type,
                    defaults={"county": county, "ccs_county_type": "independent" if org_type == "ccs_county" else ""})
                self.program_orgs[(county.pk, program)] = org.pk
            self.pcp_orgs[county.pk] = [
                Organization.objects.get_or_create(name=f"{name} {kind} Clinic", type=Organization.Type.MEDICAL_HOME,
                                                   defaults={"county": county})[0].pk
                for kind in ("Family Health", "Children's", "Community")
            ]
        # Cumulative weights for picking a county per member.
        self.county_cdf = []
        acc = 0.0
        for county_id, share, plan_ids in self.counties:
            acc += share
            self.county_cdf.append((acc, county_id, plan_ids))

        # Teams and staff, sized by each program organization's expected caseload.
        cases_total = int(self.n * CASE_SHARE)
        program_share = {"ccs": 0.40, "ecm": 0.35, "dmc_ods": 0.25}
        password = make_password(PASSWORD)
        groups = {g.name: g.pk for g in Group.objects.filter(name__in=User.Role.values)}
        users: list[User] = []
        self.team_members: dict[int, list[int]] = {}   # team id → case manager ids
        self.org_teams: dict[int, list[int]] = {}      # organization id → team ids
        new_hire_index: list[tuple[int, Team, int]] = []  # (organization id, its new hires' team, the hire's index)
        team_supervisor_index: list[tuple[Team, int]] = []
        serial = User.objects.count()

        def staff(role: str, org_id: int, team: Team | None, title: str) -> User:
            nonlocal serial
            serial += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            user = User(username=f"{role[:3]}{serial:05d}", first_name=first, last_name=last, role=role,
                        organization_id=org_id, team=team, title=title, password=password,
                        email=f"{role[:3]}{serial:05d}@staff.example.org")
            users.append(user)
            return user

        for county_id, share, plan_ids in self.counties:
            for program, pshare in program_share.items():
                org_id = self.program_orgs[(county_id, program)]
                expected = cases_total * share * pshare
                n_teams = max(1, round(expected / (CASE_MANAGERS_PER_TEAM * CASES_PER_CASE_MANAGER)))
                teams = Team.objects.bulk_create([Team(organization_id=org_id, name=f"Team {i + 1}") for i in range(n_teams)])
                self.org_teams[org_id] = [t.pk for t in teams]
                for team in teams:
                    sup = staff("supervisor", org_id, team, "Supervisor")
                    team_supervisor_index.append((team, len(users) - 1))
                    for _ in range(CASE_MANAGERS_PER_TEAM):
                        staff("case_manager", org_id, team, "Case manager")
                    del sup
                if program == "ccs":
                    staff("medical_consultant", org_id, None, "Medical consultant")
                    new_team = Team.objects.create(organization_id=org_id, name="New hires")
                    team_supervisor_index.append((new_team, team_supervisor_index[-n_teams][1]))
                    staff("case_manager", org_id, new_team, "Case manager")
                    new_hire_index.append((org_id, new_team, len(users) - 1))
        for name, plan_id in self.plan_ids.items():
            for _ in range(3):
                staff("plan_liaison", plan_id, None, "MCP liaison")
        User.objects.bulk_create(users, batch_size=2000)
        for team, index in team_supervisor_index:
            team.supervisor = users[index]
        Team.objects.bulk_update([t for t, _ in team_supervisor_index], ["supervisor"], batch_size=2000)
        Membership = User.groups.through
        Membership.objects.bulk_create([Membership(user_id=u.pk, group_id=groups[u.role]) for u in users if u.role in groups],
                                       batch_size=5000)
        for user in users:
            if user.role == "case_manager":
                self.team_members.setdefault(user.team_id, []).append(user.pk)
        self.team_supervisor = {team.pk: users[index].pk for team, index in team_supervisor_index}
        # organization id → [team, case manager, cases still to give]
        self.new_hires: dict[int, list] = {org_id: [team.pk, users[index].pk, NEW_HIRE_CASES]
                                           for org_id, team, index in new_hire_index}
        return len(users)

    # -- indexes around the load
    def _drop_indexes(self) -> list[str]:
        definitions = []
        with connection.cursor() as cursor:
            for model in BULK_MODELS:
                for name, definition in _droppable_indexes(model):
                    definitions.append(definition)
                    cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        self.log(f"  dropped {len(definitions)} secondary indexes for the load")
        return definitions

    def _recreate_indexes(self, definitions: list[str]) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for definition in definitions:
                cursor.execute(definition)
        return len(definitions)

    def _analyze(self) -> int:
        # VACUUM too, not only ANALYZE: it sets the visibility map, as autovacuum does on a live
        # database, and index-only scans (coverage by plan) depend on it. VACUUM cannot run in a
        # transaction (a test's, say): there, ANALYZE alone.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for model in (*BULK_MODELS, User, Team, Organization):
                cursor.execute(f'{command} "{model._meta.db_table}"')
        return len(BULK_MODELS)

    # -- members: ages by program, names, counties, languages
    def _member_case(self, m: int) -> tuple[int, str] | None:
        """The case index and program of member ``m`` (0-based), if it has a case (3 in every 10 do)."""
        slot = (0, None, None, 1, None, None, 2, None, None, None)[m % 10]
        if slot is None:
            return None
        k = (m // 10) * 3 + slot
        if k >= self.n_cases:
            return None
        return k, self._program(k)

    @staticmethod
    def _program(k: int) -> str:
        r = k % 20
        return "ccs" if r < 8 else ("ecm" if r < 15 else "dmc_ods")

    def _members(self) -> int:
        self.n_cases = int(self.n * CASE_SHARE)
        self.member0 = _next_id(Member)
        self.member_county: list[int] = [0] * self.n
        self.member_plan: list[int | None] = [None] * self.n
        rng = self.rng
        today = self.now.date()
        created = self._ts(-400 * 86400)
        copier = TableCopier(Member, [
            "id", "first_name", "middle_name", "last_name", "date_of_birth", "sex", "cin", "ssn", "address_line1",
            "city", "state", "zip_code", "address_valid", "county_id", "preferred_language", "phone",
            "primary_care_provider_id", "meds_status", "created_at",
        ])
        cdf = self.county_cdf

        def rows() -> Iterator[list[str]]:
            for m in range(self.n):
                case = self._member_case(m)
                program = case[1] if case else None
                if program == "ccs":
                    age_days = rng.randint(0, 21 * 365 - 30)
                elif program == "dmc_ods":
                    age_days = rng.randint(18 * 365, 70 * 365)
                else:
                    age_days = rng.randint(0, 85 * 365)
                r = rng.random()
                for acc, county_id, plan_ids in cdf:
                    if r <= acc:
                        break
                self.member_county[m] = county_id
                self.member_plan[m] = rng.choice(plan_ids) if rng.random() < 0.9 else None
                dob = today - datetime.timedelta(days=age_days)
                cin = f"9{m:07d}{'ABCDEFGHJKLMNPRSTUVWXYZ'[m % 23]}"
                ssn = f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}" if rng.random() < 0.6 else ""
                yield [
                    str(self.member0 + m), rng.choice(FIRST_NAMES), rng.choice(MIDDLE), rng.choice(LAST_NAMES),
                    dob.isoformat(), rng.choice(("F", "M")), cin, ssn,
                    f"{rng.randint(1, 9999)} {rng.choice(STREETS)}", rng.choice(CITIES), "CA",
                    f"9{rng.randint(1000, 6199):04d}", "f" if rng.random() < 0.03 else "t", str(county_id),
                    rng.choice(LANGUAGES), f"(555) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
                    str(rng.choice(self.pcp_orgs[county_id])) if rng.random() < 0.8 else r"\N", "active", created,
                ]

        n = copier.copy(rows())
        _reset_sequence(Member)
        return n

    # -- coverage: one open period each (plan or fee-for-service); a fifth also have an ended earlier period
    def _coverage(self) -> int:
        rng = self.rng
        copier = TableCopier(Coverage, ["member_id", "kind", "plan_id", "start_date", "end_date", "aid_code"])

        def rows() -> Iterator[list[str]]:
            for m in range(self.n):
                member_id = str(self.member0 + m)
                plan = self.member_plan[m]
                start = -rng.randint(30, 2000)
                if rng.random() < 0.2:
                    old_start = start - rng.randint(200, 900)
                    old_plan = rng.choice(self.counties[0][2])
                    yield [member_id, "mcp", str(old_plan), self._day(old_start), self._day(start - 1), "1H"]
                yield [member_id, "mcp" if plan else "ffs", str(plan) if plan else r"\N", self._day(start), r"\N",
                       rng.choice(("1H", "M1", "8U", "3D"))]

        return copier.copy(rows())

    # -- cases across the three programs
    def _cases(self) -> int:
        rng = self.rng
        self.case0 = _next_id(Case)
        self.case_info: list[tuple] = [None] * self.n_cases  # (member idx, program, status, org, team, pcm, closed)
        copier = TableCopier(Case, [
            "id", "member_id", "program", "status", "organization_id", "team_id", "primary_case_manager_id",
            "case_number", "referred_at", "opened_at", "closed_at", "closed_reason", "eligibility_date", "diagnoses",
            "referral_source", "populations_of_focus", "asam_level", "last_activity_at", "created_at",
        ])

        def rows() -> Iterator[list[str]]:
            for k in range(self.n_cases):
                m = k * 10 // 3
                program = self._program(k)
                county_id = self.member_county[m]
                org_id = self.program_orgs[(county_id, program)]
                team_id = rng.choice(self.org_teams[org_id])
                r = rng.random()
                status = "open" if r < 0.6 else ("referred" if r < 0.7 else "closed")
                pcm = rng.choice(self.team_members[team_id]) if status != "referred" or rng.random() < 0.5 else None
                hire = self.new_hires.get(org_id)
                if hire and hire[2] and pcm:
                    team_id, pcm = hire[0], hire[1]
                    hire[2] -= 1
                referred = -rng.randint(3, 1500) * 86400 - rng.randint(0, 86399)
                opened = min(referred + rng.randint(1, 30) * 86400, -2 * 86400) if status != "referred" else None
                closed = min(opened + rng.randint(30, 700) * 86400, -3600) if status == "closed" else None
                last_activity = closed if closed else max(referred, -rng.randint(0, 60) * 86400)
                self.case_info[k] = (m, program, status, org_id, team_id, pcm, referred, closed)
                ccs = program == "ccs"
                yield [
                    str(self.case0 + k), str(self.member0 + m), program, status, str(org_id), str(team_id),
                    str(pcm) if pcm else r"\N",
                    f"CCS-{county_id:02d}-{k:08d}" if ccs and status != "referred" else "",
                    self._ts(referred), self._ts(opened) if opened is not None else r"\N",
                    self._ts(closed) if closed is not None else r"\N",
                    rng.choice(CLOSED_REASONS) if closed is not None else "",
                    self._day(opened // 86400) if ccs and opened is not None else r"\N",
                    json.dumps(rng.sample(CCS_DIAGNOSES, rng.randint(1, 2))) if ccs else "[]",
                    rng.choice(REFERRAL_SOURCES),
                    json.dumps(rng.sample(ECM_POPULATIONS, rng.randint(1, 2))) if program == "ecm" else "[]",
                    rng.choice(ASAM_LEVELS) if program == "dmc_ods" else "",
                    self._ts(last_activity), self._ts(referred),
                ]

        n = copier.copy(rows())
        _reset_sequence(Case)
        return n

    # -- care teams: the primary case manager, often a nurse/social worker contact, a PCP
    def _care_team(self) -> int:
        rng = self.rng
        copier = TableCopier(CareTeamMember, [
            "case_id", "role", "user_id", "contact_name", "contact_phone", "organization_id", "start_date", "end_date",
        ])

        def rows() -> Iterator[list[str]]:
            for k, (m, program, status, org_id, team_id, pcm, referred, closed) in enumerate(self.case_info):
                case_id = str(self.case0 + k)
                start = self._day(referred // 86400 + 1)
                end = self._day(closed // 86400 + 1) if closed is not None else r"\N"
                if pcm:
                    yield [case_id, "primary_case_manager", str(pcm), "", "", str(org_id), start, end]
                if rng.random() < 0.5:
                    role = {"ccs": "phn", "ecm": "sw", "dmc_ods": "specialist"}[program]
                    yield [case_id, role, r"\N", f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                           f"(555) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}", r"\N", start, end]
                if rng.random() < 0.3:
                    yield [case_id, "primary_care", r"\N", "Primary care physician", "",
                           str(rng.choice(self.pcp_orgs[self.member_county[m]])), start, end]

        return copier.copy(rows())

    # -- referrals: the inbound one that started each case, and outbound ones to services
    def _referrals(self) -> int:
        rng = self.rng
        copier = TableCopier(Referral, [
            "direction", "member_id", "case_id", "program", "organization_id", "source", "reporter_name",
            "service_type", "recipient_organization_id", "reason", "urgency", "referred_at", "status",
            "status_changed_at", "outcome", "closed_at", "created_at",
        ])
        outbound_services = ("mental_health", "dental", "community_supports", "special_care_center",
                             "medical_therapy_program", "sud_outpatient", "home_health")

        def rows() -> Iterator[list[str]]:
            for k, (m, program, status, org_id, team_id, pcm, referred, closed) in enumerate(self.case_info):
                case_id, member_id = str(self.case0 + k), str(self.member0 + m)
                when = self._ts(referred)
                if status == "referred":
                    ref_status, outcome, ref_closed = "received", "", r"\N"
                else:
                    ref_status, outcome, ref_closed = "closed", "accepted", self._ts(referred + 86400)
                yield ["inbound", member_id, case_id, program, str(org_id), rng.choice(REFERRAL_SOURCES),
                       f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", "program_enrollment", r"\N",
                       "Referred for program services", rng.choice(("routine",) * 8 + ("urgent", "emergent")),
                       when, ref_status, when, outcome, ref_closed, when]
                if status != "referred" and rng.random() < 0.3:
                    sent = referred + rng.randint(5, 200) * 86400
                    done = rng.random() < 0.6 and sent < -86400
                    yield ["outbound", member_id, case_id, "", str(org_id), "", "", rng.choice(outbound_services),
                           str(rng.choice(self.pcp_orgs[self.member_county[m]])), "Needs follow-up services", "routine",
                           self._ts(sent), "closed" if done else "sent", self._ts(sent),
                           "got_help" if done else "", self._ts(sent + 3600) if done else r"\N", self._ts(sent)]

        return copier.copy(rows())

    # -- consents: the kind each program needs, naming the organizations it lets the case's information go to
    def _consents(self) -> int:
        """One consent per case past referral (some revoked): CCS a HIPAA authorization of general information to the
        member's plan, ECM a verbal consent to the ECM provider and the plan, DMC-ODS a Part 2 consent of the SUD
        records to the treating program and, for most members (PART2_NAMING_PLAN), to their plan too, whose
        liaison then sees those cases' SUD details, each view accounted as a disclosure."""
        rng = self.rng
        kinds = {"ccs": "hipaa_authorization", "ecm": "ecm_verbal", "dmc_ods": "part2"}
        consent0 = _next_id(Consent)
        copier = TableCopier(Consent, [
            "id", "member_id", "case_id", "kind", "description_of_information", "data_categories", "purposes",
            "effective_on", "expires_on", "signed_by_name", "signed_on", "statement_right_to_revoke",
            "statement_treatment_not_conditioned", "statement_redisclosure", "obtained_by_id", "obtained_at",
            "revoked_at", "revoked_by_id", "recorded_by_id", "recorded_at",
        ])
        named: list[tuple[int, int]] = []  # (consent, organization), copied once the consents are in

        def rows() -> Iterator[list[str]]:
            consent_id = consent0
            for k, (m, program, status, org_id, team_id, pcm, referred, closed) in enumerate(self.case_info):
                if status == "referred":
                    continue
                plan = self.member_plan[m]
                if program == "ccs":
                    recipients = [plan or org_id]
                elif program == "ecm" or rng.random() < PART2_NAMING_PLAN:
                    recipients = [org_id, plan] if plan else [org_id]
                else:
                    recipients = [org_id]
                named.extend((consent_id, organization) for organization in recipients)
                start_day = referred // 86400 + 2
                revoked = rng.random() < 0.05
                by = str(pcm) if pcm else r"\N"
                yield [str(consent_id), str(self.member0 + m), str(self.case0 + k), kinds[program], "Case records and care plan",
                       json.dumps(["sud"] if program == "dmc_ods" else ["general"]), json.dumps(["care_coordination"]),
                       self._day(start_day), self._day(start_day + 365), "Member", self._day(start_day),
                       "t", "t", "t", by, self._ts(start_day * 86400),
                       self._ts(min(start_day * 86400 + 30 * 86400, -60)) if revoked and pcm else r"\N",
                       by if revoked and pcm else r"\N", by, self._ts(start_day * 86400)]
                consent_id += 1

        n = copier.copy(rows())
        _reset_sequence(Consent)
        TableCopier(Consent.recipients.through, ["consent_id", "organization_id"]).copy(
            [str(consent), str(organization)] for consent, organization in named)
        return n

    # -- deadlines: 2 per member, in every state, due dates spread over past and future
    def _deadlines(self) -> int:
        rng = self.rng
        case_ct = ContentType.objects.get_for_model(Case).pk
        by_program: dict[str, list] = {"ccs": [], "ecm": [], "dmc_ods": []}
        for rule in all_rules():
            prefix = rule.code.split(".")[0]
            target = {"ccs": ["ccs"], "plan": ["ccs", "ecm"], "mcp": ["ccs", "ecm"], "wcm": ["ccs"], "ecm": ["ecm"],
                      "cws": ["ecm"], "dmc": ["dmc_ods"], "all": ["ccs", "ecm", "dmc_ods"]}.get(prefix, [])
            for program in target:
                by_program[program].append((rule.code, str(rule.version), rule.kind == Kind.WINDOW, rule.warn_before_hours))
        total = self.n * DEADLINES_PER_MEMBER
        per_case, extra = divmod(total, self.n_cases)
        # The sweep's backlog: open deadlines already due (what one sweep claims), at least a few batches' worth.
        self.backlog_share = min(0.2, max(0.005, 2500 / total))
        copier = TableCopier(Deadline, [
            "rule_code", "rule_version", "occurrence", "subject_type_id", "subject_id", "case_id", "member_id",
            "organization_id", "team_id", "owner_id", "started_at", "due_at", "warn_at", "status", "met_at",
            "met_by_id", "cancelled_reason", "warned_at", "missed_at", "escalated_at", "escalated_to_id", "created_at",
        ])
        N = r"\N"

        def rows() -> Iterator[list[str]]:
            for k, (m, program, status, org_id, team_id, pcm, referred, closed) in enumerate(self.case_info):
                rules = by_program[program]
                case_id, member_id = str(self.case0 + k), str(self.member0 + m)
                owner = str(pcm) if pcm else N
                supervisor = str(self.team_supervisor[team_id])
                count = per_case + (1 if k < extra else 0)
                for i in range(count):
                    code, version, window, warn_hours = rules[i % len(rules)]
                    started = referred + rng.randint(0, 400) * 86400 + rng.randint(0, 86399)
                    if closed is not None:
                        started = min(started, closed - 86400)
                    length = rng.choice((5, 7, 10, 14, 30, 60, 90)) * 86400
                    due = started + length if closed is None else min(started + length, closed)
                    warn = due - warn_hours * 3600
                    met_at = met_by = missed = escalated = escalated_to = warned = N
                    cancelled_reason = ""
                    r = rng.random()
                    if closed is None and due > 0:        # still running
                        dstatus = "open" if r < 0.8 else ("met_on_time" if r < 0.95 else "cancelled")
                        if dstatus == "met_on_time":
                            met_at, met_by = self._ts(min(started + length // 2, -60)), owner
                        if dstatus == "open" and warn <= 0:
                            warned = self._ts(warn)
                    elif closed is None and r < self.backlog_share:
                        dstatus = "open"                  # due and not yet swept
                        due = -rng.randint(60, 3 * 86400)
                        warn = due - warn_hours * 3600
                    elif window:
                        dstatus = "ended" if r < 0.9 else "cancelled"
                    elif r < 0.62:
                        dstatus, met_at, met_by = "met_on_time", self._ts(due - rng.randint(3600, length)), owner
                    elif r < 0.77:
                        dstatus, met_at, met_by = "met_late", self._ts(min(due + rng.randint(3600, 20 * 86400), -60)), owner
                    elif r < 0.90:
                        dstatus, missed = "missed", self._ts(due + 300)
                        if rng.random() < 0.85:
                            escalated, escalated_to = self._ts(due + 600), supervisor
                    else:
                        dstatus = "cancelled"
                    if dstatus == "cancelled":
                        cancelled_reason = rng.choice(("Case closed", "Entered in error", "Member moved"))
                    yield [code, version, str(i), str(case_ct), case_id, case_id, member_id, str(org_id), str(team_id),
                           owner, self._ts(started), self._ts(due), self._ts(warn), dstatus, met_at, met_by,
                           cancelled_reason, warned, missed, escalated, escalated_to, self._ts(started)]

        return copier.copy(rows())


def reset_dataset(log: Callable[[str], None] = lambda s: None) -> None:
    """Remove everything the generator writes (and what hangs off it), keeping groups and permissions."""
    tables = [Member._meta.db_table, MemberName._meta.db_table, Case._meta.db_table, User._meta.db_table,
              Team._meta.db_table, Organization._meta.db_table, County._meta.db_table, Deadline._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(chr(34) + t + chr(34) for t in tables)} RESTART IDENTITY CASCADE")
    log("  emptied members, their names, cases, deadlines, staff, organizations and everything that refers to them")
