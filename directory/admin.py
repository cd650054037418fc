from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ConcurrentReview, MedicalReport, Practitioner, ProviderProfile, Service, UnmetNeed


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


class PractitionerInline(admin.TabularInline):
    model = Practitioner
    extra = 0
    filter_horizontal = ["services"]


@admin.register(ProviderProfile)
class ProviderProfileAdmin(SimpleHistoryAdmin):
    list_display = ["organization", "ccs_paneling", "special_care_center", "accepting_new_patients", "city", "zip_code"]
    list_filter = ["ccs_paneling", "special_care_center", "accepting_new_patients", "is_community_resource", "counties_served"]
    search_fields = ["organization__name", "city", "zip_code", "contact_name"]
    filter_horizontal = ["services", "plans", "counties_served"]
    inlines = [PractitionerInline]


@admin.register(UnmetNeed)
class UnmetNeedAdmin(admin.ModelAdmin):
    list_display = ["recorded_at", "county", "service", "language", "recorded_by"]
    list_filter = ["county", "service", "language"]
    search_fields = ["service__name", "note", "member__last_name"]
    raw_id_fields = ["member"]


@admin.register(ConcurrentReview)
class ConcurrentReviewAdmin(SimpleHistoryAdmin):
    list_display = ["case", "facility", "admitted_on", "level_of_care", "expected_discharge", "transfer_arranged"]
    list_filter = ["transfer_arranged"]
    search_fields = ["facility__name", "level_of_care", "case__member__last_name"]
    raw_id_fields = ["case"]


@admin.register(MedicalReport)
class MedicalReportAdmin(admin.ModelAdmin):
    list_display = ["case", "author", "pcp", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["case__member__last_name", "pcp__name"]
    readonly_fields = ["document", "case", "author", "pcp", "status", "status_reason", "notice", "created_at"]

    def has_add_permission(self, request):
        return False
