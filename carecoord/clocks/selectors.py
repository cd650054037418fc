"""Reads of deadlines, filtered to what the user may see: the work queue and the compliance figures.

- :func:`deadline_queue_for`: open and missed deadlines a user must act on
  (their own; a supervisor's team's and what was escalated to them), oldest due
  first. :func:`bucket_of` puts one in overdue / today / this week / later and
  :func:`time_left` says how long is left in plain words; :func:`queue_row` is
  one row of the queue as the browser and the API show it, from the values
  :func:`queue_values` reads.
- :func:`compliance_figures`: per rule / organization / owner / month, the
  on-time rate, met late, missed and the median time to meet, aggregated in the
  database (``percentile_cont`` on PostgreSQL); :func:`compliance_figure_sets`
  gives several groupings from one scan.
"""
from __future__ import annotations

import datetime
import functools
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import NamedTuple

from django.db import connection, connections
from django.db.models import Aggregate, CharField, Count, DurationField, ExpressionWrapper, F, IntegerField, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carecoord.accounts.models import Team, User
from carecoord.expressions import one_of

from . import calendar as workdays
from .catalog import all_rules, get_rule, window_codes
from .models import Deadline

BUCKETS = ("overdue", "today", "week", "later")
WEEK_DAYS = 7  # "this week": due within the next seven days (after today)


def is_window() -> Q:
    """Deadlines of window rules (``catalog.window_codes``): the queue and the figures leave them out, the sweep
    ends them rather than missing them."""
    return one_of("rule_code", window_codes(), CharField())


def _is_admin(user) -> bool:
    return user.is_superuser or user.role == User.Role.ADMINISTRATOR


def deadline_queue_for(*, user, program: str | None = None, team_id: int | None = None) -> QuerySet[Deadline]:
    """Open and missed deadlines the user must act on: their own; a supervisor's team's too.

    A supervisor also sees deadlines escalated to them and the unowned deadlines
    of their organization. Windows (a member's filing period) are not work, so
    they are left out. Ordered by due time, oldest first.
    """
    if not user.is_authenticated or not user.is_active:
        return Deadline.objects.none()
    scope = Q(owner=user)
    if user.role == User.Role.SUPERVISOR:
        # The supervised teams and their members as literal ids: each arm of the OR then uses its own
        # index (one BitmapOr) instead of joining every active deadline to its team and owner, which
        # grows with the whole table (800 ms at 1M members on the scale benchmark).
        team_ids = list(Team.objects.filter(supervisor=user).values_list("pk", flat=True))
        owner_ids = list(User.objects.filter(team_id__in=team_ids).values_list("pk", flat=True)) if team_ids else []
        scope |= Q(team_id__in=team_ids) | Q(owner_id__in=owner_ids) | Q(escalated_to=user)
        if user.organization_id:
            scope |= Q(owner__isnull=True, organization_id=user.organization_id)
    qs = Deadline.objects.filter(scope, status__in=Deadline.ACTIVE_STATUSES).exclude(is_window())
    if program:
        qs = qs.filter(case__program=program)
    if team_id:
        qs = qs.filter(team_id=team_id)
    return qs.order_by("due_at", "pk")


# What a queue row shows: of the deadline, its case, member and owner only these columns, read as values.
# Rows are built from them rather than from Deadlines: a case manager's 135 deadlines, each built as a model
# with its case, member and owner, took twice as long as the page's query (the case and member rows are
# wide, too: JSON lists, addresses, identifiers).
QUEUE_VALUES = (
    "id", "rule_code", "subject_type_id", "due_at", "status", "paused_at", "escalated_at", "case_id", "case__program",
    "member_id", "member__first_name", "member__middle_name", "member__last_name",
    "owner_id", "owner__first_name", "owner__last_name", "owner__username",
)


