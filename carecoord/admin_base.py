"""Admin building blocks every app shares.

Records that only services write (clocks, disclosures, notices sent, audit rows, workflow
steps) are listed, searched and read in the admin, never added, changed or deleted there:
the rules and clocks live in the services.
"""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: listed, searched and opened, never added, changed or deleted."""


class ReadOnlyHistoryAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Read-only, with the record's change history one click away."""
