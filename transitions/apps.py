from django.apps import AppConfig


class TransitionsConfig(AppConfig):
    name = "transitions"
    verbose_name = "Transitions of care"