def queue_values(deadlines: QuerySet[Deadline]) -> QuerySet[dict]:
    """``deadlines`` (the queue's, or a case's) as the values their rows are built from (:func:`queue_row`)."""
    return deadlines.values(*QUEUE_VALUES)


class NextDeadline(NamedTuple):
    rule_code: str
    due_at: datetime.datetime


def next_deadlines(case_ids) -> dict[int, NextDeadline]:
    """Each case's soonest deadline still to be worked, windows left out as in the work queue.
    One query for a page of cases, however many there are; read as rows, not Deadlines."""
    soonest: dict[int, NextDeadline] = {}
    deadlines = (Deadline.objects.filter(one_of("case_id", case_ids, IntegerField()), status__in=Deadline.ACTIVE_STATUSES)
                 .exclude(is_window()).order_by("case_id", "due_at", "pk")
                 .values_list("case_id", "rule_code", "due_at"))
    for case_id, rule_code, due_at in deadlines:
        soonest.setdefault(case_id, NextDeadline(rule_code, due_at))
    return soonest


def clock_running_at(*, rule_code: str, subject, at: datetime.datetime) -> bool:
    """Is ``subject``'s clock of ``rule_code`` open and not yet due at ``at`` (e.g. a filing window still open)?"""
    from django.contrib.contenttypes.models import ContentType

    return Deadline.objects.filter(rule_code=rule_code, subject_type=ContentType.objects.get_for_model(subject),
                                   subject_id=subject.pk, status=Deadline.Status.OPEN, due_at__gte=at).exists()


def case_clocks_to_pause(case) -> QuerySet[Deadline]:
    """The case's running open clocks whose rule lets them wait (``ClockRule.pausable``), soonest first."""
    pausable = [rule.code for rule in all_rules() if rule.pausable]
    return Deadline.objects.filter(case=case, status=Deadline.Status.OPEN, paused_at__isnull=True,
                                   rule_code__in=pausable).order_by("due_at")


def case_clocks_to_resume(case) -> QuerySet[Deadline]:
    """The case's paused clocks, soonest first."""
    return Deadline.objects.filter(case=case, status=Deadline.Status.OPEN, paused_at__isnull=False).order_by("due_at")


def bucket_of(due_at: datetime.datetime, *, now: datetime.datetime | None = None) -> str:
    """overdue (past due), today (due later today, Pacific), week (the next seven days) or later."""
    now = now or timezone.now()
    if due_at < now:
        return "overdue"
    today = now.astimezone(workdays.PACIFIC).date()
    due_day = due_at.astimezone(workdays.PACIFIC).date()
    if due_day == today:
        return "today"
    if due_day <= today + datetime.timedelta(days=WEEK_DAYS):
        return "week"
    return "later"


