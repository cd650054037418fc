"""Cross-cutting request middleware: login everywhere, the Content Security Policy, the access audit."""
import logging
import time

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.urls import resolve

logger = logging.getLogger(__name__)

# Routes reachable without a session: the login page (and its second step), static files, the API
# (it authenticates with tokens itself) and the health check for load balancers.
PUBLIC_URL_NAMES = {"login", "login_totp", "healthz", "set_language"}
PUBLIC_PATH_PREFIXES = ("/static/", "/api/")


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with ``request.user`` the user itself rather than a lazy proxy of them. Every request
    reads the user at once anyway (``LoginRequiredMiddleware`` asks whether they are signed in), and
    each of the hundred and more reads of ``request.user`` in a request went through the proxy's two
    Python calls."""

    def process_request(self, request):
        super().process_request(request)
        request.user = auth_middleware.get_user(request)


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not self._is_public(request):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)

    @staticmethod
    def _is_public(request) -> bool:
        if request.path.startswith(PUBLIC_PATH_PREFIXES):
            return True
        try:
            match = resolve(request.path_info)
        except Exception:  # unknown URL: let Django answer 404 after login
            return False
        return match.url_name in PUBLIC_URL_NAMES


class IdleSessionMiddleware:
    """The idle timeout (``SESSION_COOKIE_AGE``) counted from the last use, with one session write
    a minute instead of one per request: a signed-in session is marked changed, and so saved with
    a new expiry, only when it was last saved ``SESSION_REFRESH_SECONDS`` ago or more. A session
    therefore ends between ``SESSION_COOKIE_AGE - SESSION_REFRESH_SECONDS`` and
    ``SESSION_COOKIE_AGE`` after its last use. Listed after SessionMiddleware, so it runs first
    on the way out."""

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now
        return response


# No inline scripts anywhere: every script is a static file of our own.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No exemptions: the API docs page loads its start-up script as a file too (carecoord/api/docs.py).
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class AuditMiddleware:
    """Collects the request's access events and writes them once the response is produced
    (see carecoord/audit/access.py). No audit row, no data: a failed write answers 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import HttpResponse

        from carecoord.audit import access

        token = access.begin_request(request)
        try:
            response = self.get_response(request)
        finally:
            pending = request._audit_pending
        try:
            access.end_request(request, token)
        except Exception:
            logger.exception("audit write failed; response withheld (%d events)", len(pending or ()))
            return HttpResponse("The audit log is unavailable; try again.", status=503, content_type="text/plain")
        response["X-Request-ID"] = request.audit_request_id
        return response
