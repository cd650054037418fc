"""Browser views of the case manager's app: the work queue, member search, the member page,
the case page and its short action forms. Thin: selector in, service call, render.

Action forms work with and without htmx: an htmx request gets the form (or, after
success, the refreshed case body) as a fragment; a plain request gets a full page
and, after success, a redirect back to the case page.
"""
from __future__ import annotations


from django.contrib.contenttypes.models import ContentType
from django.contrib import messages
from django.db.models import F, Prefetch
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from carecoord.accounts.models import User
from carecoord.audit.access import shows_part2
from carecoord.clocks.models import Deadline, Notification
from carecoord.clocks.selectors import (
    case_clocks_to_pause, case_clocks_to_resume, deadline_queue_for, due_texts, next_deadlines, queue_row, queue_values,
    rule_words, time_left,
)
from carecoord.clocks.services import deadline_pause, deadline_resume
from carecoord.errors import RuleViolation
from carecoord.links import pk_url

from . import services
from .documents import document_upload
from .forms import (
    CareTeamAddForm, CaseListForm, CaseStatusForm, ClockPauseForm, ClockResumeForm, DocumentUploadForm, MemberSearchForm,
    QueueFilterForm, ReassignForm, TaskAddForm, add_rule_violation,
)
from .models import CareTeamMember, Case, Task
from .sections import case_sections, member_sections
from .selectors import (
    active_coverage, case_get_for_user, case_list_visible_to, caseload_for, may_write_case_records, require_case_change, document_get_for_user, member_get_for_user,
    search_members,
)

QUEUE_LIMIT = 200
CASE_PAGE_SIZE = 50
SEARCH_LIMIT = 25
TIMELINE_LIMIT = 100
CONSENT_SUMMARY_TEMPLATE = "consents/_member_summary.html"

BUCKET_TITLES = {
    "overdue": gettext_lazy("Overdue"),
    "today": gettext_lazy("Due today"),
    "week": gettext_lazy("This week"),
    "later": gettext_lazy("Later"),
}
BUCKET_BADGES = {"overdue": "overdue", "today": "due_today", "week": "this_week", "later": "later"}

# Where on the case page the work of a clock is done: rule-code prefix -> case section key.
# The first registered section wins; otherwise the open deadlines in the case header.
RULE_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ccs.appeal", ("appeals",)),
    ("ccs.fair_hearing", ("appeals",)),
    ("plan.grievance", ("appeals",)),
    ("plan.appeal", ("appeals",)),
    ("plan.aid_paid_pending", ("appeals",)),
    ("plan.state_hearing", ("appeals",)),
    ("ccs.medical_eligibility", ("ccs_eligibility", "eligibility", "ccs")),
    ("ccs.annual_medical_review", ("ccs_eligibility", "eligibility", "ccs")),
    ("ccs.", ("ccs", "notices")),
    ("plan.sar", ("referrals", "authorizations")),
    ("plan.", ("notices",)),
    ("wcm.", ("transitions", "wcm")),
    ("ecm.assessment", ("care_plan", "ecm")),
    ("ecm.care_plan_review", ("care_plan", "ecm")),
    ("ecm.", ("ecm", "care_plan", "notices")),
    ("dmc.mat_referral", ("referrals", "dmc")),
    ("dmc.", ("dmc", "care_plan")),
    ("mcp.", ("transitions", "referrals")),
    ("cws.", ("care_team",)),
    ("all.part2_disclosure_list", ("consents",)),
    ("all.inter_county_transfer", ("transitions",)),
)


def _record_access(request, **kwargs) -> None:
    # Imported when called: the audit app publishes this module; every view showing member data records the read.
    from carecoord.audit.access import record_access

    record_access(request, **kwargs)


def section_for_deadline(rule_code: str, subject_type_id: int | None, registered: set[str]) -> str:
    """The case page anchor where the work that meets a deadline of ``rule_code`` is done."""
    # The content type comes from Django's per-process cache, not a join per row.
    if subject_type_id and ContentType.objects.get_for_id(subject_type_id).model_class() is Task:
        return "tasks"
    for prefix, keys in RULE_SECTIONS:
        if rule_code.startswith(prefix):
            for key in keys:
                if key in registered:
                    return key
    return "deadlines"


