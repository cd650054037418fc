"""Reads of deadlines: the work queue, filtered to what the user may see."""
from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from carecoord.accounts.models import User

from . import calendar as workdays
from .models import Deadline

BUCKETS = ("overdue", "today", "week", "later")


def deadline_queue_for(*, user, program: str | None = None, team_id: int | None = None) -> QuerySet[Deadline]:
    """Open and missed deadlines the user must act on: their own; a supervisor's team's too."""
    if not user.is_authenticated:
        return Deadline.objects.none()
    scope = Q(owner=user)
    if user.role == User.Role.SUPERVISOR:
        scope |= Q(team__supervisor=user) | Q(escalated_to=user)
    qs = Deadline.objects.filter(scope, status__in=Deadline.ACTIVE_STATUSES)
    if program:
        qs = qs.filter(case__program=program)
    if team_id:
        qs = qs.filter(team_id=team_id)
    return qs.select_related("case", "member", "owner").order_by("due_at", "pk")


def bucket_of(due_at: datetime.datetime, *, now: datetime.datetime | None = None) -> str:
    now = now or timezone.now()
    if due_at < now:
        return "overdue"
    today = now.astimezone(workdays.PACIFIC).date()
    due_day = due_at.astimezone(workdays.PACIFIC).date()
    if due_day == today:
        return "today"
    if due_day <= today + datetime.timedelta(days=7):
        return "week"
    return "later"
