from django.apps import AppConfig


class ClocksConfig(AppConfig):
    name = "carecoord.clocks"
    label = "clocks"
    verbose_name = "Clocks and deadlines"

    def ready(self) -> None:
        # The email and in-app outbox channels register themselves on import.
        from . import channels  # noqa: F401
