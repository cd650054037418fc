"""Reads of members and cases, already filtered to what the user may see.

Every page, export and API endpoint loads member data through these. Visibility
follows relations (organization, team, primary case manager, care team, plan
coverage); django-guardian's per-case permission table and break-glass grants give
the exceptions (an explicit share to one person). Each arm of the condition is
indexable, so PostgreSQL can combine them (see ``_listed_case_ids``). Not visible
means 404.
"""
from __future__ import annotations

import datetime
import functools
import operator
import re

from django.contrib.auth.models import Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, Func, IntegerField, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Greatest
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoord.accounts.models import User
from carecoord.audit.access import record_read_in_request
from carecoord.audit.models import BreakGlassGrant
from carecoord.expressions import ArrayParam, EqualsAny, Holds, one_of

from .models import CareTeamMember, Case, CaseUserObjectPermission, Coverage, Member, MemberName


def _listed_case_ids(user, *, exceptions: bool, care_team: bool) -> list[int]:
    """The cases opened to ``user`` one by one: explicit shares (django-guardian) and unexpired
    break-glass grants (``exceptions``), and the cases on whose care team they are (``care_team``).

    One small query on the user's own rows. As a list of ids, not an ``EXISTS`` per case, these keep
    every arm of the visibility condition indexable: with a correlated subquery in the OR,
    PostgreSQL had to test every case of the state (the tracking-list export read all 120,000 CCS
    cases at 1M members to return one county's).

    Every page and API call asks this at least once, so its SQL is written once per process rather
    than compiled by the ORM each time: building the three-way UNION took 0.7 ms of the call's 1 ms.
    """
    sql, arms, params = _listed_sql(), [], []
    if exceptions:
        arms += [sql["shared"], sql["break_glass"]]
        params += [user.pk, user.pk, connection.ops.adapt_datetimefield_value(timezone.now())]
    if care_team:
        arms.append(sql["care_team"])
        params.append(user.pk)
    if not arms:
        return []
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(arms), params)
        return [case_id for (case_id,) in cursor.fetchall()]


@functools.cache
def _listed_sql() -> dict[str, str]:
    """The SELECTs of :func:`_listed_case_ids`, by arm, on the models' own tables and columns."""
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    def column(model, name: str) -> str:
        return quote(model._meta.get_field(name).column)

    shares, grants, team = CaseUserObjectPermission, BreakGlassGrant, CareTeamMember
    return {
        "shared": (f"SELECT s.{column(shares, 'content_object')} FROM {table(shares)} s "
                   f"JOIN {table(Permission)} p ON p.{column(Permission, 'id')} = s.{column(shares, 'permission')} "
                   f"WHERE s.{column(shares, 'user')} = %s AND p.{column(Permission, 'codename')} = 'view_case'"),
        "break_glass": (f"SELECT {column(grants, 'case')} FROM {table(grants)} "
                        f"WHERE {column(grants, 'user')} = %s AND {column(grants, 'expires_at')} > %s"),
        "care_team": (f"SELECT {column(team, 'case')} FROM {table(team)} "
                      f"WHERE {column(team, 'user')} = %s AND {column(team, 'end_date')} IS NULL"),
    }


