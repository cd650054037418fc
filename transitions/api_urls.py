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

# Whole Child Model population transitions (the plans' hand-over files and welcome call list).
from .population_api import (  # noqa: E402
    HandOverFileView, PopulationTransitionViewSet, WelcomeCallOutcomeView, WelcomeCallViewSet,
)

urlpatterns += [
    path("population-transitions/", PopulationTransitionViewSet.as_view({"get": "list"}), name="api-population-transitions"),
    path("population-transitions/<int:pk>/", PopulationTransitionViewSet.as_view({"get": "retrieve"}), name="api-population-transition"),
    path("population-transitions/<int:pk>/calls/", WelcomeCallViewSet.as_view({"get": "list"}), name="api-population-calls"),
    path("transitions/<int:pk>/files/<slug:kind>/", HandOverFileView.as_view(), name="api-population-file"),
    path("welcome-calls/<int:call_id>/outcome/", WelcomeCallOutcomeView.as_view(), name="api-welcome-call-outcome"),
]
