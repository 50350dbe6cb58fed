"""minefree settings: every variable is read from the environment (see README)."""

from __future__ import annotations

import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from minefree.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("MINEFREE_DATA_DIR", str(BASE_DIR / "var")))
REFERENCE_DATA_DIR = Path(env_str("MINEFREE_REFERENCE_DIR", str(BASE_DIR / "data" / "reference")))

DEBUG = env_bool("MINEFREE_DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", "") or ("insecure-development-key" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is required unless MINEFREE_DEBUG=1 (the demo and the tests set it)."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "ninja",
    "minefree.core",
    "minefree.registry",
    "minefree.accounts",
    "minefree.reporting",
    "minefree.reminders",
    "minefree.knowledge",
    "minefree.assistance",
    "minefree.casework",
    "minefree.funding",
    "minefree.cooperation",
    "minefree.clearance",
    "minefree.fund",
    "minefree.indicators",
    "minefree.site",
    "minefree.api",
    # Background jobs (core.jobs). After minefree.core, so that core's ``db_worker`` (the
    # package's worker plus heartbeats and recovery of abandoned jobs) is the one that runs.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "minefree.core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "minefree.core.pagecache.PageCacheMiddleware",
    "minefree.core.middleware.RequestIdMiddleware",
    "minefree.core.middleware.ApiErrorsAsJsonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # before anything reads a body (CsrfViewMiddleware reads forms): core.upload_limits
    "minefree.core.upload_limits.UploadLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "minefree.accounts.tokens.ApiTokenMiddleware",
    "minefree.api.limits.ApiRateLimitMiddleware",
    "minefree.api.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "minefree.urls"
WSGI_APPLICATION = "minefree.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'minefree.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _default_sqlite)
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("MINEFREE_DB_CONN_MAX_AGE", 60)
        )
    }
except ValueError as exc:  # unknown scheme or malformed URL
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
# A health check costs a "SELECT 1" round trip on every request (7 % of the cached country
# page's throughput on PostgreSQL); without it a connection broken by a database restart
# fails one request and is then replaced, since Django drops connections that errored.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("MINEFREE_DB_HEALTH_CHECKS", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # One writer at a time: a write waits for the lock up to 20 s (the default 5 s came within
    # reach with 50 grant approvals at once, bench/fund_grants.py) before "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# On PostgreSQL each process keeps its own copy of the page-cache counters, told of every
# committed change by LISTEN/NOTIFY (core.counter_notices), instead of asking the primary
# on every cached hit; 0 reads them from the database every time.
MINEFREE_COUNTER_NOTICES = env_bool("MINEFREE_COUNTER_NOTICES", default=True)

