"""Browser URLs of the consents app (included at /consents/)."""
from django.urls import path

from . import views

app_name = "consents"
urlpatterns = [
    path("members/<int:member_id>/", views.member_consents, name="member_consents"),
    path("members/<int:member_id>/new/<str:kind>/", views.consent_create, name="consent_create"),
    path("members/<int:member_id>/disclosures/", views.member_disclosures, name="member_disclosures"),
    path("members/<int:member_id>/disclosures.csv", views.member_disclosures_csv, name="member_disclosures_csv"),
    path("disclosure-requests/<int:request_id>/produce/", views.disclosure_list_produce, name="disclosure_list_produce"),
    path("<int:consent_id>/", views.consent_detail, name="consent_detail"),
    path("<int:consent_id>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("<int:consent_id>/expiry-event/", views.consent_expiry_event, name="consent_expiry_event"),
]
