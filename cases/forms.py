"""Short forms of the case page and the work queue. Validation of the shape of input only:
rules live in the services, whose RuleViolation is shown next to the field it names."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecoord.accounts.models import Team, User
from carecoord.clocks.selectors import case_clocks_to_pause, case_clocks_to_resume
from carecoord.errors import RuleViolation
from carecoord.widgets import DirectSelect, NormalizedChoices

from .models import CareTeamMember, Case, Document, Program
from .services import CASE_STATUS_MOVES


class DateInput(forms.DateInput):
    input_type = "date"


def add_rule_violation(form: forms.Form, error: RuleViolation, *, aliases: dict[str, str] | None = None) -> None:
    """Show a service's refusal next to the field it names, or above the form."""
    field = (aliases or {}).get(error.field, error.field)
    form.add_error(field if field in form.fields else None, error.message)


class QueueFilterForm(forms.Form):
    program = forms.ChoiceField(label=_("Program"), required=False,
                                choices=[("", _("All programs")), *Program.choices], widget=DirectSelect)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None, widget=DirectSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The organization's teams as rows, named as str(team) names them (with the organization, joined): built
        # as Teams, a large county's teams took a twentieth of the work queue page.
        teams = (Team.objects.filter(organization_id=user.organization_id).order_by("name")
                 .values_list("pk", "organization__name", "name")) if user.organization_id else []
        self.fields["team"].choices = NormalizedChoices([
            ("", _("All teams")), *((pk, Team.name_from(organization, name)) for pk, organization, name in teams)])


class CaseListForm(forms.Form):
    """The Cases page's filters. Staff choose between the cases they carry and every case they may see;
    a plan liaison sees the plan's members' cases, none of which they carry."""

    MINE, ALL = "mine", "all"
    ACTIVE = "active"
    NOBODY = "nobody"
    STATUS_CHOICES = [(ACTIVE, _("Referred or open")), *Case.Status.choices, (ALL, _("Any status"))]

    scope = forms.ChoiceField(label=_("Show"), required=False,
                              choices=[(MINE, _("Cases I carry")), (ALL, _("All cases I can see"))], widget=DirectSelect)
    program = forms.ChoiceField(label=_("Program"), required=False, choices=[("", _("All programs")), *Program.choices],
                                widget=DirectSelect)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES, widget=DirectSelect)
    manager = forms.ChoiceField(label=_("Case manager"), required=False, widget=DirectSelect)
    # Where a page starts: the cases older than ``before``, or newer than ``after`` (the page links set them).
    before = forms.IntegerField(label=_("Cases older than"), required=False, min_value=1, widget=forms.HiddenInput)
    after = forms.IntegerField(label=_("Cases newer than"), required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data=None, *, user):
        self.carries_cases = user.role != User.Role.PLAN_LIAISON
        # A case manager starts from their own caseload; a supervisor or consultant from the organization's.
        self.default_scope = self.MINE if user.role == User.Role.CASE_MANAGER else self.ALL
        super().__init__(data)
        if self.carries_cases:
            self.fields["scope"].initial = self.default_scope
            # Former staff too: a departed case manager's cases are the ones a supervisor must reassign.
            colleagues = User.objects.filter(organization_id=user.organization_id).exclude(
                role__in=[User.Role.PLAN_LIAISON, User.Role.ADMINISTRATOR])
            # As rows, not Users: a large county's five hundred staff built as models took a fifth of the page.
            names = colleagues.order_by("last_name", "first_name", "username").values_list(
                "pk", "first_name", "last_name", "username")
            self.fields["manager"].choices = NormalizedChoices([
                ("", _("Anyone")), (self.NOBODY, _("Nobody assigned")),
                *((str(pk), User.name_from(first, last, username)) for pk, first, last, username in names),
            ] if user.organization_id else [("", _("Anyone"))])
        else:
            del self.fields["scope"], self.fields["manager"]

    def filters(self) -> dict | None:
        """The chosen filters with the defaults filled in; None when a value is not one the form offers
        (the form then names the field and its error)."""
        if self.is_bound and not self.is_valid():
            return None
        data = self.cleaned_data if self.is_bound else {}
        status = data.get("status") or self.ACTIVE
        statuses = {self.ACTIVE: [Case.Status.REFERRED, Case.Status.OPEN], self.ALL: None}.get(status, [status])
        manager = data.get("manager") or ""
        return {
            # Choosing a case manager looks at their caseload, among all the cases the user may see.
            "mine": self.carries_cases and not manager and (data.get("scope") or self.default_scope) == self.MINE,
            "program": data.get("program") or None, "statuses": statuses,
            "unassigned": manager == self.NOBODY, "manager_id": int(manager) if manager.isdigit() else None,
        }

    def page_marker(self) -> dict:
        """``before`` or ``after`` as given (the newest page when neither is); call after ``filters()``."""
        data = self.cleaned_data if self.is_bound else {}
        return {"before": data.get("before"), "after": data.get("after")}


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Name, date of birth, CIN or case number"), required=False, max_length=100)


def _colleagues(case: Case):
    return User.objects.filter(organization_id=case.organization_id, is_active=True).order_by("last_name", "first_name")


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    closed_reason = forms.CharField(label=_("Reason"), required=False, max_length=200,
                                    help_text=_("Required when closing the case."))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, Case.Status(s).label) for s in Case.Status.values
                                         if s in CASE_STATUS_MOVES[case.status]]


class CareTeamAddForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *CareTeamMember.Role.choices])
    user = forms.ModelChoiceField(label=_("Colleague"), required=False, queryset=User.objects.none(), empty_label="—",
                           help_text=_("Someone who uses carecoord; or name an outside contact below."))
    contact_name = forms.CharField(label=_("Outside contact name"), required=False, max_length=200)
    contact_phone = forms.CharField(label=_("Phone"), required=False, max_length=32)
    contact_email = forms.EmailField(label=_("Email"), required=False)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _colleagues(case)


class TaskAddForm(forms.Form):
    title = forms.CharField(label=_("What needs to be done"), max_length=300)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput)
    owner = forms.ModelChoiceField(label=_("Owner"), required=False, queryset=User.objects.none(), empty_label="—",
                            help_text=_("Leave empty to own it yourself."))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _colleagues(case)


class ReassignForm(forms.Form):
    new_manager = forms.ModelChoiceField(label=_("New primary case manager"), queryset=User.objects.none())

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_manager"].queryset = _colleagues(case).filter(
            role__in=[User.Role.CASE_MANAGER, User.Role.SUPERVISOR]
        ).exclude(pk=case.primary_case_manager_id)


class DeadlineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.rule.title} ({timezone.localtime(obj.due_at):%Y-%m-%d})"


class ClockPauseForm(forms.Form):
    """Stop a clock that the rules let wait on someone outside (e.g. the family's medical records)."""

    deadline = DeadlineChoiceField(label=_("Clock"), queryset=None, empty_label=None)
    reason = forms.CharField(label=_("Why it waits"), max_length=300,
                             help_text=_("Whom or what the clock waits for, e.g. records requested from the family."))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].queryset = case_clocks_to_pause(case)


class ClockResumeForm(forms.Form):
    """Restart a paused clock: its due time moves later by the time it waited."""

    deadline = DeadlineChoiceField(label=_("Clock"), queryset=None, empty_label=None)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].queryset = case_clocks_to_resume(case)


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=[("", "—"), *Document.Kind.choices])
    title = forms.CharField(label=_("Title"), required=False, max_length=200,
                            help_text=_("Defaults to the file name."))
    file = forms.FileField(label=_("File"), required=False,
                           help_text=_("PDF, PNG, JPEG or TIFF."))
