"""Forms of the referral pages: an outbound referral, and one step of the loop."""
from django import forms
from django.utils.translation import gettext_lazy as _

from carecoord.accounts.models import Organization

from .models import Referral
from .services import REFERRAL_MOVES


class OutboundReferralForm(forms.Form):
    service_type = forms.ChoiceField(label=_("Service"), choices=[c for c in Referral.ServiceType.choices if c[0] != "program_enrollment"])
    recipient_organization = forms.ModelChoiceField(
        label=_("Refer to"), required=False,
        queryset=Organization.objects.filter(is_active=True).exclude(type__in=["state_office", "regional_office"]))
    recipient_contact = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    reason = forms.CharField(label=_("Reason for referral"), widget=forms.Textarea(attrs={"rows": 3}))
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Referral.Urgency.choices)
    warm_handoff = forms.BooleanField(label=_("Warm hand-off (introduced in person or by a joint call)"), required=False)


class StepForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Next step"))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", "—"), *Referral.Outcome.choices])
    appointment_at = forms.DateTimeField(label=_("Appointment"), required=False,
                                         widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, referral=None, may_revoke=False, **kwargs):
        super().__init__(*args, **kwargs)
        moves = [s for s in Referral.Status.values if s in REFERRAL_MOVES[referral.status]]
        if not may_revoke:
            moves = [s for s in moves if s != Referral.Status.REVOKED]
        self.fields["to_status"].choices = [(s, Referral.Status(s).label) for s in moves]
