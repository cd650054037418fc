from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("compliance/cases/", views.compliance_cases, name="dashboard_compliance_cases"),
    path("caseloads/", views.caseloads, name="dashboard_caseloads"),
    path("escalations/", views.escalations, name="dashboard_escalations"),
    path("programs/", views.programs, name="dashboard_programs"),
]
