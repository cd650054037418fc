"""Cross-cutting request middleware: login everywhere, and the Content Security Policy."""
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import resolve

# Routes reachable without a session: the login page, static files, the API
# (it authenticates with tokens itself) and the health check for load balancers.
PUBLIC_URL_NAMES = {"login", "healthz", "set_language"}
PUBLIC_PATH_PREFIXES = ("/static/", "/api/")


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
        # The self-hosted API docs (Swagger UI) bootstrap with one inline script.
        if not request.path.startswith("/api/docs"):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
