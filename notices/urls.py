"""Browser URLs of the notices app (mounted at /notices/)."""
from django.urls import path

from . import views

app_name = "notices"
urlpatterns = [
    path("case/<int:case_id>/new/", views.notice_new, name="new"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/pdf/", views.notice_pdf_view, name="pdf"),
    path("<int:pk>/send/", views.notice_send_view, name="send"),
    path("<int:pk>/mailed/", views.notice_mailed_view, name="mailed"),
    path("<int:pk>/returned/", views.notice_returned_view, name="returned"),
    path("case/<int:case_id>/appeals/new/", views.appeal_new, name="appeal_new"),
    path("appeals/<int:pk>/acknowledge/", views.appeal_acknowledge_view, name="appeal_acknowledge"),
    path("appeals/<int:pk>/decide/", views.appeal_decide_view, name="appeal_decide"),
]
