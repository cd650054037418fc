"""API routes of the cases app (included under /api/): the CCS tracking list."""
from django.urls import path

from .api import TrackingListCsvView, TrackingListView

urlpatterns = [
    path("tracking-list/", TrackingListView.as_view(), name="api_tracking_list"),
    path("tracking-list.csv", TrackingListCsvView.as_view(), name="api_tracking_list_csv"),
]

# ECM pathway: enrollments and the plan's decisions.
from .ecm_api import CocDecisionViewSet, EnrollmentDecisionViewSet, EnrollmentViewSet  # noqa: E402

urlpatterns += [
    path("ecm/enrollments/", EnrollmentViewSet.as_view({"get": "list"}), name="api-ecm-enrollments"),
    path("ecm/enrollments/<int:pk>/", EnrollmentViewSet.as_view({"get": "retrieve"}), name="api-ecm-enrollment"),
    path("ecm/enrollments/<int:pk>/decision/", EnrollmentDecisionViewSet.as_view({"post": "create"}), name="api-ecm-enrollment-decision"),
    path("ecm/continuity-of-care/<int:pk>/decision/", CocDecisionViewSet.as_view({"post": "create"}), name="api-ecm-coc-decision"),
]
