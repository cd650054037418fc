"""Settings shared by every environment, read from the environment (12-factor).

The defaults are for trying the app on a laptop with nothing installed: a SQLite
file and kombu's filesystem broker under ``var/``. Production and CI set
``DATABASE_URL`` and ``CELERY_BROKER_URL`` to PostgreSQL and Redis.
"""
from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("CARECOORD_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_htmx",
    "simple_history",
    # Platform pieces every app uses.
    "carecoord.accounts",
    "carecoord.clocks",
    "carecoord.audit",
    "carecoord.api",
    # Domain apps.
    "cases",
    "referrals",
    "consents",
    "transitions",
    "notices",
    "directory",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "carecoord.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "carecoord.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "carecoord.middleware.AuthenticationMiddleware",
    "carecoord.middleware.AuditMiddleware",
    "carecoord.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "carecoord.urls"
WSGI_APPLICATION = "carecoord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'carecoord.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Pages and APIs run short indexed queries: PostgreSQL's JIT would spend seconds compiling any plan
# whose cost estimate looks large (seen in the scale benchmark) and never pays back on a page.
# Server-side cursors (QuerySet.iterator(): exports) are always read to the end, so they are planned
# for all their rows (cursor_tuple_fraction=1), not for the first tenth: the fast-start plan of the
# tracking-list export walked every case of the state newest first (4 s at 1M members).
# The member search's typo test is pg_trgm's ``%`` operator, which an index can answer; its threshold is
# pg_trgm's default (0.3), fixed here so that a server configured otherwise cannot change what is found.
POSTGRES_SESSION_OPTIONS = "-c jit=off -c cursor_tuple_fraction=1 -c pg_trgm.similarity_threshold=0.3"
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", POSTGRES_SESSION_OPTIONS)
# Reports (dashboards, compliance figures, exports) may read from a replica.
if env.str("REPORTS_DATABASE_URL", default=""):
    DATABASES["reports"] = env.db("REPORTS_DATABASE_URL")
    if DATABASES["reports"]["ENGINE"].endswith("postgresql"):
        DATABASES["reports"].setdefault("OPTIONS", {}).setdefault("options", POSTGRES_SESSION_OPTIONS)
DATABASE_ROUTERS = ["carecoord.db_routers.ReportsReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 default: links typed without a scheme are https

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # The model backend, refusing usernames locked out after repeated failures.
    "carecoord.audit.auth.ThrottledModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after 30 idle minutes: member records are PHI on shared workstations.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# Each use pushes the expiry on, but at most once a minute (carecoord.middleware.IdleSessionMiddleware):
# a session write on every request cost a row update and a commit on every page and API call.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the meta tag, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Los_Angeles"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Uploaded documents are never served by URL; views stream them after an access check.
MEDIA_URL = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="carecoord <no-reply@carecoord.invalid>")

# Celery. The default broker is kombu's filesystem transport: it needs nothing
# installed and works across processes (web, worker, beat) on one machine.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_broker_dir = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in ("out", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        # Broadcast (worker control) messages: under var/ too, not in the directory the process starts from.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    # Redis: redeliver an unacknowledged task after 5 minutes (acks_late tasks
    # of a dead worker); every task is short, so this never double-runs a live one.
    else {"visibility_timeout": 300}
)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Deadlines live in the database; beat only wakes the sweep (DESIGN.md §6).
    # The interval is tunable so the reliability test can run real beats in seconds.
    "deadline-sweep": {"task": "clocks.sweep", "schedule": timedelta(seconds=env.int("SWEEP_INTERVAL_SECONDS", default=60))},
    "outbox-dispatch": {"task": "clocks.outbox_dispatch", "schedule": timedelta(seconds=env.int("SWEEP_INTERVAL_SECONDS", default=60))},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "carecoord.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "carecoord.api.pagination.CreatedCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["carecoord.api.filters.NamedFiltersBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "carecoord.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["carecoord.api.throttling.PerTokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_THROTTLE_RATE", default="600/minute")},
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "carecoord plan liaison API",
    # The docs page's "getting started" (tokens, pagination, errors, ETags, webhook signatures).
    "DESCRIPTION": (BASE_DIR / "carecoord" / "api" / "getting_started.md").read_text(),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the error answers the API's exception handler gives (carecoord/api/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "carecoord.api.schema.add_error_responses"],
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.models.Case.Status",
        "WebhookDeliveryStatusEnum": "carecoord.api.models.WebhookDelivery.Status",
        "WebhookEventEnum": "carecoord.api.models.WebhookEvent",
        "LanguageEnum": "cases.models.Language",
        "AsamLevelEnum": "transitions.models.AsamLevel",
        "SettingOfCareEnum": "transitions.models.SettingOfCare",
        "NoticeChannelEnum": "notices.models.Channel",
        "PlanNotificationChannelEnum": "transitions.models.PlanNotification.Channel",
        "PlanNotificationEventEnum": "transitions.models.PlanNotification.Event",
        "ReferralUrgencyEnum": "referrals.models.Referral.Urgency",
        "ContinuityOfCareUrgencyEnum": "cases.ecm_models.ContinuityOfCareRequest.Urgency",
    },
}

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # no anonymous object permissions: nothing is public

