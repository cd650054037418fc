"""Admin of referrals: searchable and filterable; the loop's events are read-only (append-only history)."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Referral, ReferralEvent


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "action", "from_status", "to_status", "outcome", "by", "note"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "member", "direction", "program", "service_type", "source", "organization",
                    "recipient_organization", "status", "outcome", "possible_duplicate", "referred_at"]
    list_filter = ["direction", "program", "status", "outcome", "source", "service_type", "urgency", "possible_duplicate"]
    search_fields = ["member__last_name", "member__cin", "reporter_name", "suspected_condition", "external_reference"]
    raw_id_fields = ["member", "case", "duplicate_of", "created_by"]
    # Status, outcome and loop dates change only through the referral services.
    readonly_fields = ["status", "status_changed_at", "outcome", "outcome_note", "closed_at", "possible_duplicate",
                       "duplicate_note", "duplicate_of", "documentation_adequate_at", "created_by", "created_at"]
    filter_horizontal = ["documents"]
    inlines = [ReferralEventInline]
    date_hierarchy = "referred_at"


@admin.register(ReferralEvent)
class ReferralEventAdmin(admin.ModelAdmin):
    list_display = ["at", "referral", "action", "from_status", "to_status", "outcome", "by"]
    list_filter = ["action", "to_status", "outcome"]
    search_fields = ["referral__member__last_name", "note"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
