"""Writes about members and cases. One transaction per action; rules checked first."""
from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from guardian.shortcuts import assign_perm

from carecoord.clocks.services import deadline_reassign_open
from carecoord.errors import RuleViolation

from .models import CareTeamMember, Case, Coverage, Member, Task
from .timeline import timeline_record
from .signals import case_status_changed

# Allowed status moves. A closed case stays closed: a new case is opened instead,
# so the history and clocks of the old one stay intact.
CASE_STATUS_MOVES: dict[str, set[str]] = {
    Case.Status.REFERRED: {Case.Status.OPEN, Case.Status.CLOSED},
    Case.Status.OPEN: {Case.Status.CLOSED},
    Case.Status.CLOSED: set(),
}


def validate_model(instance) -> None:
    """Run model field validation and turn the first error into a RuleViolation naming the field."""
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, errors = next(iter(exc.message_dict.items()))
        raise RuleViolation(errors[0], field=field, rule=f"{instance._meta.model_name}.{field}") from None


def member_create(*, county, first_name: str, last_name: str, date_of_birth: datetime.date, cin: str, **fields) -> Member:
    cin = (cin or "").strip().upper()
    if Member.objects.filter(cin=cin).exists():
        raise RuleViolation(f"A member with CIN {cin} already exists.", field="cin", rule="member.cin_unique")
    member = Member(county=county, first_name=first_name, last_name=last_name, date_of_birth=date_of_birth, cin=cin, **fields)
    validate_model(member)
    if date_of_birth > timezone.localdate():
        raise RuleViolation("Date of birth cannot be in the future.", field="date_of_birth", rule="member.dob_past")
    member.save()
    return member


def coverage_add(*, member: Member, kind: str, start_date: datetime.date, plan=None,
                 end_date: datetime.date | None = None, aid_code: str = "") -> Coverage:
    """Record a coverage period. Overlapping an existing period is refused (one active coverage at a time)."""
    if kind == Coverage.Kind.MCP and plan is None:
        raise RuleViolation("Managed care coverage needs a plan.", field="plan", rule="coverage.plan_required")
    if kind == Coverage.Kind.FFS and plan is not None:
        raise RuleViolation("Fee-for-service coverage has no plan.", field="plan", rule="coverage.ffs_no_plan")
    if end_date and end_date < start_date:
        raise RuleViolation("The coverage ends before it starts.", field="end_date", rule="coverage.dates_ordered")
    with transaction.atomic():
        overlapping = Coverage.objects.select_for_update().filter(member=member).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=start_date)
        )
        if end_date:
            overlapping = overlapping.filter(start_date__lte=end_date)
        if overlapping.exists():
            raise RuleViolation(
                "This period overlaps the member's existing coverage; end that coverage first (one active coverage at a time).",
                field="start_date", rule="coverage.one_active",
            )
        return Coverage.objects.create(member=member, kind=kind, plan=plan, start_date=start_date, end_date=end_date, aid_code=aid_code)


def coverage_end(*, coverage: Coverage, end_date: datetime.date) -> Coverage:
    if end_date < coverage.start_date:
        raise RuleViolation("The coverage cannot end before it starts.", field="end_date", rule="coverage.dates_ordered")
    coverage.end_date = end_date
    coverage.save(update_fields=["end_date"])
    return coverage


def case_create(*, member: Member, program: str, organization, actor=None, team=None, primary_case_manager=None,
                referral_source: str = "", referred_at: datetime.datetime | None = None, **fields) -> Case:
    """A new case in ``referred`` status. A member has one active case per program."""
    with transaction.atomic():
        if Case.objects.filter(member=member, program=program).exclude(status=Case.Status.CLOSED).exists():
            raise RuleViolation(
                "The member already has an active case in this program.", field="program", rule="case.one_active_per_program"
            )
        case = Case(member=member, program=program, organization=organization, team=team,
                    primary_case_manager=primary_case_manager, referral_source=referral_source,
                    referred_at=referred_at or timezone.now(), **fields)
        validate_model(case)
        case.save()
        if primary_case_manager is not None:
            CareTeamMember.objects.create(case=case, role=CareTeamMember.Role.PRIMARY_CASE_MANAGER, user=primary_case_manager,
                                          organization=organization)
        timeline_record(case=case, kind="case.referred", actor=actor, summary=f"{case.get_program_display()} case created (referred)")
    return case


