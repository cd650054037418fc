from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _case_context(case, user) -> dict:
    from .selectors import case_section_context

    return case_section_context(case, user)


class TransitionsConfig(AppConfig):
    name = "transitions"
    verbose_name = "Transitions of care"

    def ready(self) -> None:
        from cases.sections import register_case_section

        # One tab for every program's transitions; on DMC-ODS cases it also carries the coordination records.
        register_case_section(key="transitions", title=_("Transitions of care"), template="transitions/_case_section.html",
                              order=70, context=_case_context)
        from consents.selectors import register_disclosure_need

        from .consent_needs import transition_needs

        # The consents page lists what open transitions and DMC-ODS notifications will need to disclose.
        register_disclosure_need(transition_needs)
        from cases.sections import register_member_section

        from .population_selectors import member_section_context

        # Whole Child Model population transitions the child is in (notices, continuity of care, welcome call).
        register_member_section(key="wcm", title=_("Whole Child Model"), template="transitions/population/_member_section.html",
                                order=75, context=member_section_context)
