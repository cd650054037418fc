"""Admin of CCS eligibility and authorizations, care plans, conferences, problem items and liaison meetings.

Decisions and their dates are read-only here: they change only through the services
(which check the rules, start and meet the clocks and inform the parties).
"""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .ccs_models import (
    CarePlan, CarePlanGoal, CarePlanIntervention, CarePlanReview, CaseConference, EligibilityDetermination,
    LiaisonMeeting, ProblemItem, ProblemItemEvent, ServiceAuthorization,
)


@admin.register(EligibilityDetermination)
class EligibilityDeterminationAdmin(SimpleHistoryAdmin):
    list_display = ["case", "kind", "outcome", "decided_at", "decided_by"]
    list_filter = ["kind", "outcome"]
    search_fields = ["case__member__last_name", "case__case_number", "reason"]
    raw_id_fields = ["case", "referral", "decided_by"]
    readonly_fields = ["kind", "outcome", "decided_at", "decided_by", "diagnoses", "recorded_at"]


@admin.register(ServiceAuthorization)
class ServiceAuthorizationAdmin(SimpleHistoryAdmin):
    list_display = ["case", "service", "provider", "start_date", "end_date", "expedited", "decision", "decided_at"]
    list_filter = ["decision", "expedited"]
    search_fields = ["case__member__last_name", "case__case_number", "service", "provider__name"]
    raw_id_fields = ["case", "requested_by", "decided_by"]
    readonly_fields = ["decision", "decided_at", "decided_by", "provider_warning", "requested_at"]


class GoalInline(admin.StackedInline):
    model = CarePlanGoal
    extra = 0


@admin.register(CarePlan)
class CarePlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "case", "status", "written_at", "written_by"]
    list_filter = ["status", "case__program"]
    search_fields = ["title", "case__member__last_name"]
    raw_id_fields = ["case", "written_by"]
    inlines = [GoalInline]


@admin.register(CarePlanIntervention)
class CarePlanInterventionAdmin(SimpleHistoryAdmin):
    list_display = ["description", "goal", "owner", "owner_name", "due_date", "status"]
    list_filter = ["status"]
    search_fields = ["description", "owner_name"]
    raw_id_fields = ["goal", "owner", "referral"]


@admin.register(CarePlanReview)
class CarePlanReviewAdmin(SimpleHistoryAdmin):
    list_display = ["case", "kind", "reviewed_at", "reviewed_by"]
    list_filter = ["kind"]
    search_fields = ["case__member__last_name", "summary"]
    raw_id_fields = ["case", "care_plan", "reviewed_by"]


@admin.register(CaseConference)
class CaseConferenceAdmin(SimpleHistoryAdmin):
    list_display = ["case", "kind", "held_at", "recorded_by"]
    list_filter = ["kind"]
    search_fields = ["case__member__last_name", "notes"]
    raw_id_fields = ["case", "recorded_by", "tasks"]
    filter_horizontal = ["staff_participants"]


class ProblemEventInline(admin.TabularInline):
    model = ProblemItemEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "action", "level", "by", "referred_to", "note"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProblemItem)
class ProblemItemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "program", "plan", "category", "level", "status", "opened_at"]
    list_filter = ["status", "level", "category", "plan", "program"]
    search_fields = ["title", "description"]
    raw_id_fields = ["case", "opened_by"]
    readonly_fields = ["level", "status", "opened_at", "opened_by", "resolved_at"]
    inlines = [ProblemEventInline]


@admin.register(LiaisonMeeting)
class LiaisonMeetingAdmin(SimpleHistoryAdmin):
    list_display = ["program", "plan", "held_at", "recorded_by"]
    list_filter = ["plan", "program"]
    search_fields = ["minutes", "attendees"]
    raw_id_fields = ["recorded_by", "tasks", "problem_items"]
    date_hierarchy = "held_at"
