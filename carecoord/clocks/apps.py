from django.apps import AppConfig


class ClocksConfig(AppConfig):
    name = "carecoord.clocks"
    label = "clocks"
    verbose_name = "Clocks and deadlines"
