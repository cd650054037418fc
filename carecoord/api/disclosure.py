"""Which data categories a response may carry for the caller.

Plans see 42 CFR Part 2 (SUD) data only when the member's Part 2 consent names
them; the decision is ``consents.services.filter_categories``. Staff of the
programs see what their case access gives them.
"""
from __future__ import annotations

from carecoord.accounts.models import User

SUD = "sud"


def is_plan_caller(user) -> bool:
    return getattr(user, "role", None) == User.Role.PLAN_LIAISON and user.organization_id is not None


def sud_allowed(*, user, member) -> bool:
    """May ``user`` be shown ``member``'s SUD data (e.g. a DMC-ODS case's ASAM level)?"""
    if not is_plan_caller(user):
        return True
    from consents.services import filter_categories

    allowed = filter_categories(member=member, recipient=user.organization, categories=[SUD], purpose="care_coordination")
    return SUD in allowed


def account_sud_disclosure(*, user, member, description: str) -> None:
    """Write the accounting of a Part 2 disclosure a response to a plan has just made."""
    if not is_plan_caller(user):
        return
    from consents.services import disclose

    disclose(member=member, recipient=user.organization, purpose="care_coordination", categories=[SUD],
             description=description, disclosed_by=user, channel="api")