def _deadline_rows(deadlines, *, now=None) -> list[dict]:
    """The rows of the work queue and of a case's open deadlines, from the deadlines' ``queue_values``: the API's
    row (``queue_row``) and what a page shows besides, worked out once here rather than by template lookups
    per row (a case manager's queue has hundreds of rows; most share a rule)."""
    now, language = now or timezone.now(), get_language()
    registered = {section.key for section in case_sections()} | {"tasks", "care_team", "documents", "timeline"}
    case_page, member_page = pk_url("case_detail"), pk_url("member_detail")
    sections: dict[tuple, str] = {}  # most rows share a rule, and so their section
    write_due = due_texts()
    rows = []
    for values in deadlines:
        row = queue_row(values, now=now, language=language)
        where = (values["rule_code"], values["subject_type_id"])
        if where not in sections:
            sections[where] = section_for_deadline(*where, registered)
        section = sections[where]
        due_iso, due_display = write_due(values["due_at"])
        name_parts = (values["member__first_name"], values["member__middle_name"], values["member__last_name"])
        row.update(
            badge=BUCKET_BADGES[row["bucket"]], section=section, paused_at=values["paused_at"],
            due_iso=due_iso, due_display=due_display,
            member=" ".join(part for part in name_parts if part),  # as str(member) names them
            link=(f"{case_page(values['case_id'])}?tab={section}#section-{section}" if values["case_id"]
                  else member_page(values["member_id"]) if values["member_id"] else ""),
        )
        rows.append(row)
    return rows


# ---------------------------------------------------------------- work queue

def work_queue(request):
    """Home: the user's open clocks grouped overdue / today / this week / later, with notifications."""
    form = QueueFilterForm(request.GET or None, user=request.user)
    program = team_id = None
    if form.is_valid():
        program = form.cleaned_data["program"] or None
        team_id = form.cleaned_data["team"]
    rows = _deadline_rows(queue_values(deadline_queue_for(user=request.user, program=program, team_id=team_id)[:QUEUE_LIMIT]))
    buckets = [
        {"key": key, "title": title, "badge": BUCKET_BADGES[key], "rows": [row for row in rows if row["bucket"] == key]}
        for key, title in BUCKET_TITLES.items()
    ]
    members = {row["member_id"] for row in rows if row["member_id"]}
    if members:
        # As the API's queue: a clock's program is its case's, or its rule's (a DMC-ODS clock names SUD treatment).
        _record_access(request, members=members, action="list", records=[("clocks.deadline", row["id"]) for row in rows],
                       part2=shows_part2(row["program"] for row in rows))
    context = {"form": form, "buckets": buckets, "total": len(rows), "limit": QUEUE_LIMIT,
               "show_owner": request.user.role == User.Role.SUPERVISOR}
    if request.htmx and request.htmx.target == "queue-results":
        return render(request, "cases/_queue_results.html", context)
    context["notifications"] = _notifications_for(request.user)
    return render(request, "cases/work_queue.html", context)


def _notifications_for(user):
    return list(
        Notification.objects.filter(user=user)
        .order_by(F("read_at").asc(nulls_first=True), "-created_at")[:10]
    )


