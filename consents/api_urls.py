"""API routes of the consents app (included under /api/)."""
from django.urls import path

from .api import MemberConsentViewSet

urlpatterns = [
    path("members/<int:member_id>/consents/", MemberConsentViewSet.as_view({"get": "list"}), name="api-member-consents"),
]
