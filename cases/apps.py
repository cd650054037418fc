from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Members and cases"

    def ready(self):
        from . import ccs_sections, ecm_sections

        ccs_sections.register()
        ecm_sections.register()