def active_plan_coverage(*, plan_id, member_ref: str = "pk") -> Holds:
    """Members whose coverage with ``plan_id`` is active today."""
    today = timezone.localdate()
    return Holds(Exists(
        Coverage.objects.filter(member=OuterRef(member_ref), plan_id=plan_id, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    ))


def case_visibility_q(user, *, exceptions: bool = True) -> Q | None:
    """The condition a case must meet to be visible to ``user``; None means nothing.

    ``exceptions=False`` leaves out explicit shares and break-glass grants: the user's own
    caseload by relations (the access report flags reads outside it)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Q()
    role = user.role
    if role == User.Role.CASE_MANAGER:
        return functools.reduce(operator.or_, _case_arms(user, team=True, exceptions=exceptions))
    listed = one_of("pk", _listed_case_ids(user, exceptions=exceptions, care_team=False), IntegerField())
    if role == User.Role.SUPERVISOR or role == User.Role.MEDICAL_CONSULTANT:
        return Q(organization_id=user.organization_id) | listed if user.organization_id else listed
    if role == User.Role.PLAN_LIAISON:
        return Q(active_plan_coverage(plan_id=user.organization_id, member_ref="member_id")) | listed
    return listed  # administrators manage the system, not members


def _reads_in_arms(user) -> bool:
    """A case manager: their visible cases are a few narrow arms (:class:`cases.models.CaseQuerySet`),
    where a supervisor's organization or a plan's members are dense enough in the table for one walk
    of its primary key."""
    return user.is_authenticated and user.is_active and not user.is_superuser and user.role == User.Role.CASE_MANAGER


def _case_arms(user, *, team: bool, exceptions: bool) -> list[Q]:
    """Cases of ``user``, arm by arm: their own; with ``team`` their team's; those listed to them (their care
    teams', and with ``exceptions`` shares and break-glass grants). A case manager sees all of them
    (``team`` and ``exceptions``) and carries their own and their care teams' (neither). Each arm is a few
    hundred cases at most, read on its own index."""
    arms = [Q(primary_case_manager=user)]
    if team and user.team_id:
        arms.append(Q(team_id=user.team_id))
    listed = _listed_case_ids(user, exceptions=exceptions, care_team=True)
    if listed:
        arms.append(one_of("pk", listed, IntegerField()))
    return arms


def case_list_visible_to(*, user) -> QuerySet[Case]:
    """The cases ``user`` may see; a case manager's read arm by arm when paged."""
    if _reads_in_arms(user):
        return Case.objects.visible_through(_case_arms(user, team=True, exceptions=True))
    condition = case_visibility_q(user)
    if condition is None:
        return Case.objects.none()
    return Case.objects.filter(condition)


def caseload_for(*, user, mine: bool, program: str | None = None, statuses: list[str] | None = None,
                 manager_id: int | None = None, unassigned: bool = False) -> QuerySet[Case]:
    """The Cases page: the cases ``user`` may see, newest first. ``mine`` keeps those they carry: as
    primary case manager, or on the case's active care team; ``manager_id`` those one case manager
    carries as primary, and ``unassigned`` those nobody does.

    Newest first, as the case API: a county's or a plan's cases are tens of thousands, and the
    primary key's order is one every arm of the visibility condition can be read in, where
    member name order made PostgreSQL walk the members index probing each one's cases (100 ms
    for a supervisor, 250 ms for a deep page of a plan's at 1M members)."""
    if mine and _reads_in_arms(user):
        # What a case manager carries are two arms of what they may see (their own cases and their care
        # teams'), so those two arms are the whole of it: ANDed with all of their scope, each arm's
        # query repeated the scope's lists and took 2 ms to plan.
        cases = Case.objects.visible_through(_case_arms(user, team=False, exceptions=False))
    else:
        cases = case_list_visible_to(user=user)
        if mine:
            cases = cases.filter(functools.reduce(operator.or_, _case_arms(user, team=False, exceptions=False)))
    if program:
        cases = cases.filter(program=program)
    if statuses:
        cases = cases.filter(status__in=statuses)
    if manager_id is not None:
        cases = cases.filter(primary_case_manager_id=manager_id)
    if unassigned:
        cases = cases.filter(primary_case_manager__isnull=True)
    return cases.select_related("member", "primary_case_manager").only(*CASELOAD_COLUMNS).order_by("-pk")


# What a Cases page row shows of a case, its member and its case manager: the member and user rows are wide
# (addresses and identifiers; the password hash), and built whole they were a tenth of the page.
CASELOAD_COLUMNS = (
    "id", "member_id", "program", "status", "case_number", "primary_case_manager_id",
    "member__first_name", "member__last_name", "member__date_of_birth",
    "primary_case_manager__first_name", "primary_case_manager__last_name", "primary_case_manager__username",
)


def case_editable_by(*, user, case: Case) -> bool:
    """The responsible organization's staff, the primary case manager and active care team users change a
    case; others who may read it (a plan liaison, a user it is shared with, a break-glass reader) may not."""
    if user.is_superuser:
        return True
    if user.organization_id is not None and user.organization_id == case.organization_id:
        return True
    if case.primary_case_manager_id == user.pk:
        return True
    return CareTeamMember.objects.filter(case=case, user=user, end_date__isnull=True).exists()


# The roles that keep a program's case records (a plan liaison reads them; an administrator runs the system).
STAFF_ROLES = (User.Role.CASE_MANAGER, User.Role.SUPERVISOR, User.Role.MEDICAL_CONSULTANT)


def is_program_staff(user) -> bool:
    return user.is_superuser or user.role in STAFF_ROLES


def may_write_case_records(*, user, case: Case) -> bool:
    """Whether a case tab offers ``user`` its write actions: program staff who may change the case."""
    return is_program_staff(user) and case_editable_by(user=user, case=case)


def member_cases_editable_by(*, user, member) -> QuerySet[Case]:
    """The member's cases ``user`` may see and change (``may_write_case_records``), oldest first."""
    visible = case_list_visible_to(user=user).filter(member=member)
    return visible.filter(pk__in=[case.pk for case in visible if may_write_case_records(user=user, case=case)]).order_by("pk")


def member_records_editable_by(*, user, member) -> bool:
    """The member's own records (consents, requests for the accounting of disclosures) are kept by program
    staff who may change one of the member's cases, or, before any case exists, by program staff who may
    see the member. A worker a case was only shared with, a plan liaison or an administrator reads them."""
    if not is_program_staff(user):
        return False
    cases = list(Case.objects.filter(member=member).only("pk", "organization_id", "primary_case_manager_id"))
    return not cases or any(case_editable_by(user=user, case=case) for case in cases)


def require_case_change(*, user, case: Case) -> None:
    """Refuse, with the reason, a change to ``case`` by a user who may only read it: one not of the program
    staff, or not of those ``case_editable_by`` names (the same rule as ``may_write_case_records``)."""
    if not is_program_staff(user):
        raise PermissionDenied(_("Plan liaisons and administrators read cases; only program staff change them."))
    if not case_editable_by(user=user, case=case):
        raise PermissionDenied(_("Only the organization responsible for the case, its case manager and its care team "
                                 "may change it."))


def case_get_for_user(*, user, case_id) -> Case:
    try:
        case = case_list_visible_to(user=user).select_related(
            "member", "member__county", "organization", "team", "primary_case_manager"
        ).get(pk=case_id)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case") from None
    record_read_in_request(user=user, members=[case.member_id], records=[("cases.case", case.pk)])
    return case


def member_list_visible_to(*, user) -> QuerySet[Member]:
    if not user.is_authenticated or not user.is_active:
        return Member.objects.none()
    if user.is_superuser:
        return Member.objects.all()
    if user.role == User.Role.PLAN_LIAISON:
        # A plan sees its enrolled members even before any case exists. Its cases are those of these
        # members (case_visibility_q), so the only others are the members of cases opened to the
        # liaison one by one; testing "has a visible case" per member made PostgreSQL hash every
        # case of the plan's members first (270 ms at 1M members).
        listed = _listed_case_ids(user, exceptions=True, care_team=False)
        listed_members = list(Case.objects.filter(pk__in=listed).values_list("member_id", flat=True)) if listed else []
        return Member.objects.filter(active_plan_coverage(plan_id=user.organization_id) | Q(pk__in=listed_members))
    return Member.objects.filter(Holds(Exists(case_list_visible_to(user=user).filter(member=OuterRef("pk")))))


def member_get_for_user(*, user, member_id) -> Member:
    try:
        member = member_list_visible_to(user=user).select_related("county", "primary_care_provider").get(pk=member_id)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404("No such member") from None
    record_read_in_request(user=user, members=[member.pk], records=[("cases.member", member.pk)])
    return member


def active_coverage(*, member: Member, on=None) -> Coverage | None:
    on = on or timezone.localdate()
    return (
        member.coverages.filter(start_date__lte=on)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        .select_related("plan")
        .first()
    )


def document_get_for_user(*, user, document_id):
    """A document is visible with its case, or with its member when it belongs to no case."""
    from .models import Document

    visible_cases = case_list_visible_to(user=user)
    visible = Document.objects.filter(
        Q(case__in=visible_cases) | Q(case__isnull=True, member__in=member_list_visible_to(user=user))
    )
    try:
        return visible.get(pk=document_id)
    except (Document.DoesNotExist, ValueError, TypeError):
        raise Http404("No such document") from None


# ------------------------------------------------------------- member search

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y")
CIN_RE = re.compile(r"^\d{8}[A-Z]$")


def _as_date(q: str) -> datetime.date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(q, fmt).date()
        except ValueError:
            continue
    return None


class MemberFullName(Func):
    """A first and last name with a space between, written exactly as the expression of the trigram index
    ``membername_full_name_trgm_idx`` (migration 0015) so that PostgreSQL can match the two; Django's
    ``Concat`` nests its pairs differently and so never used such an index."""

    template = "(COALESCE(%(expressions)s, ''))"
    arg_joiner = ", '') || ' ' || COALESCE("
    output_field = TextField()

    def __init__(self):
        super().__init__(F("first_name"), F("last_name"))


class MemberNameKey(Func):
    """A first and last name as one text that tells every pair apart: the first name's length, a colon,
    then the two names (``"3:AnaReyes"``); :func:`_name_key` writes the same in Python."""

    output_field = TextField()

    def __init__(self):
        super().__init__(F("first_name"), F("last_name"))

    def as_sql(self, compiler, connection, **extra_context):
        (first, first_params), (last, last_params) = (compiler.compile(name) for name in self.source_expressions)
        return f"(char_length({first})::text || ':' || {first} || {last})", [*first_params, *first_params, *last_params]


def _name_key(first_name: str, last_name: str) -> str:
    return f"{len(first_name)}:{first_name}{last_name}"


def _ranked_by_name(queryset: QuerySet, q: str) -> QuerySet:
    """Members (or member names) best matching ``q`` first: those containing every word, then by the
    trigram similarity of the full name and of the closest single name; ties by name, then id. The
    rank depends on the first and last names alone, which lets a plan's search rank names, not members."""
    from django.contrib.postgres.search import TrigramSimilarity

    return queryset.alias(full_name=MemberFullName()).annotate(
        name_match=ExpressionWrapper(_words_q(q), output_field=BooleanField()),
        full_similarity=TrigramSimilarity("full_name", q),
        similarity=Greatest(TrigramSimilarity("last_name", q), TrigramSimilarity("first_name", q), "full_similarity"),
    ).order_by("-name_match", "-full_similarity", "-similarity", "last_name", "first_name", "pk")


def _words_q(q: str) -> Q:
    """Every word of ``q`` in the first or the last name, in any case."""
    words = Q()
    for word in q.split():
        words &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return words


def ranked_matching_names(q: str) -> QuerySet[MemberName]:
    """The names of the dictionary matching ``q``, best first: the words, or a typo (pg_trgm's ``%`` at the
    session's threshold, 0.3, on either name or the full name), every arm answered by its trigram indexes."""
    typo = Q(last_name__trigram_similar=q) | Q(first_name__trigram_similar=q) | Q(full_name__trigram_similar=q)
    return _ranked_by_name(MemberName.objects.all(), q).filter(_words_q(q) | typo)


def _best_named_member_ids(members: QuerySet[Member], q: str, *, limit: int) -> list[int]:
    """The ids of the first ``limit`` of ``members`` in the search's rank for ``q``, reading names first.

    The names that match are ranked in the name dictionary, then the members bearing the best names are
    read through the name index, one name, then 4, 16, … until ``limit`` are found. A plan's search for a
    common surname thus reads a few hundred members instead of the 26,000 who match in the state at 1M
    members (250 ms before)."""
    names = list(ranked_matching_names(q).values_list("first_name", "last_name"))
    found: list[int] = []
    start, batch = 0, 1
    while start < len(names) and len(found) < limit:
        chunk = names[start:start + batch]
        start, batch = start + batch, batch * 4
        position = {name: i for i, name in enumerate(chunk)}
        bearers = members.filter(functools.reduce(operator.or_, (Q(first_name=first, last_name=last)
                                                                 for first, last in chunk)))
        rows = sorted(bearers.values_list("first_name", "last_name", "pk"),
                      key=lambda row: (position[row[:2]], row[2]))
        found += [pk for *_name, pk in rows[:limit - len(found)]]
    return found


def search_members(*, user, q: str, limit: int, names_first: bool | None = None,
                   visible_cases: QuerySet[Case] | None = None) -> QuerySet[Member]:
    """The first ``limit`` members visible to ``user`` matching a date of birth, CIN, case number or
    (typo-tolerant) name, best first. ``visible_cases``: the caller's ``case_list_visible_to(user=user)``,
    where it has one already (it is a query to build).

    Both ways of finding a name start from the names of the dictionary that match (``ranked_matching_names``).
    ``names_first`` says which: reading the members who bear the best of them and are in scope, one name,
    then 4, 16, … (for a plan or an administrator, whose scope is hundreds of thousands of members), or
    reading each member in scope and keeping those whose name matched (a program's staff: the members of
    their cases, at most some thousands). Both find the same members; by default it follows from the
    user's scope.
    """
    q = " ".join(q.split())
    if not q:
        return Member.objects.none()
    name_order = ("last_name", "first_name", "pk")  # a stable page where many share the date or the words
    day = _as_date(q)
    if day:
        return member_list_visible_to(user=user).filter(date_of_birth=day).order_by(*name_order)[:limit]
    if CIN_RE.match(q.upper()):
        return member_list_visible_to(user=user).filter(cin=q.upper()).order_by(*name_order)[:limit]
    if visible_cases is None:
        visible_cases = case_list_visible_to(user=user)
    # The members whose visible case has this number, looked up first on the case number's unique index
    # (case numbers are upper case and always have digits). A join to cases made PostgreSQL rank every
    # member before filtering (30 s at 1M members on the scale benchmark); an EXISTS probed the cases of
    # every member in the user's scope (40 ms for a county supervisor).
    case_number_members = list(
        visible_cases.filter(case_number__in={q, q.upper()}).values_list("member_id", flat=True)
    ) if any(ch.isdigit() for ch in q) else []
    by_case_number = Q(pk__in=case_number_members)
    if connection.vendor != "postgresql":
        return member_list_visible_to(user=user).filter(_words_q(q) | by_case_number).order_by(*name_order)[:limit]
    if names_first is None:
        names_first = user.is_superuser or getattr(user, "role", None) == User.Role.PLAN_LIAISON
    if names_first:
        # The best ``limit`` by name and the members found by case number, ranked together: the first
        # ``limit`` of these are the first ``limit`` of all.
        members = member_list_visible_to(user=user)
        found = _best_named_member_ids(members, q, limit=limit) + case_number_members
        return _ranked_by_name(members.filter(pk__in=found), q)[:limit]
    # Program staff: the members of their cases whose name is one of the dictionary's matches. Reading names
    # first would read every bearer of a matching name in the state (26,000 for a common surname) to keep
    # the few in scope; comparing the names of each member in scope costs three trigram similarities a
    # member (a county supervisor's 6,300: 47 ms at 1M members). Here the scope's members are read by id,
    # PostgreSQL is given them as an array (EqualsAny: given them as EXISTS, or joined to the names, it
    # read the whole member table instead, 85–160 ms), and each one's name is looked up among the
    # matches' keys, which PostgreSQL hashes once (20 ms). The keys are as many as the names that match.
    in_scope = Member.objects.filter(
        EqualsAny(F("pk"), ArraySubquery(visible_cases.order_by().values("member_id"))))
    keys = [_name_key(first, last)
            for first, last in ranked_matching_names(q).order_by().values_list("first_name", "last_name")]
    named = EqualsAny(MemberNameKey(), ArrayParam(keys, TextField()))
    return _ranked_by_name(in_scope, q).filter(Q(named) | by_case_number)[:limit]
