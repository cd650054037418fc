"""CCS pages: phone intake, eligibility, authorizations, care plan, conferences, provider links,
the problem log, liaison meetings and the tracking list. Thin: selector in, one service call,
a RuleViolation shown next to the field it names."""
from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoord.accounts.models import Organization, User
from carecoord.audit.access import record_access
from carecoord.errors import RuleViolation

from . import care_plans, ccs
from . import ccs_forms as f
from .ccs_models import CarePlan, ProblemItem, ServiceAuthorization
from .ccs_selectors import TRACKING_STATUSES, ccs_tracking_list, tracking_row
from .selectors import STAFF_ROLES, case_get_for_user, is_program_staff, require_case_change


def _require_staff(user) -> None:
    if not is_program_staff(user):
        raise PermissionDenied(_("Only program staff can change CCS records."))


def _show_error(form, exc: RuleViolation, aliases: dict[str, str] | None = None) -> None:
    field = (aliases or {}).get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def _case_url(case, section: str) -> str:
    return f"{reverse('case_detail', args=[case.pk])}?tab={section}#section-{section}"


def _case_form(request, case_id: int, *, form_class, title: str, submit: str, section: str, url_name: str, perform,
               form_kwargs=None, aliases=None, files: bool = False, extra_args=()):
    """GET: the short form. POST: validate, call the service, back to the case tab (or errors in place)."""
    case = case_get_for_user(user=request.user, case_id=case_id)
    _require_staff(request.user)
    require_case_change(user=request.user, case=case)
    kwargs = form_kwargs(case) if form_kwargs else {}
    form = form_class(request.POST or None, request.FILES or None, **kwargs) if request.method == "POST" else form_class(**kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            message = perform(case, form)
        except RuleViolation as exc:
            _show_error(form, exc, aliases)
        else:
            messages.success(request, message)
            return redirect(_case_url(case, section))
    record_access(request, members=[case.member_id], action="view", records=[("cases.case", case.pk)])
    context = {"case": case, "member": case.member, "form": form, "title": title, "submit": submit, "section": section,
               "panel": section, "action_url": reverse(url_name, args=[case.pk, *extra_args])}
    template = "cases/_action_form.html" if getattr(request, "htmx", False) else "cases/case_action.html"
    return render(request, template, context, status=400 if request.method == "POST" else 200)


# ----------------------------------------------------------------------------- intake


def intake(request):
    """A referral to CCS by phone or fax, from any source."""
    _require_staff(request.user)
    organization = request.user.organization
    if organization is None or organization.type != Organization.Type.CCS_COUNTY:
        raise PermissionDenied(_("Intake is done by a county CCS program."))
    form = f.IntakeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = ccs.ccs_referral_intake(
                actor=request.user, organization=organization, source=d["source"], member=d["member"],
                new_member=form.new_member(), suspected_condition=d["suspected_condition"], reason=d["reason"],
                reporter_name=d["reporter_name"], reporter_relationship=d["reporter_relationship"],
                reporter_phone=d["reporter_phone"], source_organization=d["source_organization"],
                referred_at=f.day_start(d["referred_on"]), urgency=d["urgency"], uploads=d["documents"],
            )
        except RuleViolation as exc:
            _show_error(form, exc, {"referred_at": "referred_on", "cin": "cin" if form.new_member() else "member_cin",
                                    "member": "member_cin"})
        else:
            if result.possible_duplicate:
                messages.warning(request, _("Possible duplicate: %(note)s The referral was added to the existing case.")
                                 % {"note": result.referral.duplicate_note})
            messages.success(request, _("Referral recorded for %(name)s.") % {"name": result.case.member.full_name})
            return redirect(_case_url(result.case, "eligibility"))
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/ccs/intake.html", {"form": form, "organization": organization}, status=status)


def documents_add(request, case_id: int):
    def perform(case, form):
        documents = ccs.ccs_documents_attach(case=case, uploads=form.cleaned_data["documents"], actor=request.user)
        return _("%(count)s document(s) attached.") % {"count": len(documents)}

    return _case_form(request, case_id, form_class=f.DocumentsForm, title=_("Attach medical documents"), submit=_("Attach"),
                      section="eligibility", url_name="ccs:documents_add", perform=perform, files=True)


def documentation_adequate(request, case_id: int):
    def perform(case, form):
        deadline = ccs.ccs_documentation_adequate(case=case, by=request.user, at=f.day_start(form.cleaned_data["received_on"]))
        return _("Medical eligibility is due by %(due)s.") % {"due": f"{timezone.localtime(deadline.due_at):%Y-%m-%d}"}

    return _case_form(request, case_id, form_class=f.DocumentationAdequateForm, title=_("Adequate medical documentation received"),
                      submit=_("Start the 5-working-day clock"), section="eligibility", url_name="ccs:documentation_adequate",
                      perform=perform, aliases={"at": "received_on", "case": None})


def determination(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        result = ccs.eligibility_decide(case=case, kind=d["kind"], outcome=d["outcome"], reason=d["reason"],
                                        decided_by=request.user, decided_at=f.day_start(d["decided_on"]),
                                        diagnoses=form.diagnosis_codes(), other_resources_offered=d["other_resources_offered"])
        case.refresh_from_db()
        if case.status == case.Status.OPEN:
            return _("The child is CCS eligible; case number %(number)s. The provider, the plan and the family are being informed.") % {
                "number": case.case_number}
        if case.status == case.Status.CLOSED:
            return _("Not eligible: the case is closed and the provider, the plan and the family are being informed.")
        return _("%(kind)s eligibility recorded.") % {"kind": result.get_kind_display()}

    return _case_form(request, case_id, form_class=f.DeterminationForm, title=_("Record an eligibility determination"),
                      submit=_("Record"), section="eligibility", url_name="ccs:determination", perform=perform,
                      form_kwargs=lambda case: {"user": request.user},
                      aliases={"decided_at": "decided_on", "decided_by": "kind", "case": None})


# ----------------------------------------------------------------------------- authorizations


def sar_new(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        sar = ccs.sar_request(case=case, service=d["service"], provider=d["provider"], start_date=d["start_date"],
                              end_date=d["end_date"], requested_by=request.user, expedited=d["expedited"],
                              requested_at=f.day_start(d["received_on"]), quantity=d["quantity"],
                              service_code=d["service_code"], diagnosis=d["diagnosis"])
        if sar.provider_warning:
            messages.warning(request, sar.provider_warning)
        return _("Authorization request recorded.")

    return _case_form(request, case_id, form_class=f.SarRequestForm, title=_("Service authorization request"), submit=_("Record request"),
                      section="authorizations", url_name="ccs:sar_new", perform=perform,
                      aliases={"requested_at": "received_on", "case": None})


def sar_decide(request, case_id: int, sar_id: int):
    def perform(case, form):
        sar = get_object_or_404(ServiceAuthorization, pk=sar_id, case=case)
        d = form.cleaned_data
        sar = ccs.sar_decide(sar=sar, decision=d["decision"], decided_by=request.user, reason=d["decision_reason"],
                             medical_necessity_review=d["medical_necessity_review"], approved_terms=d["approved_terms"])
        return _("Authorization %(decision)s.") % {"decision": sar.get_decision_display().lower()}

    return _case_form(request, case_id, form_class=f.SarDecisionForm, title=_("Decide the authorization request"), submit=_("Decide"),
                      section="authorizations", url_name="ccs:sar_decide", perform=perform, extra_args=(sar_id,),
                      aliases={"decided_by": "decision", "case": None})


# ----------------------------------------------------------------------------- care plan, reviews, conferences


def _active_plan(case) -> CarePlan | None:
    return CarePlan.objects.filter(case=case, status=CarePlan.Status.ACTIVE).first()


def care_plan_new(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        care_plans.care_plan_create(case=case, title=d["title"], summary=d["summary"], written_by=request.user,
                                    family_participated=d["family_participated"])
        return _("Care plan written.")

    return _case_form(request, case_id, form_class=f.CarePlanForm, title=_("Write the care plan"), submit=_("Save"),
                      section="care_plan", url_name="ccs:care_plan_new", perform=perform, aliases={"case": None})


def goal_add(request, case_id: int):
    def perform(case, form):
        plan = _active_plan(case)
        if plan is None:
            raise RuleViolation(_("Write the care plan first."), field="description", rule="care_plan.active")
        care_plans.care_plan_goal_add(care_plan=plan, actor=request.user, **form.cleaned_data)
        return _("Goal added.")

    return _case_form(request, case_id, form_class=f.GoalForm, title=_("Add a goal"), submit=_("Add"), section="care_plan",
                      url_name="ccs:goal_add", perform=perform, aliases={"care_plan": "description"})


def intervention_add(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        care_plans.care_plan_intervention_add(goal=d["goal"], description=d["description"], actor=request.user, owner=d["owner"],
                                              owner_name=d["owner_name"], owner_organization=d["owner_organization"],
                                              due_date=d["due_date"])
        return _("Intervention added.")

    return _case_form(request, case_id, form_class=f.InterventionForm, title=_("Add an intervention"), submit=_("Add"),
                      section="care_plan", url_name="ccs:intervention_add", perform=perform,
                      form_kwargs=lambda case: {"care_plan": _active_plan(case), "case": case})


def review_add(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        review = care_plans.care_plan_review_record(case=case, kind=d["kind"], summary=d["summary"], reviewed_by=request.user,
                                                    reviewed_at=f.day_start(d["reviewed_on"]), family_engaged=d["family_engaged"],
                                                    still_eligible=d["still_eligible"])
        return _("%(kind)s recorded.") % {"kind": review.get_kind_display()}

    return _case_form(request, case_id, form_class=f.ReviewForm, title=_("Record a review"), submit=_("Record"), section="care_plan",
                      url_name="ccs:review_add", perform=perform, aliases={"reviewed_at": "reviewed_on", "case": None})


def conference_new(request, case_id: int):
    def perform(case, form):
        d = form.cleaned_data
        due = timezone.localdate() + datetime.timedelta(days=14)
        conference = care_plans.case_conference_record(
            case=case, kind=d["kind"], held_at=f.day_start(d["held_on"]), notes=d["notes"], recorded_by=request.user,
            staff_participants=d["staff_participants"], other_participants=form.lines("other_participants"),
            action_items=[{"title": line, "owner": case.primary_case_manager, "due_date": due} for line in form.lines("action_items")])
        return _("Conference recorded with %(count)s action item(s).") % {"count": conference.tasks.count()}

    return _case_form(request, case_id, form_class=f.ConferenceForm, title=_("Record a case conference"), submit=_("Record"),
                      section="conferences", url_name="ccs:conference_new", perform=perform,
                      form_kwargs=lambda case: {"case": case}, aliases={"held_at": "held_on", "case": None})


def link_provider(request, case_id: int):
    def perform(case, form):
        from directory.selectors import provider_fit_warnings

        organization = form.cleaned_data["organization"]
        membership = ccs.ccs_link_provider(case=case, organization=organization, actor=request.user,
                                           contact_name=form.cleaned_data["contact_name"])
        message = _("%(name)s joined the care team.") % {"name": membership.display_name}
        # Linking is the case manager's call; what the directory knows against it is said, not enforced.
        warnings = provider_fit_warnings(organization, member=case.member, program=case.program)
        return " ".join([message, *(_("Check: %(warning)s") % {"warning": warning} for warning in warnings)])

    return _case_form(request, case_id, form_class=f.LinkProviderForm, title=_("Link a provider to the care team"),
                      submit=_("Link"), section="care_plan", url_name="ccs:link_provider", perform=perform, aliases={"case": None})


# ----------------------------------------------------------------------------- problem log and liaison meetings


def problems(request):
    items = ccs.problem_items_visible_to(user=request.user).select_related("program", "plan", "case__member")
    status = request.GET.get("status", "open")
    if status in ProblemItem.Status.values:
        items = items.filter(status=status)
    page = Paginator(items, 25).get_page(request.GET.get("page"))
    form = None
    if request.user.role in STAFF_ROLES and request.user.organization_id:
        form = f.ProblemItemForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                item = ccs.problem_item_open(program=request.user.organization, opened_by=request.user, **form.cleaned_data)
            except RuleViolation as exc:
                _show_error(form, exc)
            else:
                messages.success(request, _("Issue logged."))
                return redirect("ccs:problem_detail", item.pk)
    return render(request, "cases/ccs/problems.html", {"page": page, "form": form, "status": status})


def problem_detail(request, item_id: int):
    item = get_object_or_404(ccs.problem_items_visible_to(user=request.user).select_related("program", "plan"), pk=item_id)
    escalate_form, resolve_form = f.EscalateForm(prefix="esc"), f.ResolveForm(prefix="res")
    if request.method == "POST":
        action = request.POST.get("action")
        form = f.EscalateForm(request.POST, prefix="esc") if action == "escalate" else f.ResolveForm(request.POST, prefix="res")
        if form.is_valid():
            try:
                if action == "escalate":
                    ccs.problem_item_escalate(item=item, by=request.user, reason=form.cleaned_data["reason"])
                else:
                    ccs.problem_item_resolve(item=item, by=request.user, resolution=form.cleaned_data["resolution"])
            except RuleViolation as exc:
                _show_error(form, exc)
            else:
                messages.success(request, _("Issue updated."))
                return redirect("ccs:problem_detail", item.pk)
        escalate_form, resolve_form = (form, resolve_form) if action == "escalate" else (escalate_form, form)
    events = item.events.select_related("by", "referred_to")
    return render(request, "cases/ccs/problem_detail.html",
                  {"item": item, "events": events, "escalate_form": escalate_form, "resolve_form": resolve_form})


def liaison_meetings(request):
    meetings = (ccs.liaison_meetings_visible_to(user=request.user).select_related("program", "plan")
                .prefetch_related("tasks", "problem_items"))
    page = Paginator(meetings, 20).get_page(request.GET.get("page"))
    form = None
    if request.user.role in STAFF_ROLES and request.user.organization_id:
        open_items = ccs.problem_items_visible_to(user=request.user).filter(status=ProblemItem.Status.OPEN)
        form = f.LiaisonMeetingForm(request.POST or None, problem_items=open_items)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            due = timezone.localdate() + datetime.timedelta(days=30)
            try:
                ccs.liaison_meeting_record(
                    program=request.user.organization, plan=d["plan"], held_at=f.day_start(d["held_on"]),
                    attendees=d["attendees"], minutes=d["minutes"], recorded_by=request.user,
                    problem_items=d["problem_items"], protocols_reviewed=d["protocols_reviewed"],
                    action_items=[{"title": line, "owner": request.user, "due_date": due} for line in form.lines("action_items")])
            except RuleViolation as exc:
                _show_error(form, exc, {"held_at": "held_on"})
            else:
                messages.success(request, _("Meeting recorded; the next one is due within three months."))
                return redirect("ccs:liaison_meetings")
    from carecoord.clocks.models import Deadline

    next_due = (Deadline.objects.filter(rule_code=ccs.LIAISON_MEETING, status__in=Deadline.ACTIVE_STATUSES,
                                        organization_id=request.user.organization_id).order_by("due_at").first())
    return render(request, "cases/ccs/liaison_meetings.html", {"page": page, "form": form, "next_due": next_due})


# ----------------------------------------------------------------------------- tracking list (browser)


def tracking_list(request):
    """The plan's tracking list in the browser (read-only); the CSV comes from the API."""
    plan = None
    if request.user.role != User.Role.PLAN_LIAISON:
        plan = Organization.objects.filter(pk=request.GET.get("plan") or 0, type=Organization.Type.MCP).first()
    status = request.GET.get("status") or None
    rows = ccs_tracking_list(user=request.user, plan=plan, status=status if status in TRACKING_STATUSES else None)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    record_access(request, members=[r["member_id"] for r in page], action="list",
                  records=[("cases.case", r["id"]) for r in page], detail={"view": "ccs_tracking_list"})
    full = bool(request.user.may_see_full_identifiers)
    items = [dict(tracking_row(r, full_identifiers=full), case_id=r["id"]) for r in page]
    plans = Organization.objects.filter(type=Organization.Type.MCP, is_active=True) if plan is not None or \
        request.user.role != User.Role.PLAN_LIAISON else None
    return render(request, "cases/ccs/tracking_list.html", {"page": page, "items": items, "plan": plan, "plans": plans,
                                                             "status": status, "statuses": TRACKING_STATUSES})


def authorizations_pending(request):
    from .ccs_selectors import pending_authorizations

    items = list(pending_authorizations(user=request.user).order_by("requested_at")[:200])
    record_access(request, members={s.case.member_id for s in items}, action="list",
                  records=[("cases.serviceauthorization", s.pk) for s in items])
    return render(request, "cases/ccs/authorizations_pending.html", {"items": items})

