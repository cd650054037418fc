from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "carecoord.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self):
        from . import signals  # noqa: F401  (connects the login/logout receivers)
