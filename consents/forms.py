"""Forms that collect a consent, its revocation, an expiry event, a request for the list of disclosures.

The forms only collect; ``consents.services`` decides whether the consent is complete and
its RuleViolation is shown next to the field it names.
"""
from __future__ import annotations

import copy

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from carecoord.accounts.models import Organization

from .models import Consent, ConsentKind, DataCategory, Purpose, RecipientCategory

WRITTEN_FIELDS = (
    "description_of_information", "discloser", "signed_by_name", "signed_on", "signed_by_representative",
    "representative_authority", "statement_right_to_revoke", "statement_treatment_not_conditioned",
    "statement_redisclosure", "document_file",
)
VERBAL_FIELDS = (
    "verbal_provider_and_service", "verbal_information_shared", "verbal_duration", "verbal_right_to_withdraw",
    "given_by_name", "obtained_at",
)
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


_MODEL_FIELDS = fields_for_model(
    Consent,
    fields=(
        "tpo_generic", "effective_on", "expires_on", "expiry_event", "description_of_information", "discloser",
        "signed_by_name", "signed_on", "signed_by_representative", "representative_authority",
        "statement_right_to_revoke", "statement_treatment_not_conditioned", "statement_redisclosure",
        "verbal_provider_and_service", "verbal_information_shared", "verbal_duration", "verbal_right_to_withdraw",
        "given_by_name", "notes",
    ),
    widgets={"effective_on": DATE_INPUT, "expires_on": DATE_INPUT, "signed_on": DATE_INPUT,
             "description_of_information": forms.Textarea(attrs={"rows": 3}), "notes": forms.Textarea(attrs={"rows": 2})},
)


class ConsentForm(forms.Form):
    """One form for every kind; the fields a kind does not use are removed. A plain Form (not a ModelForm):
    the service, not model validation, judges completeness."""

    recipients = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.filter(is_active=True).order_by("name"), required=False,
        label=_("Recipient organizations"), widget=forms.SelectMultiple(attrs={"size": 8}))
    recipient_persons_text = forms.CharField(
        label=_("Recipient people"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One name per line, for people outside any organization."))
    recipient_categories = forms.MultipleChoiceField(
        label=_("Recipients described by category"), choices=RecipientCategory.choices, required=False,
        widget=forms.CheckboxSelectMultiple)
    purposes = forms.MultipleChoiceField(label=_("Purposes"), choices=Purpose.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    data_categories = forms.MultipleChoiceField(label=_("Information covered"), choices=DataCategory.choices,
                                                required=False, widget=forms.CheckboxSelectMultiple)
    obtained_at = forms.DateTimeField(label=_("Taken at"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    document_file = forms.FileField(label=_("Signed document"), required=False,
                                    help_text=_("Scan or photo of the signed form (PDF or image)."))
    case = forms.ModelChoiceField(queryset=None, required=False, label=_("Case"))

    def __init__(self, *args, kind: str, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in _MODEL_FIELDS.items():
            self.fields[name] = copy.deepcopy(field)
        self.kind = kind
        self.fields["case"].queryset = cases if cases is not None else self.fields["recipients"].queryset.none()
        # Completeness is the service's call (it names the missing element); keep the form permissive.
        for field in self.fields.values():
            field.required = False
        drop = WRITTEN_FIELDS if kind == ConsentKind.ECM_VERBAL else VERBAL_FIELDS
        for name in drop:
            self.fields.pop(name, None)
        if kind not in (ConsentKind.PART2, ConsentKind.COORDINATED_CARE):
            self.fields.pop("tpo_generic", None)
        field_order = ["case", "recipients", "recipient_persons_text", "recipient_categories", "tpo_generic",
                       "purposes", "data_categories", "description_of_information", "discloser",
                       "verbal_provider_and_service", "verbal_information_shared", "verbal_duration",
                       "verbal_right_to_withdraw", "given_by_name", "obtained_at", "effective_on", "expires_on",
                       "expiry_event", "signed_by_name", "signed_on", "signed_by_representative",
                       "representative_authority", "statement_right_to_revoke",
                       "statement_treatment_not_conditioned", "statement_redisclosure", "document_file", "notes"]
        self.order_fields(field_order)

    def service_kwargs(self) -> dict:
        """Cleaned data shaped as ``consent_record`` keyword arguments (minus member/kind/recorded_by/document)."""
        data = dict(self.cleaned_data)
        data.pop("document_file", None)
        persons = data.pop("recipient_persons_text", "") or ""
        data["recipient_persons"] = [line.strip() for line in persons.splitlines() if line.strip()]
        data["recipients"] = list(data.get("recipients") or [])
        for name in ("tpo_generic",):
            data.setdefault(name, False)
        return {key: ("" if value is None and key in _TEXT_FIELDS else value) for key, value in data.items()}


_TEXT_FIELDS = {"expiry_event", "description_of_information", "discloser", "signed_by_name", "representative_authority",
                "verbal_provider_and_service", "given_by_name", "notes"}


class RevokeForm(forms.Form):
    in_writing = forms.BooleanField(label=_("The revocation was received in writing"), required=False,
                                    help_text=_("Required for a 42 CFR Part 2 consent."))
    note = forms.CharField(label=_("Note"), required=False, max_length=500,
                           help_text=_("e.g. how it was received, who asked."))


class ExpiryEventForm(forms.Form):
    note = forms.CharField(label=_("What happened"), required=False, max_length=500)


class DisclosureListRequestForm(forms.Form):
    requested_by_name = forms.CharField(label=_("Requested by"), required=False, max_length=200,
                                        help_text=_("Leave empty if the member asked."))
    requested_at = forms.DateTimeField(label=_("Request received at"), required=False,
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                       help_text=_("Leave empty for now."))
