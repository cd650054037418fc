"""Admin: consents, the accounting of disclosures and list requests are read-only here —
they are written only through ``consents.services`` so the rules and the clocks hold."""
from django.contrib import admin

from carecoord.admin_base import ReadOnlyAdmin

from .models import Consent, Disclosure, DisclosureListRequest


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ("id", "member", "kind", "effective_on", "expires_on", "revoked_at", "event_occurred_at", "recorded_by")
    list_filter = ("kind", "effective_on", "expires_on")
    search_fields = ("member__last_name", "member__first_name", "member__cin", "recipients__name", "signed_by_name")
    raw_id_fields = ("member", "case", "document")
    date_hierarchy = "effective_on"


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdmin):
    list_display = ("id", "disclosed_at", "member", "recipient", "recipient_name", "purpose", "rule", "disclosed_by", "channel")
    list_filter = ("purpose", "rule", "channel")
    search_fields = ("member__last_name", "member__cin", "recipient__name", "recipient_name", "description")
    date_hierarchy = "disclosed_at"


@admin.register(DisclosureListRequest)
class DisclosureListRequestAdmin(ReadOnlyAdmin):
    list_display = ("id", "member", "requested_at", "produced_at", "recorded_by")
    list_filter = ("produced_at",)
    search_fields = ("member__last_name", "member__cin", "requested_by_name")
    date_hierarchy = "requested_at"
