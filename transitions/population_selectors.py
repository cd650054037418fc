"""Reads of Whole Child Model population transitions, filtered to what the user may see.

Who sees a transition: the county CCS program's staff (its own transitions; its supervisors and
administrators manage it), the receiving plans' liaisons (once confirmed), and superusers.
Who sees the children in it follows ``cases.selectors.case_list_visible_to``: a row is listed only when
its case is visible to the user.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from carecoord.accounts.models import User
from cases.selectors import case_list_visible_to, require_case_change

from .population import (
    BulkJob, ContinuityOfCareAgreement, DataDelivery, FamilyNotice, FaqShare, NoticeWave, PopulationTransition,
    PopulationTransitionMember, ReadinessItem, WelcomeCall,
)


def _county_program_id(county_program) -> int | None:
    return getattr(county_program, "pk", county_program)


def may_manage(*, user, county_program) -> bool:
    """Create, confirm and run the work of a transition: administrators and the county program's supervisors."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (user.role in (User.Role.SUPERVISOR, User.Role.ADMINISTRATOR)
            and user.organization_id is not None and user.organization_id == _county_program_id(county_program))


def may_create(*, user) -> bool:
    """Superusers, and supervisors or administrators of a county CCS program (for their own county)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (user.role in (User.Role.ADMINISTRATOR, User.Role.SUPERVISOR) and user.organization is not None
            and user.organization.type == "ccs_county")


def population_transitions_visible_to(*, user) -> QuerySet[PopulationTransition]:
    qs = PopulationTransition.objects.select_related("county", "county_program")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    if user.role == User.Role.PLAN_LIAISON:
        return qs.filter(plans=user.organization_id).exclude(status=PopulationTransition.Status.DRAFT).distinct()
    return qs.filter(county_program_id=user.organization_id) if user.organization_id else qs.none()


def population_transition_get_for_user(*, user, transition_id) -> PopulationTransition:
    try:
        return population_transitions_visible_to(user=user).get(pk=transition_id)
    except (PopulationTransition.DoesNotExist, ValueError, TypeError):
        raise Http404("No such population transition") from None


def transition_members_visible_to(*, user, transition: PopulationTransition) -> QuerySet[PopulationTransitionMember]:
    """The children of the transition whose cases the user may see (a plan: its own enrollees)."""
    return (PopulationTransitionMember.objects.filter(transition=transition, case__in=case_list_visible_to(user=user))
            .select_related("member", "case", "plan").order_by("member__last_name", "member__first_name", "pk"))


def welcome_calls_visible_to(*, user, transition: PopulationTransition) -> QuerySet[WelcomeCall]:
    return (WelcomeCall.objects.filter(transition_member__transition=transition,
                                       transition_member__case__in=case_list_visible_to(user=user))
            .select_related("transition_member__member", "transition_member__case", "plan", "called_by")
            .order_by("follow_up_on", "outcome", "pk"))


def welcome_call_get_for_user(*, user, call_id) -> WelcomeCall:
    try:
        return (WelcomeCall.objects.filter(transition_member__case__in=case_list_visible_to(user=user))
                .select_related("transition_member__transition", "transition_member__member", "transition_member__case")
                .get(pk=call_id))
    except (WelcomeCall.DoesNotExist, ValueError, TypeError):
        raise Http404("No such call") from None


def require_welcome_call_change(*, user, call: WelcomeCall) -> None:
    """A welcome call is on its plan's list: the plan's liaison records it, or program staff who may change
    the child's case; a liaison of another plan or a worker the case was only shared with may not."""
    if user.role == User.Role.PLAN_LIAISON:
        if call.plan_id != user.organization_id:
            raise PermissionDenied(_("Only the plan whose list this welcome call is on records it."))
        return
    require_case_change(user=user, case=call.transition_member.case)


def follow_up_families(*, user, transition: PopulationTransition) -> QuerySet[FamilyNotice]:
    """Families no letter could go to (no valid address), still to be reached."""
    return (FamilyNotice.objects.filter(transition_member__transition=transition, notice__isnull=True, follow_up_done_at__isnull=True,
                                        transition_member__case__in=case_list_visible_to(user=user))
            .select_related("transition_member__member", "transition_member__case").order_by("wave", "pk"))


