"""API routes of the directory (included under /api/)."""
from django.urls import path

from . import api

urlpatterns = [
    path("directory/providers/", api.ProviderSearchView.as_view(), name="api_directory_providers"),
]
