"""Login throttling: after ``LOGIN_FAILURE_LIMIT`` failed sign-ins for one username from one
IP address within ``LOGIN_LOCKOUT_MINUTES``, that pair is locked out until that many minutes
after the last failure.

Failures are counted from the audit trail itself (every failure is an ``AccessEvent``), so
the lockout holds across web processes and restarts without a shared cache, and a
successful sign-in of the account from that address starts the count afresh.
"""
from __future__ import annotations

from collections.abc import Callable
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


# Two reads of every request are kept in the cache that the web processes share (Redis), each stamped with a
# version that every change to what it holds raises: a user's model permissions (their own and their groups';
# one version for all the permission tables) and the signed-in user with their organization (a version per
# user). A process that finds a copy stamped with an older version reads it anew, so none sees a copy older
# than a change, even one stored by a request that read it just before the change. The time limits free the
# copies of people who stopped signing in. The two are read in one round trip when the user signs in a request
# (``get_user``). Only with a cache shared by the processes: a per-process memory cache would not see another
# process's change.
PERMISSIONS_VERSION_KEY = "auth:permissions-version"
PERMISSIONS_SECONDS = 600
USER_SECONDS = 600


def _whose(user_id) -> str:
    # The database's name as well as the id: data sets loaded side by side (the scale benchmark's) give the same
    # ids to other people.
    return f"{settings.DATABASES['default']['NAME']}:{user_id}"


def _permissions_key(user_id) -> str:
    return f"auth:permissions:{_whose(user_id)}"


def _user_keys(user_id) -> tuple[str, str]:
    """The cached user's key and their version's."""
    return f"auth:user:{_whose(user_id)}", f"auth:user-version:{_whose(user_id)}"


def _first_version(version_key: str) -> int:
    """A version for a cache without one (new, or the key lost): the time in ms, later than any version a
    copy could carry from before (versions count up by one a change from the time they were first set)."""
    cache.add(version_key, int(timezone.now().timestamp() * 1000), None)
    return cache.get(version_key)


def _raise_version(version_key: str) -> None:
    try:
        cache.incr(version_key)
    except ValueError:  # no version yet: a first one is newer than any copy's
        _first_version(version_key)


def _read_through(key: str, version_key: str, read: Callable[[], object], seconds: int, *, owner=None,
                  found: dict | None = None):
    """What ``read()`` returns, from the cache while the version it was stored under is current (and it was
    stored for ``owner``, when one is given). The version is read before ``read()`` runs, so a change during
    it leaves the copy stale, not current. ``found``: the two keys, already read with others."""
    if found is None:
        found = cache.get_many([version_key, key])
    stamp = (found.get(version_key) or _first_version(version_key), owner)
    stamped = found.get(key)
    if stamped is not None and stamped[0] == stamp:
        return stamped[1]
    value = read()
    cache.set(key, (stamp, value), seconds)
    return value


def permissions_changed(**kwargs) -> None:
    """Receiver of every change to the permission tables: the cached permission sets are stale."""
    _raise_version(PERMISSIONS_VERSION_KEY)


def user_changed(sender, instance, **kwargs) -> None:
    """Receiver of a saved or deleted user, and of a saved organization (its users hold it)."""
    if not settings.CACHE_SHARED_BY_PROCESSES:
        return
    if isinstance(instance, get_user_model()):
        user_ids = [instance.pk]
    else:
        user_ids = get_user_model()._default_manager.filter(organization=instance).values_list("pk", flat=True)
    for user_id in user_ids:
        _raise_version(_user_keys(user_id)[1])


class ThrottledModelBackend(ModelBackend):
    """The model backend, refusing a locked-out username+IP before checking the password
    (covers every login form, the admin's included). A refused attempt counts as a failure."""

    def get_user(self, user_id):
        """The signed-in user of a request, with their organization (every page's menu and most scopes name
        it, which was one more query a page when read after the user); from the shared cache while neither
        has changed (see ``user_changed``): reading them took a millisecond of every request."""
        def read():
            return get_user_model()._default_manager.select_related("organization").filter(pk=user_id).first()

        if not settings.CACHE_SHARED_BY_PROCESSES:
            user = read()
        else:
            # With their permissions, in the same round trip: every page's menu asks for them.
            user_key, version_key = _user_keys(user_id)
            found = cache.get_many([version_key, user_key, PERMISSIONS_VERSION_KEY, _permissions_key(user_id)])
            user = _read_through(user_key, version_key, read, USER_SECONDS, found=found)
            if user is not None:
                user._permissions_found = found
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        """ModelBackend's, from the shared cache while no permission has changed (see ``permissions_changed``):
        every page's menu asks whether the user may see the dashboards, and reading the user's and their
        groups' permissions took two queries and some 2 ms of each page."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache") and settings.CACHE_SHARED_BY_PROCESSES:
            # Owned by the account's creation time too: a database rebuilt under a long-lived cache (a test run, a
            # restored copy) gives the same ids to other people.
            user_obj._perm_cache = _read_through(_permissions_key(user_obj.pk), PERMISSIONS_VERSION_KEY,
                                                 lambda: super(ThrottledModelBackend, self).get_all_permissions(user_obj),
                                                 PERMISSIONS_SECONDS, owner=user_obj.date_joined.timestamp(),
                                                 found=getattr(user_obj, "_permissions_found", None))
        return super().get_all_permissions(user_obj)  # the request's own copy, or read now

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username and lockout_remaining(username=username, ip=client_ip(request)):
            raise PermissionDenied("locked out")
        return super().authenticate(request, username=username, password=password, **kwargs)
