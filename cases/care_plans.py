"""Care plans of every program: goals, interventions with owners, reviews; and case conferences.

Program-agnostic on purpose: CCS, ECM and DMC-ODS write their plans with these
services. A review of a kind that a program's clock tracks (the CCS Annual
Medical Review, the ECM six-month review) meets that clock and starts the next
one (:data:`REVIEW_CLOCKS`).
"""
from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from carecoord.clocks.models import Deadline
from carecoord.clocks.services import deadline_meet, deadline_start
from carecoord.errors import RuleViolation

from .ccs_models import CarePlan, CarePlanGoal, CarePlanIntervention, CarePlanReview, CaseConference
from .models import Case
from .services import task_add, validate_model
from .timeline import timeline_record

# (program, review kind) → the clock that the review meets and re-opens.
REVIEW_CLOCKS: dict[tuple[str, str], str] = {
    ("ccs", CarePlanReview.Kind.ANNUAL_MEDICAL_REVIEW): "ccs.annual_medical_review",
    ("ecm", CarePlanReview.Kind.SIX_MONTH): "ecm.care_plan_review",
}


def _aware(at: datetime.datetime | None, *, field: str) -> datetime.datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise RuleViolation("The date needs a time zone.", field=field, rule="date.aware")
    if at > timezone.now() + datetime.timedelta(minutes=5):
        raise RuleViolation("This cannot be dated in the future.", field=field, rule="date.not_future")
    return at


def _live_case(case: Case) -> None:
    if case.status == Case.Status.CLOSED:
        raise RuleViolation("The case is closed.", field="case", rule="case.closed")


def review_clock_start(*, case: Case, rule_code: str, started_at: datetime.datetime, owner=None) -> Deadline:
    """Open the next occurrence of a periodic review clock (one occurrence per start date)."""
    return deadline_start(rule_code=rule_code, subject=case, case=case, started_at=started_at, owner=owner,
                          occurrence=timezone.localtime(started_at).date().isoformat())


def care_plan_create(*, case: Case, title: str, written_by, summary: str = "", family_participated: bool = True,
                     written_at: datetime.datetime | None = None) -> CarePlan:
    """Write the case's care plan. A case has one active plan; writing a new one closes the old one."""
    _live_case(case)
    written_at = _aware(written_at, field="written_at")
    if not title.strip():
        raise RuleViolation("Give the care plan a title.", field="title", rule="care_plan.title_required")
    with transaction.atomic():
        CarePlan.objects.select_for_update().filter(case=case, status=CarePlan.Status.ACTIVE).update(
            status=CarePlan.Status.CLOSED, closed_at=written_at)
        plan = CarePlan(case=case, title=title.strip(), summary=summary, family_participated=family_participated,
                        written_at=written_at, written_by=written_by)
        validate_model(plan)
        plan.save()
        timeline_record(case=case, kind="care_plan.written", actor=written_by, at=written_at,
                        summary=f"Care plan written: {plan.title}", data={"care_plan": plan.pk})
    return plan


def care_plan_goal_add(*, care_plan: CarePlan, description: str, actor=None, domain: str = "",
                       target_date: datetime.date | None = None) -> CarePlanGoal:
    if care_plan.status != CarePlan.Status.ACTIVE:
        raise RuleViolation("Goals are added to the active care plan.", field="care_plan", rule="care_plan.active")
    if not description.strip():
        raise RuleViolation("Describe the goal.", field="description", rule="care_plan.goal_required")
    with transaction.atomic():
        goal = CarePlanGoal(care_plan=care_plan, description=description.strip(), domain=domain, target_date=target_date)
        validate_model(goal)
        goal.save()
        timeline_record(case=care_plan.case, kind="care_plan.goal_added", actor=actor, summary=f"Goal added: {goal.description}",
                        data={"goal": goal.pk})
    return goal


def care_plan_intervention_add(*, goal: CarePlanGoal, description: str, actor=None, owner=None, owner_name: str = "",
                               owner_organization=None, due_date: datetime.date | None = None,
                               referral=None) -> CarePlanIntervention:
    """An intervention toward ``goal``; someone owns it (a user, a named outside person, or an organization)."""
    if owner is None and not owner_name.strip() and owner_organization is None:
        raise RuleViolation("Name who will do it.", field="owner", rule="care_plan.intervention_owner")
    if not description.strip():
        raise RuleViolation("Describe the intervention.", field="description", rule="care_plan.intervention_required")
    with transaction.atomic():
        item = CarePlanIntervention(goal=goal, description=description.strip(), owner=owner, owner_name=owner_name.strip(),
                                    owner_organization=owner_organization, due_date=due_date, referral=referral)
        validate_model(item)
        item.save()
        timeline_record(case=goal.care_plan.case, kind="care_plan.intervention_added", actor=actor,
                        summary=f"Intervention added: {item.description} (owner: {item.owner_display})",
                        data={"intervention": item.pk})
    return item


