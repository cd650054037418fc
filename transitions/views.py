"""Pages of transitions of care and DMC-ODS coordination.

Every action is a short form: ``ACTIONS`` maps an action name to its form, its
target (a case, a stay, a transition...) loaded through a selector, and the one
service it calls. A ``RuleViolation`` comes back next to its field. Success goes
back to the case page's "Transitions of care" tab. Lists (stalled transitions,
residential notifications due) and the supervisor's monitoring report (page and
CSV) are here too.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from carecoord.accounts.models import User
from carecoord.errors import RuleViolation
from carecoord.spreadsheets import csv_writer
from cases.models import Case
from cases.selectors import case_get_for_user, case_list_visible_to, require_case_change
from referrals.models import Referral

from . import forms as f
from . import services as svc
from .models import CareTransition, CrisisEvent, ProblemListItem
from .selectors import (
    case_deadlines, episode_get_for_user, members_due_transition_assessment, monitoring_report,
    plan_notification_list_visible_to, residential_notices_due, stalled_after_days, transition_assessment_age,
    transition_get_for_user, transition_steps, transitions_stalled,
)

SECTION = "transitions"


def _record_access(request, **kwargs) -> None:
    from carecoord.audit.access import record_access

    record_access(request, **kwargs)


# --------------------------------------------------------------------------- targets


def _case(user, pk):
    return case_get_for_user(user=user, case_id=pk)


def _crisis(user, pk):
    return get_object_or_404(CrisisEvent.objects.filter(case__in=case_list_visible_to(user=user)).select_related("case"), pk=pk)


def _problem(user, pk):
    return get_object_or_404(ProblemListItem.objects.filter(case__in=case_list_visible_to(user=user)).select_related("case"), pk=pk)


def _mat(user, pk):
    return get_object_or_404(Referral.objects.filter(case__in=case_list_visible_to(user=user), service_type=f.MAT_SERVICE)
                             .select_related("case", "member"), pk=pk)


TARGETS: dict[str, Callable] = {
    "case": _case,
    "episode": lambda user, pk: episode_get_for_user(user=user, episode_id=pk),
    "transition": lambda user, pk: transition_get_for_user(user=user, transition_id=pk),
    "crisis": _crisis,
    "problem": _problem,
    "mat": _mat,
}


def _case_of(target) -> Case:
    return target if isinstance(target, Case) else target.case


def _steps_to_do(transition: CareTransition) -> list:
    done = set(transition.steps.values_list("step", flat=True))
    return [s for s in svc.checklist_for(transition) if s.code not in done]


@dataclass(frozen=True)
class Action:
    target: str
    form: type
    title: str
    submit: str
    perform: Callable  # (target, user, cleaned_data) -> None
    form_kwargs: Callable | None = None  # (target) -> extra form kwargs
    done: str = ""


ACTIONS: dict[str, Action] = {
    "enroll": Action("case", f.EnrollmentForm, _("DMC-ODS enrollment and primary case manager"), _("Save"),
                     lambda c, u, d: svc.dmc_enrollment_record(case=c, primary_case_manager=d["primary_case_manager"],
                                                               enrolled_at=d["enrolled_at"], actor=u),
                     form_kwargs=lambda c: {"case": c}, done=_("Enrollment recorded.")),
    "inform": Action("case", f.CoordinatorInformedForm, _("Member told who coordinates their care"), _("Save"),
                     lambda c, u, d: svc.coordinator_informed_record(case=c, informed_by=u, **d), done=_("Recorded.")),
    "assessment": Action("case", f.AssessmentForm, _("Record an assessment"), _("Save"),
                         lambda c, u, d: svc.assessment_record(case=c, completed_by=u, **d), done=_("Assessment recorded.")),
    "note": Action("case", f.ServiceNoteForm, _("Write a service note"), _("Save"),
                   lambda c, u, d: svc.service_note_record(case=c, author=u, **d), done=_("Note saved.")),
    "attempt": Action("case", f.ContactAttemptForm, _("Log a contact attempt"), _("Save"),
                      lambda c, u, d: svc.contact_attempt_record(case=c, by=u, **d), done=_("Attempt logged.")),
    "status-change": Action("case", f.StatusChangeForm, _("Change in member status"), _("Save"),
                            lambda c, u, d: svc.status_change_record(case=c, recorded_by=u, **d),
                            done=_("Recorded: the problem list update is now due.")),
    "problem-add": Action("case", f.ProblemAddForm, _("Add to the problem list"), _("Add"),
                          lambda c, u, d: svc.problem_item_add(case=c, actor=u, **d), done=_("Problem list updated.")),
    "problem-update": Action("problem", f.ProblemUpdateForm, _("Update a problem"), _("Save"),
                             lambda p, u, d: svc.problem_item_update(item=p, actor=u, **d), done=_("Problem list updated.")),
    "admit": Action("case", f.AdmitForm, _("Admission to a setting of care"), _("Save"),
                    lambda c, u, d: svc.setting_admit(case=c, actor=u, **d), done=_("Admission recorded.")),
    "discharge": Action("episode", f.DischargeForm, _("Discharge from a setting of care"), _("Save"),
                        lambda e, u, d: svc.setting_discharge(episode=e, actor=u, **d), done=_("Discharge recorded.")),
    "notify-plan": Action("episode", f.PlanNotificationForm, _("Plan notified of residential admission or discharge"), _("Save"),
                          lambda e, u, d: svc.plan_notification_record(episode=e, notified_by=u, **d),
                          done=_("Plan notification recorded.")),
    "crisis": Action("case", f.CrisisForm, _("Crisis service"), _("Save"),
                     lambda c, u, d: svc.crisis_record(case=c, recorded_by=u, **d),
                     done=_("Crisis recorded: follow-up and problem list are due within 24 hours.")),
    "crisis-follow-up": Action("crisis", f.CrisisFollowUpForm, _("Crisis follow-up to care providers and the plan"), _("Save"),
                               lambda cr, u, d: svc.crisis_follow_up_record(crisis=cr, by=u, **d), done=_("Follow-up recorded.")),
    "mat-request": Action("case", f.MatRequestForm, _("MAT requested"), _("Save"),
                          lambda c, u, d: svc.mat_request_record(case=c, actor=u, **d),
                          done=_("MAT request recorded: the referral is due within 24 hours.")),
    "mat-send": Action("mat", f.MatSendForm, _("Send the MAT referral"), _("Send"),
                       lambda r, u, d: svc.mat_referral_send(referral=r, actor=u, **d), done=_("MAT referral sent.")),
    "mat-confirm": Action("mat", f.MatConfirmForm, _("MAT appointment confirmed"), _("Save"),
                          lambda r, u, d: svc.mat_appointment_confirm(referral=r, actor=u, **d), done=_("Appointment recorded.")),
    "mat-transport": Action("mat", f.MatTransportForm, _("Transportation arranged"), _("Save"),
                            lambda r, u, d: svc.mat_transportation_arrange(referral=r, actor=u, **d), done=_("Recorded.")),
    "coordination": Action("case", f.CoordinationForm, _("Coordination with another plan"), _("Save"),
                           lambda c, u, d: svc.other_plan_coordination_log(case=c, by=u, **d), done=_("Coordination logged.")),
    "transition-open": Action("case", f.TransitionOpenForm, _("Start a transition of care"), _("Start"),
                              lambda c, u, d: svc.transition_open(case=c, actor=u, **d), done=_("Transition started.")),
    "transition-step": Action("transition", f.TransitionStepForm, _("Record a step"), _("Save"),
                              lambda t, u, d: svc.transition_step_record(transition=t, by=u, **d),
                              form_kwargs=lambda t: {"steps": _steps_to_do(t)}, done=_("Step recorded.")),
    "transition-close": Action("transition", f.TransitionCloseForm, _("Close the transition"), _("Close"),
                               lambda t, u, d: svc.transition_close(transition=t, by=u, **d), done=_("Transition closed.")),
    "transition-cancel": Action("transition", f.TransitionCancelForm, _("Cancel the transition"), _("Cancel transition"),
                                lambda t, u, d: svc.transition_cancel(transition=t, by=u, **d), done=_("Transition cancelled.")),
}


def _back_url(target) -> str:
    if isinstance(target, CareTransition):
        return reverse("transitions:detail", args=[target.pk])
    return f"{reverse('case_detail', args=[_case_of(target).pk])}?tab={SECTION}#section-{SECTION}"


@login_required
def action(request, target: str, pk: int, name: str):
    spec = ACTIONS.get(name)
    if spec is None or spec.target != target:
        raise Http404
    obj = TARGETS[target](request.user, pk)
    case = _case_of(obj)
    require_case_change(user=request.user, case=case)
    if not isinstance(obj, Case):
        _record_access(request, members=[case.member_id], action="view", records=[(obj._meta.label_lower, obj.pk)])
    kwargs = spec.form_kwargs(obj) if spec.form_kwargs else {}
    if request.method == "POST":
        form = spec.form(request.POST, **kwargs)
        if form.is_valid():
            try:
                spec.perform(obj, request.user, form.cleaned_data)
            except RuleViolation as err:
                form.add_error(err.field if err.field in form.fields else None, err.message)
            else:
                messages.success(request, spec.done or _t("Saved."))
                url = _back_url(obj)
                if request.htmx:
                    # The panel sits on the page to come back to: reload it (the URL may differ only by its #fragment,
                    # which a redirect would not reload).
                    response = HttpResponse(status=204)
                    response["HX-Refresh"] = "true"
                    return response
                return redirect(url)
    else:
        form = spec.form(initial=request.GET.dict() or None, **kwargs)
    context = {"case": case, "member": case.member, "form": form, "title": spec.title, "submit": spec.submit,
               "action_url": request.get_full_path(), "section": SECTION, "panel": SECTION}
    template = "cases/_action_form.html" if request.htmx else "cases/case_action.html"
    # htmx swaps only 2xx answers: the panel gets the form with its errors as a 200; a full page says 400.
    return render(request, template, context, status=400 if form.errors and not request.htmx else 200)


# --------------------------------------------------------------------------- pages


@login_required
def case_overview(request, case_id: int):
    """The transitions tab as its own page (the case page shows the same section)."""
    from .selectors import case_section_context

    case = case_get_for_user(user=request.user, case_id=case_id)
    context = {"case": case, "member": case.member, **case_section_context(case, request.user)}
    return render(request, "transitions/case_overview.html", context)


@login_required
def transition_detail(request, transition_id: int):
    transition = transition_get_for_user(user=request.user, transition_id=transition_id)
    _record_access(request, members=[transition.member_id], action="view", records=[("transitions.caretransition", transition.pk)])
    steps = transition_steps(transition)
    done = {s.step for s in steps}
    checklist = [(s, s.code in done) for s in svc.checklist_for(transition)]
    deadlines = case_deadlines(transition.case, subjects=[transition] + ([transition.referral] if transition.referral_id else []))
    return render(request, "transitions/transition_detail.html", {
        "transition": transition, "case": transition.case, "member": transition.member, "steps": steps,
        "checklist": checklist, "deadlines": deadlines,
        "next_step": next((s.code for s, is_done in checklist if not is_done), ""),
        "stalled": transition.is_open and transition.last_step_at < timezone.now() - datetime.timedelta(days=stalled_after_days()),
    })


@login_required
@require_POST
def transition_packet(request, transition_id: int):
    """Produce and download the referral packet (PDF): refused without a consent covering the recipient."""
    transition = transition_get_for_user(user=request.user, transition_id=transition_id)
    # Producing the packet is a step of the transition and a disclosure made by the county: a change to the case.
    require_case_change(user=request.user, case=transition.case)
    try:
        pdf, step = svc.transition_packet_produce(transition=transition, actor=request.user)
    except RuleViolation as err:
        messages.error(request, err.message)
        return redirect("transitions:detail", transition.pk)
    _record_access(request, members=[transition.member_id], action="download",
                   records=[("transitions.caretransition", transition.pk)])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="referral-packet-{transition.pk}-{step.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def stalled_list(request):
    days = request.GET.get("days", "")
    days = int(days) if days.isdigit() else stalled_after_days()
    transitions = list(transitions_stalled(user=request.user, days=days)[:200])
    if transitions:
        _record_access(request, members=[t.member_id for t in transitions], action="list",
                       records=[("transitions.caretransition", t.pk) for t in transitions])
    return render(request, "transitions/stalled.html", {"transitions": transitions, "days": days, "now": timezone.now()})


@login_required
def residential_list(request):
    due = list(residential_notices_due(user=request.user)[:200])
    recent = list(plan_notification_list_visible_to(user=request.user)[:50])
    members = [d.member_id for d in due] + [n.episode.case.member_id for n in recent]
    if members:
        _record_access(request, members=members, action="list",
                       records=[("transitions.plannotification", n.pk) for n in recent])
    return render(request, "transitions/residential.html", {"due": due, "recent": recent, "now": timezone.now()})


@login_required
def adult_transition_due(request):
    """CCS members at or past the transition assessment age with no pediatric-to-adult transition open."""
    members = list(members_due_transition_assessment(user=request.user).prefetch_related("cases")[:300])
    if members:
        _record_access(request, members=members, action="list")
    ccs_cases = {m.pk: next((c for c in m.cases.all() if c.program == "ccs" and c.status != Case.Status.CLOSED), None)
                 for m in members}
    rows = [(m, ccs_cases[m.pk], m.age_on(timezone.localdate())) for m in members]
    return render(request, "transitions/adult_due.html", {"rows": rows, "age": transition_assessment_age()})


def _may_see_monitoring(user) -> bool:
    return user.role in (User.Role.SUPERVISOR, User.Role.ADMINISTRATOR) or user.is_superuser or user.has_perm("cases.view_dashboard")


MONITORING_COLUMNS = [
    ("members", _("Members")),
    ("coordinated_care_consent", _("Coordinated care consent")),
    ("release_of_information", _("Release of information")),
    ("told_how_to_reach_coordinator", _("Told how to reach coordinator")),
    ("pcp_detail_complete", _("PCP detail complete")),
    ("coordination_between_settings", _("Coordination between settings")),
]


@login_required
def monitoring(request):
    """Seed 003 section II: the care coordination monitoring report, per provider and month (page or CSV)."""
    if not _may_see_monitoring(request.user):
        raise PermissionDenied
    form = f.MonitoringForm(request.GET or None, user=request.user)
    organization = form.cleaned_data.get("organization") if form.is_valid() else None
    rows = monitoring_report(user=request.user, months=form.months(), organization_id=getattr(organization, "pk", None))
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="dmc-ods-care-coordination-monitoring.csv"'
        writer = csv_writer(response)
        writer.writerow(["month", "provider", "members", "coordinated_care_consent", "coordinated_care_consent_pct",
                         "release_of_information", "release_of_information_pct", "told_how_to_reach_coordinator",
                         "told_how_to_reach_coordinator_pct", "pcp_detail_complete", "pcp_detail_complete_pct",
                         "coordination_between_settings", "coordination_between_settings_pct", "transitions_due",
                         "transitions_on_time", "transitions_timely_pct", "follow_ups_due", "follow_ups_on_time",
                         "follow_up_timely_pct", "plan_notices_due", "plan_notices_on_time", "plan_notice_timely_pct"])
        for row in rows:
            shares = row.shares()
            writer.writerow([f"{row.month:%Y-%m}", row.organization, row.members,
                             *[v for m in row.MEASURES for v in (getattr(row, m), _pct(shares[m]))],
                             row.transitions_due, row.transitions_on_time, _pct(shares["transitions_timely"]),
                             row.follow_ups_due, row.follow_ups_on_time, _pct(shares["follow_up_timely"]),
                             row.plan_notices_due, row.plan_notices_on_time, _pct(shares["plan_notice_timely"])])
        return response
    table = [{"row": row, "shares": row.shares()} for row in rows]
    return render(request, "transitions/monitoring.html", {"form": form, "table": table, "columns": MONITORING_COLUMNS,
                                                           "csv_query": _with_format(request)})


def _pct(value) -> str:
    return "" if value is None else f"{value:.1f}"


def _with_format(request) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()
