"""Reads of notices, already limited to what the user may see (through the case and member selectors)."""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Notice


def _base() -> QuerySet[Notice]:
    return Notice.objects.select_related("member", "case", "recipient_org", "sender_org", "template")


def notice_list_visible_to(*, user) -> QuerySet[Notice]:
    """Notices on cases the user may see, or about members the user may see when there is no case."""
    from cases.selectors import case_list_visible_to, member_list_visible_to

    return _base().filter(Q(case__in=case_list_visible_to(user=user))
                          | Q(case__isnull=True, member__in=member_list_visible_to(user=user)))


def notice_get_for_user(*, user, notice_id: int) -> Notice:
    notice = notice_list_visible_to(user=user).filter(pk=notice_id).first()
    if notice is None:
        raise Http404
    return notice


def notice_list_for_case(*, case) -> QuerySet[Notice]:
    """A case's notices. The caller already holds the case from ``case_get_for_user``."""
    return _base().filter(case=case)


def notice_list_for_member(*, member, user) -> QuerySet[Notice]:
    return notice_list_visible_to(user=user).filter(member=member)


def notice_list_for_plan(*, user) -> QuerySet[Notice]:
    """What a plan liaison sees in the API: notices addressed to their plan about members they may see."""
    from cases.selectors import member_list_visible_to

    if not getattr(user, "organization_id", None):
        return Notice.objects.none()
    return (_base().filter(recipient_org_id=user.organization_id, member__in=member_list_visible_to(user=user))
            .exclude(status__in=[Notice.Status.DRAFT, Notice.Status.QUEUED]))
