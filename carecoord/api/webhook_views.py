"""API of a plan's webhook endpoints and of the deliveries made to them."""
from __future__ import annotations

import django_filters
from django.db.models import Q
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .disclosure import is_plan_caller
from .filters import UtcIsoDateTimeFilter
from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from .pagination import CreatedCursorPagination
from .schema import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from .serializers import ModelSerializer
from .services import webhook_endpoint_register, webhook_endpoint_update, webhook_ping
from .views import ScopedViewSetMixin


class WebhookEndpointSerializer(ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), required=False,
                                   help_text="Event types to receive; empty means all.")

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "events", "active", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"url": {"help_text": "An https:// URL of yours that accepts POSTed JSON."}}


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="Signing secret. Shown only in this response: store it.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


ENDPOINT_EXAMPLE = {"id": 3, "url": "https://plan.example/carecoord/webhook", "description": "Production receiver",
                    "events": ["notice.sent"], "active": True, "created_at": "2026-11-23T09:00:00-08:00"}


class PlanOnlyMixin:
    def require_plan(self):
        if not is_plan_caller(self.request.user):
            raise exceptions.PermissionDenied("Webhooks belong to a plan: use a plan liaison's token.")
        return self.request.user.organization


class WebhookDeliverySerializer(ModelSerializer):
    endpoint = serializers.PrimaryKeyRelatedField(read_only=True)
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices, read_only=True)
    attempts = serializers.IntegerField(read_only=True, help_text="Attempts made so far.")
    last_error = serializers.CharField(read_only=True, help_text="Why the last failed attempt failed.")
    next_attempt_at = serializers.DateTimeField(read_only=True, allow_null=True,
                                                help_text="When the next retry is due, while pending.")
    payload = serializers.JSONField(read_only=True, help_text="The exact JSON body delivered.")

    class Meta:
        model = WebhookDelivery
        fields = ["id", "endpoint", "event", "subject_type", "subject_id", "status", "attempts", "last_error",
                  "next_attempt_at", "created_at", "delivered_at", "response_status", "payload"]


class WebhookDeliveryFilter(django_filters.FilterSet):
    endpoint = django_filters.NumberFilter(field_name="endpoint_id")
    event = django_filters.ChoiceFilter(choices=WebhookEvent.choices)
    status = django_filters.ChoiceFilter(choices=WebhookDelivery.Status.choices, method="filter_status")
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = WebhookDelivery
        fields = ["endpoint", "event", "status", "created_after"]

    def filter_status(self, queryset, name, value):
        undelivered = Q(delivered_at__isnull=True)
        return queryset.filter({
            WebhookDelivery.Status.DELIVERED: Q(delivered_at__isnull=False),
            WebhookDelivery.Status.FAILED: undelivered & Q(outbox_message__status="failed"),
            WebhookDelivery.Status.SKIPPED: undelivered & Q(outbox_message__status="sent"),
            WebhookDelivery.Status.PENDING: undelivered & (Q(outbox_message__status="pending") | Q(outbox_message__isnull=True)),
        }[value])


class DeliveryCursorPagination(CreatedCursorPagination):
    ordering = ("-created_at", "-id")


DELIVERY_EXAMPLE = {
    "id": "0b8e8f1c-3d6a-4f0e-9d53-2f1c2a8f6b11", "endpoint": 3, "event": "notice.sent", "subject_type": "notices.notice",
    "subject_id": "88", "status": "pending", "attempts": 1, "last_error": "HTTP 503 from https://plan.example/carecoord/webhook",
    "next_attempt_at": "2026-11-23T09:02:00-08:00", "created_at": "2026-11-23T09:01:00-08:00", "delivered_at": None,
    "response_status": None, "payload": {"id": "0b8e8f1c-3d6a-4f0e-9d53-2f1c2a8f6b11", "type": "notice.sent",
                                         "created_at": "2026-11-23T09:01:00-08:00", "data": {"notice": {"id": 88}}},
}