# CACHE_URL (Redis in production) is shared by every web process: the API's rate limit then counts a
# token's calls across all of them, and sessions are read from it instead of from a table on every
# request. A per-process memory cache (the embedded default) only suits one process.
CACHES = {"default": env.cache_url_config(env.str("CACHE_URL", default="") or "locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "carecoord.cache.RedisCache"  # Django's, one client per pool
CACHE_SHARED_BY_PROCESSES = CACHES["default"]["BACKEND"].endswith("RedisCache")
if CACHE_SHARED_BY_PROCESSES:
    # Written through to the table, so a Redis restart logs nobody out; a logout deletes both copies.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# Product settings an administrator may tune.
CARECOORD = {
    # Age at which the pediatric-to-adult transition assessment starts (CCS ends at 21).
    "TRANSITION_ASSESSMENT_AGE": env.int("TRANSITION_ASSESSMENT_AGE", default=14),
    # A transition of care with no step for this many days is listed as stalled.
    "TRANSITION_STALLED_DAYS": env.int("TRANSITION_STALLED_DAYS", default=7),
    # Sweep batch size: each claim is one indexed query of at most this many rows.
    "SWEEP_BATCH_SIZE": env.int("SWEEP_BATCH_SIZE", default=500),
    "SWEEP_LEASE_SECONDS": env.int("SWEEP_LEASE_SECONDS", default=120),
    # Population transition bulk jobs: members per committed batch, and how long a silent runner keeps its claim.
    "POPULATION_JOB_BATCH_SIZE": env.int("POPULATION_JOB_BATCH_SIZE", default=100),
    "POPULATION_JOB_LEASE_SECONDS": env.int("POPULATION_JOB_LEASE_SECONDS", default=90),
    # Outbox: give up on a message after this many failed attempts (backoff doubles, capped at an hour).
    "OUTBOX_MAX_ATTEMPTS": env.int("OUTBOX_MAX_ATTEMPTS", default=8),
    "UPLOAD_MAX_BYTES": 10 * 1024 * 1024,
    "UPLOAD_CONTENT_TYPES": ["application/pdf", "image/png", "image/jpeg", "image/tiff"],
    # Sign-in throttling: this many failures for one username from one address lock it out.
    "LOGIN_FAILURE_LIMIT": env.int("LOGIN_FAILURE_LIMIT", default=5),
    "LOGIN_LOCKOUT_MINUTES": env.int("LOGIN_LOCKOUT_MINUTES", default=15),
    # Break-glass (emergency) access to a case outside one's caseload lasts this long.
    "BREAK_GLASS_HOURS": env.int("BREAK_GLASS_HOURS", default=4),
    # Access report: more distinct members than this within the window is flagged.
    "AUDIT_BURST_MEMBERS": env.int("AUDIT_BURST_MEMBERS", default=20),
    "AUDIT_BURST_MINUTES": env.int("AUDIT_BURST_MINUTES", default=60),
}
