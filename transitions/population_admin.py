"""Admin of Whole Child Model population transitions: read-only records of what happened (children selected,
deliveries, notices, agreements, calls, jobs); the transition and its readiness items are edited through the pages."""
from django.contrib import admin

from carecoord.admin_base import ReadOnlyHistoryAdmin

from .population import (
    BulkJob,
    ContinuityOfCareAgreement,
    DataDelivery,
    FamilyNotice,
    FaqShare,
    PopulationTransition,
    PopulationTransitionMember,
    ReadinessItem,
    WelcomeCall,
)


class ReadinessInline(admin.TabularInline):
    model = ReadinessItem
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "title", "owner", "due_date", "status", "done_at", "done_by")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PopulationTransition)
class PopulationTransitionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "county", "county_program", "transition_date", "status", "member_count")
    list_filter = ("status", "county")
    search_fields = ("name", "county__name")
    date_hierarchy = "transition_date"
    inlines = [ReadinessInline]


@admin.register(PopulationTransitionMember)
class PopulationTransitionMemberAdmin(ReadOnlyHistoryAdmin):
    list_display = ("member", "transition", "plan", "language", "address_valid")
    list_filter = ("plan", "address_valid", "language")
    search_fields = ("member__last_name", "member__first_name", "member__cin")
    list_select_related = ("member", "transition", "plan")


@admin.register(DataDelivery)
class DataDeliveryAdmin(ReadOnlyHistoryAdmin):
    list_display = ("transition", "kind", "plan", "delivered_at", "delivered_to", "children", "rows", "withheld")
    list_filter = ("kind", "plan")
    search_fields = ("transition__name",)


@admin.register(FamilyNotice)
class FamilyNoticeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("transition_member", "wave", "notice", "follow_up_reason", "follow_up_done_at")
    list_filter = ("wave",)
    search_fields = ("transition_member__member__last_name", "transition_member__member__cin")
    list_select_related = ("transition_member__member", "notice")


@admin.register(ContinuityOfCareAgreement)
class ContinuityOfCareAgreementAdmin(ReadOnlyHistoryAdmin):
    list_display = ("transition_member", "provider", "plan", "source", "status", "starts_on", "ends_on")
    list_filter = ("status", "source", "plan")
    search_fields = ("transition_member__member__last_name", "transition_member__member__cin", "provider__name")


@admin.register(ReadinessItem)
class ReadinessItemAdmin(ReadOnlyHistoryAdmin):
    list_display = ("title", "transition", "owner", "due_date", "status", "done_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "transition__name")


@admin.register(WelcomeCall)
class WelcomeCallAdmin(ReadOnlyHistoryAdmin):
    list_display = ("transition_member", "plan", "outcome", "attempts", "last_called_at", "follow_up_on")
    list_filter = ("outcome", "plan")
    search_fields = ("transition_member__member__last_name", "transition_member__member__cin", "phone")


@admin.register(FaqShare)
class FaqShareAdmin(ReadOnlyHistoryAdmin):
    list_display = ("document", "transition", "shared_at", "shared_by")
    search_fields = ("document__title", "transition__name")


@admin.register(BulkJob)
class BulkJobAdmin(ReadOnlyHistoryAdmin):
    list_display = ("transition", "kind", "wave", "status", "processed", "total", "runs", "created_at", "finished_at")
    list_filter = ("kind", "status")
    search_fields = ("transition__name",)
