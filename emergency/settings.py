"""Settings of the emergency portal, all from the environment (see README "Configuration").

With nothing configured the portal runs on embedded defaults: SQLite and Celery on kombu's
filesystem transport. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from emergency.config import Config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # runtime files of the embedded defaults; never served

environ.Env.read_env(BASE_DIR / ".env")  # does not override variables already set
config = Config(os.environ)

DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
DEBUG = config.bool("DEBUG", default=False)
SECRET_KEY = config.str("SECRET_KEY", default=DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = config.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = config.list("CSRF_TRUSTED_ORIGINS")

if not DEBUG:
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "DEBUG is off: set SECRET_KEY (or SECRET_KEY_FILE) to a random value of at least "
            "32 characters, or DEBUG=true for development."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DEBUG is off: set ALLOWED_HOSTS (comma-separated host names).")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_filters",
    "axes",
    "csp",
    "emergency",
    "roles",
    "incidents",
    "reporting",
    "duty",
    "alerts",
    "resources",
    "readiness",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses text answers (pages, and under `make run` the static files WhiteNoise serves from
    # static/ as they are; in production WhiteNoise serves its precompressed .gz, left alone here).
    # Above WhiteNoise so it sees WhiteNoise's answers (issue 12 item 9; BREACH: docs/security.md).
    "emergency.middleware.TextGZipMiddleware",
    # Before anything reads the body: a body over the limit is answered 413 unread.
    "emergency.middleware.RequestBodyLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "emergency.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "emergency.middleware.InvalidTransitionMiddleware",
    "emergency.middleware.DraftSentMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "emergency.urls"
WSGI_APPLICATION = "emergency.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "reporting.context_processors.notifications",
                "reporting.context_processors.inbox",
                "roles.context_processors.bureau",
                "roles.context_processors.menu",
                "duty.context_processors.on_duty",
            ],
        },
    },
]

SQLITE_DEFAULT = {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": BASE_DIR / "db.sqlite3",
    # The web server and the Celery worker write at once: wait for the lock instead of
    # failing, and take it at the start of a transaction so nothing deadlocks mid-way.
    "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
}
DATABASES = {"default": config.database("DATABASE_URL", default=SQLITE_DEFAULT)}
DATABASES["default"].setdefault("CONN_MAX_AGE", config.int("CONN_MAX_AGE", default=0, minimum=0))
# A kept connection is checked before each request reuses it (a PostgreSQL restart costs no error page).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] != 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation for the portal's queries (issue 13): they are short, and on large tables the
    # planner's cost estimate switched JIT on for a list query, spending 577 ms of 655 ms compiling.
    # Random reads priced as on SSD or in memory (1.1, PostgreSQL's default 4.0 is for spinning
    # disks): at 4.0 the planner read all 100,000 incidents rather than look up a bureau's 3,200 by
    # index, and /api/obligations/ took 88 ms instead of 39 (docs/benchmarks.md, province scale).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = " ".join(filter(None, [options.get("options", ""), "-c jit=off -c random_page_cost=1.1"]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "roles.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out user name before any password check
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "roles.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},  # refuses demo1234
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in (roles.signin): django-axes locks a user name at an address after LOGIN_FAILURE_LIMIT
# failures in a row, for LOGIN_LOCKOUT_MINUTES, on the login page and on /api/token/ alike.
AXES_FAILURE_LIMIT = config.int("LOGIN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=config.int("LOGIN_LOCKOUT_MINUTES", default=15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "roles.signin.lockout_response"
AXES_VERBOSE = False
# API tokens (Authorization: Token …) are refused once older than this, and die at logout.
API_TOKEN_HOURS = config.int("API_TOKEN_HOURS", default=24, minimum=1)
API_TOKEN_THROTTLE_RATE = config.str("API_TOKEN_THROTTLE_RATE", default="20/minute")
if not re.fullmatch(r"[1-9]\d*/(s|sec|second|m|min|minute|h|hour|d|day)", API_TOKEN_THROTTLE_RATE):
    # DRF would read it only at the first request, and fail there.
    raise ImproperlyConfigured(
        f"API_TOKEN_THROTTLE_RATE={API_TOKEN_THROTTLE_RATE!r} is not a rate such as 20/minute or 5/second.")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Permissions are granted to groups only, never to the anonymous user.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "zh-hans"
# Each language by its own name in the menu, whatever the page's language (issue 12 item 5).
LANGUAGES = [("zh-hans", "中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True  # stored in UTC, shown in Asia/Shanghai

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic's target in production; in development the files are served from static/.
STATIC_ROOT = None if DEBUG else BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(config.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))  # outside the web root
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Incident attachments: the largest file accepted, in MiB (checked on the server).
ATTACHMENT_MAX_MB = config.int("ATTACHMENT_MAX_MB", default=20, minimum=1)
# Readiness (预案管理, 六(一)): the plan says only "及时修改和完善"; the default review interval is the
# three years of 《突发事件应急预案管理办法》(2024) 第三十四条, and an after-action report's plan
# improvements open a revision task for the owning section due this many calendar days later.
READINESS_PLAN_REVIEW_YEARS = config.int("READINESS_PLAN_REVIEW_YEARS", default=3, minimum=1)
READINESS_PLAN_REVISION_DAYS = config.int("READINESS_PLAN_REVISION_DAYS", default=30, minimum=1)
# Request bodies (emergency.middleware.RequestBodyLimitMiddleware): a form or JSON body may hold
# DATA_UPLOAD_MAX_MEMORY_SIZE bytes; a multipart upload (several photos at once) REQUEST_MAX_MB MiB.
# The proxy in front should refuse larger bodies before they reach gunicorn (docker-compose.yml).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
REQUEST_MAX_MB = config.int("REQUEST_MAX_MB", default=100, minimum=1)

# Reporting deadlines (plan 三(二)): how often beat sweeps, when reminders and escalation go out.
DEADLINE_SWEEP_SECONDS = config.int("DEADLINE_SWEEP_SECONDS", default=15, minimum=1)
DEADLINE_SWEEP_BATCH = config.int("DEADLINE_SWEEP_BATCH", default=1000, minimum=1)
REMINDER_SOON_MINUTES = config.int("REMINDER_SOON_MINUTES", default=10, minimum=1)
REMINDER_DAY_HOURS = config.int("REMINDER_DAY_HOURS", default=24, minimum=1)
SHORT_LIMIT_HOURS = config.int("SHORT_LIMIT_HOURS", default=24, minimum=1)  # shorter limits get the half-time reminder
ESCALATION_GRACE_MINUTES = config.int("ESCALATION_GRACE_MINUTES", default=30, minimum=0)
HEARTBEAT_STALE_SECONDS = config.int("HEARTBEAT_STALE_SECONDS", default=60, minimum=1)
# Early warning before holidays and major events (plan 三(三)4 2)): beat opens a deployment this many
# days before the occasion's first day (alerts.services.open_deployments; beat runs it every hour).
EARLY_WARNING_DAYS = config.int("EARLY_WARNING_DAYS", default=7, minimum=1)
# The duty roster must cover this many days ahead, from tomorrow (issue 14): an uncovered stretch becomes a
# shift with nobody on it, a roster gap the office owes before it starts (duty.gaps.coverage_check).
# 0: no check. Only bureaus that keep a roster (have planned a shift) are checked.
DUTY_ROSTER_DAYS_AHEAD = config.int("DUTY_ROSTER_DAYS_AHEAD", default=3, minimum=0)

# Hosts a unit's group-robot webhook may point at (roles.webhooks): https only, public addresses only.
ROBOT_WEBHOOK_HOSTS = config.list("ROBOT_WEBHOOK_HOSTS", default=["qyapi.weixin.qq.com", "oapi.dingtalk.com"])
# Delivery (reporting/delivery.py): every outbound call has a timeout; group robots (WeCom,
# DingTalk) refuse more than about 20 messages a minute each, so the portal keeps below that.
EMAIL_TIMEOUT = config.int("EMAIL_TIMEOUT", default=10, minimum=1)  # seconds, each SMTP command
ROBOT_TIMEOUT_SECONDS = config.int("ROBOT_TIMEOUT_SECONDS", default=10, minimum=1)
ROBOT_MESSAGES_PER_MINUTE = config.int("ROBOT_MESSAGES_PER_MINUTE", default=20, minimum=1)
# How often unsent messages are looked for (failed ones past their backoff, lost tasks, cut-off
# sends), and after how long a queued message whose task never ran is queued again.
OUTBOX_RETRY_SECONDS = config.int("OUTBOX_RETRY_SECONDS", default=30, minimum=1)
OUTBOX_QUEUED_STALE_SECONDS = config.int("OUTBOX_QUEUED_STALE_SECONDS", default=300, minimum=1)
# A send still `sending` after 6 × the longest timeout (a whole SMTP exchange) plus this margin is
# presumed cut off (worker killed, database lost) and resent once, marked (reporting.delivery.sending_stale).
OUTBOX_SENDING_MARGIN_SECONDS = config.int("OUTBOX_SENDING_MARGIN_SECONDS", default=60, minimum=1)
# Reports that leave (issue 11, reporting/sending.py): an upward report sent but not signed for after
# RECEIPT_EXPECTED_MINUTES shows on the overdue board; the signing link in a report's email works for
# RECEIPT_LINK_MAX_AGE_HOURS; PORTAL_URL is the portal's address as recipients outside reach it (links in emails).
RECEIPT_EXPECTED_MINUTES = config.int("RECEIPT_EXPECTED_MINUTES", default=30, minimum=1)
RECEIPT_LINK_MAX_AGE_HOURS = config.int("RECEIPT_LINK_MAX_AGE_HOURS", default=72, minimum=1)
PORTAL_URL = (config.url("PORTAL_URL", schemes=("http", "https")) or "http://127.0.0.1:8000").rstrip("/")
# Bounces (退信) of report emails (reporting/bounces.py): BOUNCE_ADDRESS is the envelope sender
# (Return-Path) of report emails, empty for DEFAULT_FROM_EMAIL; the MTA or fetchmail delivers its
# mail into the Maildir BOUNCE_MAILDIR (empty: bounces are not read), read every BOUNCE_FETCH_SECONDS.
BOUNCE_ADDRESS = config.str("BOUNCE_ADDRESS", default="")
BOUNCE_MAILDIR = config.str("BOUNCE_MAILDIR", default="")
BOUNCE_FETCH_SECONDS = config.int("BOUNCE_FETCH_SECONDS", default=60, minimum=1)

REDIS_URL = config.url("REDIS_URL", schemes=("redis", "rediss"))
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis when configured, else kombu's filesystem transport so `make run` needs no server.
CELERY_TIMEZONE = TIME_ZONE
# Tasks are acknowledged as they start, not when they end: the outbox, not the broker, makes a
# message arrive (a row queued and not taken within minutes is queued again, a row cut off mid-send
# is resent once, marked: reporting.delivery.requeue_unsent), and a late acknowledgement on a channel
# that died with a Redis restart killed the worker (kombu 5.7.0; see emergency/celery.py).
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # A sweep not started within its interval is dropped: the next one catches up anyway, and a
    # backlog of stale sweeps after an outage would only queue behind each other.
    "sweep-deadlines": {"task": "reporting.tasks.sweep_deadlines", "schedule": float(DEADLINE_SWEEP_SECONDS),
                        "options": {"expires": float(DEADLINE_SWEEP_SECONDS)}},
    "redeliver-outbox": {"task": "reporting.tasks.redeliver_unsent", "schedule": float(OUTBOX_RETRY_SECONDS),
                         "options": {"expires": float(OUTBOX_RETRY_SECONDS)}},
    "fetch-bounces": {"task": "reporting.tasks.fetch_bounces", "schedule": float(BOUNCE_FETCH_SECONDS),
                      "options": {"expires": float(BOUNCE_FETCH_SECONDS)}},
    # Hourly rather than once a day: a beat down at the chosen hour would skip a day. Opening is
    # idempotent (one deployment per bureau and occasion), so the other 23 runs open nothing.
    "open-early-warning-deployments": {"task": "alerts.tasks.open_early_warning_deployments", "schedule": 3600.0,
                                       "options": {"expires": 3600.0}},
    # Hourly, not daily: it does nothing once the days ahead are covered, and a beat down at the hour
    # of a daily run would leave a day unchecked (duty.gaps.coverage_check).
    "duty-roster-coverage": {"task": "duty.tasks.roster_coverage_check", "schedule": 3600.0,
                             "options": {"expires": 3600.0}},
}
# Queues: the sweep never waits behind deliveries, and each channel has its own queue so a slow
# mail server or robot cannot hold back the others (reporting.delivery.QUEUES routes deliveries).
# A worker started without -Q consumes them all (development); compose runs one worker per role.
CELERY_TASK_QUEUES = [Queue(name) for name in ("sweep", "in_app", "email", "webhook", "celery")]
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "reporting.tasks.sweep_deadlines": {"queue": "sweep"},
    "duty.tasks.roster_coverage_check": {"queue": "sweep"},
    "reporting.tasks.redeliver_unsent": {"queue": "sweep"},
    "reporting.tasks.fetch_bounces": {"queue": "email"},  # mail work, on the email worker
    "alerts.tasks.open_early_warning_deployments": {"queue": "sweep"},
}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
    for folder in {*CELERY_BROKER_TRANSPORT_OPTIONS.values()}:
        Path(folder).mkdir(parents=True, exist_ok=True)  # the transport does not create them

EMAIL = config.email("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL.get("EMAIL_HOST", "")
EMAIL_PORT = EMAIL.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = EMAIL.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = EMAIL.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = EMAIL.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = EMAIL.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = config.str("DEFAULT_FROM_EMAIL", default="emergency-portal@localhost")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes a request without credentials a 401.
        "roles.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "common.schema.AutoSchema",  # declares the error answers once
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "incidents.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Emergency management portal API",
    "DESCRIPTION": "Integration contract of the county market-supervision emergency portal.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = config.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if SESSION_COOKIE_SECURE:
        # Served over HTTPS: browsers are told to keep to it (HSTS), and plain HTTP is redirected,
        # except the container's own health check, which talks to gunicorn directly.
        SECURE_HSTS_SECONDS = config.int("HSTS_SECONDS", default=31536000, minimum=0)
        SECURE_HSTS_INCLUDE_SUBDOMAINS = config.bool("HSTS_INCLUDE_SUBDOMAINS", default=True)
        SECURE_HSTS_PRELOAD = config.bool("HSTS_PRELOAD", default=False)
        SECURE_SSL_REDIRECT = True
        SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
# Preloading HSTS is the domain owner's decision (HSTS_PRELOAD=true), not a warning to act on.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy (django-csp 4): every script, style, font and image comes from static/;
# no inline script or style attribute anywhere (tests/e2e/test_csp.py watches the console).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # data: for Bootstrap's own SVG icons inside its CSS
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy (django-permissions-policy): the portal uses none of these browser features.
# Photos are taken through a file input, which needs no camera permission.
PERMISSIONS_POLICY = {
    "accelerometer": [], "autoplay": [], "camera": [], "display-capture": [], "geolocation": [],
    "gyroscope": [], "magnetometer": [], "microphone": [], "midi": [], "payment": [], "usb": [],
}

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": config.choice("LOG_LEVEL", LOG_LEVELS, default="INFO")},
}

PORTAL_NAME = _("Market supervision emergency portal")
