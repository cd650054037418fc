"""Forms of the audit app: sign-in with throttling, the second sign-in step, two-factor
setup, break-glass requests and report date ranges. Shape of input only; rules live in
the services and ``auth``."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .access import client_ip, record_access
from .auth import lockout_remaining


class DateInput(forms.DateInput):
    input_type = "date"


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked_out": _("Too many failed sign-ins. Try again in %(minutes)d minutes."),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and self.request is not None:
            remaining = lockout_remaining(username=username, ip=client_ip(self.request))
            if remaining:
                record_access(self.request, action="locked_out", username=username)
                raise forms.ValidationError(
                    self.error_messages["locked_out"], code="locked_out",
                    params={"minutes": max(1, int(remaining.total_seconds() // 60) + 1)},
                )
        return super().clean()


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"), max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class BreakGlassForm(forms.Form):
    case_reference = forms.CharField(
        label=_("Case number or case id"), max_length=32,
        help_text=_("The case you need to open now."),
    )
    reason = forms.CharField(
        label=_("Reason for emergency access"), widget=forms.Textarea(attrs={"rows": 4}), max_length=1000,
        help_text=_("Your supervisor is told, and the access is logged."),
    )


class DateRangeForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput)
    end = forms.DateField(label=_("To"), required=False, widget=DateInput)

    DEFAULT_DAYS = 30

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned

    def range(self):
        """Aware datetimes [start, end) in Pacific time; the last 30 days by default."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=self.DEFAULT_DAYS)
        tz = timezone.get_current_timezone()
        return (timezone.make_aware(datetime.combine(start, time.min), tz),
                timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz), start, end)


class ReportLookupForm(forms.Form):
    member = forms.IntegerField(label=_("Member id"), required=False, min_value=1)
    user = forms.CharField(label=_("Username"), required=False, max_length=150)
