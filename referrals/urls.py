"""Browser URLs of the referrals app."""
from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:referral_id>/", views.detail, name="detail"),
    path("cases/<int:case_id>/new/", views.outbound_new, name="outbound_new"),
]
