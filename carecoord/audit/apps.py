from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "carecoord.audit"
    label = "audit"
    verbose_name = "Audit"
