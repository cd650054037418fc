"""Admin of the deadline engine: closure days are edited here; deadlines, pauses, the outbox and
notifications are read-only records (services write them)."""
from django.contrib import admin

from carecoord.admin_base import ReadOnlyAdmin

from .models import ClosureDay, Deadline, DeadlinePause, Notification, OutboxMessage


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ["date", "reason", "county", "organization"]
    list_filter = ["county", "organization"]
    search_fields = ["reason"]
    date_hierarchy = "date"




class DeadlinePauseInline(admin.TabularInline):
    model = DeadlinePause
    extra = 0
    can_delete = False
    fields = readonly_fields = ["paused_at", "resumed_at", "reason", "paused_by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["rule_code", "rule_version", "case", "owner", "team", "due_at", "status", "met_at", "warned_at", "missed_at",
                    "escalated_at", "escalated_to"]
    list_filter = ["status", "rule_code", "organization", "team"]
    search_fields = ["rule_code", "case__case_number", "case__member__last_name", "owner__username", "escalated_to__username"]
    list_select_related = ["case__member", "owner", "team", "escalated_to"]
    date_hierarchy = "due_at"
    inlines = [DeadlinePauseInline]


@admin.register(DeadlinePause)
class DeadlinePauseAdmin(ReadOnlyAdmin):
    list_display = ["deadline", "paused_at", "resumed_at", "reason", "paused_by"]
    list_filter = ["deadline__rule_code"]
    search_fields = ["reason", "deadline__rule_code"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["key", "channel", "status", "attempts", "available_at", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["key"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "message", "read_at"]
    list_filter = ["kind"]
    search_fields = ["message", "user__username", "key"]
