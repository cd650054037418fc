"""Writes of the audit app: break-glass grants and two-factor devices. Access events are
written by ``access.record_access`` only."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoord.accounts.models import User
from carecoord.errors import RuleViolation

from . import totp
from .access import record_access
from .models import BreakGlassGrant, TwoFactorDevice

BREAK_GLASS_MIN_REASON = 15
TWO_FACTOR_ROLES = (User.Role.SUPERVISOR, User.Role.ADMINISTRATOR)


def break_glass_hours() -> int:
    return int(settings.CARECOORD.get("BREAK_GLASS_HOURS", 4))


def break_glass_supervisors(user) -> list:
    """Who is told: the user's team supervisor, else every active supervisor of the organization."""
    if user.team_id and user.team.supervisor_id and user.team.supervisor.is_active:
        return [user.team.supervisor]
    if not user.organization_id:
        return []
    return list(User.objects.filter(organization_id=user.organization_id, role=User.Role.SUPERVISOR, is_active=True))


def break_glass_grant(*, user, case, reason: str, now=None) -> BreakGlassGrant:
    """Open ``case`` to a case manager for a limited time, with a reason; audited and
    reported to the supervisor."""
    from carecoord.clocks.services import notification_create
    from cases.selectors import case_list_visible_to
    from cases.timeline import timeline_record

    reason = (reason or "").strip()
    if user.role != User.Role.CASE_MANAGER or not user.is_active:
        raise RuleViolation(_("Only case managers may request emergency access."), field=None,
                            rule="break_glass.role")
    if len(reason) < BREAK_GLASS_MIN_REASON:
        raise RuleViolation(
            _("Give the reason for emergency access (at least %(n)d characters).") % {"n": BREAK_GLASS_MIN_REASON},
            field="reason", rule="break_glass.reason",
        )
    if case_list_visible_to(user=user).filter(pk=case.pk).exists():
        raise RuleViolation(_("You can already open this case."), field=None, rule="break_glass.not_needed")
    now = now or timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=user, case=case, reason=reason, granted_at=now, expires_at=now + timedelta(hours=break_glass_hours())
        )
        timeline_record(case=case, kind="break_glass", actor=user, at=now,
                        summary=_("Emergency access by %(user)s until %(until)s: %(reason)s") % {
                            "user": str(user),
                            "until": timezone.localtime(grant.expires_at).strftime("%Y-%m-%d %H:%M"),
                            "reason": reason},
                        data={"grant": grant.pk})
        for supervisor in break_glass_supervisors(user):
            notification_create(
                key=f"break_glass:{grant.pk}:{supervisor.pk}", user=supervisor, kind="info",
                message=_("%(user)s used emergency access to case %(case)s: %(reason)s") % {
                    "user": str(user), "case": case.case_number or case.pk,
                    "reason": reason},
                url=reverse("audit_user_access", args=[user.pk]),
            )
    record_access(None, user=user, action="break_glass", members=[case.member_id],
                  records=[("cases.case", case.pk), ("audit.breakglassgrant", grant.pk)],
                  detail={"reason": reason, "expires_at": grant.expires_at.isoformat()})
    return grant


def two_factor_enable(*, user, secret: str, code: str) -> TwoFactorDevice:
    if user.role not in TWO_FACTOR_ROLES and not user.is_superuser:
        raise RuleViolation(_("Two-factor sign-in is offered to supervisors and administrators."), field=None,
                            rule="two_factor.role")
    step = totp.matching_step(secret, code)
    if step is None:
        raise RuleViolation(_("That code does not match; check the time on your phone and try again."),
                            field="code", rule="two_factor.code")
    with transaction.atomic():
        device, _created = TwoFactorDevice.objects.update_or_create(
            user=user, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_step": step}
        )
    record_access(None, user=user, action="two_factor", detail={"change": "enabled"})
    return device


def two_factor_verify(*, device: TwoFactorDevice, code: str) -> bool:
    """Accept a code once: the step is remembered so the same code cannot be replayed."""
    with transaction.atomic():
        locked = TwoFactorDevice.objects.select_for_update().get(pk=device.pk)
        step = totp.matching_step(locked.secret, code, after_step=locked.last_step)
        if step is None:
            return False
        TwoFactorDevice.objects.filter(pk=locked.pk).update(last_step=step)
    return True


def two_factor_disable(*, user, code: str) -> None:
    device = TwoFactorDevice.objects.filter(user=user).first()
    if device is None:
        return
    if not two_factor_verify(device=device, code=code):
        raise RuleViolation(_("That code does not match."), field="code", rule="two_factor.code")
    device.delete()
    record_access(None, user=user, action="two_factor", detail={"change": "disabled"})
