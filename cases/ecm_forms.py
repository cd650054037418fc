"""Forms of the ECM pathway pages. They only parse input; the services check every rule and the view
puts a RuleViolation back on the field it names."""
from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecoord.accounts.models import County, Organization

from .ccs_forms import DATE, DATETIME
from .ecm_models import (
    CftMeeting, ContinuityOfCareRequest, EcmClosure, EcmEnrollment, EcmPathway, OutreachAttempt, PlacementMove, PlanParticipant,
    PlanSelection,
)
from .models import CareTeamMember

def _now_local():
    return timezone.localtime(timezone.now()).replace(second=0, microsecond=0)


class ConfirmForm(forms.Form):
    """A step with nothing to type: the button records it."""


class PathwayForm(forms.Form):
    kind = forms.ChoiceField(label=_("How the child comes to ECM"), choices=EcmPathway.Kind.choices)
    removed_at = forms.DateTimeField(label=_("Removal and placement"), required=False, widget=DATETIME,
                                     help_text=_("For a removal: starts the 30-day clock for immediate health care needs."))


class PlanSelectionForm(forms.Form):
    meds_status = forms.ChoiceField(label=_("Medi-Cal status in MEDS (checked with the EW)"), choices=PlanSelection.MedsStatus.choices)
    choice = forms.ChoiceField(label=_("Plan choice"), choices=PlanSelection.Choice.choices)
    plan = forms.ModelChoiceField(label=_("Managed care plan"), queryset=Organization.objects.none(), required=False)
    activation_date = forms.DateField(label=_("Benefit activation date"), required=False, widget=DATE,
                                      help_text=_("At least 10 days after today: the Notice of Action goes out first."))
    participants = forms.MultipleChoiceField(label=_("Who took part"), choices=PlanParticipant.choices,
                                             widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, county: County | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if county is not None:
            self.fields["plan"].queryset = county.plans.all()
            self.fields["plan"].help_text = county.get_plan_model_display()


class ReferralForm(forms.Form):
    referrer = forms.ChoiceField(label=_("Referred by"), choices=EcmEnrollment.Referrer.choices)
    recipient = forms.ModelChoiceField(label=_("MCP CWS liaison or ECM provider"),
                                       queryset=Organization.objects.filter(type__in=["mcp", "ecm_provider"], is_active=True))
    reason = forms.CharField(label=_("What the family needs"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OutreachForm(forms.Form):
    at = forms.DateTimeField(label=_("When"), widget=DATETIME, initial=_now_local)
    method = forms.ChoiceField(label=_("How"), choices=OutreachAttempt.Method.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OutreachAttempt.Outcome.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class PriorCheckForm(forms.Form):
    prior_ecm = forms.BooleanField(label=_("Received ECM before"), required=False)
    prior_community_supports = forms.BooleanField(label=_("Received Community Supports before"), required=False)
    prior_note = forms.CharField(label=_("How it affects this referral"), required=False, max_length=500)


class AuthorizationForm(forms.Form):
    ecm_provider = forms.ModelChoiceField(label=_("ECM provider"), queryset=Organization.objects.filter(type="ecm_provider", is_active=True))
    presumptive = forms.BooleanField(label=_("Presumptive authorization (30 days while the plan decides)"), required=False,
                                     initial=True)
    expedited = forms.BooleanField(label=_("Expedited (SW and PHN told within 72 hours)"), required=False)


class McpDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Plan's decision"), choices=[c for c in EcmEnrollment.Decision.choices if c[0] != "pending"])
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class NotifyForm(forms.Form):
    channel = forms.ChoiceField(label=_("How the SW and PHN are told"),
                                choices=[("phone", _("Phone")), ("secure_email", _("Secure email")), ("fax", _("Fax")),
                                         ("portal", _("Portal"))])


class AssessmentForm(forms.Form):
    summary = forms.CharField(label=_("Assessment summary"), widget=forms.Textarea(attrs={"rows": 4}))


class CarePlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, initial=_("ECM care plan"))
    summary = forms.CharField(label=_("Needs and strengths"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


CFT_ROLES = [c for c in CareTeamMember.Role.choices if c[0] not in ("primary_case_manager", "other")]


class CftScheduleForm(forms.Form):
    scheduled_for = forms.DateTimeField(label=_("Date and time"), widget=DATETIME)
    participants = forms.MultipleChoiceField(label=_("Invited"), choices=CFT_ROLES, widget=forms.CheckboxSelectMultiple,
                                             initial=["sw", "phn", "ecm_provider", "youth", "resource_family", "birth_parent"])
    tribal_representative_chosen = forms.BooleanField(
        label=_("The family chose to include their ICWA / tribal representative"), required=False)
    cans_status = forms.ChoiceField(label=_("CANS"), choices=CftMeeting.Cans.choices, initial=CftMeeting.Cans.INITIATED)


class CftHoldForm(forms.Form):
    held_at = forms.DateTimeField(label=_("Held on"), widget=DATETIME, initial=_now_local)
    cans_status = forms.ChoiceField(label=_("CANS"), choices=CftMeeting.Cans.choices, initial=CftMeeting.Cans.COMPLETED)
    notes = forms.CharField(label=_("Strengths, needs and decisions"), widget=forms.Textarea(attrs={"rows": 4}))
    action_items = forms.CharField(label=_("Action plan (one item per line)"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_("Each line becomes a task for you, due in 14 days."))

    def items(self, owner) -> list[dict]:
        due = timezone.localdate() + datetime.timedelta(days=14)
        return [{"title": line.strip(), "owner": owner, "due_date": due}
                for line in self.cleaned_data["action_items"].splitlines() if line.strip()]


class CftCarePlanForm(forms.Form):
    summary = forms.CharField(label=_("What changed in the ECM care plan"), widget=forms.Textarea(attrs={"rows": 3}))


class MoveForm(forms.Form):
    to_county = forms.ModelChoiceField(label=_("County of the new placement"), queryset=County.objects.all())
    moved_at = forms.DateTimeField(label=_("Placed on"), widget=DATETIME, initial=_now_local)
    notes = forms.CharField(label=_("Health care needs and provider preferences"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))


class DoneAtForm(forms.Form):
    done_at = forms.DateTimeField(label=_("Done on"), widget=DATETIME, initial=_now_local)


class CocRequestForm(forms.Form):
    provider_name = forms.CharField(label=_("Provider to keep"), max_length=200)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=ContinuityOfCareRequest.Urgency.choices)


class CocDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Plan's decision"),
                                 choices=[c for c in ContinuityOfCareRequest.Decision.choices if c[0] != "pending"])


class ProviderDecisionForm(forms.Form):
    provider_action = forms.ChoiceField(label=_("ECM provider"), choices=PlacementMove.ProviderAction.choices)
    new_ecm_provider = forms.ModelChoiceField(label=_("New ECM provider"), required=False,
                                              queryset=Organization.objects.filter(type="ecm_provider", is_active=True))
    notes = forms.CharField(label=_("Distance, needs, virtual or in person"), required=False, max_length=500)


class ClosureForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason the CWS case closes"), choices=EcmClosure.Reason.choices)
    cws_closed_on = forms.DateField(label=_("CWS case closes on"), widget=DATE)
    ecm_continues = forms.BooleanField(label=_("ECM continues after the CWS case closes"), required=False)
    after_care_plan = forms.CharField(label=_("After-care plan / CFT action plan"), widget=forms.Textarea(attrs={"rows": 3}))
