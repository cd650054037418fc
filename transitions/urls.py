"""Browser URLs of the transitions app."""
from django.urls import path  # noqa: F401

app_name = "transitions"
urlpatterns: list = []
