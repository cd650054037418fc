"""Forms of the CCS pages: intake, eligibility, authorizations, care plan, conferences, problem log, liaison meetings.

Forms only parse and shape input; every rule is checked by the services, whose
RuleViolation the view puts back on the field it names.
"""
from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecoord.accounts.models import County, Organization, User
from referrals.models import Referral

from .ccs_models import CarePlanReview, CaseConference, EligibilityDetermination, ProblemItem, ServiceAuthorization
from .models import Member

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
PROVIDER_TYPES = [t for t in Organization.Type.values if t not in ("mcp", "state_office", "regional_office", "ccs_county")]


def day_start(day: datetime.date) -> datetime.datetime:
    """A date entered on a form as an aware moment: noon Pacific, or now when it is today."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class IntakeForm(forms.Form):
    """A referral to CCS taken by phone (or from a fax): the member, the source, the condition, the documents."""

    member_cin = forms.CharField(label=_("Medi-Cal CIN of a known member"), max_length=9, required=False,
                                 help_text=_("Leave empty to enter a new member below."))
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    cin = forms.CharField(label=_("Medi-Cal CIN (new member)"), max_length=9, required=False)
    county = forms.ModelChoiceField(label=_("County of residence"), queryset=County.objects.all(), required=False)
    phone = forms.CharField(label=_("Family phone"), max_length=32, required=False)
    source = forms.ChoiceField(label=_("Referral source"), choices=Referral.Source.choices)
    source_organization = forms.ModelChoiceField(
        label=_("Referring organization"), required=False,
        queryset=Organization.objects.filter(is_active=True).exclude(type__in=["ccs_county", "state_office", "regional_office"]))
    reporter_name = forms.CharField(label=_("Caller's name"), max_length=200, required=False)
    reporter_relationship = forms.CharField(label=_("Relationship to the child"), max_length=100, required=False)
    reporter_phone = forms.CharField(label=_("Caller's phone"), max_length=32, required=False)
    suspected_condition = forms.CharField(label=_("Suspected CCS condition"), max_length=300)
    reason = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Referral.Urgency.choices, initial=Referral.Urgency.ROUTINE)
    referred_on = forms.DateField(label=_("Referral date"), widget=DATE, initial=timezone.localdate)
    documents = MultipleFileField(label=_("Medical documents (PDF, PNG, JPEG, TIFF)"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        cin = (data.get("member_cin") or "").strip().upper()
        data["member"] = None
        if cin:
            from .selectors import member_list_visible_to

            member = Member.objects.filter(cin=cin).first()
            if member is None:
                self.add_error("member_cin", _("No member has this CIN; enter the child as a new member."))
            elif not member_list_visible_to(user=self.user).filter(pk=member.pk).exists() and member.county_id != getattr(
                    getattr(self.user, "organization", None), "county_id", None):
                self.add_error("member_cin", _("This member lives in another county; refer them to that county's program."))
            data["member"] = member
        else:
            for name in ("first_name", "last_name", "date_of_birth", "cin", "county"):
                if not data.get(name):
                    self.add_error(name, _("Needed for a new member."))
        return data

    def new_member(self) -> dict | None:
        if self.cleaned_data["member"] is not None:
            return None
        d = self.cleaned_data
        return {"county": d["county"], "first_name": d["first_name"], "last_name": d["last_name"],
                "date_of_birth": d["date_of_birth"], "cin": d["cin"], "phone": d.get("phone", "")}


class DocumentsForm(forms.Form):
    documents = MultipleFileField(label=_("Medical documents (PDF, PNG, JPEG, TIFF)"))


class DocumentationAdequateForm(forms.Form):
    received_on = forms.DateField(label=_("Adequate documentation received on"), widget=DATE, initial=timezone.localdate)


class DeterminationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Determination"), choices=EligibilityDetermination.Kind.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=EligibilityDetermination.Outcome.choices, widget=forms.RadioSelect)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    diagnoses = forms.CharField(label=_("CCS-eligible diagnoses (ICD-10-CM)"), required=False,
                                help_text=_("Codes separated by commas or spaces, e.g. E84.0, Q21.0."))
    other_resources_offered = forms.CharField(label=_("Other resources offered to the family"), required=False,
                                              widget=forms.Textarea(attrs={"rows": 2}),
                                              help_text=_("Required when the child is not eligible."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.role != User.Role.MEDICAL_CONSULTANT:
            self.fields["kind"].choices = [c for c in EligibilityDetermination.Kind.choices if c[0] != "medical"]
            self.fields["kind"].help_text = _("Medical eligibility is decided by the medical consultant.")

    def diagnosis_codes(self) -> list[str]:
        raw = self.cleaned_data.get("diagnoses", "")
        return [code for code in raw.replace(",", " ").replace(";", " ").split() if code]


class SarRequestForm(forms.Form):
    service = forms.CharField(label=_("Service"), max_length=200)
    service_code = forms.CharField(label=_("Service code (CPT/HCPCS)"), max_length=20, required=False)
    diagnosis = forms.CharField(label=_("Related diagnosis (ICD-10-CM)"), max_length=8, required=False)
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Organization.objects.filter(is_active=True, type__in=PROVIDER_TYPES),
                                      help_text=_("CCS-paneled physicians, Special Care Centers and CCS-approved hospitals "
                                                  "need no warning."))
    quantity = forms.CharField(label=_("Quantity / units"), max_length=100, required=False)
    start_date = forms.DateField(label=_("From"), widget=DATE, help_text=_("CCS may authorize from the referral date."))
    end_date = forms.DateField(label=_("Through"), widget=DATE)
    expedited = forms.BooleanField(label=_("Expedited (72 hours)"), required=False)
    received_on = forms.DateField(label=_("Request received on"), widget=DATE, initial=timezone.localdate)


class SarDecisionForm(forms.Form):
    medical_necessity_review = forms.CharField(label=_("Medical necessity review"), widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect,
                                 choices=[c for c in ServiceAuthorization.Decision.choices if c[0] != "pending"])
    decision_reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text=_("Required to modify or deny; the family receives a Notice of Action."))
    approved_terms = forms.CharField(label=_("Approved instead (if modified)"), max_length=300, required=False)


class CarePlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, initial=_("CCS care plan"))
    summary = forms.CharField(label=_("Needs and strengths"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    family_participated = forms.BooleanField(label=_("The family took part"), required=False, initial=True)


class GoalForm(forms.Form):
    description = forms.CharField(label=_("Goal"), max_length=500)
    domain = forms.CharField(label=_("Domain"), max_length=100, required=False, help_text=_("e.g. medical, family support, school."))
    target_date = forms.DateField(label=_("Target date"), widget=DATE, required=False)


class InterventionForm(forms.Form):
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=None)
    description = forms.CharField(label=_("Intervention"), max_length=500)
    owner = forms.ModelChoiceField(label=_("Owner (staff)"), queryset=None, required=False)
    owner_name = forms.CharField(label=_("Owner (family member or outside person)"), max_length=200, required=False)
    owner_organization = forms.ModelChoiceField(label=_("Owner organization"), required=False,
                                                queryset=Organization.objects.filter(is_active=True, type__in=PROVIDER_TYPES))
    due_date = forms.DateField(label=_("Due"), widget=DATE, required=False)

    def __init__(self, *args, care_plan=None, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = care_plan.goals.all() if care_plan else None
        self.fields["owner"].queryset = User.objects.filter(organization_id=case.organization_id, is_active=True)


class ReviewForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of review"), choices=CarePlanReview.Kind.choices)
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE, initial=timezone.localdate)
    summary = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))
    family_engaged = forms.BooleanField(label=_("The family remains engaged"), required=False, initial=True)
    still_eligible = forms.NullBooleanField(label=_("Condition still CCS-eligible"), required=False)


class ConferenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseConference.Kind.choices)
    held_on = forms.DateField(label=_("Held on"), widget=DATE, initial=timezone.localdate)
    staff_participants = forms.ModelMultipleChoiceField(label=_("Staff who took part"), queryset=None, required=False,
                                                        widget=forms.CheckboxSelectMultiple)
    other_participants = forms.CharField(label=_("Others who took part (one per line)"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 3}),
                                         help_text=_("Family, community providers, Special Care Center staff."))
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 5}))
    action_items = forms.CharField(label=_("Action items (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_("Each becomes a task for the case manager, due in 14 days."))

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_participants"].queryset = User.objects.filter(organization_id=case.organization_id, is_active=True)

    def lines(self, name: str) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get(name, "").splitlines() if line.strip()]


class LinkProviderForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Provider"), queryset=Organization.objects.filter(is_active=True, type__in=[
            "medical_home", "dental", "dme_vendor", "pharmacy", "special_care_center", "medical_therapy_unit",
            "ccs_physician", "hospital", "mental_health"]),
        help_text=_("Medical home, dental, DME vendor, pharmacy, Special Care Center or Medical Therapy Program."))
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)


class ProblemItemForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Organization.objects.filter(type=Organization.Type.MCP, is_active=True))
    category = forms.ChoiceField(label=_("Category"), choices=ProblemItem.Category.choices)
    title = forms.CharField(label=_("Issue"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))


class EscalateForm(forms.Form):
    reason = forms.CharField(label=_("Why it could not be resolved at this level"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))


class LiaisonMeetingForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Organization.objects.filter(type=Organization.Type.MCP, is_active=True))
    held_on = forms.DateField(label=_("Held on"), widget=DATE, initial=timezone.localdate)
    attendees = forms.CharField(label=_("Attendees"), widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}))
    protocols_reviewed = forms.BooleanField(label=_("This meeting reviewed the county and plan protocols"), required=False,
                                            help_text=_("Due once a year; the next review is then due in 12 months."))
    problem_items = forms.ModelMultipleChoiceField(label=_("Issues discussed"), queryset=None, required=False,
                                                   widget=forms.CheckboxSelectMultiple)
    action_items = forms.CharField(label=_("Action items (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_("Each becomes a task, due in 30 days."))

    def __init__(self, *args, problem_items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem_items"].queryset = problem_items

    def lines(self, name: str) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get(name, "").splitlines() if line.strip()]
