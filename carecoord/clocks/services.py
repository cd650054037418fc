"""Start, meet, pause and cancel clocks; enqueue outbox messages and in-app notifications.

Domain services call these inside their own ``transaction.atomic()`` so that a
deadline is written together with the event that starts or meets it. Nobody
creates a Deadline row by hand.
"""
from __future__ import annotations

import datetime
import logging

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from carecoord.errors import RuleViolation

from . import calendar as workdays
from .catalog import ClockRule, Kind, Owner, get_rule
from .models import ClosureDay, Deadline, DeadlinePause, Notification, OutboxMessage

log = logging.getLogger(__name__)


def working_calendar_for(*, county=None, organization=None) -> workdays.WorkingCalendar:
    """State holidays plus the closure days an administrator added for this county or plan."""
    scope = Q(pk__in=[])
    if county is not None:
        scope |= Q(county=county)
    if organization is not None:
        scope |= Q(organization=organization)
    return workdays.WorkingCalendar(closure_days=ClosureDay.objects.filter(scope).values_list("date", flat=True))


def _resolve_owner(rule: ClockRule, case):
    if case is None:
        return None
    if rule.owner in (Owner.CASE_MANAGER, Owner.MEDICAL_CONSULTANT, Owner.PROGRAM):
        return case.primary_case_manager
    if rule.owner == Owner.PLAN:
        return _plan_liaison_for(case.member)
    return None


def _plan_liaison_for(member):
    """The first active liaison of the member's current plan: plan clocks land in their work queue."""
    from carecoord.accounts.models import User
    from cases.selectors import active_coverage

    coverage = active_coverage(member=member)
    if coverage is None or coverage.plan_id is None:
        return None
    return (User.objects.filter(organization_id=coverage.plan_id, role=User.Role.PLAN_LIAISON, is_active=True)
            .order_by("pk").first())


def deadline_start(
    *,
    rule_code: str,
    subject: models.Model,
    started_at: datetime.datetime,
    case=None,
    member=None,
    target: datetime.date | None = None,
    owner=None,
    organization=None,
    occurrence: str = "",
) -> Deadline:
    """Open the clock ``rule_code`` on ``subject``. Idempotent: an open one is returned as is."""
    if timezone.is_naive(started_at):
        raise ValueError("started_at must be timezone-aware")
    rule = get_rule(rule_code)
    subject_type = ContentType.objects.get_for_model(subject)
    existing = Deadline.objects.filter(
        rule_code=rule_code, subject_type=subject_type, subject_id=subject.pk, occurrence=occurrence
    ).exclude(status=Deadline.Status.CANCELLED).first()
    if existing:
        return existing
    if case is not None:
        member = member or case.member
        organization = organization or case.organization
    calendar = working_calendar_for(county=member.county_id and member.county if member else None, organization=organization)
    due_at = rule.due_at(started_at=started_at, target=target, calendar=calendar)
    deadline = Deadline(
        rule_code=rule.code, rule_version=rule.version, occurrence=occurrence,
        subject_type=subject_type, subject_id=subject.pk, case=case, member=member,
        organization=organization, team=case.team if case is not None else None,
        owner=owner or _resolve_owner(rule, case), started_at=started_at, due_at=due_at, warn_at=rule.warn_at(due_at),
    )
    try:
        with transaction.atomic():
            deadline.save()
    except IntegrityError:  # a concurrent start of the same clock won
        return Deadline.objects.get(
            rule_code=rule_code, subject_type=subject_type, subject_id=subject.pk, occurrence=occurrence,
            status__in=Deadline.ACTIVE_STATUSES,
        )
    if case is not None:
        from cases.timeline import timeline_record

        timeline_record(case=case, kind="clock.started", summary=f"{rule.title} due {timezone.localtime(due_at):%Y-%m-%d %H:%M}",
                        data={"deadline": deadline.pk, "rule": rule.code})
    return deadline


def _live_deadlines(*, rule_code: str, subject, occurrence: str | None):
    qs = Deadline.objects.filter(
        rule_code=rule_code, subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk,
        status__in=Deadline.ACTIVE_STATUSES,
    )
    if occurrence is not None:
        qs = qs.filter(occurrence=occurrence)
    return qs.select_for_update()


def deadline_meet(*, rule_code: str, subject, met_at: datetime.datetime | None = None, by=None,
                  occurrence: str | None = None) -> list[Deadline]:
    """Record the event that meets the clock: met on time, or met late if already past due."""
    met_at = met_at or timezone.now()
    met = []
    with transaction.atomic():
        for deadline in _live_deadlines(rule_code=rule_code, subject=subject, occurrence=occurrence):
            on_time = met_at <= deadline.due_at and deadline.status == Deadline.Status.OPEN
            deadline.status = Deadline.Status.MET_ON_TIME if on_time else Deadline.Status.MET_LATE
            deadline.met_at, deadline.met_by = met_at, by
            if deadline.paused_at:
                _close_pause(deadline, at=met_at)
            deadline.save(update_fields=["status", "met_at", "met_by", "paused_at"])
            if deadline.case_id:
                from cases.timeline import timeline_record

                timeline_record(case=deadline.case, kind="clock.met", actor=by,
                                summary=f"{deadline.rule.title}: {deadline.get_status_display().lower()}",
                                data={"deadline": deadline.pk, "rule": rule_code})
            met.append(deadline)
    return met


