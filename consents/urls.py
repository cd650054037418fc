"""Browser URLs of the consents app."""
from django.urls import path  # noqa: F401

app_name = "consents"
urlpatterns: list = []
