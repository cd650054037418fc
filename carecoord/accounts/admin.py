from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import ApiToken, County, Organization, Team, User
from .services import api_token_issue, api_token_revoke


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "county", "phone", "is_active"]
    list_filter = ["type", "county", "is_active"]
    search_fields = ["name", "npi"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["name", "fips_code", "plan_model", "whole_child_model"]
    list_filter = ["plan_model", "whole_child_model"]
    search_fields = ["name", "fips_code"]
    filter_horizontal = ["plans"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "supervisor"]
    list_filter = ["organization"]
    search_fields = ["name", "organization__name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organization", "team", "is_active"]
    list_filter = ["role", "organization", "team", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "organization__name"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("carecoord", {"fields": ("role", "organization", "team", "title", "phone", "preferred_language", "may_see_full_identifiers")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["prefix", "digest", "created_at", "created_by", "last_used_at", "revoked_at"]
    fields = ["user", "name", *readonly_fields]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, raw = api_token_issue(user=obj.user, name=obj.name, issued_by=request.user)
        obj.pk, obj.digest, obj.prefix = token.pk, token.digest, token.prefix
        # Shown once: only the digest is kept.
        messages.warning(request, f"New token for {obj.user}: {raw} (copy it now; it is not shown again)")

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token)
