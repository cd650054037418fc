"""Browser URLs of Whole Child Model population transitions (prepended to ``transitions.urls``, under /transitions/)."""
from django.urls import path

from . import population_views as v

urlpatterns = [
    path("population/", v.population_list, name="population_list"),
    path("population/new/", v.population_create, name="population_create"),
    path("population/<int:transition_id>/", v.population_detail, name="population_detail"),
    path("population/<int:transition_id>/confirm/", v.population_confirm, name="population_confirm"),
    path("population/<int:transition_id>/ready/", v.population_ready, name="population_ready"),
    path("population/<int:transition_id>/jobs/", v.population_job_start, name="population_job_start"),
    path("population/<int:transition_id>/jobs/<int:job_id>/resume/", v.population_job_resume, name="population_job_resume"),
    path("population/<int:transition_id>/progress/", v.population_progress, name="population_progress"),
    path("population/<int:transition_id>/readiness/add/", v.population_readiness_add, name="population_readiness_add"),
    path("population/readiness/<int:item_id>/done/", v.population_readiness_done, name="population_readiness_done"),
    path("population/<int:transition_id>/children/", v.population_members, name="population_members"),
    path("population/<int:transition_id>/follow-up/", v.population_follow_up, name="population_follow_up"),
    path("population/<int:transition_id>/continuity/", v.population_continuity, name="population_continuity"),
    path("population/<int:transition_id>/calls/", v.population_calls, name="population_calls"),
    path("population/calls/<int:call_id>/", v.population_call_record, name="population_call_record"),
    path("population/<int:transition_id>/faq/", v.population_faq, name="population_faq"),
    path("population/<int:transition_id>/files/<slug:kind>/<int:plan_id>/", v.population_file_check, name="population_file_check"),
]
