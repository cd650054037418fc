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


def sud_allowed_members(*, user, members) -> set[int]:
    """The ids of ``members`` whose SUD data (e.g. a DMC-ODS case's ASAM level) ``user`` may be shown,
    decided for a whole page at once."""
    member_ids = {member.pk for member in members}
    if not is_plan_caller(user):
        return member_ids
    from consents.services import filter_categories_for_members

    allowed = filter_categories_for_members(member_ids=member_ids, recipient=user.organization, categories=[SUD],
                                            purpose="care_coordination")
    return {member_id for member_id, categories in allowed.items() if SUD in categories}


def sud_allowed(*, user, member) -> bool:
    """May ``user`` be shown ``member``'s SUD data?"""
    return member.pk in sud_allowed_members(user=user, members=[member])


def account_sud_disclosures(*, user, rows: list[tuple], description: str) -> None:
    """Write the accounting of the Part 2 disclosures a response to a plan has just made, one row per
    ``(member, case)`` shown."""
    if not is_plan_caller(user) or not rows:
        return
    from consents.services import disclose_bulk

    disclose_bulk(rows=rows, recipient=user.organization, purpose="care_coordination", categories=[SUD],
                  description=description, disclosed_by=user, channel="api")