@require_POST
def notification_read(request, notification_id: int):
    """Mark one of the user's own notifications read (the user's reading state, not a domain record)."""
    notification = get_object_or_404(Notification, pk=notification_id, user=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    if request.htmx:
        return render(request, "cases/_notifications.html", {"notifications": _notifications_for(request.user)})
    return redirect("home")


# ------------------------------------------------------------------ case list

def case_list(request):
    """The cases a user carries (or all they may see), newest first, each with its next deadline."""
    form = CaseListForm(request.GET or None, user=request.user)
    filters = form.filters()
    rows, newer, older = _keyset_page(caseload_for(user=request.user, **filters), **form.page_marker()) if filters else ([], None, None)
    if form.carries_cases:
        # A plan liaison does not work the case's clocks, and a DMC-ODS clock's name would tell a plan
        # about substance use treatment that its Part 2 consent may not cover.
        now, language = timezone.now(), get_language()
        soonest = next_deadlines(case.pk for case in rows)
        for case in rows:
            due = soonest.get(case.pk)
            case.next_deadline = {"plain": rule_words(due.rule_code, language=language).plain, "overdue": due.due_at < now,
                                  "time_left": time_left(due.due_at, now=now, language=language)} if due else None
    if rows:
        _record_access(request, members={case.member_id for case in rows}, action="list",
                       records=[("cases.case", case.pk) for case in rows], part2=shows_part2(case.program for case in rows))
    kept = request.GET.copy()
    for marker in ("before", "after"):
        kept.pop(marker, None)
    context = {"form": form, "rows": rows, "newer": newer, "older": older, "querystring": kept.urlencode(),
               "show_deadlines": form.carries_cases}
    if request.htmx and request.htmx.target == "case-results":
        return render(request, "cases/_case_list_results.html", context)
    return render(request, "cases/case_list.html", context)


def _keyset_page(cases, *, before: int | None, after: int | None):
    """A page of ``cases`` (ordered newest first) starting at a marker, read on the primary key rather
    than by OFFSET, so a deep page costs what the first does; and the markers of the pages beside it
    (None where there is none)."""
    if after is not None:
        rows = list(cases.filter(pk__gt=after).order_by("pk")[:CASE_PAGE_SIZE + 1])
        has_newer, rows = len(rows) > CASE_PAGE_SIZE, rows[:CASE_PAGE_SIZE][::-1]
        has_older = bool(rows)  # the page this one was reached from
    else:
        rows = list((cases.filter(pk__lt=before) if before is not None else cases)[:CASE_PAGE_SIZE + 1])
        has_older, rows = len(rows) > CASE_PAGE_SIZE, rows[:CASE_PAGE_SIZE]
        has_newer = before is not None and bool(rows)
    return rows, rows[0].pk if has_newer else None, rows[-1].pk if has_older else None


# ------------------------------------------------------------- member search

def member_search(request):
    form = MemberSearchForm(request.GET or None)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    members = []
    if q:
        visible_cases = case_list_visible_to(user=request.user)  # built once: reading the cases listed to the user is a query
        members = list(search_members(user=request.user, q=q, limit=SEARCH_LIMIT, visible_cases=visible_cases)
                       .select_related("county")
                       .prefetch_related(Prefetch("cases", queryset=visible_cases.order_by("program"), to_attr="visible_cases")))
        if members:
            _record_access(request, members=members, action="list",
                           records=[("cases.member", m.pk) for m in members])
    context = {"form": form, "q": q, "members": members, "limit": SEARCH_LIMIT}
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "cases/_search_results.html", context)
    return render(request, "cases/member_search.html", context)


# ---------------------------------------------------------------- member page

def _section_blocks(sections, *, obj_name: str, obj, request) -> list[dict]:
    blocks = []
    for section in sections:
        extra = section.context(obj, request.user) if section.context else {}
        blocks.append({"key": section.key, "title": section.title, "template": section.template,
                       "context": {obj_name: obj, "user": request.user, "request": request, **(extra or {})}})
    return blocks


def member_detail(request, member_id: int):
    member = member_get_for_user(user=request.user, member_id=member_id)
    cases = list(
        case_list_visible_to(user=request.user).filter(member=member)
        .select_related("organization", "team", "primary_case_manager").order_by("status", "-referred_at")
    )
    care_team = list(
        CareTeamMember.objects.filter(case__in=cases, end_date__isnull=True)
        .select_related("user", "organization", "case").order_by("case_id", "role")
    )
    _record_access(request, members=[member], action="view", records=[("cases.member", member.pk)])
    sections = _section_blocks(member_sections(), obj_name="member", obj=member, request=request)
    context = {
        "member": member,
        "coverage": active_coverage(member=member),
        "coverages": list(member.coverages.select_related("plan")[:10]),
        "cases": cases,
        "care_team": care_team,
        "contacts": list(member.contacts.all()),
        "sections": sections,
        "consent_summary": _consent_summary_template(sections),
    }
    return render(request, "cases/member_detail.html", context)


