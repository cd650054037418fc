"""Reads of referrals, filtered to what the user may see.

A referral is visible with its case; a program's staff also see every inbound
referral to their organization (the intake queue), and a plan liaison the referrals
their plan made.
"""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from carecoord.accounts.models import User
from cases.selectors import case_list_visible_to

from .models import Referral


def referral_list_visible_to(*, user) -> QuerySet[Referral]:
    if not user.is_authenticated or not user.is_active:
        return Referral.objects.none()
    if user.is_superuser:
        return Referral.objects.all()
    condition = Q(case__in=case_list_visible_to(user=user))
    if user.organization_id:
        if user.role == User.Role.PLAN_LIAISON:
            condition |= Q(source_organization_id=user.organization_id)
        elif user.role in (User.Role.CASE_MANAGER, User.Role.SUPERVISOR, User.Role.MEDICAL_CONSULTANT):
            condition |= Q(organization_id=user.organization_id, direction=Referral.Direction.INBOUND)
    return Referral.objects.filter(condition)


def intake_queue_for(*, user, include_closed: bool = False) -> QuerySet[Referral]:
    """Inbound referrals to the user's program, oldest open first."""
    if not user.is_authenticated or not user.organization_id:
        return Referral.objects.none()
    qs = referral_list_visible_to(user=user).filter(organization_id=user.organization_id, direction=Referral.Direction.INBOUND)
    if not include_closed:
        qs = qs.exclude(status__in=Referral.TERMINAL)
    return qs.select_related("member", "case", "source_organization").order_by("referred_at", "pk")


def referral_get_for_user(*, user, referral_id) -> Referral:
    try:
        return referral_list_visible_to(user=user).select_related(
            "member", "case", "organization", "source_organization", "recipient_organization").get(pk=referral_id)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404("No such referral") from None


def case_referrals(*, case) -> list[Referral]:
    return list(case.referrals.select_related("recipient_organization", "source_organization").order_by("-referred_at"))
