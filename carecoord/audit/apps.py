from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "carecoord.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self):
        from django.contrib import admin

        from . import signals  # noqa: F401  (connects the login/logout receivers)
        from .admin_scope import scope_admin_site

        # The admin app (first in INSTALLED_APPS) has registered every ModelAdmin by now.
        scope_admin_site(admin.site)

        from django.utils.translation import gettext_lazy as _

        from cases.sections import register_member_section

        from .reports import member_section_context

        register_member_section(key="access", title=_("Access log"), template="audit/_member_access_section.html",
                                order=900, context=member_section_context)
