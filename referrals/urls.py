"""Browser URLs of the referrals app."""
from django.urls import path  # noqa: F401

app_name = "referrals"
urlpatterns: list = []
