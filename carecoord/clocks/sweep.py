"""The deadline sweep: warn before the due time, mark missed, escalate to a supervisor.

Run every minute by the ``clocks.sweep`` task (and by ``manage.py sweep_deadlines``).
Each step claims due rows in batches: one short transaction selects them with
``select_for_update(skip_locked=True)`` through the step's partial index and
writes a lease (``lease_until``); then each row is handled in its own
transaction that locks it again, re-checks that the step is still due and writes
the outcome. So

- two sweeps at once (two beats, a redelivered task) never take the same row:
  the second skips locked and leased rows;
- a worker that dies mid-row loses nothing: its transaction rolls back and the
  row is taken again when the lease ends;
- every reminder is written with a unique key (``deadline:<id>:warning``,
  ``:missed``, ``:escalation`` for the in-app Notification, ``email:deadline:<id>:<kind>``
  for the outbox email), so even a repeated step creates nothing twice.

Windows (rules of kind ``window``: a member's filing period, a protection
period) are never missed or escalated: when their end passes they become
``ended``, and the compliance figures leave them out.

Who hears about it: the warning and the "missed" notice go to the owner; a
deadline without an owner goes to its supervisor instead. The escalation goes
to the owner's supervisor (the supervisor of the owner's team), else the
supervisor of the deadline's team, else the first supervisor of the deadline's
organization. With nobody to escalate to, the escalation is still recorded
(``escalated_at`` without ``escalated_to``) and written on the case timeline.
"""
from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from carecoord.accounts.models import User

from .models import Deadline, Notification, OutboxMessage
from .selectors import is_window

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    ended: int = 0
    missed: int = 0
    escalated: int = 0
    warned: int = 0
    errors: int = 0
    ids: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict[str, int]:
        return {"ended": self.ended, "missed": self.missed, "escalated": self.escalated,
                "warned": self.warned, "errors": self.errors}


# ---------------------------------------------------------------- recipients

def _active(user: User | None) -> User | None:
    return user if user is not None and user.is_active else None


def supervisor_for(deadline: Deadline) -> User | None:
    """Whom a missed deadline is escalated to (see the module docstring)."""
    owner = _active(deadline.owner)
    if owner is not None:
        supervisor = _active(owner.supervisor)
        if supervisor is not None and supervisor.pk != owner.pk:
            return supervisor
    if deadline.team_id:
        supervisor = _active(deadline.team.supervisor)
        if supervisor is not None and supervisor.pk != getattr(owner, "pk", None):
            return supervisor
    if deadline.organization_id:
        return (User.objects.filter(organization_id=deadline.organization_id, role=User.Role.SUPERVISOR, is_active=True)
                .exclude(pk=getattr(owner, "pk", None)).order_by("pk").first())
    return None


def owner_or_supervisor(deadline: Deadline) -> User | None:
    return _active(deadline.owner) or supervisor_for(deadline)


# ---------------------------------------------------------------- one row at a time

def _describe(deadline: Deadline) -> str:
    rule = deadline.rule
    who = ""
    if deadline.member_id:
        member = deadline.member
        who = f" ({member.first_name} {member.last_name[:1]}.)"
    return f"{rule.title}{who}"


def _url(deadline: Deadline) -> str:
    return reverse("case_detail", args=[deadline.case_id]) if deadline.case_id else reverse("home")


def _due_words(deadline: Deadline) -> str:
    return f"{timezone.localtime(deadline.due_at):%a %b %d, %Y %H:%M} Pacific"


def _remind(*, deadline: Deadline, user: User | None, kind: str, message: str, email: bool) -> None:
    """The in-app notification and (for warnings and escalations) the email, each once per unique key.

    Written with ``INSERT … ON CONFLICT DO NOTHING`` (one statement each): the same
    rows ``notification_create``/``outbox_enqueue`` write, at the sweep's volume.
    """
    if user is None:
        return
    url = _url(deadline)
    Notification.objects.bulk_create([Notification(
        key=f"deadline:{deadline.pk}:{kind}", user=user, kind=kind, message=message[:500], deadline=deadline, url=url,
    )], ignore_conflicts=True)
    if email and user.email:
        OutboxMessage.objects.bulk_create([OutboxMessage(key=f"email:deadline:{deadline.pk}:{kind}", channel="email", payload={
            "to": [user.email], "subject": f"[carecoord] {message}"[:200],
            "body": f"{message}\n\n{deadline.rule.plain}\nSource: {deadline.rule.source}\n{url}\n",
            "deadline_id": deadline.pk, "kind": kind,
        })], ignore_conflicts=True)


def _timeline(deadline: Deadline, *, kind: str, summary: str) -> None:
    if deadline.case_id:
        from cases.timeline import timeline_record

        timeline_record(case=deadline.case, kind=kind, summary=summary, data={"deadline": deadline.pk, "rule": deadline.rule_code})


def _end_window(deadline: Deadline, now: datetime.datetime) -> None:
    deadline.status = Deadline.Status.ENDED
    deadline.save(update_fields=["status", "lease_until"])
    _timeline(deadline, kind="clock.ended", summary=f"{deadline.rule.title}: window ended {_due_words(deadline)}")


