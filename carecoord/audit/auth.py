"""Login throttling: after ``LOGIN_FAILURE_LIMIT`` failed sign-ins for one username from one
IP address within ``LOGIN_LOCKOUT_MINUTES``, that pair is locked out until that many minutes
after the last failure.

Failures are counted from the audit trail itself (every failure is an ``AccessEvent``), so
the lockout holds across web processes and restarts without a shared cache, and a
successful sign-in of the account from that address starts the count afresh.
"""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from .access import client_ip
from .models import AccessEvent


def failure_limit() -> int:
    return int(settings.CARECOORD.get("LOGIN_FAILURE_LIMIT", 5))


def lockout_minutes() -> int:
    return int(settings.CARECOORD.get("LOGIN_LOCKOUT_MINUTES", 15))


def lockout_remaining(*, username: str, ip: str, now=None) -> timedelta | None:
    """How long ``username`` stays locked out from ``ip``; None when sign-in may be tried."""
    if not username:
        return None
    now = now or timezone.now()
    window = timedelta(minutes=lockout_minutes())
    since = now - window
    last_success = (
        AccessEvent.objects.filter(action=AccessEvent.Action.LOGIN, username=username, ip_address=ip,
                                   occurred_at__gte=since)
        .order_by("-occurred_at").values_list("occurred_at", flat=True).first()
    )
    failures = list(
        AccessEvent.objects.filter(
            action=AccessEvent.Action.LOGIN_FAILED, username=username, ip_address=ip,
            occurred_at__gte=max(since, last_success) if last_success else since,
        ).order_by("-occurred_at").values_list("occurred_at", flat=True)[: failure_limit()]
    )
    if len(failures) < failure_limit():
        return None
    remaining = failures[0] + window - now
    return remaining if remaining > timedelta(0) else None


class ThrottledModelBackend(ModelBackend):
    """The model backend, refusing a locked-out username+IP before checking the password
    (covers every login form, the admin's included). A refused attempt counts as a failure."""

    def get_user(self, user_id):
        """The signed-in user of a request, with their organization: every page's menu and most scopes
        name it, which was one more query a page when read after the user."""
        try:
            user = get_user_model()._default_manager.select_related("organization").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username and lockout_remaining(username=username, ip=client_ip(request)):
            raise PermissionDenied("locked out")
        return super().authenticate(request, username=username, password=password, **kwargs)
