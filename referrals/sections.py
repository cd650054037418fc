"""The "Referrals" tab of the case page: inbound and outbound referrals and where each stands."""
from django.utils.translation import gettext_lazy as _


def _case_context(case, user) -> dict:
    from cases.selectors import may_write_case_records

    from .selectors import case_referrals

    return {"referrals": case_referrals(case=case), "may_write": may_write_case_records(user=user, case=case)}


def register() -> None:
    from cases.sections import register_case_section

    register_case_section(key="referrals", title=_("Referrals"), template="referrals/_case_referrals.html", order=40,
                          context=_case_context)
