"""Throttle per API token (per user for browser sessions)."""
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle


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
