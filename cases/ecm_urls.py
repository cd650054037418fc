"""Browser URLs of the ECM pathway pages (mounted at /ecm/)."""
from django.urls import path

from . import ecm_views as views

app_name = "ecm"
urlpatterns = [
    path("cases/<int:case_id>/pathway/", views.pathway, name="pathway"),
    path("cases/<int:case_id>/immediate-needs/", views.immediate_needs, name="immediate_needs"),
    path("cases/<int:case_id>/health-summary/", views.first_placement_summary, name="first_placement_summary"),
    path("cases/<int:case_id>/plan-selection/", views.plan_selection, name="plan_selection"),
    path("cases/<int:case_id>/referral/", views.referral, name="referral"),
    path("cases/<int:case_id>/outreach/", views.outreach, name="outreach"),
    path("cases/<int:case_id>/prior-services/", views.prior_check, name="prior_check"),
    path("cases/<int:case_id>/authorization/", views.authorization, name="authorization"),
    path("cases/<int:case_id>/mcp-decision/", views.mcp_decision, name="mcp_decision"),
    path("cases/<int:case_id>/notify/", views.notify, name="notify"),
    path("cases/<int:case_id>/assessment/", views.assessment, name="assessment"),
    path("cases/<int:case_id>/care-plan/", views.care_plan, name="care_plan"),
    path("cases/<int:case_id>/share/", views.share, name="share"),
    path("cases/<int:case_id>/cft/new/", views.cft_schedule, name="cft_schedule"),
    path("cases/<int:case_id>/cft/<int:meeting_id>/held/", views.cft_hold, name="cft_hold"),
    path("cases/<int:case_id>/cft/<int:meeting_id>/care-plan/", views.cft_care_plan, name="cft_care_plan"),
    path("cases/<int:case_id>/moves/new/", views.move, name="move"),
    path("cases/<int:case_id>/moves/<int:move_id>/meds/", views.move_meds, name="move_meds"),
    path("cases/<int:case_id>/moves/<int:move_id>/plan/", views.move_plan, name="move_plan"),
    path("cases/<int:case_id>/moves/<int:move_id>/continuity/", views.move_coc, name="move_coc"),
    path("cases/<int:case_id>/continuity/<int:request_id>/decide/", views.coc_decide, name="coc_decide"),
    path("cases/<int:case_id>/moves/<int:move_id>/provider/", views.move_provider, name="move_provider"),
    path("cases/<int:case_id>/moves/<int:move_id>/handoff/", views.move_handoff, name="move_handoff"),
    path("cases/<int:case_id>/moves/<int:move_id>/health/<slug:step>/", views.move_cws_step, name="move_cws_step"),
    path("cases/<int:case_id>/closure/", views.closure, name="closure"),
]
