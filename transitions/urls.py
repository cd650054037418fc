"""Browser URLs of the transitions app (under /transitions/)."""
from django.urls import path

from . import views

app_name = "transitions"
urlpatterns = [
    path("stalled/", views.stalled_list, name="stalled"),
    path("residential/", views.residential_list, name="residential"),
    path("monitoring/", views.monitoring, name="monitoring"),
    path("adult-transition/", views.adult_transition_due, name="adult_due"),
    path("cases/<int:case_id>/", views.case_overview, name="case"),
    path("<int:transition_id>/", views.transition_detail, name="detail"),
    path("<int:transition_id>/packet/", views.transition_packet, name="packet"),
    path("<str:target>/<int:pk>/<slug:name>/", views.action, name="action"),
]

# Whole Child Model population transitions, ahead of the generic "<target>/<pk>/<name>/" action route.
from .population_urls import urlpatterns as population_urlpatterns  # noqa: E402

urlpatterns[:0] = population_urlpatterns
