"""The ECM pathway tab of the case page."""
from django.utils.translation import gettext_lazy as _


def _ecm(case, user) -> dict:
    from .ecm_selectors import ecm_case_section

    return ecm_case_section(case=case, user=user)


def register() -> None:
    from .sections import register_case_section

    register_case_section(key="ecm", title=_("ECM pathway"), template="cases/ecm/_ecm.html", order=22, context=_ecm)
