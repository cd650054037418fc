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
]
