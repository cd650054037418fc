"""Test settings: the same code paths as production against the services CI provides.

DATABASE_URL and CELERY_BROKER_URL come from the environment (PostgreSQL and Redis
in CI); without them the suite still runs on SQLite for a quick local check, and
tests that need PostgreSQL or Redis skip themselves with the reason.
"""
from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 30}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests serve static files from the finders; there is no collectstatic output to serve.
STATIC_ROOT = None
# The webhook tests run a real HTTPS receiver on this machine; production refuses private hosts.
CARECOORD = {**CARECOORD, "WEBHOOK_ALLOW_PRIVATE_HOSTS": True}  # noqa: F405
