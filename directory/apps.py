from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Care network directory"

    def ready(self) -> None:
        from cases.sections import register_member_section

        from .selectors import utilization_section_context

        register_member_section(key="utilization", title=_("Utilization"), template="directory/_member_utilization.html",
                                order=60, context=utilization_section_context)