def case_change_status(*, case: Case, status: str, actor=None, reason: str = "", at: datetime.datetime | None = None) -> Case:
    at = at or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if status not in CASE_STATUS_MOVES[case.status]:
            raise RuleViolation(
                f"A {case.get_status_display().lower()} case cannot become {Case.Status(status).label.lower()}.",
                field="status", rule="case.status_move",
            )
        if status == Case.Status.CLOSED and not reason.strip():
            raise RuleViolation("A closed case needs a closing reason.", field="closed_reason", rule="case.close_reason")
        if status == Case.Status.OPEN and case.program == "dmc_ods" and case.primary_case_manager_id is None:
            # Seed 003 I.1: every DMC-ODS member has a primary case manager.
            raise RuleViolation("Assign the primary case manager before opening a DMC-ODS case.",
                                field="primary_case_manager", rule="dmc.primary_case_manager_required")
        previous_status, case.status = case.status, status
        if status == Case.Status.OPEN:
            case.opened_at = at
        if status == Case.Status.CLOSED:
            case.closed_at, case.closed_reason = at, reason.strip()
        case.version += 1
        case.save()
        summary = f"Case {Case.Status(status).label.lower()}" + (f": {reason}" if reason else "")
        entry = timeline_record(case=case, kind=f"case.{status}", actor=actor, summary=summary, at=at)
        case_status_changed.send(sender=Case, case=case, previous_status=previous_status, entry=entry)
    return case


def case_open(*, case: Case, actor=None, at=None, **fields) -> Case:
    with transaction.atomic():
        for name, value in fields.items():
            setattr(case, name, value)
        if fields:
            validate_model(case)
            case.save(update_fields=list(fields))
        return case_change_status(case=case, status=Case.Status.OPEN, actor=actor, at=at)


def case_close(*, case: Case, reason: str, actor=None, at=None) -> Case:
    return case_change_status(case=case, status=Case.Status.CLOSED, actor=actor, reason=reason, at=at)


def case_reassign(*, case: Case, new_manager, actor=None) -> Case:
    """Give the case a new primary case manager; their open clocks move with it."""
    if new_manager.organization_id != case.organization_id:
        raise RuleViolation("The new case manager must work for the case's organization.", field="new_manager",
                            rule="case.reassign_same_org")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        previous = case.primary_case_manager
        case.primary_case_manager = new_manager
        case.team = new_manager.team or case.team
        case.version += 1
        case.save(update_fields=["primary_case_manager", "team", "version"])
        today = timezone.localdate()
        CareTeamMember.objects.filter(case=case, role=CareTeamMember.Role.PRIMARY_CASE_MANAGER, end_date__isnull=True).update(end_date=today)
        CareTeamMember.objects.create(case=case, role=CareTeamMember.Role.PRIMARY_CASE_MANAGER, user=new_manager,
                                      organization=case.organization, start_date=today)
        moved = deadline_reassign_open(case=case, new_owner=new_manager)
        timeline_record(case=case, kind="case.reassigned", actor=actor,
                        summary=f"Reassigned from {previous or 'nobody'} to {new_manager} ({moved} open clocks moved)")
    return case


def care_team_add(*, case: Case, role: str, actor=None, user=None, contact_name: str = "", organization=None,
                  contact_phone: str = "", contact_email: str = "", start_date: datetime.date | None = None) -> CareTeamMember:
    if user is None and not contact_name.strip():
        raise RuleViolation("Name a user or an outside contact.", field="contact_name", rule="careteam.user_or_contact")
    with transaction.atomic():
        membership = CareTeamMember(case=case, role=role, user=user, contact_name=contact_name, organization=organization,
                                    contact_phone=contact_phone, contact_email=contact_email,
                                    start_date=start_date or timezone.localdate())
        validate_model(membership)
        membership.save()
        timeline_record(case=case, kind="careteam.added", actor=actor, summary=f"{membership} joined the care team")
    return membership


