"""Forms of the notices pages. Fields carry the service's names so a RuleViolation lands next to its field."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecoord.accounts.models import Organization
from cases.models import Language

from .models import NOA_KINDS, Appeal, Channel, Notice, NoticeKind, RecipientKind


class NoticeCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of notice"), choices=NoticeKind.choices)
    recipient_kind = forms.ChoiceField(label=_("Recipient"), choices=RecipientKind.choices, initial=RecipientKind.MEMBER)
    recipient_org = forms.ModelChoiceField(label=_("Recipient organization"), required=False,
                                           queryset=Organization.objects.filter(is_active=True),
                                           help_text=_("For a plan, provider or agency."))
    recipient_name = forms.CharField(label=_("Recipient name"), required=False, max_length=200,
                                     help_text=_("Leave empty to address the member or the organization."))
    channel = forms.ChoiceField(label=_("Send by"), choices=Channel.choices, initial=Channel.MAIL)
    letter_language = forms.ChoiceField(label=_("Language of the letter"), required=False, choices=[("", _("Member's preferred language")), *Language.choices])
    action_date = forms.DateField(label=_("Action date"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("The date the change takes effect. A Notice of Action must be dated at least 10 days before it."))
    action = forms.CharField(label=_("The action"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("What was decided, in plain words."))
    reason = forms.CharField(label=_("The reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    rule = forms.CharField(label=_("The rule relied on"), required=False, max_length=300,
                           help_text=_("For example: California Code of Regulations, Title 22, section 51014.1."))
    plan_name = forms.CharField(label=_("Plan name"), required=False, max_length=200)
    service = forms.CharField(label=_("Service"), required=False, max_length=300)
    message = forms.CharField(label=_("Additional message"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    CONTEXT_FIELDS = ("action", "reason", "rule", "plan_name", "service", "message")

    def context(self) -> dict:
        return {name: self.cleaned_data[name].strip() for name in self.CONTEXT_FIELDS if self.cleaned_data.get(name)}


class MarkMailedForm(forms.Form):
    mailed_on = forms.DateField(label=_("Mailed on"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"}))


class MarkReturnedForm(forms.Form):
    reason = forms.CharField(label=_("Why it came back"), max_length=300,
                             help_text=_("For example: moved, no forwarding address."))


class _LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _now_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


class AppealRecordForm(forms.Form):
    """A grievance, appeal or hearing request received about the case's member."""

    kind = forms.ChoiceField(label=_("What was received"), choices=Appeal.Kind.choices)
    received_at = forms.DateTimeField(label=_("Received"), initial=_now_minute, widget=_LocalDateTimeInput())
    expedited = forms.BooleanField(label=_("Expedited (waiting could seriously harm the member's health)"), required=False)
    notice = forms.ModelChoiceField(label=_("Notice of Action contested"), required=False, queryset=Notice.objects.none(),
                                    help_text=_("Meets the member's filing window and, for a plan appeal, tells whether aid is paid pending."))
    appeal_of = forms.ModelChoiceField(label=_("Appeal whose decision is contested"), required=False,
                                       queryset=Appeal.objects.none(), help_text=_("For a hearing request."))
    summary = forms.CharField(label=_("What the member disputes"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["notice"].queryset = Notice.objects.filter(member=case.member, kind__in=NOA_KINDS).order_by("-notice_date")
        self.fields["appeal_of"].queryset = Appeal.objects.filter(member=case.member, decided_at__isnull=False)


class AppealAcknowledgeForm(forms.Form):
    acknowledged_at = forms.DateTimeField(label=_("Acknowledgment sent"), initial=_now_minute, widget=_LocalDateTimeInput())


class AppealDecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Appeal.Outcome.choices)
    decided_at = forms.DateTimeField(label=_("Decision sent"), initial=_now_minute, widget=_LocalDateTimeInput())
    decision_notes = forms.CharField(label=_("Decision"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=_("What was decided and why, as the letter says."))
