"""Reads of members and cases, already filtered to what the user may see.

Every page, export and API endpoint loads member data through these. Visibility
follows relations (organization, team, care team, plan coverage) as indexed
``Exists`` subqueries; django-guardian's per-case permission table grants the
exceptions (an explicit share to one person). Not visible means 404.
"""
from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from carecoord.accounts.models import User
from carecoord.audit.access import record_read_in_request
from carecoord.audit.models import BreakGlassGrant

from .models import CareTeamMember, Case, CaseUserObjectPermission, Coverage, Member


def _shared_with(user) -> Exists:
    return Exists(
        CaseUserObjectPermission.objects.filter(
            content_object=OuterRef("pk"), user=user, permission__codename="view_case"
        )
    )


def _break_glass(user) -> Exists:
    """An unexpired emergency grant to this user for the case (carecoord.audit.breakglass)."""
    return Exists(
        BreakGlassGrant.objects.filter(case=OuterRef("pk"), user=user, expires_at__gt=timezone.now())
    )


def active_plan_coverage(*, plan_id, member_ref: str = "pk") -> Exists:
    """Members whose coverage with ``plan_id`` is active today."""
    today = timezone.localdate()
    return Exists(
        Coverage.objects.filter(member=OuterRef(member_ref), plan_id=plan_id, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
    )


def case_visibility_q(user, *, exceptions: bool = True) -> Q | None:
    """The condition a case must meet to be visible to ``user``; None means nothing.

    ``exceptions=False`` leaves out explicit shares and break-glass grants: the user's own
    caseload by relations (the access report flags reads outside it)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Q()
    shared = Q(_shared_with(user)) | Q(_break_glass(user)) if exceptions else Q(pk__in=[])
    role = user.role
    if role == User.Role.SUPERVISOR or role == User.Role.MEDICAL_CONSULTANT:
        return Q(organization_id=user.organization_id) | shared if user.organization_id else shared
    if role == User.Role.CASE_MANAGER:
        on_care_team = Exists(CareTeamMember.objects.filter(case=OuterRef("pk"), user=user, end_date__isnull=True))
        q = Q(primary_case_manager=user) | Q(on_care_team) | shared
        if user.team_id:
            q |= Q(team_id=user.team_id)
        return q
    if role == User.Role.PLAN_LIAISON:
        return Q(active_plan_coverage(plan_id=user.organization_id, member_ref="member_id")) | shared
    return shared  # administrators manage the system, not members


def case_list_visible_to(*, user) -> QuerySet[Case]:
    condition = case_visibility_q(user)
    if condition is None:
        return Case.objects.none()
    return Case.objects.filter(condition)


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
        # A plan sees its enrolled members even before any case exists.
        return Member.objects.filter(
            active_plan_coverage(plan_id=user.organization_id)
            | Exists(case_list_visible_to(user=user).filter(member=OuterRef("pk")))
        )
    return Member.objects.filter(Exists(case_list_visible_to(user=user).filter(member=OuterRef("pk"))))


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