def coc_agreements_visible_to(*, user, transition: PopulationTransition) -> QuerySet[ContinuityOfCareAgreement]:
    return (ContinuityOfCareAgreement.objects.filter(transition_member__transition=transition,
                                                     transition_member__case__in=case_list_visible_to(user=user))
            .select_related("transition_member__member", "provider", "plan").order_by("transition_member__member__last_name", "pk"))


def dashboard(*, transition: PopulationTransition) -> dict:
    """Counts for the progress dashboard (aggregates only: no member data)."""
    from carecoord.clocks.models import Deadline
    from django.contrib.contenttypes.models import ContentType
    from notices.models import Notice

    by_wave = {w: {"total": 0, "letters": 0, "follow_up": 0, "statuses": {}} for w in NoticeWave.values}
    for row in (FamilyNotice.objects.filter(transition_member__transition=transition).values("wave")
                .annotate(total=Count("pk"), letters=Count("notice"), follow_up=Count("pk", filter=Q(notice__isnull=True)))):
        by_wave[row["wave"]].update(total=row["total"], letters=row["letters"], follow_up=row["follow_up"])
    for row in (Notice.objects.filter(pk__in=FamilyNotice.objects.filter(transition_member__transition=transition).values("notice_id"))
                .values("occurrence", "status").annotate(n=Count("pk"))):
        wave = row["occurrence"].rsplit(":", 1)[-1]
        if wave in by_wave:
            by_wave[wave]["statuses"][row["status"]] = row["n"]
    waves = [{"wave": w, "label": NoticeWave(w).label, **by_wave[w],
              "sent": sum(n for s, n in by_wave[w]["statuses"].items() if s in ("sent", "mailed", "acknowledged")),
              "queued": by_wave[w]["statuses"].get("queued", 0), "returned": by_wave[w]["statuses"].get("returned", 0)}
             for w in NoticeWave.values]
    calls = dict(WelcomeCall.objects.filter(transition_member__transition=transition).values_list("outcome").annotate(n=Count("pk")))
    deadlines = list(Deadline.objects.filter(subject_type=ContentType.objects.get_for_model(PopulationTransition),
                                             subject_id=transition.pk).exclude(status=Deadline.Status.CANCELLED)
                     .order_by("due_at", "occurrence"))
    plans = dict(transition.plans.values_list("pk", "name"))
    for d in deadlines:
        d.plan_name = plans.get(int(d.occurrence.split(":")[1])) if d.occurrence.startswith("plan:") else ""
    per_plan = dict(PopulationTransitionMember.objects.filter(transition=transition).values_list("plan_id").annotate(n=Count("pk")))
    return {
        "waves": waves,
        "calls": [{"outcome": o, "label": WelcomeCall.Outcome(o).label, "n": calls.get(o, 0)} for o in WelcomeCall.Outcome.values],
        "calls_total": sum(calls.values()),
        "deliveries": list(DataDelivery.objects.filter(transition=transition).select_related("plan", "delivered_to")[:20]),
        "deadlines": deadlines,
        "readiness": list(ReadinessItem.objects.filter(transition=transition).select_related("owner", "plan", "done_by")),
        "readiness_open": ReadinessItem.objects.filter(transition=transition, status=ReadinessItem.Status.OPEN).count(),
        "coc_count": ContinuityOfCareAgreement.objects.filter(transition_member__transition=transition).count(),
        "coc_children": ContinuityOfCareAgreement.objects.filter(transition_member__transition=transition)
        .values("transition_member").distinct().count(),
        "no_address": PopulationTransitionMember.objects.filter(transition=transition, address_valid=False).count(),
        "per_plan": [{"plan": name, "n": per_plan.get(pk, 0)} for pk, name in plans.items()],
        "jobs": list(BulkJob.objects.filter(transition=transition).order_by("-created_at")[:10]),
        "faqs": list(FaqShare.objects.filter(transition=transition).select_related("document", "shared_by")),
    }


def member_section_context(member, user) -> dict:
    """The member page's "Whole Child Model" tab: the transitions the child is in, with notices, agreements and calls."""
    rows = list(PopulationTransitionMember.objects.filter(member=member, case__in=case_list_visible_to(user=user))
                .select_related("transition", "plan", "welcome_call")
                .prefetch_related("family_notices__notice", "coc_agreements__provider").order_by("-transition__transition_date"))
    return {"wcm_rows": rows}
