"""Forms of the care network pages."""
from django import forms
from django.utils.translation import gettext_lazy as _

from carecoord.accounts.models import County, Organization
from cases.models import Language

from .models import Service


class SearchForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Need"), queryset=Service.objects.all(), to_field_name="code", required=False,
                                     empty_label=_("Any need"))
    county = forms.ModelChoiceField(label=_("County"), queryset=County.objects.all(), required=False, empty_label=_("Any county"))
    language = forms.ChoiceField(label=_("Language"), choices=[("", _("Any language"))] + list(Language.choices), required=False)
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Organization.objects.filter(type=Organization.Type.MCP), required=False,
                                  empty_label=_("Any plan"))
    max_miles = forms.IntegerField(label=_("Within (miles)"), min_value=1, max_value=500, required=False)
    accepting_only = forms.BooleanField(label=_("Accepting new patients only"), required=False)
    ccs_paneled_only = forms.BooleanField(label=_("CCS-paneled today only"), required=False)
    member = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns as in the export. Lists are separated by semicolons."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 5 MB."), code="upload.max_size")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file must be UTF-8 text (CSV)."), code="upload.encoding") from None


class UnmetNeedForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Need"), queryset=Service.objects.all(), to_field_name="code")
    county = forms.ModelChoiceField(label=_("County"), queryset=County.objects.all())
    language = forms.ChoiceField(label=_("Language"), choices=[("", _("Any language"))] + list(Language.choices), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    member = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ConcurrentReviewForm(forms.Form):
    facility = forms.ModelChoiceField(label=_("Facility"), queryset=Organization.objects.filter(type=Organization.Type.HOSPITAL))
    admitted_on = forms.DateField(label=_("Admitted on"), widget=forms.DateInput(attrs={"type": "date"}))
    level_of_care = forms.CharField(label=_("Level of care"), max_length=100)
    expected_discharge = forms.DateField(label=_("Expected discharge"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    transfer_arranged = forms.BooleanField(label=_("Transfer arranged"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MedicalReportForm(forms.Form):
    document = forms.ModelChoiceField(label=_("Report"), queryset=None)
    author = forms.ModelChoiceField(label=_("Reporting provider"), queryset=None)
    channel = forms.ChoiceField(label=_("Send by"), choices=[("fax", _("Fax")), ("secure_email", _("Secure email")), ("mail", _("Mail"))])

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        from cases.ccs_models import ServiceAuthorization

        self.fields["document"].queryset = case.documents.filter(kind="medical_report")
        self.fields["author"].queryset = Organization.objects.filter(
            pk__in=ServiceAuthorization.objects.filter(case=case).values("provider"))
