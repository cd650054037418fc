from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = _("Consents and disclosures")

    def ready(self) -> None:
        from cases.sections import register_case_section, register_member_section

        register_member_section(key="consents", title=_("Consents"), template="consents/_member_summary.html", order=40)
        register_case_section(key="consents", title=_("Consents"), template="consents/_case_section.html", order=40)
