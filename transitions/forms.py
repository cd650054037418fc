"""Short forms for each coordination action. They only parse input; the rules live in ``transitions.services``."""
from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecoord.accounts.models import County, Organization, User
from referrals.models import Referral

from .models import (
    AsamLevel, Assessment, CareTransition, ContactAttempt, CoordinatorInforming, PlanCoordination, PlanNotification,
    ProblemListItem, ServiceNote, SettingOfCare,
)

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _now_local() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class WhenField(forms.DateTimeField):
    """A date and time, entered in Pacific time, defaulting to now."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_FORMATS)
        kwargs.setdefault("widget", forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
        kwargs.setdefault("initial", _now_local)
        super().__init__(*args, **kwargs)


def _orgs(*types):
    qs = Organization.objects.order_by("name")
    return qs.filter(type__in=types) if types else qs


PROVIDER_TYPES = ("dmc_ods_provider", "hospital", "ntp", "county_mhp", "mental_health", "medical_home", "community",
                  "other_provider", "ecm_provider")


class EnrollmentForm(forms.Form):
    primary_case_manager = forms.ModelChoiceField(label=_("Primary case manager"), queryset=User.objects.none(), required=False,
                                                  help_text=_("Every DMC-ODS member has one; they coordinate all services."))
    enrolled_at = WhenField(label=_("Enrollment effective"))

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["primary_case_manager"].queryset = User.objects.filter(
                organization_id=case.organization_id, is_active=True).order_by("last_name", "first_name")
            self.fields["primary_case_manager"].initial = case.primary_case_manager_id


class CoordinatorInformedForm(forms.Form):
    informed_at = WhenField(label=_("Told on"))
    method = forms.ChoiceField(label=_("How"), choices=CoordinatorInforming.Method.choices)
    contact_given = forms.CharField(label=_("Contact details given"), max_length=300,
                                    help_text=_("Phone, hours and other ways to reach the coordinator."))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AssessmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Assessment"), choices=Assessment.Kind.choices)
    completed_at = WhenField(label=_("Completed on"))
    asam_level = forms.ChoiceField(label=_("Recommended ASAM level"), choices=[("", "—")] + AsamLevel.choices, required=False)
    risk_level = forms.ChoiceField(label=_("Risk level"), choices=[("", "—")] + Assessment.RiskLevel.choices, required=False)
    summary = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}))


class ServiceNoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceNote.Kind.choices)
    written_at = WhenField(label=_("Service date"))
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 5}))
    coordination_between_settings = forms.BooleanField(label=_("Documents coordination between settings of care"), required=False)


class ContactAttemptForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ContactAttempt.Purpose.choices)
    at = WhenField(label=_("When"))
    method = forms.ChoiceField(label=_("How"), choices=ContactAttempt.Method.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ContactAttempt.Outcome.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StatusChangeForm(forms.Form):
    at = WhenField(label=_("When"))
    description = forms.CharField(label=_("What changed"), max_length=300)
    crisis = forms.BooleanField(label=_("Crisis (problem list update due in 24 hours instead of 72)"), required=False)


class ProblemAddForm(forms.Form):
    title = forms.CharField(label=_("Problem"), max_length=200)
    detail = forms.CharField(label=_("Detail and plan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    crisis = forms.BooleanField(label=_("Crisis item"), required=False)


class ProblemUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ProblemListItem.Status.choices)
    detail = forms.CharField(label=_("Detail and plan"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AdmitForm(forms.Form):
    setting = forms.ChoiceField(label=_("Setting of care"), choices=SettingOfCare.choices)
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=_orgs(*PROVIDER_TYPES), required=False)
    provider_name = forms.CharField(label=_("Provider (not in the list)"), max_length=200, required=False)
    asam_level = forms.ChoiceField(label=_("ASAM level"), choices=[("", "—")] + AsamLevel.choices, required=False)
    admitted_at = WhenField(label=_("Admitted"))


class DischargeForm(forms.Form):
    discharged_at = WhenField(label=_("Discharged"))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class PlanNotificationForm(forms.Form):
    event = forms.ChoiceField(label=_("Event"), choices=PlanNotification.Event.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=PlanNotification.Channel.choices)
    person_reached = forms.CharField(label=_("Person reached at the plan"), max_length=200)
    notified_at = WhenField(label=_("Notified at"))
    follow_up_services = forms.CharField(label=_("Follow-up services coordinated with the plan"), required=False,
                                         widget=forms.Textarea(attrs={"rows": 2}))
    send_letter = forms.BooleanField(label=_("Also send the notification letter (secure email or fax)"), required=False)


class CrisisForm(forms.Form):
    at = WhenField(label=_("Crisis service at"))
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))


class CrisisFollowUpForm(forms.Form):
    at = WhenField(label=_("Follow-up sent"))
    providers = forms.CharField(label=_("Care providers told"), max_length=300, required=False)
    plan_told = forms.BooleanField(label=_("The member's plan was told"), required=False)
    note = forms.CharField(label=_("Relapse prevention or support shared"), widget=forms.Textarea(attrs={"rows": 3}))


class MatRequestForm(forms.Form):
    requested_at = WhenField(label=_("MAT need identified or requested"))
    recipient_organization = forms.ModelChoiceField(label=_("MAT / NTP program"), queryset=_orgs(*PROVIDER_TYPES), required=False)
    recipient_contact = forms.CharField(label=_("Contact at the program"), max_length=200, required=False)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MatSendForm(forms.Form):
    at = WhenField(label=_("Sent"))
    channel = forms.ChoiceField(label=_("Channel"), choices=[("secure_email", _("Secure email")), ("fax", _("Fax"))])
    follow_up_call = forms.BooleanField(label=_("Followed by a phone call"), required=False)


class MatConfirmForm(forms.Form):
    appointment_at = WhenField(label=_("Appointment"))


class MatTransportForm(forms.Form):
    arrangement = forms.CharField(label=_("Transportation arranged"), max_length=500,
                                  help_text=_("e.g. plan non-emergency transportation booked, bus pass, staff drive."))


class CoordinationForm(forms.Form):
    at = WhenField(label=_("When"))
    organization = forms.ModelChoiceField(label=_("Plan or organization"), queryset=_orgs(), required=False)
    organization_name = forms.CharField(label=_("Organization (not in the list)"), max_length=200, required=False)
    topics = forms.MultipleChoiceField(label=_("Coordinated"), choices=PlanCoordination.Topic.choices,
                                       widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("What was coordinated"), widget=forms.Textarea(attrs={"rows": 3}))


class TransitionOpenForm(forms.Form):
    kind = forms.ChoiceField(label=_("Transition"), choices=CareTransition.Kind.choices)
    event_at = WhenField(label=_("Date"), help_text=_(
        "Referral date; hospital discharge; change of residence reported; or today for pediatric to adult."))
    to_setting = forms.ChoiceField(label=_("New setting of care"), choices=[("", "—")] + SettingOfCare.choices, required=False)
    to_asam_level = forms.ChoiceField(label=_("New ASAM level"), choices=[("", "—")] + AsamLevel.choices, required=False)
    recipient_organization = forms.ModelChoiceField(label=_("New setting / recipient"), queryset=_orgs(*PROVIDER_TYPES),
                                                    required=False)
    recipient_contact = forms.CharField(label=_("Recipient contact"), max_length=200, required=False)
    receiving_county = forms.ModelChoiceField(label=_("County the member moved to"), queryset=County.objects.order_by("name"),
                                              required=False)
    reasons = forms.CharField(label=_("Reasons"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("The member is told these and their concerns addressed."))


class TransitionStepForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"))
    at = WhenField(label=_("When"))
    appointment_at = forms.DateTimeField(label=_("Initial appointment (when scheduling)"), required=False,
                                         input_formats=DATETIME_FORMATS,
                                         widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    channel = forms.ChoiceField(label=_("Sent by (packet or summary)"), required=False,
                                choices=[("", "—"), ("secure_email", _("Secure email")), ("fax", _("Fax")),
                                         ("mail", _("Mail")), ("hand_delivered", _("Hand delivered"))])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(s.code, s.label) for s in steps]


class TransitionCloseForm(forms.Form):
    at = WhenField(label=_("Closed on"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class TransitionCancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=200)


class MonitoringForm(forms.Form):
    start = forms.DateField(label=_("From month"), widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                            input_formats=["%Y-%m", "%Y-%m-%d"], required=False)
    end = forms.DateField(label=_("To month"), widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                          input_formats=["%Y-%m", "%Y-%m-%d"], required=False)
    organization = forms.ModelChoiceField(label=_("Provider"), queryset=_orgs("dmc_ods_provider"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not user.is_superuser:
            self.fields["organization"].queryset = _orgs("dmc_ods_provider").filter(pk=user.organization_id)

    def months(self) -> list[datetime.date]:
        today = timezone.localdate().replace(day=1)
        data = self.cleaned_data if self.is_valid() else {}
        end = (data.get("end") or today).replace(day=1)
        start = (data.get("start") or (end - datetime.timedelta(days=150)).replace(day=1)).replace(day=1)
        months, month = [], start
        while month <= end and len(months) < 24:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months


#: Referral kinds a MAT form applies to.
MAT_SERVICE = Referral.ServiceType.MAT_NTP
