from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "Notices"

    def ready(self) -> None:
        from . import outbox_handlers  # noqa: F401  registers the "notice" outbox channel
        from .sections import register  # the case page "notices" tab

        register()