def _consent_summary_template(sections) -> str | None:
    """The consents app's at-a-glance summary, when it has not registered a member section of its own."""
    if any(block["key"] == "consents" for block in sections):
        return None
    try:
        get_template(CONSENT_SUMMARY_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return CONSENT_SUMMARY_TEMPLATE


# ------------------------------------------------------------------ case page

def _case_context(request, case: Case, *, active: str = "") -> dict:
    now = timezone.now()
    deadlines = _deadline_rows(queue_values(case.deadlines.filter(status__in=Deadline.ACTIVE_STATUSES).order_by("due_at")),
                               now=now)
    sections = _section_blocks(case_sections(), obj_name="case", obj=case, request=request)
    tabs = [
        {"key": "timeline", "title": _("Timeline")},
        {"key": "care_team", "title": _("Care team")},
        {"key": "tasks", "title": _("Tasks")},
        {"key": "documents", "title": _("Documents")},
        *({"key": s["key"], "title": s["title"]} for s in sections),
    ]
    keys = {t["key"] for t in tabs}
    can_change = may_write_case_records(user=request.user, case=case)
    return {
        "case": case,
        "member": case.member,
        "deadlines": deadlines,
        "timeline": list(case.timeline.select_related("actor")[:TIMELINE_LIMIT]),
        "care_team": list(case.care_team.filter(end_date__isnull=True).select_related("user", "organization")),
        "tasks": list(case.tasks.select_related("owner").order_by("status", F("due_date").asc(nulls_last=True), "pk")),
        "documents": list(case.documents.select_related("uploaded_by")),
        "sections": sections,
        "tabs": tabs,
        "active": active if active in keys else "timeline",
        "can_change": can_change,
        "can_reassign": can_change and _can_reassign(request.user),
        # Pause and Resume are offered only when the case has a clock they apply to.
        "can_pause": can_change and _can_run_clocks(request.user) and case_clocks_to_pause(case).exists(),
        "can_resume": can_change and _can_run_clocks(request.user) and case_clocks_to_resume(case).exists(),
        "status_moves": can_change and bool(services.CASE_STATUS_MOVES[case.status]),
        "upload_form": DocumentUploadForm(prefix="doc"),
    }


def _can_reassign(user) -> bool:
    """Supervisors reassign (the role, or the permission its group carries)."""
    return user.role == User.Role.SUPERVISOR or user.has_perm("cases.reassign_case")


def case_detail(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    _record_access(request, members=[case.member_id], action="view", records=[("cases.case", case.pk)])
    context = _case_context(request, case, active=request.GET.get("tab", ""))
    return render(request, "cases/case_detail.html", context)


def _after_action(request, case: Case, *, message: str, section: str):
    """Success: htmx gets the refreshed case body in place; a plain POST is redirected."""
    messages.success(request, message)
    if request.htmx:
        case = case_get_for_user(user=request.user, case_id=case.pk)
        response = render(request, "cases/_case_body.html", {**_case_context(request, case, active=section), "oob_messages": True})
        response["HX-Retarget"] = "#case-body"
        response["HX-Reswap"] = "outerHTML"
        return response
    return redirect(f"{reverse('case_detail', args=[case.pk])}?tab={section}#section-{section}")


def _action_form(request, case: Case, *, form, template_title: str, action_url: str, submit: str, section: str,
                 panel: str):
    context = {"case": case, "member": case.member, "form": form, "title": template_title, "action_url": action_url,
               "submit": submit, "section": section, "panel": panel}
    if request.htmx:
        return render(request, "cases/_action_form.html", context)
    return render(request, "cases/case_action.html", context)


def _case_action(request, case_id: int, *, form_class, title: str, submit: str, section: str, url_name: str,
                 perform, panel: str = "", aliases=None, files=False, prefix=None):
    """GET shows the short form; POST validates it, calls the service, maps a RuleViolation onto its field."""
    case = case_get_for_user(user=request.user, case_id=case_id)
    require_case_change(user=request.user, case=case)
    panel = panel or section
    kwargs = {"prefix": prefix} if prefix else {}
    if form_class is not DocumentUploadForm:
        kwargs["case"] = case
    if request.method == "POST":
        form = form_class(request.POST, request.FILES if files else None, **kwargs)
        if form.is_valid():
            try:
                message = perform(case, form.cleaned_data)
            except RuleViolation as error:
                add_rule_violation(form, error, aliases=aliases)
            else:
                return _after_action(request, case, message=message, section=section)
        response = _action_form(request, case, form=form, template_title=title, submit=submit, section=section,
                                panel=panel, action_url=reverse(url_name, args=[case.pk]))
        if request.htmx:
            response["HX-Retarget"] = f"#action-panel-{panel}"
            response["HX-Reswap"] = "innerHTML"
        return response
    form = form_class(**kwargs)
    return _action_form(request, case, form=form, template_title=title, submit=submit, section=section, panel=panel,
                        action_url=reverse(url_name, args=[case.pk]))


def case_status(request, case_id: int):
    def perform(case, data):
        services.case_change_status(case=case, status=data["status"], reason=data["closed_reason"], actor=request.user)
        return _("The case is now %(status)s.") % {"status": Case.Status(data["status"]).label.lower()}

    return _case_action(request, case_id, form_class=CaseStatusForm, title=_("Change status"), submit=_("Change status"),
                        section="timeline", panel="header", url_name="case_status", perform=perform)


def care_team_add(request, case_id: int):
    def perform(case, data):
        membership = services.care_team_add(
            case=case, role=data["role"], user=data["user"], contact_name=data["contact_name"],
            contact_phone=data["contact_phone"], contact_email=data["contact_email"], actor=request.user,
        )
        return _("%(name)s joined the care team.") % {"name": membership.display_name}

    return _case_action(request, case_id, form_class=CareTeamAddForm, title=_("Add to the care team"),
                        submit=_("Add to the care team"), section="care_team", url_name="case_care_team_add",
                        perform=perform)


def task_add(request, case_id: int):
    def perform(case, data):
        task = services.task_add(case=case, title=data["title"], due_date=data["due_date"], owner=data["owner"],
                                 actor=request.user)
        return _("Task added: %(title)s") % {"title": task.title}

    return _case_action(request, case_id, form_class=TaskAddForm, title=_("Add a task"), submit=_("Add task"),
                        section="tasks", url_name="case_task_add", perform=perform)


def case_reassign(request, case_id: int):
    if not _can_reassign(request.user):
        return HttpResponse(_("Only supervisors can reassign cases."), status=403)

    def perform(case, data):
        services.case_reassign(case=case, new_manager=data["new_manager"], actor=request.user)
        return _("The case was reassigned.")

    return _case_action(request, case_id, form_class=ReassignForm, title=_("Reassign the case"), submit=_("Reassign"),
                        section="care_team", panel="header", url_name="case_reassign", perform=perform)


def _can_run_clocks(user) -> bool:
    """The program's own staff pause and resume its clocks; plan liaisons and administrators do not."""
    return user.role in (User.Role.CASE_MANAGER, User.Role.SUPERVISOR, User.Role.MEDICAL_CONSULTANT)


def case_clock_pause(request, case_id: int):
    if not _can_run_clocks(request.user):
        return HttpResponse(_("Only the program's staff can pause its clocks."), status=403)

    def perform(case, data):
        deadline = deadline_pause(deadline=data["deadline"], reason=data["reason"], by=request.user)
        return _("%(clock)s is paused.") % {"clock": deadline.rule.title}

    return _case_action(request, case_id, form_class=ClockPauseForm, title=_("Pause a clock"), submit=_("Pause"),
                        section="timeline", panel="header", url_name="case_clock_pause", perform=perform)


def case_clock_resume(request, case_id: int):
    if not _can_run_clocks(request.user):
        return HttpResponse(_("Only the program's staff can resume its clocks."), status=403)

    def perform(case, data):
        deadline = deadline_resume(deadline=data["deadline"], by=request.user)
        return _("%(clock)s runs again, now due %(due)s.") % {
            "clock": deadline.rule.title, "due": f"{timezone.localtime(deadline.due_at):%Y-%m-%d %H:%M}"}

    return _case_action(request, case_id, form_class=ClockResumeForm, title=_("Resume a clock"), submit=_("Resume"),
                        section="timeline", panel="header", url_name="case_clock_resume", perform=perform)


def document_add(request, case_id: int):
    def perform(case, data):
        document = document_upload(uploaded_file=data["file"], kind=data["kind"], title=data["title"], case=case,
                                   uploaded_by=request.user)
        return _("Document attached: %(title)s") % {"title": document.title}

    return _case_action(request, case_id, form_class=DocumentUploadForm, title=_("Attach a document"),
                        submit=_("Upload"), section="documents", url_name="case_document_add", perform=perform,
                        files=True, prefix="doc")


@require_POST
def task_done(request, case_id: int, task_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    require_case_change(user=request.user, case=case)
    task = get_object_or_404(Task, pk=task_id, case=case)
    try:
        services.task_complete(task=task, actor=request.user)
    except RuleViolation as error:
        messages.error(request, error.message)
        return _after_action_error(request, case)
    return _after_action(request, case, message=_("Task done: %(title)s") % {"title": task.title}, section="tasks")


def _after_action_error(request, case):
    if request.htmx:
        response = render(request, "cases/_case_body.html",
                          {**_case_context(request, case, active="tasks"), "oob_messages": True})
        response["HX-Retarget"] = "#case-body"
        response["HX-Reswap"] = "outerHTML"
        return response
    return redirect(f"{reverse('case_detail', args=[case.pk])}?tab=tasks#section-tasks")


def document_download(request, document_id: int):
    """Stream a document after the access check; never a public URL."""
    document = document_get_for_user(user=request.user, document_id=document_id)
    if document.member_id:
        _record_access(request, members=[document.member_id], action="download",
                       records=[("cases.document", document.pk)])
    response = FileResponse(document.file.open("rb"), content_type=document.content_type, as_attachment=True,
                            filename=document.original_name)
    response["Cache-Control"] = "private, no-store"
    return response

