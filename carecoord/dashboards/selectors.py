"""Aggregates for the supervisor dashboards, scoped to what the user may count.

Everything here is computed in the database (``Count`` with filters, ``TruncMonth``,
``Exists``) with a fixed number of queries whatever the number of cases, and reads
from :func:`carecoord.db_routers.reports_db_alias` so a read replica can take it.

Scope: an administrator counts everything; anyone else counts their organization's
cases and deadlines only (a supervisor never sees another organization's figures,
even for a case shared with them).

- :func:`compliance_overview`: the clock figures by rule, by rule and month, team and
  worker (from :func:`carecoord.clocks.selectors.compliance_figures`), each rule with
  its target and whether it is below it.
- :func:`compliance_drilldown`: the deadlines behind one figure, from the very
  queryset the figures count (:func:`carecoord.clocks.selectors.deadlines_in_figures`).
- :func:`caseloads`, :func:`escalations_and_problems`, :func:`ecm_funnel`.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from carecoord.accounts.models import User
from carecoord.clocks import calendar as workdays
from carecoord.clocks.catalog import all_rules, get_rule
from carecoord.clocks.models import Deadline
from carecoord.clocks.selectors import COUNTED, compliance_figure_sets, deadlines_in_figures
from carecoord.db_routers import reports_db_alias
from cases.ccs_models import LiaisonMeeting, ProblemItem
from cases.models import Case, Task
from cases.selectors import case_list_visible_to

INACTIVE_DAYS = 30  # CCS: no activity in 30 days is "lost to follow-up" territory
LIST_LIMIT = 50  # rows shown in a dashboard list; the counts are always complete
OUTCOMES = ("due", "met_on_time", "met_late", "missed", "open")
AGE_BUCKETS = (("0_30", 0, 30), ("31_60", 31, 60), ("61_90", 61, 90), ("over_90", 91, None))
REVIEW_RULES = {"annual_medical_review": "ccs.annual_medical_review", "care_plan_review": "ecm.care_plan_review"}
FUNNEL_STEPS = ("referred", "consented", "presumptively_authorized", "enrolled", "assessed")


def is_admin(user) -> bool:
    return user.is_superuser or user.role == User.Role.ADMINISTRATOR


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def months_back(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(first: datetime.date) -> datetime.date:
    return months_back(first, -1) - datetime.timedelta(days=1)


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """This month and the five before it."""
    today = today or timezone.localdate()
    return months_back(today, 5), today


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, current = [], month_start(start)
    while current <= end:
        months.append(current)
        current = months_back(current, -1)
    return months


def rule_codes_of(program: str | None) -> set[str] | None:
    """The rule codes of a program (None: every rule)."""
    if not program:
        return None
    return {rule.code for rule in all_rules() if rule.program == program}


# ---------------------------------------------------------------- compliance


@dataclass
class RuleFigures:
    rule_code: str
    title: str
    program: str
    target: float
    due: int
    met_on_time: int
    met_late: int
    missed: int
    open: int
    on_time_rate: float | None
    median_hours_to_meet: float | None

    @property
    def below_target(self) -> bool:
        return self.on_time_rate is not None and self.on_time_rate < self.target

    @property
    def on_time_percent(self) -> float | None:
        return None if self.on_time_rate is None else round(self.on_time_rate * 100, 1)

    @property
    def target_percent(self) -> float:
        return round(self.target * 100, 1)


def _rule_figures(row: dict) -> RuleFigures:
    rule = get_rule(row["rule_code"])
    return RuleFigures(rule_code=rule.code, title=str(rule.title), program=rule.program, target=rule.on_time_target,
                       due=row["due"], met_on_time=row["met_on_time"], met_late=row["met_late"], missed=row["missed"],
                       open=row["open"], on_time_rate=row["on_time_rate"],
                       median_hours_to_meet=row["median_hours_to_meet"])


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _worst_first(row: dict) -> tuple:
    """Below target first, then the lowest on-time rate, then the most missed."""
    rate = row["on_time_rate"] if row["on_time_rate"] is not None else 2
    return (not row["below_target"], rate, -row["missed"], row["rule_code"])


def compliance_overview(*, user, start: datetime.date, end: datetime.date, program: str | None = None,
                        every_median: bool = True) -> dict:
    """Clock figures for deadlines due from ``start`` to ``end``: four groupings from one scan of the deadlines.

    Returns ``rules`` (one :class:`RuleFigures` per rule with counted or open
    deadlines, those below target first), ``months`` (the months of the period),
    ``trend`` (per rule, the on-time percentage of each month, None where nothing
    was due), ``by_month`` (rows per rule and month), ``by_team`` and ``by_owner`` (rows per rule and
    team or worker, those furthest below target first). Without ``every_median`` only the rules have their
    median hours to meet (what the page shows; the CSV shows every row's), from a second, smaller scan:
    for the largest county at 1M members that saves some 12 ms of the page's 80.
    """
    using = reports_db_alias()
    codes = rule_codes_of(program)
    per_rule, by_month, by_team, by_owner = (
        [row for row in rows if codes is None or row["rule_code"] in codes]
        for rows in compliance_figure_sets(user=user, start=start, end=end, using=using,
                                           groupings=[("rule",), ("rule", "month"), ("rule", "team"), ("rule", "owner")],
                                           medians=None if every_median else [("rule",)])
    )
    rules = [_rule_figures(row) for row in per_rule]
    rules.sort(key=lambda r: (not r.below_target, r.on_time_rate if r.on_time_rate is not None else 2, r.rule_code))
    months = months_between(start, end)
    trend: dict[str, dict[datetime.date, float | None]] = defaultdict(dict)
    for row in by_month:
        row["on_time_percent"] = _percent(row["on_time_rate"])
        trend[row["rule_code"]][row["month"]] = row["on_time_percent"]
    for row in (*by_team, *by_owner):
        row["on_time_percent"] = _percent(row["on_time_rate"])
        row["below_target"] = row["on_time_rate"] is not None and row["on_time_rate"] < get_rule(row["rule_code"]).on_time_target
    for row in by_month:
        row["below_target"] = row["on_time_rate"] is not None and row["on_time_rate"] < get_rule(row["rule_code"]).on_time_target
    # Worst first, so that the page can show the figures that need attention and leave the rest to the CSV.
    by_team.sort(key=_worst_first)
    by_owner.sort(key=_worst_first)
    owner_names = _owner_names({row["owner_id"] for row in by_owner if row["owner_id"]}, using=using)
    for row in by_owner:
        row["owner_name"] = owner_names.get(row["owner_id"], "")
    return {
        "rules": rules,
        "months": months,
        "trend": {rule.rule_code: [trend[rule.rule_code].get(month) for month in months] for rule in rules if rule.due},
        "by_month": by_month,
        "by_team": by_team,
        "by_owner": by_owner,
    }


def _owner_names(ids: set[int], *, using: str) -> dict[int, str]:
    names = {}
    for pk, username, first, last in User.objects.using(using).filter(pk__in=ids).values_list(
            "pk", "username", "first_name", "last_name"):
        names[pk] = f"{first} {last}".strip() or username
    return names


def compliance_drilldown(*, user, start: datetime.date, end: datetime.date, outcome: str = "due",
                         rule_code: str | None = None, program: str | None = None, team: str | None = None,
                         owner: str | None = None, organization_id: int | None = None) -> QuerySet[Deadline]:
    """The deadlines behind one figure: the same set the figures count, narrowed by the same keys.

    ``team`` and ``owner`` are an id or ``"none"`` (the figure of deadlines nobody owns).
    ``outcome`` is one of :data:`OUTCOMES` (``due``: every counted deadline).
    """
    qs = deadlines_in_figures(user=user, start=start, end=end, using=reports_db_alias())
    if outcome == "due":
        qs = qs.filter(status__in=COUNTED)
    elif outcome in OUTCOMES:
        qs = qs.filter(status=outcome)
    else:
        return qs.none()
    if rule_code:
        qs = qs.filter(rule_code=rule_code)
    codes = rule_codes_of(program)
    if codes is not None:
        qs = qs.filter(rule_code__in=codes)
    for field, value in (("team", team), ("owner", owner)):
        if value == "none":
            qs = qs.filter(**{f"{field}__isnull": True})
        elif value:
            qs = qs.filter(**{f"{field}_id": value})
    if organization_id:
        qs = qs.filter(organization_id=organization_id)
    return qs.select_related("case", "member", "owner", "team").order_by("due_at", "pk")


# ---------------------------------------------------------------- caseloads


def cases_in_scope(*, user) -> QuerySet[Case]:
    """The cases a user's dashboards count: visible to them and, unless an administrator, their organization's."""
    qs = case_list_visible_to(user=user)
    if not is_admin(user):
        if not user.organization_id:
            return qs.none()
        qs = qs.filter(organization_id=user.organization_id)
    return qs.using(reports_db_alias())


def caseloads(*, user, start: datetime.date, end: datetime.date, program: str | None = None,
              now: datetime.datetime | None = None) -> dict:
    """Open cases per worker and program, new and closed per month, cases idle for 30 days, overdue reviews."""
    now = now or timezone.now()
    using = reports_db_alias()
    cases = cases_in_scope(user=user)
    if program:
        cases = cases.filter(program=program)
    per_worker = list(
        cases.filter(status=Case.Status.OPEN)
        .values("primary_case_manager_id", "primary_case_manager__username", "primary_case_manager__first_name",
                "primary_case_manager__last_name", "program")
        .annotate(open_cases=Count("pk"))
        .order_by("primary_case_manager__last_name", "primary_case_manager__username", "program")
    )
    for row in per_worker:
        full = f"{row['primary_case_manager__first_name'] or ''} {row['primary_case_manager__last_name'] or ''}".strip()
        row["worker"] = full or row["primary_case_manager__username"] or ""
    start_at = datetime.datetime.combine(start, datetime.time.min, tzinfo=workdays.PACIFIC)
    end_at = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=workdays.PACIFIC)
    new = _per_month(cases.filter(referred_at__gte=start_at, referred_at__lt=end_at), "referred_at")
    closed = _per_month(cases.filter(closed_at__gte=start_at, closed_at__lt=end_at), "closed_at")
    months = months_between(start, end)
    idle = inactive_cases(user=user, program=program, now=now)
    reviews = {}
    for key, code in REVIEW_RULES.items():
        overdue = overdue_reviews(user=user, rule_code=code, now=now)
        if program:
            overdue = overdue.filter(case__program=program)
        reviews[key] = overdue
    return {
        "per_worker": per_worker,
        "open_total": sum(row["open_cases"] for row in per_worker),
        "months": [{"month": month, "new": new.get(month, 0), "closed": closed.get(month, 0)} for month in months],
        "inactive_count": idle.count(),
        "inactive": list(idle.select_related("member", "primary_case_manager")[:LIST_LIMIT]),
        "reviews": {key: {"count": qs.count(), "rows": list(qs[:LIST_LIMIT])} for key, qs in reviews.items()},
        "using": using,
    }


def _per_month(qs: QuerySet, field: str) -> dict[datetime.date, int]:
    rows = qs.annotate(month=TruncMonth(field, tzinfo=workdays.PACIFIC)).values("month").annotate(n=Count("pk")).order_by()
    return {timezone.localtime(row["month"], workdays.PACIFIC).date(): row["n"] for row in rows}


def inactive_cases(*, user, program: str | None = None, now: datetime.datetime | None = None) -> QuerySet[Case]:
    """Open cases with no recorded activity for :data:`INACTIVE_DAYS` days, longest idle first."""
    now = now or timezone.now()
    qs = cases_in_scope(user=user).filter(status=Case.Status.OPEN,
                                          last_activity_at__lt=now - datetime.timedelta(days=INACTIVE_DAYS))
    if program:
        qs = qs.filter(program=program)
    return qs.order_by("last_activity_at", "pk")


def overdue_reviews(*, user, rule_code: str, now: datetime.datetime | None = None) -> QuerySet[Deadline]:
    """Review clocks (annual medical review, care plan review) past due and not met, in the user's scope."""
    now = now or timezone.now()
    return (
        _deadlines_in_scope(user=user)
        .filter(rule_code=rule_code, status__in=Deadline.ACTIVE_STATUSES, due_at__lt=now)
        .select_related("case", "member", "owner").order_by("due_at", "pk")
    )


def _deadlines_in_scope(*, user) -> QuerySet[Deadline]:
    qs = Deadline.objects.using(reports_db_alias())
    if is_admin(user):
        return qs.all()
    if not user.organization_id:
        return qs.none()
    return qs.filter(organization_id=user.organization_id)


# ---------------------------------------------------------------- escalations, problems, liaison action items


def _age_bucket_counts(now: datetime.datetime) -> dict:
    counts = {}
    for key, low, high in AGE_BUCKETS:
        condition = Q(opened_at__lte=now - datetime.timedelta(days=low))
        if high is not None:
            condition &= Q(opened_at__gt=now - datetime.timedelta(days=high + 1))
        counts[key] = Count("pk", filter=condition)
    return counts


def escalations_and_problems(*, user, now: datetime.datetime | None = None) -> dict:
    """Missed deadlines escalated to this user, open problem items by level and age, open liaison action items."""
    now = now or timezone.now()
    using = reports_db_alias()
    escalated = (
        Deadline.objects.using(using)
        .filter(escalated_to=user, status__in=Deadline.ACTIVE_STATUSES)
        .select_related("case", "member", "owner").order_by("due_at", "pk")
    )
    if is_admin(user):
        problems = ProblemItem.objects.using(using).all()
        meetings = LiaisonMeeting.objects.using(using).all()
    elif user.organization_id:
        problems = ProblemItem.objects.using(using).filter(Q(program_id=user.organization_id) | Q(plan_id=user.organization_id))
        meetings = LiaisonMeeting.objects.using(using).filter(Q(program_id=user.organization_id) | Q(plan_id=user.organization_id))
    else:
        problems, meetings = ProblemItem.objects.none(), LiaisonMeeting.objects.none()
    open_problems = problems.filter(status=ProblemItem.Status.OPEN)
    by_level = {row["level"]: row for row in open_problems.values("level").annotate(total=Count("pk"), **_age_bucket_counts(now)).order_by()}
    levels = []
    for level in ProblemItem.LEVEL_ORDER:
        row = by_level.get(level, {})
        levels.append({"level": level, "label": ProblemItem.Level(level).label, "total": row.get("total", 0),
                       **{key: row.get(key, 0) for key, _low, _high in AGE_BUCKETS}})
    through = LiaisonMeeting.tasks.through
    action_items = (
        Task.objects.using(using)
        .filter(status=Task.Status.OPEN,
                pk__in=through.objects.using(using).filter(liaisonmeeting__in=meetings).values("task_id"))
        .select_related("owner", "case").order_by("due_date", "pk")
    )
    items = list(action_items[:LIST_LIMIT])
    return {
        "escalated_count": escalated.count(),
        "escalated": list(escalated[:LIST_LIMIT]),
        "problem_levels": levels,
        "problems_open": sum(level["total"] for level in levels),
        "oldest_problems": list(open_problems.select_related("plan", "program").order_by("opened_at", "pk")[:10]),
        "action_items_count": action_items.count(),
        "action_items": items,
    }


# ---------------------------------------------------------------- ECM enrollment funnel


def ecm_funnel(*, user, start: datetime.date, end: datetime.date) -> list[dict]:
    """ECM referrals made in the period (``EcmEnrollment``, one per referral) and how far each got, in one query.

    - referred: referrals made in the period;
    - consented: the family's verbal consent is on the referral, or the child was enrolled (which needs the
      signed consent);
    - presumptively_authorized: ECM began on presumptive authorization, or the plan authorized it;
    - enrolled: ECM began (enrolled_at);
    - assessed: the ECM assessment was completed.
    """
    from cases.ecm_models import EcmEnrollment

    start_at = datetime.datetime.combine(start, datetime.time.min, tzinfo=workdays.PACIFIC)
    end_at = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=workdays.PACIFIC)
    enrolled = Q(enrolled_at__isnull=False)
    figures = (
        EcmEnrollment.objects.using(reports_db_alias())
        .filter(case__in=cases_in_scope(user=user), referred_at__gte=start_at, referred_at__lt=end_at)
        .aggregate(
            referred=Count("pk"),
            consented=Count("pk", filter=Q(consent__isnull=False) | enrolled),
            presumptively_authorized=Count("pk", filter=Q(presumptive=True) | Q(mcp_decision=EcmEnrollment.Decision.AUTHORIZED)),
            enrolled=Count("pk", filter=enrolled),
            assessed=Count("pk", filter=Q(assessment_completed_at__isnull=False)),
        )
    )
    referred = figures["referred"]
    return [{"step": step, "count": figures[step],
             "percent": round(figures[step] * 100 / referred, 1) if referred else None} for step in FUNNEL_STEPS]
