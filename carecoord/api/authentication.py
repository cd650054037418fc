"""Token authentication for plan liaisons. Tokens are stored as SHA-256 digests only."""
from django.utils import timezone
from rest_framework import authentication, exceptions

from carecoord.accounts.models import ApiToken
from carecoord.accounts.services import token_digest


class HashedTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() not in (b"bearer", b"token"):
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer <token>'.")
        return self.authenticate_credentials(header[1].decode(errors="replace"))

    def authenticate_credentials(self, key):
        try:
            # By its unique digest: get(), not first(), whose ordering by id was most of this query's compiling.
            token = ApiToken.objects.select_related("user", "user__organization").get(digest=token_digest(key))
        except ApiToken.DoesNotExist:
            token = None
        if token is None or token.revoked_at is not None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        # Throttled to one write a minute per token: last-use is for the admin's eyes.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
