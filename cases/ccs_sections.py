"""The case-page tabs of CCS eligibility, authorizations, the care plan and case conferences."""
from django.utils.translation import gettext_lazy as _


def _eligibility(case, user) -> dict:
    from .ccs_selectors import ccs_case_section

    return ccs_case_section(case=case, user=user) if case.program == "ccs" else {"not_ccs": True}


def _care_plan(case, user) -> dict:
    from .ccs_selectors import care_plan_section

    return care_plan_section(case=case, user=user)


def register() -> None:
    from .sections import register_case_section

    register_case_section(key="eligibility", title=_("Eligibility"), template="cases/ccs/_eligibility.html", order=20,
                          context=_eligibility)
    register_case_section(key="authorizations", title=_("Authorizations"), template="cases/ccs/_authorizations.html",
                          order=25, context=_eligibility)
    register_case_section(key="care_plan", title=_("Care plan"), template="cases/ccs/_care_plan.html", order=30,
                          context=_care_plan)
    register_case_section(key="conferences", title=_("Conferences"), template="cases/ccs/_conferences.html", order=35,
                          context=_care_plan)
