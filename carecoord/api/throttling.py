"""Throttle per API token (per user for browser sessions).

With the production cache (Redis, shared by every server process) the count is a sliding window
kept in Redis itself: each call is counted and added to a sorted set by one script, which Redis runs alone,
so calls arriving together in several processes are each counted (DRF's own throttle reads the
list of calls and writes it back, and two processes doing so at once lose one of the two calls).
A refused call is not added: only the calls answered count against the limit, as in DRF.
Any other cache (one process: development, tests) keeps DRF's count.
"""
from django.core.cache import cache, caches
from rest_framework.throttling import SimpleRateThrottle

from carecoord.cache import RedisCache


class PerTokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view):
        if request.auth is not None and hasattr(request.auth, "pk"):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.key_for(ident)

    @classmethod
    def key_for(cls, ident: str) -> str:
        return cls.cache_format % {"scope": cls.scope, "ident": ident}

    @classmethod
    def forget_user(cls, user) -> None:
        """Start a signed-in user's count afresh. The count lives in the shared cache for a minute,
        so back-to-back benchmark runs, which call far faster than a person, would otherwise be
        refused for the calls of the run before."""
        cache.delete(cls.key_for(f"user-{user.pk}"))

    def allow_request(self, request, view):
        backend = caches["default"]
        if not isinstance(backend, RedisCache):
            return super().allow_request(request, view)
        self.retry_after = None
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        oldest = backend.count_in_window(self.key, now=self.now, seconds=self.duration, limit=self.num_requests)
        if oldest is None:
            return True
        self.retry_after = self.duration - (self.now - oldest)
        return False

    def wait(self):
        retry_after = getattr(self, "retry_after", None)
        return super().wait() if retry_after is None else retry_after
