"""Admin of transitions and DMC-ODS coordination records: searchable, filterable, read-only where records
are the history of what happened (steps, notifications); the transition settings are edited here."""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from carecoord.admin_base import ReadOnlyHistoryAdmin

from .models import (
    Assessment,
    CareTransition,
    ContactAttempt,
    CoordinatorInforming,
    CrisisEvent,
    MemberStatusChange,
    PlanCoordination,
    PlanNotification,
    ProblemListItem,
    ServiceNote,
    SettingEpisode,
    TransitionSettings,
    TransitionStep,
)

MEMBER_SEARCH = ("case__member__last_name", "case__member__first_name", "case__member__cin")




@admin.register(TransitionSettings)
class TransitionSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "transition_assessment_age", "updated_at")

    def has_add_permission(self, request):
        return not TransitionSettings.objects.exists()


class TransitionStepInline(admin.TabularInline):
    model = TransitionStep
    extra = 0
    can_delete = False
    readonly_fields = ("step", "at", "by", "note", "data", "recorded_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CareTransition)
class CareTransitionAdmin(ReadOnlyHistoryAdmin):
    list_display = ("member", "kind", "status", "from_setting", "to_setting", "event_at", "last_step_at")
    list_filter = ("kind", "status", "to_setting")
    search_fields = ("member__last_name", "member__first_name", "member__cin", "recipient_contact")
    date_hierarchy = "event_at"
    inlines = [TransitionStepInline]


@admin.register(SettingEpisode)
class SettingEpisodeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "setting", "asam_level", "provider", "admitted_at", "discharged_at")
    list_filter = ("setting", "asam_level")
    search_fields = MEMBER_SEARCH + ("provider__name", "provider_name")


@admin.register(PlanNotification)
class PlanNotificationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("episode", "event", "plan", "channel", "person_reached", "notified_at", "notified_by")
    list_filter = ("event", "channel", "plan")
    search_fields = ("episode__case__member__last_name", "episode__case__member__cin", "person_reached")


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ("member", "kind", "completed_at", "asam_level", "risk_level", "completed_by")
    list_filter = ("kind", "data_category")
    search_fields = ("member__last_name", "member__first_name", "member__cin")


@admin.register(CoordinatorInforming)
class CoordinatorInformingAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "coordinator", "method", "informed_at", "informed_by")
    list_filter = ("method",)
    search_fields = MEMBER_SEARCH


@admin.register(ContactAttempt)
class ContactAttemptAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "purpose", "method", "outcome", "at", "by")
    list_filter = ("purpose", "outcome", "method")
    search_fields = MEMBER_SEARCH


@admin.register(ServiceNote)
class ServiceNoteAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "kind", "written_at", "author", "coordination_between_settings")
    list_filter = ("kind", "coordination_between_settings")
    search_fields = MEMBER_SEARCH


@admin.register(MemberStatusChange)
class MemberStatusChangeAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "description", "crisis", "source", "at", "problem_list_updated_at")
    list_filter = ("crisis", "source")
    search_fields = MEMBER_SEARCH + ("description",)


@admin.register(ProblemListItem)
class ProblemListItemAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "title", "status", "crisis", "updated_at")
    list_filter = ("status", "crisis")
    search_fields = MEMBER_SEARCH + ("title",)


@admin.register(CrisisEvent)
class CrisisEventAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "at", "follow_up_at", "follow_up_plan")
    list_filter = ("at",)
    search_fields = MEMBER_SEARCH


@admin.register(PlanCoordination)
class PlanCoordinationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("case", "organization", "organization_name", "at", "by")
    list_filter = ("organization",)
    search_fields = MEMBER_SEARCH + ("organization_name",)

# Imported last, for its registrations: the Whole Child Model population transitions admin.
from . import population_admin  # noqa: E402,F401
