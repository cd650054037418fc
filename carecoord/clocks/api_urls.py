"""API routes of the deadline engine (included under /api/)."""
from django.urls import path

from .api import ClockRuleListView, ComplianceView, WorkQueueView

urlpatterns = [
    path("work-queue/", WorkQueueView.as_view(), name="api-work-queue"),
    path("compliance/", ComplianceView.as_view(), name="api-compliance"),
    path("clock-rules/", ClockRuleListView.as_view(), name="api-clock-rules"),
]
