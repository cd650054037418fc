"""Pages of the audit app: sign-in (throttled, with the optional second step), two-factor
setup, break-glass requests, and the access reports for supervisors and administrators."""
from __future__ import annotations

import time
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from carecoord.accounts.models import User
from carecoord.errors import RuleViolation
from cases.models import Case

from . import services, totp
from .access import client_ip, record_access
from .auth import lockout_remaining
from .forms import BreakGlassForm, CodeForm, DateRangeForm, ReportLookupForm, ThrottledAuthenticationForm
from .models import AccessEvent, BreakGlassGrant, TwoFactorDevice
from .reports import may_review, member_access_report, reviewable_members, reviewable_users, user_access_report

PENDING_KEY = "audit_two_factor_pending"
PENDING_SECONDS = 300
SETUP_SECRET_KEY = "audit_two_factor_secret"


# ---------------------------------------------------------------- sign-in

class LoginView(auth_views.LoginView):
    """Django's login, throttled; users with an authenticator confirm a code before the session starts."""

    form_class = ThrottledAuthenticationForm

    def form_valid(self, form):
        user = form.get_user()
        if not TwoFactorDevice.objects.filter(user=user).exists():
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user_id": user.pk, "backend": user.backend, "at": time.time(), "next": self.get_success_url(),
        }
        return redirect("login_totp")


def _pending_user(request):
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, None
    user = get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()
    return user, pending


@require_http_methods(["GET", "POST"])
def login_totp(request):
    """Second sign-in step: the code from the authenticator app. Wrong codes count as failed sign-ins."""
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        remaining = lockout_remaining(username=user.get_username(), ip=client_ip(request))
        device = TwoFactorDevice.objects.filter(user=user).first()
        if remaining:
            record_access(request, action="locked_out", username=user.get_username())
            form.add_error(None, _("Too many failed sign-ins. Try again later."))
        elif device is not None and services.two_factor_verify(device=device, code=form.cleaned_data["code"]):
            request.session.pop(PENDING_KEY, None)
            auth_login(request, user, backend=pending["backend"])
            target = pending.get("next") or reverse("home")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
                target = reverse("home")
            return redirect(target)
        else:
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
            form.add_error("code", _("That code does not match."))
    return render(request, "registration/login_totp.html", {"form": form})