def care_plan_intervention_update(*, intervention: CarePlanIntervention, status: str, actor=None) -> CarePlanIntervention:
    if status not in CarePlanIntervention.Status.values:
        raise RuleViolation("Unknown status.", field="status", rule="care_plan.intervention_status")
    with transaction.atomic():
        intervention.status = status
        intervention.save(update_fields=["status"])
        timeline_record(case=intervention.goal.care_plan.case, kind="care_plan.intervention_updated", actor=actor,
                        summary=f"Intervention {intervention.get_status_display().lower()}: {intervention.description}")
    return intervention


def care_plan_review_record(*, case: Case, kind: str, summary: str, reviewed_by, reviewed_at: datetime.datetime | None = None,
                            family_engaged: bool = True, still_eligible: bool | None = None) -> CarePlanReview:
    """Record a review of the case's plan. If the program tracks this kind of review with a clock,
    the open clock is met and the next one opened from this review."""
    _live_case(case)
    reviewed_at = _aware(reviewed_at, field="reviewed_at")
    if kind not in CarePlanReview.Kind.values:
        raise RuleViolation("Unknown kind of review.", field="kind", rule="care_plan.review_kind")
    if not summary.strip():
        raise RuleViolation("Write what the review found.", field="summary", rule="care_plan.review_summary")
    rule_code = REVIEW_CLOCKS.get((case.program, kind))
    if kind == CarePlanReview.Kind.ANNUAL_MEDICAL_REVIEW and case.status != Case.Status.OPEN:
        raise RuleViolation("The Annual Medical Review is for an open (eligible) CCS case.", field="kind",
                            rule="ccs.annual_review_open_case")
    with transaction.atomic():
        plan = CarePlan.objects.filter(case=case, status=CarePlan.Status.ACTIVE).first()
        review = CarePlanReview(case=case, care_plan=plan, kind=kind, reviewed_at=reviewed_at, reviewed_by=reviewed_by,
                                summary=summary.strip(), family_engaged=family_engaged, still_eligible=still_eligible)
        validate_model(review)
        review.save()
        timeline_record(case=case, kind=f"care_plan.review.{kind}", actor=reviewed_by, at=reviewed_at,
                        summary=f"{review.get_kind_display()} completed", data={"review": review.pk})
        if rule_code:
            deadline_meet(rule_code=rule_code, subject=case, met_at=reviewed_at, by=reviewed_by)
            review_clock_start(case=case, rule_code=rule_code, started_at=reviewed_at)
    return review


def case_conference_record(*, case: Case, held_at: datetime.datetime, notes: str, recorded_by,
                           kind: str = CaseConference.Kind.MULTIDISCIPLINARY, staff_participants=(),
                           other_participants: list[str] | tuple = (), action_items: list[dict] | tuple = ()) -> CaseConference:
    """Record a conference; each action item (``{"title", "owner", "due_date"}``) becomes a case Task."""
    _live_case(case)
    held_at = _aware(held_at, field="held_at")
    others = [p.strip() for p in other_participants if p and p.strip()]
    staff = list(staff_participants)
    if not staff and not others:
        raise RuleViolation("List who took part.", field="staff_participants", rule="conference.participants")
    if not notes.strip():
        raise RuleViolation("Write the conference notes.", field="notes", rule="conference.notes")
    with transaction.atomic():
        conference = CaseConference(case=case, kind=kind, held_at=held_at, notes=notes.strip(), other_participants=others,
                                    recorded_by=recorded_by)
        validate_model(conference)
        conference.save()
        conference.staff_participants.set(staff)
        tasks = [
            task_add(case=case, title=item["title"], actor=recorded_by, owner=item.get("owner"),
                     due_date=item.get("due_date"), source="case_conference")
            for item in action_items if (item.get("title") or "").strip()
        ]
        conference.tasks.set(tasks)
        timeline_record(case=case, kind="conference.held", actor=recorded_by, at=held_at,
                        summary=f"{conference.get_kind_display()} held ({len(staff) + len(others)} participants, "
                                f"{len(tasks)} action items)", data={"conference": conference.pk})
    return conference
