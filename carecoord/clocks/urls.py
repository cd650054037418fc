from django.urls import path

from . import views

urlpatterns = [
    path("rules/", views.rule_catalog, name="clock_rules"),
]