# A PostgreSQL streaming standby (docs/deploy.md): public pages are rendered from it when
# it holds exactly the version of the data the page shows (core.standby); everything else,
# and every write, uses the primary. In tests it mirrors the primary and is not read.
MINEFREE_STANDBY_URL = env_str("MINEFREE_STANDBY_URL", "")
MINEFREE_READ_FROM_STANDBY = bool(MINEFREE_STANDBY_URL)
if MINEFREE_STANDBY_URL:
    try:
        DATABASES["standby"] = dj_database_url.parse(
            MINEFREE_STANDBY_URL, conn_max_age=env_int("MINEFREE_DB_CONN_MAX_AGE", 60)
        )
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"MINEFREE_STANDBY_URL is not a valid database URL: {exc}"
        ) from exc
    DATABASES["standby"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["minefree.core.standby.StandbyRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["minefree.accounts.signin.LimitedModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "site:home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["minefree.formats"]
TIME_ZONE = "Europe/Zurich"  # Geneva time decides the timeliness of reports
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = DATA_DIR / "media"
# A bulk import sends up to 300 workbooks in one request (reporting.batches.BATCH_MAX_FILES).
# Each upload endpoint declares its limit (core.upload_limits.upload_limit): a body over it is
# refused (413) before it is read, a file past it is cut off at the first chunk over it. An
# address that declares none takes at most DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), files too.
# The proxy's limit (nginx client_max_body_size) must allow the largest: the bulk import,
# 300 x 10 MB and the envelope (3001m).
DATA_UPLOAD_MAX_NUMBER_FILES = 300

# Page cache: the local-memory cache is per process; invalidation uses a version
# counter stored in the database, so every worker sees a change at once. Several app
# servers share one memcached (MINEFREE_CACHE_URL=memcached://127.0.0.1:11211): a page
# rendered by one is a hit on the other, and rate limits count across them. Sessions are
# in the database, shared by every server.
MINEFREE_CACHE_URL = env_str("MINEFREE_CACHE_URL", "")
if MINEFREE_CACHE_URL.startswith("memcached://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": MINEFREE_CACHE_URL.removeprefix("memcached://"),
            "TIMEOUT": env_int("MINEFREE_PAGE_CACHE_SECONDS", 600),
            "KEY_PREFIX": env_str("MINEFREE_CACHE_PREFIX", "minefree"),
            # a memcached restart or timeout degrades to rendering, never to an error page
            "OPTIONS": {"no_delay": True, "ignore_exc": True, "timeout": 1, "connect_timeout": 1},
        }
    }
elif MINEFREE_CACHE_URL in ("", "locmem://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": env_int("MINEFREE_PAGE_CACHE_SECONDS", 600),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
else:
    raise ImproperlyConfigured(
        "MINEFREE_CACHE_URL must be memcached://HOST:PORT or empty (memory of each process)."
    )


# Rate limits (django-ratelimit's "count/period" form: 600/m, 10/15m), counted in the default
# cache: per app server with the default local-memory cache, across servers with a shared one.
def _rate(name: str, default: str) -> str:
    value = env_str(name, default)
    if not re.fullmatch(r"[1-9]\d*/\d*[smhd]", value):
        raise ImproperlyConfigured(f"{name} must be a count per period, e.g. 600/m or 10/15m")
    return value


MINEFREE_API_RATE_TOKEN = _rate("MINEFREE_API_RATE_TOKEN", "600/m")
MINEFREE_API_RATE_ANONYMOUS = _rate("MINEFREE_API_RATE_ANONYMOUS", "120/m")
MINEFREE_SIGN_IN_RATE_ACCOUNT = _rate("MINEFREE_SIGN_IN_RATE_ACCOUNT", "5/15m")
MINEFREE_SIGN_IN_RATE_ADDRESS = _rate("MINEFREE_SIGN_IN_RATE_ADDRESS", "20/15m")

# HTTPS only, unless debugging or serving plain HTTP on purpose (a benchmark on loopback sets
# MINEFREE_HTTPS=0; the older MINEFREE_SECURE_COOKIES=0 still means the same). Behind a proxy
# that ends TLS (nginx), MINEFREE_BEHIND_PROXY=1 trusts its X-Forwarded-Proto header, or
# every request would be redirected to HTTPS again.
HTTPS_ONLY = env_bool(
    "MINEFREE_HTTPS", default=env_bool("MINEFREE_SECURE_COOKIES", default=not DEBUG)
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_SSL_REDIRECT = HTTPS_ONLY
SECURE_HSTS_SECONDS = env_int("MINEFREE_HSTS_SECONDS", 31_536_000) if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY and env_bool("MINEFREE_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = HTTPS_ONLY and env_bool("MINEFREE_HSTS_PRELOAD", True)
MINEFREE_BEHIND_PROXY = env_bool("MINEFREE_BEHIND_PROXY", default=False)
if MINEFREE_BEHIND_PROXY:  # and the client's address from X-Real-IP (core.middleware)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- Content-Security-Policy (django-csp) ---------------------------------------------------
# Every response says: scripts, styles, fonts and fetches come from this site only, images
# also as data: URLs; no inline <script>, <style>, style= or on*= (core/tests/test_csp.py
# scans the templates and the Python that builds HTML), no eval (htmx runs with allowEval
# false); no framing, no forms posting elsewhere, no plugins. MINEFREE_CSP_REPORT_ONLY=1
# sends the same policy as Content-Security-Policy-Report-Only for a rollout: browsers
# report what it would block and block nothing. MINEFREE_CSP_REPORT_URI names where they
# send those reports (report-uri), if anywhere.
_CSP_SELF = "'self'"
MINEFREE_CSP_DIRECTIVES: dict[str, list[str]] = {
    "default-src": [_CSP_SELF],
    "script-src": [_CSP_SELF],
    "style-src": [_CSP_SELF],
    "img-src": [_CSP_SELF, "data:"],
    "font-src": [_CSP_SELF],
    "connect-src": [_CSP_SELF],
    "form-action": [_CSP_SELF],
    "frame-ancestors": ["'none'"],
    "base-uri": [_CSP_SELF],
    "object-src": ["'none'"],
}
if env_str("MINEFREE_CSP_REPORT_URI", ""):
    MINEFREE_CSP_DIRECTIVES["report-uri"] = [env_str("MINEFREE_CSP_REPORT_URI", "")]
MINEFREE_CSP_REPORT_ONLY = env_bool("MINEFREE_CSP_REPORT_ONLY", default=False)
CONTENT_SECURITY_POLICY = (
    None if MINEFREE_CSP_REPORT_ONLY else {"DIRECTIVES": MINEFREE_CSP_DIRECTIVES}
)
CONTENT_SECURITY_POLICY_REPORT_ONLY = (
    {"DIRECTIVES": MINEFREE_CSP_DIRECTIVES} if MINEFREE_CSP_REPORT_ONLY else None
)
# --- end of Content-Security-Policy --------------------------------------------------------

# Mail: the demo prints mails to the console; production names an SMTP backend.
EMAIL_BACKEND = env_str("MINEFREE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("MINEFREE_FROM_EMAIL", "minefree <no-reply@localhost>")

# Article 7 reminders: how many days before a report's due date the first mail goes out.
# At most 90 (30 January for a report due 30 April): the year the report covers must be over.
MINEFREE_REMINDER_DAYS_BEFORE = env_int("MINEFREE_REMINDER_DAYS_BEFORE", 30)
if not 1 <= MINEFREE_REMINDER_DAYS_BEFORE <= 90:
    raise ImproperlyConfigured(
        "MINEFREE_REMINDER_DAYS_BEFORE must be between 1 and 90, "
        f"not {MINEFREE_REMINDER_DAYS_BEFORE}."
    )

# Background jobs (core.jobs, Django's tasks framework through the django-tasks backport).
# MINEFREE_TASKS=immediate (the default; the demo and the tests) runs a job at once, inside
# the request that enqueues it: no worker to start. MINEFREE_TASKS=database (production, the
# rehearsal) stores jobs in the database for ``minefree db_worker`` processes to run.
MINEFREE_TASKS = env_str("MINEFREE_TASKS", "immediate")
if MINEFREE_TASKS not in {"immediate", "database"}:
    raise ImproperlyConfigured("MINEFREE_TASKS is either 'immediate' or 'database'.")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if MINEFREE_TASKS == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        ),
        "QUEUES": ["default"],
    }
}
# A running worker writes a heartbeat every MINEFREE_JOBS_LEASE / 4 seconds; a job whose
# worker has been silent for MINEFREE_JOBS_LEASE seconds (killed, its machine gone) is run
# again by another worker, at most MINEFREE_JOBS_MAX_CLAIMS times in all.
MINEFREE_JOBS_LEASE = env_int("MINEFREE_JOBS_LEASE", 60)
MINEFREE_JOBS_MAX_CLAIMS = env_int("MINEFREE_JOBS_MAX_CLAIMS", 3)
if MINEFREE_JOBS_LEASE < 1 or MINEFREE_JOBS_MAX_CLAIMS < 1:
    raise ImproperlyConfigured("MINEFREE_JOBS_LEASE and MINEFREE_JOBS_MAX_CLAIMS are at least 1.")

# Knowledge base search: re-rank the best full-text matches by meaning with the small
# embedding model the optional "wordllama" package ships in its wheel (off by default).
MINEFREE_SEMANTIC_SEARCH = env_bool("MINEFREE_SEMANTIC_SEARCH", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "minefree.core.logs.RequestIdFilter"}},
    "formatters": {"key_value": {"()": "minefree.core.logs.KeyValueFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "key_value",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("MINEFREE_LOG_LEVEL", "WARNING")},
}
