"""Browser URLs of the notices app."""
from django.urls import path  # noqa: F401

app_name = "notices"
urlpatterns: list = []
