"""Send reads of report models to the ``reports`` replica when one is configured."""
from django.conf import settings


class ReportsReplicaRouter:
    """Reads stay on ``default`` unless code asks for ``using("reports")`` explicitly.

    Dashboards call :func:`reports_db_alias` so that a configured replica takes the
    heavy aggregate queries and the primary keeps serving case managers.
    """

    def db_for_read(self, model, **hints):
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def reports_db_alias() -> str:
    return "reports" if "reports" in settings.DATABASES else "default"
