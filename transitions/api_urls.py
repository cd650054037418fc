"""API routes of the transitions app (included under /api/)."""
from django.urls import path

from .api import PlanNotificationViewSet, RecordPlanNotificationViewSet, TransitionViewSet

urlpatterns = [
    path("transitions/", TransitionViewSet.as_view({"get": "list"}), name="api-transitions"),
    path("transitions/<int:pk>/", TransitionViewSet.as_view({"get": "retrieve"}), name="api-transition"),
    path("residential-notifications/", PlanNotificationViewSet.as_view({"get": "list"}), name="api-residential-notifications"),
    path("residential-notifications/<int:pk>/", PlanNotificationViewSet.as_view({"get": "retrieve"}),
         name="api-residential-notification"),
    path("residential-stays/<int:episode_id>/notifications/", RecordPlanNotificationViewSet.as_view({"post": "create"}),
         name="api-residential-stay-notify"),
]
