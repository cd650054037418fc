from django.urls import path

from . import views

urlpatterns = [
    path("", views.work_queue, name="home"),
    path("members/", views.member_search, name="member_search"),
    path("documents/<int:document_id>/", views.document_download, name="document_download"),
]