def time_left(due_at: datetime.datetime, *, now: datetime.datetime | None = None, language: str | None = None) -> str:
    """"3 days left", "5 hours left", "overdue by 2 days": the largest whole unit. ``language``: the active one, where
    the caller looked it up once for many rows (each lookup costs what the rest of this does)."""
    now = now or timezone.now()
    seconds = (due_at - now).total_seconds()
    span = abs(seconds)
    if span >= 86400:
        unit, count = "day", int(span // 86400)
    elif span >= 3600:
        unit, count = "hour", int(span // 3600)
    else:
        unit, count = "minute", max(int(span // 60), 1)
    return _time_left_words(unit, count, seconds < 0, language or get_language())


@functools.lru_cache(maxsize=2048)
def _time_left_words(unit: str, count: int, overdue: bool, language: str | None) -> str:
    # Queues show hundreds of these and most repeat ("overdue by 3 days"): translated once per language.
    # ``language`` is only part of the cache key: the active language is what translates.
    if unit == "day":
        words = ngettext("%(n)d day", "%(n)d days", count) % {"n": count}
    elif unit == "hour":
        words = ngettext("%(n)d hour", "%(n)d hours", count) % {"n": count}
    else:
        words = ngettext("%(n)d minute", "%(n)d minutes", count) % {"n": count}
    if overdue:
        return _("overdue by %(span)s") % {"span": words}
    return _("%(span)s left") % {"span": words}


def due_texts() -> Callable[[datetime.datetime], tuple[str, str]]:
    """How a page writes when clocks are due: for a due time, ISO 8601 for the ``<time>`` element and the local
    date and time in the active language's short format, in the active time zone. The zone and the language are
    looked up once, for all the rows of a page (each lookup took as long as finding the texts)."""
    return functools.partial(_due_texts, zone=timezone.get_current_timezone_name(), language=get_language())


@functools.lru_cache(maxsize=8192)
def _due_texts(due_at: datetime.datetime, zone: str, language: str | None) -> tuple[str, str]:
    # A queue's deadlines are shown again at every visit and their due times do not change: formatting them
    # (Django's date format, with a translation per time of day) was a fifth of the work queue page.
    # ``zone`` and ``language`` are only part of the cache key: the active ones are what format.
    due = timezone.localtime(due_at)
    return due.isoformat(), dateformat.format(due, get_format("SHORT_DATETIME_FORMAT"))


class RuleWords(NamedTuple):
    title: str
    plain: str


def rule_words(code: str, *, language: str | None = None) -> RuleWords:
    """A rule's title and plain-words statement in the active language (``language``, where the caller looked it
    up once for many rows). Queues and figures repeat them on hundreds of rows; translating them each time cost
    more than the page's query."""
    return _rule_words(code, language or get_language())


@functools.lru_cache(maxsize=512)
def _rule_words(code: str, language: str | None) -> RuleWords:
    # ``language`` is only part of the cache key: the active language is what translates.
    rule = get_rule(code)
    return RuleWords(title=str(rule.title), plain=str(rule.plain))


def queue_row(values: dict, *, now: datetime.datetime | None = None, language: str | None = None) -> dict:
    """One work-queue row, from a deadline's :func:`queue_values`: the member, the rule in plain words, when it
    is due and how long is left. A page of rows passes the time and the active language it looked up once."""
    now = now or timezone.now()
    language = language or get_language()
    rule = get_rule(values["rule_code"])
    words = rule_words(rule.code, language=language)
    owned = values["owner_id"] is not None
    return {
        "id": values["id"],
        "bucket": bucket_of(values["due_at"], now=now),
        "due_at": values["due_at"],
        "time_left": time_left(values["due_at"], now=now, language=language),
        "status": values["status"],
        "paused": values["paused_at"] is not None,
        "escalated": values["escalated_at"] is not None,
        "rule_code": rule.code,
        "rule": words.plain,
        "rule_title": words.title,
        "source": rule.source,
        "program": values["case__program"] if values["case_id"] else rule.program,
        "case_id": values["case_id"],
        "member_id": values["member_id"],
        "member_name": f"{values['member__first_name']} {values['member__last_name']}" if values["member_id"] else "",
        "owner_id": values["owner_id"],
        "owner_name": User.name_from(values["owner__first_name"], values["owner__last_name"], values["owner__username"])
        if owned else "",
    }


# ---------------------------------------------------------------- compliance figures

GROUPS = {
    "rule": ("rule_code",),
    "organization": ("organization_id", "organization__name"),
    "owner": ("owner_id", "owner__username"),
    "team": ("team_id", "team__name"),
    "month": ("month",),
}
COUNTED = (Deadline.Status.MET_ON_TIME, Deadline.Status.MET_LATE, Deadline.Status.MISSED)
MET = (Deadline.Status.MET_ON_TIME, Deadline.Status.MET_LATE)


class Median(Aggregate):
    """PostgreSQL's continuous median, ``percentile_cont(0.5) WITHIN GROUP (ORDER BY …)``."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=workdays.PACIFIC)


def deadlines_for_figures(*, user) -> QuerySet[Deadline]:
    """The deadlines a user may count: everything for an administrator, the organization for a
    supervisor or medical consultant, otherwise the deadlines of cases they may see and their own."""
    if not user.is_authenticated or not user.is_active:
        return Deadline.objects.none()
    if _is_admin(user):
        return Deadline.objects.all()
    if user.role in (User.Role.SUPERVISOR, User.Role.MEDICAL_CONSULTANT) and user.organization_id:
        return Deadline.objects.filter(organization_id=user.organization_id)
    from cases.selectors import case_list_visible_to

    return Deadline.objects.filter(Q(owner=user) | Q(case__in=case_list_visible_to(user=user)))


def deadlines_in_figures(*, user, start: datetime.date, end: datetime.date,
                         using: str = "default") -> QuerySet[Deadline]:
    """The deadlines :func:`compliance_figures` looks at for ``start``..``end`` (due dates, Pacific):
    what a figure drills down to, so the list behind a number holds exactly what was counted."""
    return (
        deadlines_for_figures(user=user).using(using)
        .filter(due_at__gte=_start_of_day(start), due_at__lt=_start_of_day(end + datetime.timedelta(days=1)))
        .exclude(status__in=[Deadline.Status.CANCELLED, Deadline.Status.ENDED])
        .exclude(is_window())
    )


def compliance_figures(*, user, start: datetime.date, end: datetime.date,
                       group_by: Sequence[str] = ("rule",), using: str = "default") -> list[dict]:
    """Figures for deadlines due from ``start`` to ``end`` (inclusive, Pacific dates), grouped.

    Counted: deadlines that are met (on time or late) or missed; open ones not yet
    met, cancelled ones and windows are left out. Each row has the group keys and
    ``due`` (counted total), ``met_on_time``, ``met_late``, ``missed``, ``open``
    (still open, e.g. paused or not yet due), ``on_time_rate`` (met on time ÷ counted, or
    None) and ``median_hours_to_meet`` (from the start to being met, met ones only).
    ``using`` names the database to read (the dashboards pass the reports replica).
    """
    _check_grouping(group_by)
    fields = [field for name in group_by for field in GROUPS[name]]
    qs = (
        deadlines_in_figures(user=user, start=start, end=end, using=using)
        .annotate(month=TruncMonth("due_at", tzinfo=workdays.PACIFIC),
                  time_to_meet=ExpressionWrapper(F("met_at") - F("started_at"), output_field=DurationField()))
        .values(*fields)
    )
    counts = {
        "due": Count("pk", filter=Q(status__in=COUNTED)),
        "met_on_time": Count("pk", filter=Q(status=Deadline.Status.MET_ON_TIME)),
        "met_late": Count("pk", filter=Q(status=Deadline.Status.MET_LATE)),
        "missed": Count("pk", filter=Q(status=Deadline.Status.MISSED)),
        "open": Count("pk", filter=Q(status=Deadline.Status.OPEN)),
    }
    postgres = connection.vendor == "postgresql"
    if postgres:
        counts["median_time_to_meet"] = Median("time_to_meet", filter=Q(status__in=MET), output_field=DurationField())
    rows = list(qs.annotate(**counts).order_by(*fields))
    if not postgres:
        _median_in_python(rows, qs, fields)
    titles = _rule_titles()
    return [_finish(row, titles) for row in rows]


def _check_grouping(group_by: Sequence[str]) -> None:
    unknown = [name for name in group_by if name not in GROUPS]
    if unknown:
        raise ValueError(f"unknown grouping {unknown}; choose from {sorted(GROUPS)}")


def compliance_figure_sets(*, user, start: datetime.date, end: datetime.date,
                           groupings: Sequence[Sequence[str]], medians: Sequence[Sequence[str]] | None = None,
                           using: str = "default") -> list[list[dict]]:
    """:func:`compliance_figures` for several groupings at once, one list of rows per grouping.

    On PostgreSQL it is one scan of the period's deadlines, ``GROUP BY GROUPING SETS``: the
    dashboard's four tables (per rule, month, team and worker) were four scans of a county's
    deadlines before, 12–14 ms each at 1M members. Rows are the same as those of :func:`compliance_figures`.

    ``medians`` names the groupings whose rows need ``median_hours_to_meet`` (all of them when None); on
    PostgreSQL the other groupings' rows have None there (elsewhere every row has its median). The median
    is an ordered-set aggregate, which PostgreSQL computes by sorting each group's times on its own: for
    the dashboard's 685 groups that was two fifths of the scan, for a column its page shows for the rules
    alone. When only some groupings need it, it comes from a second scan, of the met deadlines and those
    groupings only.
    """
    for group_by in groupings:
        _check_grouping(group_by)
    if connections[using].vendor != "postgresql":
        return [compliance_figures(user=user, start=start, end=end, group_by=group_by, using=using)
                for group_by in groupings]
    medians = [tuple(group_by) for group_by in (groupings if medians is None else medians)]
    # Grouped by ids; the names (a team's, an owner's) are looked up afterwards by id. Grouped by the names
    # as well, PostgreSQL joined every deadline of the period to its team and owner and sorted them by name:
    # a sixth of the query, for a few hundred names.
    grouped = {name: [field for field in GROUPS[name] if not _is_name(field)] for group_by in groupings for name in group_by}
    fields = list(dict.fromkeys(field for group_by in groupings for name in group_by for field in grouped[name]))
    column = {field: f"g{i}" for i, field in enumerate(fields)}
    inner = (
        deadlines_in_figures(user=user, start=start, end=end, using=using)
        .annotate(month=TruncMonth("due_at", tzinfo=workdays.PACIFIC))
        .values(**{column[field]: F(field) for field in fields}, g_status=F("status"),
                g_time_to_meet=ExpressionWrapper(F("met_at") - F("started_at"), output_field=DurationField()))
        .order_by()
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    keys_of = [[field for name in group_by for field in grouped[name]] for group_by in groupings]
    sets = [[column[field] for field in keys] for keys in keys_of]

    def by_sets(chosen: list[int], aggregates: str, params: tuple, *, where: str = "", where_params: tuple = ()):
        """Each group of the grouping sets ``chosen`` as (which grouping, its key, its aggregates). GROUPING() of
        the columns is a bit mask of those a row is not grouped by (first column highest): it tells which set
        the row belongs to."""
        used = [c for c in column.values() if any(c in sets[n] for n in chosen)]
        mask_of = {sum(1 << (len(used) - 1 - i) for i, c in enumerate(used) if c not in sets[n]): n for n in chosen}
        cursor.execute(
            f"SELECT {', '.join(used)}, GROUPING({', '.join(used)}), {aggregates} FROM ({inner_sql}) AS figures {where} "
            f"GROUP BY GROUPING SETS ({', '.join('(' + ', '.join(sets[n]) + ')' for n in chosen)})",
            (*params, *inner_params, *where_params))
        for row in cursor.fetchall():
            n, keys = mask_of[row[len(used)]], dict(zip(used, row))
            yield n, tuple(keys[c] for c in sets[n]), row[len(used) + 1:]

    counts = ("COUNT(*) FILTER (WHERE g_status = ANY(%s)), COUNT(*) FILTER (WHERE g_status = %s), "
              "COUNT(*) FILTER (WHERE g_status = %s), COUNT(*) FILTER (WHERE g_status = %s), "
              "COUNT(*) FILTER (WHERE g_status = %s)")
    count_params = (list(COUNTED), Deadline.Status.MET_ON_TIME, Deadline.Status.MET_LATE, Deadline.Status.MISSED,
                    Deadline.Status.OPEN)
    median = "percentile_cont(0.5) WITHIN GROUP (ORDER BY g_time_to_meet)"
    with_median = [n for n, group_by in enumerate(groupings) if tuple(group_by) in medians]
    together = len(with_median) == len(groupings)  # every grouping needs it: computed with the counts
    out: list[list[dict]] = [[] for _ in groupings]
    titles = _rule_titles()
    with connections[using].cursor() as cursor:
        medians_apart = {}
        if with_median and not together:
            medians_apart = {(n, key): aggregates[0] for n, key, aggregates in
                             by_sets(with_median, median, (), where="WHERE g_status = ANY(%s)", where_params=(list(MET),))}
        every = list(range(len(groupings)))
        figures = (by_sets(every, f"{counts}, {median} FILTER (WHERE g_status = ANY(%s))", (*count_params, list(MET)))
                   if together else by_sets(every, f"{counts}, NULL", count_params))
        for n, key, (due, met_on_time, met_late, missed, still_open, median_time) in figures:
            row = dict(zip(keys_of[n], key))
            if row.get("month") is not None:
                # TruncMonth in Pacific time gives a local timestamp; the ORM would make it aware.
                row["month"] = timezone.make_aware(row["month"], workdays.PACIFIC)
            if not together:
                median_time = medians_apart.get((n, key))
            row.update(due=due, met_on_time=met_on_time, met_late=met_late, missed=missed, open=still_open,
                       median_time_to_meet=median_time)
            out[n].append(_finish(row, titles))
    _add_names(out, groupings, using=using)
    for n, group_by in enumerate(groupings):
        order = [field for name in group_by for field in GROUPS[name]]
        out[n].sort(key=lambda row: tuple((row[f] is None, row[f]) for f in order))
    return out


def _is_name(field: str) -> bool:
    """A field of :data:`GROUPS` read across a relation (``team__name``), as opposed to a key of the group."""
    return "__" in field


def _add_names(tables: list[list[dict]], groupings: Sequence[Sequence[str]], *, using: str) -> None:
    """Fill in the grouped rows' names (``team__name``, ``owner__username``…) from their ids, one query per
    related table."""
    for field in dict.fromkeys(f for group_by in groupings for name in group_by for f in GROUPS[name] if _is_name(f)):
        relation_name, attribute = field.split("__", 1)
        relation = Deadline._meta.get_field(relation_name)
        key = relation.attname
        rows = [row for table in tables for row in table if key in row]
        ids = {row[key] for row in rows if row[key] is not None}
        names = (dict(relation.related_model._default_manager.using(using).filter(pk__in=ids).values_list("pk", attribute))
                 if ids else {})
        for row in rows:
            row[field] = names.get(row[key])


def _median_in_python(rows: list[dict], qs: QuerySet, fields: list[str]) -> None:
    """The portable fallback (SQLite has no percentile_cont): one pass over the met rows."""
    durations: dict[tuple, list[datetime.timedelta]] = defaultdict(list)
    for values in qs.filter(status__in=MET).values(*fields, "met_at", "started_at"):
        durations[tuple(values[f] for f in fields)].append(values["met_at"] - values["started_at"])
    for row in rows:
        found = durations.get(tuple(row[f] for f in fields))
        row["median_time_to_meet"] = statistics.median(found) if found else None


def _rule_titles() -> dict[str, str]:
    """Every rule's title in the active language, looked up once for a table of figures rather than once a row
    (a county's dashboard has some 700)."""
    return {rule.code: rule_words(rule.code).title for rule in all_rules()}


def _finish(row: dict, titles: dict[str, str]) -> dict:
    median = row.pop("median_time_to_meet")
    if "rule_code" in row:
        row["rule_title"] = titles[row["rule_code"]]
    if "month" in row and row["month"] is not None:
        row["month"] = timezone.localtime(row["month"], workdays.PACIFIC).date().replace(day=1)
    row["on_time_rate"] = round(row["met_on_time"] / row["due"], 4) if row["due"] else None
    row["median_hours_to_meet"] = round(median.total_seconds() / 3600, 1) if median is not None else None
    return row
