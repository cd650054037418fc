"""Admin of the ECM pathway records. Steps, dates and decisions are read-only: they change only through
``cases.ecm_services`` (which checks the rules and starts and meets the clocks)."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .ecm_models import (
    CftMeeting, ContinuityOfCareRequest, EcmClosure, EcmEnrollment, EcmPathway, OutreachAttempt, PlacementMove, PlanSelection,
)

MEMBER_SEARCH = ["case__member__last_name", "case__member__cin"]


class ReadOnlyStepsAdmin(SimpleHistoryAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] if obj else []

    def has_add_permission(self, request):
        return False


@admin.register(EcmPathway)
class EcmPathwayAdmin(ReadOnlyStepsAdmin):
    list_display = ["case", "kind", "removed_at", "immediate_needs_met_at"]
    list_filter = ["kind"]
    search_fields = MEMBER_SEARCH


@admin.register(PlanSelection)
class PlanSelectionAdmin(ReadOnlyStepsAdmin):
    list_display = ["case", "reason", "meds_status", "choice", "plan", "activation_date", "decided_at"]
    list_filter = ["reason", "choice", "meds_status", "county"]
    search_fields = MEMBER_SEARCH


class OutreachInline(admin.TabularInline):
    model = OutreachAttempt
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EcmEnrollment)
class EcmEnrollmentAdmin(ReadOnlyStepsAdmin):
    list_display = ["case", "referrer", "recipient", "ecm_provider", "status", "mcp_decision", "enrolled_at"]
    list_filter = ["status", "referrer", "mcp_decision", "presumptive", "expedited"]
    search_fields = MEMBER_SEARCH + ["ecm_provider__name"]
    inlines = [OutreachInline]


@admin.register(OutreachAttempt)
class OutreachAttemptAdmin(ReadOnlyStepsAdmin):
    list_display = ["enrollment", "at", "method", "outcome"]
    list_filter = ["method", "outcome"]
    search_fields = ["enrollment__case__member__last_name"]


@admin.register(CftMeeting)
class CftMeetingAdmin(ReadOnlyStepsAdmin):
    list_display = ["case", "scheduled_for", "cans_status", "tribal_representative_chosen", "conference", "care_plan_updated_at"]
    list_filter = ["cans_status", "tribal_representative_chosen"]
    search_fields = MEMBER_SEARCH


@admin.register(PlacementMove)
class PlacementMoveAdmin(ReadOnlyStepsAdmin):
    list_display = ["case", "from_county", "to_county", "moved_at", "from_cohs", "meds_address_updated_at", "provider_action"]
    list_filter = ["from_cohs", "provider_action", "to_county"]
    search_fields = MEMBER_SEARCH


@admin.register(ContinuityOfCareRequest)
class ContinuityOfCareRequestAdmin(ReadOnlyStepsAdmin):
    list_display = ["move", "provider_name", "urgency", "received_at", "decision", "decided_at"]
    list_filter = ["urgency", "decision"]
    search_fields = ["provider_name", "move__case__member__last_name"]


@admin.register(EcmClosure)
class EcmClosureAdmin(ReadOnlyStepsAdmin):
    list_display = ["case", "reason", "cws_closed_on", "ecm_continues", "provider_informed_at"]
    list_filter = ["reason", "ecm_continues"]
    search_fields = MEMBER_SEARCH