@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Supervisors and administrators may add an authenticator app (the secret is shown as text)."""
    user = request.user
    if user.role not in services.TWO_FACTOR_ROLES and not user.is_superuser:
        raise PermissionDenied
    device = TwoFactorDevice.objects.filter(user=user).first()
    form = CodeForm(request.POST or None)
    secret = None
    if device is None:
        secret = request.session.get(SETUP_SECRET_KEY) or totp.new_secret()
        request.session[SETUP_SECRET_KEY] = secret
    if request.method == "POST" and form.is_valid():
        try:
            if device is None:
                services.two_factor_enable(user=user, secret=secret, code=form.cleaned_data["code"])
                request.session.pop(SETUP_SECRET_KEY, None)
                messages.success(request, _("Two-factor sign-in is on. You will be asked for a code when you sign in."))
            else:
                services.two_factor_disable(user=user, code=form.cleaned_data["code"])
                messages.success(request, _("Two-factor sign-in is off."))
            return redirect("two_factor_setup")
        except RuleViolation as error:
            form.add_error("code" if error.field == "code" else None, error.message)
    context = {"device": device, "form": form}
    if secret:
        context["secret_groups"] = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
        context["uri"] = totp.provisioning_uri(secret, account=user.get_username())
    return render(request, "registration/two_factor_setup.html", context)


# ---------------------------------------------------------------- break-glass

def _case_reference_from_path(path: str) -> str:
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    return str(match.kwargs.get("case_id", "")) if match.url_name else ""


def _find_case(reference: str) -> Case | None:
    reference = reference.strip()
    case = Case.objects.filter(case_number=reference).exclude(case_number="").first()
    if case is None and reference.isdigit():
        case = Case.objects.filter(pk=int(reference)).first()
    return case


@require_http_methods(["GET", "POST"])
def break_glass_request(request):
    """A case manager opens a case outside their scope for a limited time by giving a reason."""
    if request.user.role != User.Role.CASE_MANAGER:
        raise PermissionDenied
    initial = {"case_reference": request.GET.get("case") or _case_reference_from_path(request.GET.get("next", ""))}
    form = BreakGlassForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        case = _find_case(form.cleaned_data["case_reference"])
        if case is None:
            form.add_error("case_reference", _("No case has that number."))
        else:
            try:
                grant = services.break_glass_grant(user=request.user, case=case, reason=form.cleaned_data["reason"])
            except RuleViolation as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.warning(request, _("Emergency access granted until %(until)s. Your supervisor has been told.")
                                 % {"until": timezone.localtime(grant.expires_at).strftime("%H:%M")})
                return redirect("case_detail", case_id=case.pk)
    grants = BreakGlassGrant.objects.filter(user=request.user).select_related("case")[:10]
    return render(request, "audit/break_glass.html", {"form": form, "grants": grants, "now": timezone.now(),
                                                      "hours": services.break_glass_hours()})


# ---------------------------------------------------------------- reports

def _reviewer(request):
    if not may_review(request.user):
        raise PermissionDenied
    return request.user


@require_http_methods(["GET"])
def audit_index(request):
    viewer = _reviewer(request)
    lookup = ReportLookupForm(request.GET or None)
    if request.GET and lookup.is_valid():
        if lookup.cleaned_data["member"]:
            return redirect("audit_member_access", member_id=lookup.cleaned_data["member"])
        if lookup.cleaned_data["user"]:
            subject = reviewable_users(viewer).filter(username=lookup.cleaned_data["user"]).first()
            if subject:
                return redirect("audit_user_access", user_id=subject.pk)
            lookup.add_error("user", _("No such user among those you may review."))
    users = reviewable_users(viewer)
    since = timezone.now() - timedelta(days=30)
    grants = (BreakGlassGrant.objects.filter(user__in=users, granted_at__gte=since)
              .select_related("user", "case").order_by("-granted_at")[:50])
    failures = (AccessEvent.objects.filter(action__in=["login_failed", "locked_out"], occurred_at__gte=since)
                .filter(Q(user__in=users) | Q(username__in=users.values("username")))
                .order_by("-occurred_at")[:20])
    return render(request, "audit/index.html", {
        "lookup": lookup, "users": users.order_by("last_name", "first_name", "username")[:200],
        "grants": grants, "failures": failures, "now": timezone.now(),
    })


@require_http_methods(["GET"])
def audit_member_access(request, member_id: int):
    viewer = _reviewer(request)
    member = get_object_or_404(reviewable_members(viewer), pk=member_id)
    form = DateRangeForm(request.GET or None)
    start, end, start_date, end_date = form.range()
    report = member_access_report(member=member, start=start, end=end)
    record_access(request, members=[member], action="view", records=[("cases.member", member.pk)],
                  detail={"report": "member_access"})
    return render(request, "audit/member_access.html", {
        "form": form, "report": report, "member": member, "start_date": start_date, "end_date": end_date,
    })


@require_http_methods(["GET"])
def audit_user_access(request, user_id: int):
    viewer = _reviewer(request)
    subject = get_object_or_404(reviewable_users(viewer), pk=user_id)
    form = DateRangeForm(request.GET or None)
    start, end, start_date, end_date = form.range()
    report = user_access_report(subject=subject, start=start, end=end, viewer=viewer)
    named = [read.member_id for read in report.members if read.name]
    if named:
        record_access(request, members=named, action="list", detail={"report": "user_access", "subject": subject.pk})
    return render(request, "audit/user_access.html", {
        "form": form, "report": report, "subject": subject, "start_date": start_date, "end_date": end_date,
    })
