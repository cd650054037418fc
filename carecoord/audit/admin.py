"""Admin: the audit trail is read-only (the database refuses changes anyway); an
administrator may remove a lost two-factor device so its owner can set up a new one."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from carecoord.admin_base import ReadOnlyAdmin

from .models import AccessEvent, BreakGlassGrant, TwoFactorDevice


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    list_display = ("seq", "occurred_at", "username", "action", "part2", "path", "ip_address")
    list_filter = ("action", "part2", "occurred_at")
    search_fields = ("username", "path", "request_id", "ip_address")
    date_hierarchy = "occurred_at"


@admin.register(BreakGlassGrant)
class BreakGlassGrantAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("user", "case", "granted_at", "expires_at", "reason")
    list_filter = ("granted_at",)
    search_fields = ("user__username", "case__case_number", "reason")
    raw_id_fields = ("user", "case")


@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(admin.ModelAdmin):
    list_display = ("user", "confirmed_at")
    search_fields = ("user__username",)
    exclude = ("secret", "last_step")
    readonly_fields = ("user", "confirmed_at")

    def has_add_permission(self, request):
        return False
