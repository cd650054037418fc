"""Filters of the dashboards: the period (due dates, Pacific), the program; the drill-down's keys."""
from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Program

from . import selectors

MAX_MONTHS = 24


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    program = forms.ChoiceField(label=_("Program"), required=False, choices=[("", _("All programs")), *Program.choices])

    def clean(self):
        data = super().clean()
        default_start, default_end = selectors.default_period()
        start, end = data.get("start") or default_start, data.get("end") or default_end
        if start > end:
            self.add_error("end", _("The end comes before the start."))
        elif (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
            self.add_error("start", _("Choose at most %(n)d months.") % {"n": MAX_MONTHS})
        data["start"], data["end"] = start, end
        return data

    def period(self) -> tuple[datetime.date, datetime.date, str | None]:
        """The valid period and program, or the default period when the filters are invalid."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"], self.cleaned_data["program"] or None
        start, end = selectors.default_period()
        return start, end, None


class DrilldownForm(PeriodForm):
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[
        ("due", _("Due (met or missed)")), ("met_on_time", _("Met on time")), ("met_late", _("Met late")),
        ("missed", _("Missed")), ("open", _("Still open"))])
    rule = forms.CharField(label=_("Clock rule"), required=False, max_length=64)
    team = forms.RegexField(label=_("Team"), required=False, regex=r"^(none|\d+)$")
    owner = forms.RegexField(label=_("Worker"), required=False, regex=r"^(none|\d+)$")

    def filters(self) -> dict:
        start, end, program = self.period()
        data = self.cleaned_data if self.is_valid() else {}
        return {"start": start, "end": end, "program": program, "outcome": data.get("outcome") or "due",
                "rule_code": data.get("rule") or None, "team": data.get("team") or None,
                "owner": data.get("owner") or None}
