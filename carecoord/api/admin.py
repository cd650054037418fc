"""Admin of webhook endpoints (plans' URLs) and deliveries (read-only: what was sent and whether it arrived)."""
from django.contrib import admin

from .models import WebhookDelivery, WebhookEndpoint
from .services import webhook_endpoint_update


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "plan", "active", "created_at"]
    list_filter = ["active", "plan"]
    search_fields = ["url", "plan__name", "description"]
    fields = ["plan", "url", "events", "description", "active", "created_at", "created_by"]
    readonly_fields = ["plan", "url", "events", "created_at", "created_by"]

    def has_add_permission(self, request):
        # Registered through the API (webhook_endpoint_register generates the secret).
        return False

    def save_model(self, request, obj, form, change):
        webhook_endpoint_update(endpoint=obj, active=obj.active, description=obj.description, actor=request.user)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event", "endpoint", "status", "attempts", "created_at", "delivered_at", "response_status"]
    list_filter = ["event", "endpoint__plan", ("delivered_at", admin.EmptyFieldListFilter)]
    search_fields = ["id", "subject_id", "endpoint__url"]
    list_select_related = ["endpoint", "endpoint__plan", "outbox_message"]
    readonly_fields = ["id", "endpoint", "event", "subject_type", "subject_id", "payload", "outbox_message", "created_at",
                       "delivered_at", "response_status", "status", "attempts", "last_error", "next_attempt_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
