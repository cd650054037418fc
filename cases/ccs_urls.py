"""Browser URLs of the CCS pages (mounted at /ccs/)."""
from django.urls import path

from . import ccs_views as views

app_name = "ccs"
urlpatterns = [
    path("intake/", views.intake, name="intake"),
    path("cases/<int:case_id>/documents/", views.documents_add, name="documents_add"),
    path("cases/<int:case_id>/documentation-adequate/", views.documentation_adequate, name="documentation_adequate"),
    path("cases/<int:case_id>/eligibility/", views.determination, name="determination"),
    path("cases/<int:case_id>/authorizations/new/", views.sar_new, name="sar_new"),
    path("cases/<int:case_id>/authorizations/<int:sar_id>/decide/", views.sar_decide, name="sar_decide"),
    path("cases/<int:case_id>/care-plan/new/", views.care_plan_new, name="care_plan_new"),
    path("cases/<int:case_id>/care-plan/goals/new/", views.goal_add, name="goal_add"),
    path("cases/<int:case_id>/care-plan/interventions/new/", views.intervention_add, name="intervention_add"),
    path("cases/<int:case_id>/reviews/new/", views.review_add, name="review_add"),
    path("cases/<int:case_id>/conferences/new/", views.conference_new, name="conference_new"),
    path("cases/<int:case_id>/providers/link/", views.link_provider, name="link_provider"),
    path("authorizations/", views.authorizations_pending, name="authorizations_pending"),
    path("problems/", views.problems, name="problems"),
    path("problems/<int:item_id>/", views.problem_detail, name="problem_detail"),
    path("liaison-meetings/", views.liaison_meetings, name="liaison_meetings"),
    path("tracking-list/", views.tracking_list, name="tracking_list"),
]
