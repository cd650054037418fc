"""API routes of the notices app (included under /api/)."""
from django.urls import path

from .api import NoticeViewSet

urlpatterns = [
    path("notifications/", NoticeViewSet.as_view({"get": "list"}), name="api-notification-list"),
    path("notifications/<int:pk>/", NoticeViewSet.as_view({"get": "retrieve"}), name="api-notification-detail"),
    path("notifications/<int:pk>/acknowledge/", NoticeViewSet.as_view({"post": "acknowledge"}), name="api-notification-acknowledge"),
]
