"""Admin: templates are edited by saving a new version; notices and their history are read-only."""
from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from carecoord.admin_base import ReadOnlyHistoryAdmin
from carecoord.errors import RuleViolation

from .models import Appeal, Notice, NoticeEvent, NoticeTemplate
from .services import template_save_version


class NoticeTemplateForm(forms.ModelForm):
    class Meta:
        model = NoticeTemplate
        fields = ["kind", "language", "subject", "body", "required_sections"]
        widgets = {"body": forms.Textarea(attrs={"rows": 30, "cols": 110})}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # Rendering proves the wording parses and keeps every required part before anything is saved.
        from .rendering import render_text
        from .services import _SAMPLE_CONTEXT

        # On a change, kind and language are read-only and come from the version being edited.
        kind, language = data.get("kind") or self.instance.kind, data.get("language") or self.instance.language
        try:
            render_text(template=NoticeTemplate(kind=kind, language=language, subject=data["subject"],
                                                body=data["body"], required_sections=data.get("required_sections") or []),
                        context=_SAMPLE_CONTEXT)
        except RuleViolation as error:
            raise forms.ValidationError(error.message) from None
        return data


@admin.register(NoticeTemplate)
class NoticeTemplateAdmin(admin.ModelAdmin):
    form = NoticeTemplateForm
    list_display = ["kind", "language", "version", "is_active", "created_by", "created_at"]
    list_filter = ["kind", "language", "is_active"]
    search_fields = ["subject", "body"]
    readonly_fields = ["version", "is_active", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # Kind and language identify the template; a new version keeps them.
        return [*self.readonly_fields, "kind", "language"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Saving never changes a version in place: it writes the next version and makes it active."""
        new = template_save_version(kind=obj.kind, language=obj.language, subject=form.cleaned_data["subject"],
                                    body=form.cleaned_data["body"], required_sections=form.cleaned_data.get("required_sections"),
                                    by=request.user)
        obj.pk, obj.version = new.pk, new.version
        messages.info(request, _("Saved as version %(version)s; earlier versions are kept for the notices sent with them.") % {
            "version": new.version})

    def has_delete_permission(self, request, obj=None):
        return False


class NoticeEventInline(admin.TabularInline):
    model = NoticeEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "by", "detail"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "member", "recipient_display", "channel", "status", "language", "language_fallback", "created_at"]
    list_filter = ["kind", "status", "channel", "language", "language_fallback"]
    search_fields = ["member__last_name", "member__cin", "recipient_name", "subject"]
    list_select_related = ["member", "recipient_org"]
    inlines = [NoticeEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Notice._meta.fields]

    def has_add_permission(self, request):
        return False  # notices are written by the notices service, from a case

    def has_change_permission(self, request, obj=None):
        # Viewing only: the text and version as sent are a record.
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NoticeEvent)
class NoticeEventAdmin(admin.ModelAdmin):
    list_display = ["notice", "kind", "at", "by"]
    list_filter = ["kind"]
    search_fields = ["notice__member__last_name", "detail"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in NoticeEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Appeal)
class AppealAdmin(ReadOnlyHistoryAdmin):
    """Grievances, appeals and hearing requests are written on the case page (their clocks start there)."""

    list_display = ("__str__", "member", "case", "received_at", "expedited", "aid_paid_pending", "outcome", "decided_at")
    list_filter = ("kind", "expedited", "outcome")
    search_fields = ("member__last_name", "member__cin", "summary")
    date_hierarchy = "received_at"
