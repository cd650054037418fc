"""Referral pages: the intake queue of a program, one referral with its loop, an outbound referral from a case."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from carecoord.accounts.models import User
from carecoord.audit.access import record_access
from carecoord.errors import RuleViolation
from cases.selectors import case_get_for_user, is_program_staff, may_write_case_records, require_case_change

from . import services
from .forms import OutboundReferralForm, StepForm
from .models import Referral
from .selectors import intake_queue_for, referral_get_for_user


def _may_revoke(user) -> bool:
    return user.role in (User.Role.SUPERVISOR, User.Role.ADMINISTRATOR) or user.is_superuser


def queue(request):
    """Inbound referrals to the user's program still being worked (duplicates flagged)."""
    show = request.GET.get("show", "open")
    referrals = intake_queue_for(user=request.user, include_closed=show == "all")
    if show == "duplicates":
        referrals = referrals.filter(possible_duplicate=True)
    page = Paginator(referrals, 50).get_page(request.GET.get("page"))
    record_access(request, members=[r.member_id for r in page], action="list", records=[("referrals.referral", r.pk) for r in page])
    return render(request, "referrals/queue.html", {"page": page, "show": show})


def detail(request, referral_id: int):
    referral = referral_get_for_user(user=request.user, referral_id=referral_id)
    # A referral on a case moves with the case: only program staff who may change the case act on it.
    may_act = (may_write_case_records(user=request.user, case=referral.case) if referral.case_id
               else is_program_staff(request.user))
    form = StepForm(request.POST or None, referral=referral, may_revoke=_may_revoke(request.user)) if may_act and referral.is_open else None
    if request.method == "POST":
        if form is None:
            if referral.case_id:
                require_case_change(user=request.user, case=referral.case)  # refuses with the reason
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                if d["to_status"] == Referral.Status.SCHEDULED and d["appointment_at"]:
                    services.referral_schedule(referral=referral, appointment_at=d["appointment_at"], actor=request.user, note=d["note"])
                else:
                    services.referral_transition(referral=referral, to_status=d["to_status"], actor=request.user,
                                                 note=d["note"], outcome=d["outcome"])
            except RuleViolation as exc:
                form.add_error(exc.field if exc.field in form.fields else ("to_status" if exc.field == "status" else None), exc.message)
            else:
                messages.success(request, _("Referral updated."))
                return redirect("referrals:detail", referral.pk)
    record_access(request, members=[referral.member_id], action="view", records=[("referrals.referral", referral.pk)])
    events = referral.events.select_related("by")
    return render(request, "referrals/detail.html", {"referral": referral, "events": events, "form": form,
                                                     "documents": referral.documents.all()})


def outbound_new(request, case_id: int):
    case = case_get_for_user(user=request.user, case_id=case_id)
    if not is_program_staff(request.user):
        raise PermissionDenied
    require_case_change(user=request.user, case=case)
    form = OutboundReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_create_outbound(case=case, actor=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Referral started: check consent, then send it."))
            return redirect("referrals:detail", referral.pk)
    record_access(request, members=[case.member_id], action="view", records=[("cases.case", case.pk)])
    context = {"case": case, "member": case.member, "form": form, "title": _("Refer to a service"), "submit": _("Start referral"),
               "section": "referrals", "panel": "referrals", "action_url": reverse("referrals:outbound_new", args=[case.pk])}
    return render(request, "cases/case_action.html", context, status=400 if request.method == "POST" else 200)
