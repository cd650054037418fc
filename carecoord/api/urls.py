"""The REST API: plan liaisons' integration surface. Each domain app adds its routes in ``<app>/api_urls.py``."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include("carecoord.clocks.api_urls")),
    path("", include("cases.api_urls")),
    path("", include("referrals.api_urls")),
    path("", include("consents.api_urls")),
    path("", include("transitions.api_urls")),
    path("", include("notices.api_urls")),
]