def _miss(deadline: Deadline, now: datetime.datetime) -> None:
    deadline.status, deadline.missed_at = Deadline.Status.MISSED, now
    deadline.save(update_fields=["status", "missed_at", "lease_until"])
    _remind(deadline=deadline, user=owner_or_supervisor(deadline), kind=Notification.Kind.MISSED,
            message=f"Missed: {_describe(deadline)} was due {_due_words(deadline)}", email=False)
    _timeline(deadline, kind="clock.missed", summary=f"{deadline.rule.title} missed (was due {_due_words(deadline)})")


def _escalate(deadline: Deadline, now: datetime.datetime) -> None:
    supervisor = supervisor_for(deadline)
    deadline.escalated_at, deadline.escalated_to = now, supervisor
    deadline.save(update_fields=["escalated_at", "escalated_to", "lease_until"])
    owner = str(deadline.owner) if deadline.owner_id else "nobody"
    _remind(deadline=deadline, user=supervisor, kind=Notification.Kind.ESCALATION,
            message=f"Escalated: {_describe(deadline)} (owner {owner}) was due {_due_words(deadline)}", email=True)
    _timeline(deadline, kind="clock.escalated",
              summary=f"{deadline.rule.title} escalated to {supervisor or 'nobody: no supervisor on file'}")


def _warn(deadline: Deadline, now: datetime.datetime) -> None:
    deadline.warned_at = now
    deadline.save(update_fields=["warned_at", "lease_until"])
    _remind(deadline=deadline, user=owner_or_supervisor(deadline), kind=Notification.Kind.WARNING,
            message=f"Due soon: {_describe(deadline)} is due {_due_words(deadline)}", email=True)


@dataclass(frozen=True)
class Step:
    """One kind of sweep work: which rows are due (matching a partial index) and what to do with each."""

    name: str
    due: Callable[[datetime.datetime], Q]
    order_by: str
    act: Callable[[Deadline, datetime.datetime], None]
    windows: bool | None  # True: only windows; False: only tasks; None: both


STEPS = (
    Step("ended", lambda now: Q(status=Deadline.Status.OPEN, paused_at__isnull=True, due_at__lte=now),
         "due_at", _end_window, windows=True),
    Step("missed", lambda now: Q(status=Deadline.Status.OPEN, paused_at__isnull=True, due_at__lte=now),
         "due_at", _miss, windows=False),
    Step("escalated", lambda now: Q(status=Deadline.Status.MISSED, escalated_at__isnull=True),
         "missed_at", _escalate, windows=False),
    Step("warned", lambda now: Q(status=Deadline.Status.OPEN, warned_at__isnull=True, paused_at__isnull=True,
                                 warn_at__lte=now, due_at__gt=now),
         "warn_at", _warn, windows=False),
)


def _due_rows(step: Step, now: datetime.datetime):
    qs = Deadline.objects.filter(step.due(now))
    if step.windows is True:
        qs = qs.filter(is_window())
    elif step.windows is False:
        qs = qs.exclude(is_window())
    return qs


def _claim(step: Step, *, now: datetime.datetime, batch_size: int, lease: datetime.timedelta) -> list[int]:
    with transaction.atomic():
        ids = list(
            _due_rows(step, now).filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))
            .order_by(step.order_by, "pk").select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:batch_size]
        )
        if ids:
            Deadline.objects.filter(pk__in=ids).update(lease_until=now + lease)
    return ids


CHUNK = 25  # rows written per transaction: one commit (one WAL flush) per chunk, not per row


def _handle_chunk(step: Step, ids: list[int], now: datetime.datetime, result: SweepResult) -> None:
    """Lock the chunk's rows that are still due, act on each inside a savepoint, commit once.

    A row that fails rolls back to its savepoint and keeps its lease (a later sweep
    retries it); a worker that dies loses the chunk's transaction, and the rows come
    back when their lease ends. Rows no longer due (met, paused, done by another
    sweep) just lose their lease.
    """
    with transaction.atomic():
        rows = list(
            _due_rows(step, now).filter(pk__in=ids).select_for_update(of=("self",))
            .select_related("owner__team__supervisor", "team__supervisor", "member", "case").order_by("pk")
        )
        gone = set(ids) - {deadline.pk for deadline in rows}
        if gone:
            Deadline.objects.filter(pk__in=gone).update(lease_until=None)
        for deadline in rows:
            deadline.lease_until = None
            try:
                with transaction.atomic():
                    step.act(deadline, now)
            except Exception:  # one bad row must not stop the sweep; its lease lets a later sweep retry
                log.exception("sweep step %s failed on deadline %s", step.name, deadline.pk)
                result.errors += 1
                continue
            setattr(result, step.name, getattr(result, step.name) + 1)
            result.ids.setdefault(step.name, []).append(deadline.pk)


def sweep_deadlines(*, now: datetime.datetime | None = None, max_batches: int = 200) -> SweepResult:
    """One sweep over every step, batch by batch until nothing claimable is left."""
    batch_size = settings.CARECOORD.get("SWEEP_BATCH_SIZE", 500)
    lease = datetime.timedelta(seconds=settings.CARECOORD.get("SWEEP_LEASE_SECONDS", 120))
    result = SweepResult()
    for step in STEPS:
        for _batch in range(max_batches):
            step_now = now or timezone.now()
            ids = _claim(step, now=step_now, batch_size=batch_size, lease=lease)
            if not ids:
                break
            for first in range(0, len(ids), CHUNK):
                _handle_chunk(step, ids[first:first + CHUNK], step_now, result)
    return result