@extend_schema_view(
    list=extend_schema(summary="Your plan's webhook endpoints", description="The HTTPS endpoints registered for your plan.",
                       responses={200: WebhookEndpointSerializer(many=True), **LIST_ERRORS},
                       examples=[OpenApiExample("An endpoint", value=ENDPOINT_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One webhook endpoint", description="An endpoint of your plan.",
                           responses={200: WebhookEndpointSerializer, **READ_ERRORS},
                           examples=[OpenApiExample("An endpoint", value=ENDPOINT_EXAMPLE, response_only=True)]),
    create=extend_schema(
        summary="Register a webhook endpoint",
        description="Register an https:// URL to receive events by POST. The response carries the signing `secret` "
                    "once; verify each delivery's `Carecoord-Signature` with it (see Getting started).",
        request=WebhookEndpointSerializer,
        responses={201: WebhookEndpointCreatedSerializer, **WRITE_ERRORS},
        examples=[
            OpenApiExample("Register", value={"url": "https://plan.example/carecoord/webhook", "events": ["notice.sent"],
                                              "description": "Production receiver"}, request_only=True),
            OpenApiExample("Registered", value={**ENDPOINT_EXAMPLE, "secret": "whsec_3q2+7w…"}, response_only=True),
        ],
    ),
    partial_update=extend_schema(
        summary="Change or pause a webhook endpoint",
        description="Change the URL, events or description, or set `active` to false to stop deliveries.",
        request=WebhookEndpointSerializer, responses={200: WebhookEndpointSerializer, **WRITE_ERRORS},
        examples=[OpenApiExample("Pause", value={"active": False}, request_only=True),
                  OpenApiExample("Paused", value={**ENDPOINT_EXAMPLE, "active": False}, response_only=True)],
    ),
)
class WebhookEndpointViewSet(PlanOnlyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = WebhookEndpointSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        if not is_plan_caller(user):
            return WebhookEndpoint.objects.none()
        return WebhookEndpoint.objects.filter(plan_id=user.organization_id)

    def create(self, request, *args, **kwargs):
        plan = self.require_plan()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        endpoint = webhook_endpoint_register(plan=plan, actor=request.user, url=data["url"], events=data.get("events", []),
                                             description=data.get("description", ""))
        if data.get("active") is False:
            endpoint = webhook_endpoint_update(endpoint=endpoint, actor=request.user, active=False)
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Send a test event",
        description="Queue a `ping` event to this endpoint (signed like every delivery) to check your receiver and "
                    "signature code. Follow it at `/api/webhooks/deliveries/{id}/`.",
        request=None, responses={202: WebhookDeliverySerializer, **WRITE_ERRORS},
        examples=[OpenApiExample("Queued", response_only=True, status_codes=["202"], value={
            **DELIVERY_EXAMPLE, "event": "ping", "subject_type": "ping", "attempts": 0, "last_error": "",
            "payload": {"id": DELIVERY_EXAMPLE["id"], "type": "ping", "created_at": "2026-11-23T09:01:00-08:00",
                        "data": {"ping": "5b0e…", "endpoint": 3, "sent_by": "liaison"}}})],
    )
    @action(detail=True, methods=["post"])
    def ping(self, request, pk=None):
        self.require_plan()
        delivery = webhook_ping(endpoint=self.get_object(), actor=request.user)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    def perform_update(self, serializer):
        self.require_plan()
        serializer.instance = webhook_endpoint_update(endpoint=serializer.instance, actor=self.request.user,
                                                      **serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="Webhook deliveries and failures",
                       description="Every event queued for your endpoints: delivered, pending (with the last error and "
                                   "the next retry) or failed (retries exhausted). Filter by `status` to find failures.",
                       responses={200: WebhookDeliverySerializer(many=True), **LIST_ERRORS},
                       examples=[OpenApiExample("A retrying delivery", value=DELIVERY_EXAMPLE, response_only=True)]),
    retrieve=extend_schema(summary="One webhook delivery", description="A delivery with its body and attempts.",
                           responses={200: WebhookDeliverySerializer, **READ_ERRORS},
                           examples=[OpenApiExample("A retrying delivery", value=DELIVERY_EXAMPLE, response_only=True)]),
)
class WebhookDeliveryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pagination_class = DeliveryCursorPagination
    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilter

    def get_visible_queryset(self, user):
        if not is_plan_caller(user):
            return WebhookDelivery.objects.none()
        return WebhookDelivery.objects.filter(endpoint__plan_id=user.organization_id).select_related("outbox_message")

    def members_of(self, objects):
        return [delivery.payload.get("data", {}).get("member_id") for delivery in objects]
