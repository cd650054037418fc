"""The REST API: plan liaisons' integration surface. Each domain app adds its routes in ``<app>/api_urls.py``."""
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from cases.api_members import CaseViewSet, MemberViewSet

from .docs import SwaggerDocsView
from .referral_views import ReferralViewSet
from .views import not_found
from .webhook_views import WebhookDeliveryViewSet, WebhookEndpointViewSet

router = SimpleRouter()
router.register("members", MemberViewSet, basename="api-member")
router.register("cases", CaseViewSet, basename="api-case")
router.register("referrals", ReferralViewSet, basename="api-referral")
router.register("webhooks/endpoints", WebhookEndpointViewSet, basename="api-webhook-endpoint")
router.register("webhooks/deliveries", WebhookDeliveryViewSet, basename="api-webhook-delivery")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SwaggerDocsView.as_view(url_name="api_schema"), name="api_docs"),
    path("", include("carecoord.clocks.api_urls")),
    path("", include("cases.api_urls")),
    path("", include("referrals.api_urls")),
    path("", include("consents.api_urls")),
    path("", include("transitions.api_urls")),
    path("", include("notices.api_urls")),
    path("", include("directory.api_urls")),
    path("", include(router.urls)),
    path("", include("carecoord.api.fhir_views")),
    # Last: whatever no route above matched.
    re_path(r"^.*$", not_found, name="api_not_found"),
]
