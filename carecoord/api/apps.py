from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "carecoord.api"
    label = "api"
    verbose_name = "API and webhooks"

    def ready(self) -> None:
        # The webhook outbox channel and the notice_sent / case_status_changed receivers register themselves on import.
        from . import schema, webhooks  # noqa: F401  (the token scheme extension is found by import)
