"""Admin of members, cases, timeline and tasks. Case actions call the services: reassign to another
worker (an intermediate page chooses the worker) and close with a reason."""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from carecoord.accounts.models import User
from carecoord.admin_base import ReadOnlyAdmin
from carecoord.errors import RuleViolation

from .models import (
    CareTeamMember,
    Case,
    ChildWelfareEpisode,
    Coverage,
    Document,
    Member,
    MemberContact,
    Task,
    TimelineEntry,
)
from .services import case_close, case_reassign


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


class ReassignCasesForm(forms.Form):
    new_manager = forms.ModelChoiceField(label=_("New primary case manager"), queryset=User.objects.none())

    def __init__(self, *args, organization_ids, **kwargs):
        super().__init__(*args, **kwargs)
        # One organization's workers: case_reassign refuses a worker of another organization.
        self.fields["new_manager"].queryset = User.objects.filter(
            organization_id__in=organization_ids, is_active=True,
            role__in=[User.Role.CASE_MANAGER, User.Role.SUPERVISOR],
        ).order_by("last_name", "first_name", "username")


class CloseCasesForm(forms.Form):
    reason = forms.CharField(label=_("Closing reason"), max_length=200)


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    list_display = ["member", "program", "status", "organization", "team", "primary_case_manager", "referred_at", "last_activity_at"]
    list_filter = ["program", "status", "organization", "team"]
    search_fields = ["member__last_name", "member__first_name", "member__cin", "case_number", "primary_case_manager__username"]
    list_select_related = ["member", "organization", "team", "primary_case_manager"]
    date_hierarchy = "referred_at"
    raw_id_fields = ["member", "primary_case_manager"]
    # Who manages the case and its status change only through the actions (services write the timeline).
    readonly_fields = ["status", "primary_case_manager", "team", "opened_at", "closed_at", "closed_reason", "version", "last_activity_at"]
    inlines = [CareTeamInline]
    actions = ["reassign_cases", "close_cases"]

    def has_reassign_permission(self, request):
        return request.user.has_perm("cases.reassign_case")

    def _intermediate(self, request, queryset, *, form, action, title, template):
        context = {
            **self.admin_site.each_context(request), "title": title, "form": form, "cases": queryset,
            "action": action, "opts": self.model._meta, "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, template, context)

    @admin.action(description=_("Reassign selected cases to another worker"), permissions=["reassign"])
    def reassign_cases(self, request, queryset):
        queryset = queryset.select_related("member", "primary_case_manager")
        organization_ids = set(queryset.values_list("organization_id", flat=True))
        if len(organization_ids) != 1:
            self.message_user(request, _("Choose cases of one organization at a time."), messages.ERROR)
            return None
        form = ReassignCasesForm(request.POST if "apply" in request.POST else None, organization_ids=organization_ids)
        if form.is_valid():
            moved = 0
            for case in queryset:
                try:
                    case_reassign(case=case, new_manager=form.cleaned_data["new_manager"], actor=request.user)
                    moved += 1
                except RuleViolation as exc:
                    self.message_user(request, f"{case}: {exc.message}", messages.ERROR)
            if moved:
                self.message_user(request, _("%(n)d case(s) reassigned to %(worker)s.") % {
                    "n": moved, "worker": form.cleaned_data["new_manager"]}, messages.SUCCESS)
            return None
        return self._intermediate(request, queryset, form=form, action="reassign_cases",
                                  title=_("Reassign cases"), template="dashboards/admin_case_action.html")

    @admin.action(description=_("Close selected cases with a reason"), permissions=["change"])
    def close_cases(self, request, queryset):
        queryset = queryset.select_related("member", "primary_case_manager")
        form = CloseCasesForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            closed = 0
            for case in queryset:
                try:
                    case_close(case=case, reason=form.cleaned_data["reason"], actor=request.user)
                    closed += 1
                except RuleViolation as exc:
                    self.message_user(request, f"{case}: {exc.message}", messages.ERROR)
            if closed:
                self.message_user(request, _("%(n)d case(s) closed.") % {"n": closed}, messages.SUCCESS)
            return None
        return self._intermediate(request, queryset, form=form, action="close_cases",
                                  title=_("Close cases"), template="dashboards/admin_case_action.html")


@admin.register(TimelineEntry)
class TimelineEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "case", "kind", "summary", "actor"]
    list_filter = ["kind"]
    search_fields = ["summary", "kind", "case__member__last_name"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "case", "owner", "due_date", "status", "source"]
    list_filter = ["status", "source"]
    search_fields = ["title", "owner__username", "case__member__last_name"]
    raw_id_fields = ["case", "owner"]



@admin.register(Coverage)
class CoverageAdmin(ReadOnlyAdmin):
    list_display = ["member", "kind", "plan", "aid_code", "start_date", "end_date"]
    list_filter = ["kind", "plan"]
    search_fields = ["member__last_name", "member__cin", "plan__name", "aid_code"]
    list_select_related = ["member", "plan"]


@admin.register(CareTeamMember)
class CareTeamMemberAdmin(ReadOnlyAdmin):
    list_display = ["case", "role", "user", "contact_name", "organization", "start_date", "end_date"]
    list_filter = ["role", "organization"]
    search_fields = ["case__member__last_name", "user__username", "user__last_name", "contact_name"]
    list_select_related = ["case__member", "user", "organization"]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "member", "case", "content_type", "size", "data_category", "uploaded_by", "uploaded_at"]
    list_filter = ["kind", "data_category", "content_type"]
    search_fields = ["title", "original_name", "member__last_name", "member__cin", "sha256"]
    exclude = ["file"]  # downloads go through the access-checked document view
    date_hierarchy = "uploaded_at"


@admin.register(MemberContact)
class MemberContactAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "member"]
    list_filter = ["kind"]
    search_fields = ["name", "member__last_name", "member__cin"]
    raw_id_fields = ["member"]


@admin.register(ChildWelfareEpisode)
class ChildWelfareEpisodeAdmin(admin.ModelAdmin):
    list_display = ["member", "kind", "state", "start_date", "end_date", "eligible_only"]
    list_filter = ["kind", "state", "eligible_only"]
    search_fields = ["member__last_name", "member__cin"]
    raw_id_fields = ["member"]


# Imported last, for their registrations: the CCS (care plan, problem log, liaison meeting) and ECM pathway admin.
from . import ccs_admin, ecm_admin  # noqa: E402,F401
