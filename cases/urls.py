from django.urls import path

from . import views

urlpatterns = [
    path("", views.work_queue, name="home"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification_read"),
    path("members/", views.member_search, name="member_search"),
    path("members/<int:member_id>/", views.member_detail, name="member_detail"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/status/", views.case_status, name="case_status"),
    path("cases/<int:case_id>/care-team/add/", views.care_team_add, name="case_care_team_add"),
    path("cases/<int:case_id>/tasks/add/", views.task_add, name="case_task_add"),
    path("cases/<int:case_id>/tasks/<int:task_id>/done/", views.task_done, name="case_task_done"),
    path("cases/<int:case_id>/reassign/", views.case_reassign, name="case_reassign"),
    path("cases/<int:case_id>/clocks/pause/", views.case_clock_pause, name="case_clock_pause"),
    path("cases/<int:case_id>/clocks/resume/", views.case_clock_resume, name="case_clock_resume"),
    path("cases/<int:case_id>/documents/add/", views.document_add, name="case_document_add"),
    path("documents/<int:document_id>/", views.document_download, name="document_download"),
]
