from django.contrib import admin

from .models import ClosureDay, Deadline, Notification, OutboxMessage


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ["date", "reason", "county", "organization"]
    list_filter = ["county", "organization"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["rule_code", "case", "owner", "due_at", "status", "warned_at", "escalated_at"]
    list_filter = ["status", "rule_code", "organization"]
    search_fields = ["rule_code", "case__member__last_name"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["key", "channel", "status", "attempts", "available_at", "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["key"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "message", "read_at"]
    list_filter = ["kind"]
