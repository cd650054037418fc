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
from django.core.cache import cache
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


# A user's model permissions (their own and their groups'), kept in the cache that the web processes share,
# stamped with the version of the permission tables that was current when they were read. Any change to who
# has which permission raises the version (``permissions_changed``), so no process reads a set older than
# the change; the time limit frees the sets of people who stopped signing in. Only with a cache shared by the
# processes (Redis): a per-process memory cache would not see another process's change.
PERMISSIONS_VERSION_KEY = "auth:permissions-version"
PERMISSIONS_SECONDS = 600


def _permissions_key(user) -> str:
    # The account's creation time as well as its id: a database rebuilt under a long-lived cache (a test
    # run, a restored copy) gives the same ids to other people.
    return f"auth:permissions:{user.pk}:{user.date_joined.timestamp()}"


def _first_version() -> int:
    """A version for a cache without one (new, or the key lost): the time in ms, later than any version a
    set could carry from before (versions count up by one a change from the time they were first set)."""
    cache.add(PERMISSIONS_VERSION_KEY, int(timezone.now().timestamp() * 1000), None)
    return cache.get(PERMISSIONS_VERSION_KEY)


def permissions_changed(**kwargs) -> None:
    """Receiver of every change to the permission tables: the cached permission sets are stale."""
    try:
        cache.incr(PERMISSIONS_VERSION_KEY)
    except ValueError:  # no version yet: a first one is newer than any set's
        _first_version()


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

    def get_all_permissions(self, user_obj, obj=None):
        """ModelBackend's, from the shared cache while no permission has changed (see ``permissions_changed``):
        every page's menu asks whether the user may see the dashboards, and reading the user's and their
        groups' permissions took two queries and some 2 ms of each page."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache") and settings.CACHE_SHARED_BY_PROCESSES:
            key = _permissions_key(user_obj)
            found = cache.get_many([PERMISSIONS_VERSION_KEY, key])
            version = found.get(PERMISSIONS_VERSION_KEY) or _first_version()
            stamped = found.get(key)
            if stamped is not None and stamped[0] == version:
                user_obj._perm_cache = stamped[1]
            else:
                user_obj._perm_cache = super().get_all_permissions(user_obj)
                cache.set(key, (version, user_obj._perm_cache), PERMISSIONS_SECONDS)
        return super().get_all_permissions(user_obj)  # the request's own copy, or read now

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username and lockout_remaining(username=username, ip=client_ip(request)):
            raise PermissionDenied("locked out")
        return super().authenticate(request, username=username, password=password, **kwargs)