def care_team_end(*, membership: CareTeamMember, actor=None, end_date: datetime.date | None = None) -> CareTeamMember:
    end_date = end_date or timezone.localdate()
    if end_date < membership.start_date:
        raise RuleViolation("The membership cannot end before it starts.", field="end_date", rule="careteam.dates_ordered")
    with transaction.atomic():
        membership.end_date = end_date
        membership.save(update_fields=["end_date"])
        timeline_record(case=membership.case, kind="careteam.ended", actor=actor, summary=f"{membership} left the care team")
    return membership


def case_share(*, case: Case, user, actor=None, reason: str) -> None:
    """Grant one person view access to one case (an explicit exception to the relations)."""
    if not reason.strip():
        raise RuleViolation("Say why the case is shared.", field="reason", rule="case.share_reason")
    with transaction.atomic():
        assign_perm("view_case", user, case)
        timeline_record(case=case, kind="case.shared", actor=actor, summary=f"Shared with {user}: {reason}")


# Case details an API client or form may edit; status moves go through case_change_status.
CASE_EDITABLE_FIELDS = (
    "case_number", "eligibility_date", "diagnoses", "populations_of_focus", "asam_level",
    "member_informed_of_coordinator_at",
)


def case_update_details(*, case: Case, expected_version: int, actor=None, **fields) -> Case:
    """Change a case's details if nobody changed the case since ``expected_version`` was read.

    A stale version is refused (rule ``case.version_stale``) and nothing is written: an
    update never silently overwrites a change the caller did not see.
    """
    unknown = set(fields) - set(CASE_EDITABLE_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise RuleViolation(f"{name} cannot be changed here.", field=name, rule="case.field_not_editable")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.version != expected_version:
            raise RuleViolation(
                f"The case changed since you read it (version {expected_version}, now {case.version}); read it again.",
                field="version", rule="case.version_stale",
            )
        changed = {name: value for name, value in fields.items() if getattr(case, name) != value}
        if not changed:
            return case
        for name, value in changed.items():
            setattr(case, name, value)
        validate_model(case)
        if "case_number" in changed and case.case_number and (
            Case.objects.filter(case_number=case.case_number).exclude(pk=case.pk).exists()
        ):
            raise RuleViolation("Another case has this case number.", field="case_number", rule="case.case_number_unique")
        case.version += 1
        case.save(update_fields=[*changed, "version"])
        timeline_record(case=case, kind="case.updated", actor=actor, summary="Case details changed: " + ", ".join(sorted(changed)),
                        data={"fields": sorted(changed)})
    return case


def task_add(*, case: Case, title: str, actor=None, owner=None, due_date: datetime.date | None = None,
             source: str = "") -> Task:
    """A to-do on the case for a person (the actor when no owner is named)."""

    if not title.strip():
        raise RuleViolation("Say what needs to be done.", field="title", rule="task.title_required")
    if due_date is not None and due_date < timezone.localdate():
        raise RuleViolation("The due date cannot be in the past.", field="due_date", rule="task.due_not_past")
    with transaction.atomic():
        task = Task(case=case, title=title.strip(), owner=owner or actor, due_date=due_date, source=source)
        validate_model(task)
        task.save()
        timeline_record(case=case, kind="task.added", actor=actor, summary=f"Task added: {task.title}",
                        data={"task": task.pk})
    return task


def task_complete(*, task: Task, actor=None, at: datetime.datetime | None = None) -> Task:
    """Mark the task done; any clock whose subject is this task is met with it."""
    from django.contrib.contenttypes.models import ContentType

    from carecoord.clocks.models import Deadline
    from carecoord.clocks.services import deadline_meet


    at = at or timezone.now()
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status != Task.Status.OPEN:
            raise RuleViolation("Only an open task can be completed.", field="status", rule="task.complete_open")
        task.status, task.completed_at = Task.Status.DONE, at
        task.save(update_fields=["status", "completed_at"])
        rule_codes = set(
            Deadline.objects.filter(subject_type=ContentType.objects.get_for_model(Task), subject_id=task.pk,
                                    status__in=Deadline.ACTIVE_STATUSES).values_list("rule_code", flat=True)
        )
        for rule_code in sorted(rule_codes):
            deadline_meet(rule_code=rule_code, subject=task, met_at=at, by=actor)
        if task.case_id:
            timeline_record(case=task.case, kind="task.done", actor=actor, summary=f"Task done: {task.title}",
                            data={"task": task.pk}, at=at)
    return task

