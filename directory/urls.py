from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("providers/<int:profile_id>/", views.provider_detail, name="provider"),
    path("unmet-needs/", views.unmet_need_record, name="unmet_need"),
    path("import/", views.import_csv, name="import"),
    path("export.csv", views.export_csv, name="export"),
    path("gaps/", views.gaps, name="gaps"),
    path("members/<int:member_id>/utilization/", views.utilization, name="utilization"),
    path("cases/<int:case_id>/inpatient-review/", views.concurrent_review_add, name="concurrent_review"),
    path("cases/<int:case_id>/medical-report/", views.medical_report_send, name="medical_report"),
]