def deadline_cancel(*, rule_code: str, subject, reason: str, by=None, occurrence: str | None = None) -> list[Deadline]:
    if not reason:
        raise RuleViolation("Say why the clock is cancelled.", field="reason", rule="clock.cancel_reason")
    cancelled = []
    with transaction.atomic():
        for deadline in _live_deadlines(rule_code=rule_code, subject=subject, occurrence=occurrence):
            deadline.status, deadline.cancelled_reason = Deadline.Status.CANCELLED, reason
            deadline.save(update_fields=["status", "cancelled_reason"])
            if deadline.case_id:
                from cases.timeline import timeline_record

                timeline_record(case=deadline.case, kind="clock.cancelled", actor=by,
                                summary=f"{deadline.rule.title} cancelled: {reason}", data={"deadline": deadline.pk})
            cancelled.append(deadline)
    return cancelled


def deadline_pause(*, deadline: Deadline, reason: str, by=None, at: datetime.datetime | None = None) -> Deadline:
    """Stop a pausable clock while waiting on someone outside (e.g. the family's documents)."""
    at = at or timezone.now()
    if not deadline.rule.pausable:
        raise RuleViolation(f"The clock “{deadline.rule.title}” cannot be paused.", field="deadline", rule="clock.not_pausable")
    if not reason:
        raise RuleViolation("Say why the clock is paused.", field="reason", rule="clock.pause_reason")
    with transaction.atomic():
        deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
        if deadline.status != Deadline.Status.OPEN or deadline.paused_at:
            raise RuleViolation("Only a running open clock can be paused.", field="deadline", rule="clock.pause_state")
        deadline.paused_at = at
        deadline.save(update_fields=["paused_at"])
        DeadlinePause.objects.create(deadline=deadline, paused_at=at, reason=reason, paused_by=by)
        if deadline.case_id:
            from cases.timeline import timeline_record

            timeline_record(case=deadline.case, kind="clock.paused", actor=by, summary=f"{deadline.rule.title} paused: {reason}")
    return deadline


def _close_pause(deadline: Deadline, *, at: datetime.datetime) -> datetime.timedelta:
    pause = deadline.pauses.filter(resumed_at__isnull=True).first()
    deadline.paused_at = None
    if pause is None:
        return datetime.timedelta(0)
    pause.resumed_at = at
    pause.save(update_fields=["resumed_at"])
    return at - pause.paused_at


def deadline_resume(*, deadline: Deadline, by=None, at: datetime.datetime | None = None) -> Deadline:
    """Restart a paused clock; the due time moves later by exactly the time paused."""
    at = at or timezone.now()
    with transaction.atomic():
        deadline = Deadline.objects.select_for_update().get(pk=deadline.pk)
        if not deadline.paused_at:
            raise RuleViolation("The clock is not paused.", field="deadline", rule="clock.resume_state")
        paused_for = _close_pause(deadline, at=at)
        deadline.due_at += paused_for
        if deadline.warn_at:
            deadline.warn_at += paused_for
        deadline.save(update_fields=["paused_at", "due_at", "warn_at"])
        if deadline.case_id:
            from cases.timeline import timeline_record

            timeline_record(case=deadline.case, kind="clock.resumed", actor=by,
                            summary=f"{deadline.rule.title} resumed, now due {timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}")
    return deadline


def deadline_reassign_open(*, case, new_owner) -> int:
    """Move a case's open clocks to a new owner (case reassignment)."""
    return Deadline.objects.filter(case=case, status__in=Deadline.ACTIVE_STATUSES).update(owner=new_owner)


def outbox_enqueue(*, key: str, channel: str, payload: dict, available_at: datetime.datetime | None = None,
                   kick: bool = True) -> OutboxMessage:
    """Queue a delivery. The unique key makes a second enqueue of the same message a no-op.

    ``kick`` asks a worker to dispatch right after the commit; a bulk producer (the
    sweep) passes ``kick=False`` and kicks once at the end.
    """
    message, created = OutboxMessage.objects.get_or_create(
        key=key, defaults={"channel": channel, "payload": payload, "available_at": available_at or timezone.now()}
    )
    if created and kick:
        transaction.on_commit(outbox_kick)
    return message


def outbox_kick() -> None:
    """Ask a worker to dispatch now; the every-minute beat dispatch is the guarantee."""
    try:
        from .tasks import outbox_dispatch

        outbox_dispatch.apply_async(retry=False)
    except Exception:  # broker down: beat will pick the message up
        log.warning("could not kick the outbox dispatcher; beat will deliver", exc_info=True)


def notification_create(*, key: str, user, kind: str, message: str, deadline: Deadline | None = None, url: str = "") -> Notification:
    """An in-app notification, exactly once per key."""
    notification, _ = Notification.objects.get_or_create(
        key=key, defaults={"user": user, "kind": kind, "message": message[:500], "deadline": deadline, "url": url}
    )
    return notification


def is_task(rule: ClockRule) -> bool:
    return rule.kind == Kind.TASK
