from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from carecoord.errors import RuleViolation

from .models import CareTeamMember, Case, ChildWelfareEpisode, Coverage, Member, MemberContact, Task, TimelineEntry
from .services import case_close


class CoverageInline(admin.TabularInline):
    model = Coverage
    extra = 0


class ContactInline(admin.TabularInline):
    model = MemberContact
    extra = 0


class ChildWelfareInline(admin.TabularInline):
    model = ChildWelfareEpisode
    extra = 0


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "cin", "county", "preferred_language"]
    list_filter = ["county", "preferred_language"]
    search_fields = ["last_name", "first_name", "cin"]
    exclude = ["ssn"]  # identifiers are entered through the member form, never shown here
    inlines = [CoverageInline, ContactInline, ChildWelfareInline]


class CareTeamInline(admin.TabularInline):
    model = CareTeamMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    list_display = ["member", "program", "status", "organization", "primary_case_manager", "referred_at", "last_activity_at"]
    list_filter = ["program", "status", "organization"]
    search_fields = ["member__last_name", "member__cin", "case_number"]
    raw_id_fields = ["member", "primary_case_manager"]
    readonly_fields = ["status", "opened_at", "closed_at", "closed_reason", "version", "last_activity_at"]
    inlines = [CareTeamInline]
    actions = ["close_cases"]

    @admin.action(description="Close selected cases (reason: closed by supervisor)")
    def close_cases(self, request, queryset):
        for case in queryset:
            try:
                case_close(case=case, reason="Closed by supervisor", actor=request.user)
            except RuleViolation as exc:
                messages.error(request, f"{case}: {exc.message}")


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "case", "kind", "summary", "actor"]
    list_filter = ["kind"]
    search_fields = ["summary", "case__member__last_name"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "case", "owner", "due_date", "status", "source"]
    list_filter = ["status", "source"]
    search_fields = ["title"]

from . import ccs_admin  # noqa: E402,F401  CCS, care plan, problem log and liaison meeting admin
