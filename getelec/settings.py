"""Django settings. Every value that differs between machines comes from the environment.

Defaults give a working platform on a fresh clone (SQLite file under var/, Chinese UI);
production sets DATABASE_URL, GETELEC_SECRET_KEY, GETELEC_ALLOWED_HOSTS and GETELEC_DEBUG=0.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from getelec.core.deletions import parse_share

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("GETELEC_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    return [item.strip() for item in raw.split(",") if item.strip()] if raw else default


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def _secret_key() -> str:
    key = os.environ.get("GETELEC_SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise RuntimeError("GETELEC_SECRET_KEY must be set when GETELEC_DEBUG=0")
    # Development: one random key per checkout, kept under var/ so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = env_bool("GETELEC_DEBUG", True)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("GETELEC_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("GETELEC_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from local static files (no CDN)
    "django_htmx",
    "csp",
    "getelec.accounts",
    "getelec.audit",
    "getelec.workcalendar",
    "getelec.documents",
    "getelec.connection",
    "getelec.supervision",
    "getelec.outages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "getelec.webinput.InputHygieneMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "getelec.urls"
WSGI_APPLICATION = "getelec.wsgi.application"

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
                "getelec.workcalendar.context.calendar_banner",
                "getelec.accounts.powers.context",
            ],
            "builtins": ["getelec.citations"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("GETELEC_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["getelec.accounts.backends.UserWithScopeBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: Simplified Chinese first, English through the locale catalog.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("GETELEC_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never served publicly: documents are downloaded through scoped views

# Uploads (L13 documents): limits checked by the form and the API alike.
DOCUMENT_MAX_BYTES = env_int("GETELEC_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Security. Cookies are Secure by default; the local demo over plain http turns that off
# explicitly (GETELEC_SECURE_COOKIES=0), never silently.
SECURE_COOKIES = env_bool("GETELEC_SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "getelec.webinput.csrf_failure"
SESSION_COOKIE_AGE = 8 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env_bool("GETELEC_BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# Reverse proxies in front of the application that append the client's address to
# X-Forwarded-For (getelec.accounts.throttle.client_ip): one behind the documented TLS proxy.
TRUSTED_PROXY_COUNT = env_int("GETELEC_TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0)
SECURE_SSL_REDIRECT = env_bool("GETELEC_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("GETELEC_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GETELEC_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("GETELEC_HSTS_PRELOAD", False)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Abuse throttles (getelec.accounts.throttle): operational limits, counted in the database so
# that every worker process shares them. Sign-in: an (account, client) pair is locked after
# LOGIN_LOCKOUT_FAILURES wrong passwords within LOGIN_LOCKOUT_SECONDS (a correct password from
# that client is refused until the window ends); the account itself is never locked, only
# slowed down once LOGIN_SLOWDOWN_AFTER failures from all clients fall in one window (each
# further failure adds LOGIN_SLOWDOWN_STEP_SECONDS of delay, at most LOGIN_SLOWDOWN_MAX_SECONDS).
LOGIN_LOCKOUT_FAILURES = env_int("GETELEC_LOGIN_LOCKOUT_FAILURES", 10)
LOGIN_LOCKOUT_SECONDS = env_int("GETELEC_LOGIN_LOCKOUT_SECONDS", 15 * 60)
LOGIN_SLOWDOWN_AFTER = env_int("GETELEC_LOGIN_SLOWDOWN_AFTER", 20)
LOGIN_SLOWDOWN_STEP_SECONDS = 0.25
LOGIN_SLOWDOWN_MAX_SECONDS = 2.0
# Public progress lookup: misses per (application number, client) before that number is refused
# to that client, and misses per client over all numbers (stops spraying one guess over many
# numbers), within PUBLIC_LOOKUP_WINDOW_SECONDS.
PUBLIC_LOOKUP_MAX_FAILURES = env_int("GETELEC_PUBLIC_LOOKUP_MAX_FAILURES", 10)
PUBLIC_LOOKUP_CLIENT_MAX_FAILURES = env_int("GETELEC_PUBLIC_LOOKUP_CLIENT_MAX_FAILURES", 100)
PUBLIC_LOOKUP_WINDOW_SECONDS = env_int("GETELEC_PUBLIC_LOOKUP_WINDOW_SECONDS", 10 * 60)
# Public outage lookup (户号 or meter number): look-ups per client per window.
OUTAGE_LOOKUP_MAX_PER_CLIENT = env_int("GETELEC_OUTAGE_LOOKUP_MAX_PER_CLIENT", 30)
OUTAGE_LOOKUP_WINDOW_SECONDS = env_int("GETELEC_OUTAGE_LOOKUP_WINDOW_SECONDS", 10 * 60)

# Sessions stay in the database (one primary-key read per logged-in request, ~0.3 ms). Not
# "cached_db": with the per-process LocMemCache above, each gunicorn worker would keep its own
# copy of a session, so a log-out (or any session change) handled by one worker would leave the
# old session alive in the other worker's cache for the cache timeout. Switch to cached_db only
# together with a cache shared by every worker (Redis, Memcached).
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Notifications: the outbox is always written; channels deliver from it (SMTP when configured).
NOTIFICATION_CHANNELS = env_list("GETELEC_NOTIFICATION_CHANNELS", ["outbox"])
EMAIL_BACKEND = os.environ.get(
    "GETELEC_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("GETELEC_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("GETELEC_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("GETELEC_EMAIL_FROM", "noreply@getelec.invalid")

# Outage analytics (getelec.analytics, docs/outages.md): meter events and cause records for the
# daily refresh, as files under <OUTAGE_DATA_DIR>/<year>/ (default var/outages/).
OUTAGE_DATA_DIR = os.environ.get("GETELEC_OUTAGE_DATA_DIR") or str(VAR_DIR / "outages")
OUTAGE_NOTIFICATION_CHANNELS = env_list("GETELEC_OUTAGE_NOTIFICATION_CHANNELS", ["outbox"])

# Registry import (`getelec outages registry import --allow-deletions N`): one import may retire
# at most this share (0–1) of the active meters, besides at most N; --replace lifts both caps
# (getelec/core/deletions.py). An operational safety limit, not a policy value.
REGISTRY_MAX_DELETE_SHARE = parse_share(
    os.environ.get("GETELEC_REGISTRY_MAX_DELETE_SHARE") or 0.05, "GETELEC_REGISTRY_MAX_DELETE_SHARE"
)

# The admin banner asking for next year's official holiday schedule shows from this month on.
CALENDAR_REMINDER_FROM_MONTH = env_int("GETELEC_CALENDAR_REMINDER_FROM_MONTH", 11)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GETELEC_LOG_LEVEL", "WARNING")},
}
