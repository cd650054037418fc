"""API routes of the cases app (included under /api/): the CCS tracking list."""
from django.urls import path

from .api import TrackingListCsvView, TrackingListView

urlpatterns = [
    path("tracking-list/", TrackingListView.as_view(), name="api_tracking_list"),
    path("tracking-list.csv", TrackingListCsvView.as_view(), name="api_tracking_list_csv"),
]
