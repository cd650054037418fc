"""Throttle per API token (per user for browser sessions).

With the production cache (Redis, shared by every server process) the count is a sliding window
kept in Redis itself: each call is added to a sorted set and the set counted in one transaction,
so calls arriving together in several processes are each counted (DRF's own throttle reads the
list of calls and writes it back, and two processes doing so at once lose one of the two calls).
A refused call is taken out again: only the calls answered count against the limit, as in DRF.
Any other cache (one process: development, tests) keeps DRF's count.
"""
import math
import uuid

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
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        key = backend.make_and_validate_key(self.key)
        call = f"{self.now!r}:{uuid.uuid4().hex}"
        client = backend._cache.get_client(key, write=True)
        with client.pipeline(transaction=True) as transaction:
            transaction.zremrangebyscore(key, "-inf", self.now - self.duration)
            transaction.zadd(key, {call: self.now})
            transaction.zcard(key)
            transaction.expire(key, math.ceil(self.duration))
            counted = transaction.execute()[2]
        if counted <= self.num_requests:
            return True
        with client.pipeline(transaction=True) as transaction:
            transaction.zrem(key, call)
            transaction.zrange(key, 0, 0, withscores=True)
            oldest = transaction.execute()[1]
        # The caller may call again when the oldest counted call leaves the window.
        self.history = [oldest[0][1]] if oldest else []
        return False

    def wait(self):
        if not isinstance(caches["default"], RedisCache):
            return super().wait()
        return self.duration - (self.now - self.history[0]) if self.history else self.duration
