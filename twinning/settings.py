"""Settings for Twinning, read from the environment (see the README's table).

DEBUG is off unless the environment turns it on; with DEBUG off the site refuses to
start without a SECRET_KEY, so a production server can never run on a known key.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# A fixed development key is tolerable only while DEBUG is on: nothing served with it
# is meant to be trusted. Without DEBUG there is no default at all.
_DEV_SECRET_KEY = "django-insecure-development-only-never-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the site refuses to start without one: "
            "set SECRET_KEY in the environment to a long random string, for example the output "
            "of: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "django_countries",
    "twinning",
    "partnerships",
    "appeals",
    "twinning.corrections",
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
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "twinning.urls"

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
                "twinning.context_processors.content_language",
            ],
            # {% url %} answered from memory (twinning/urlcache.py).
            # {{ value|content }}: content marked with its language on other languages' pages.
            "builtins": ["twinning.templatetags.cached_url", "twinning.templatetags.content_language"],
        },
    },
]

WSGI_APPLICATION = "twinning.wsgi.application"
ASGI_APPLICATION = "twinning.asgi.application"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# On PostgreSQL, send parameters apart from the SQL (server-side binding) so that psycopg can
# prepare a statement after its fifth use on a connection: PostgreSQL then stops planning the
# pages' many-table joins on every request, which took longer than running them. Off with
# DB_PREPARED_STATEMENTS=false, e.g. behind a pooler in transaction mode
# (docs/adr/0067-prepared-statements-on-postgresql.md).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DB_PREPARED_STATEMENTS", default=True
):
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "twinning",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The language staff write the content in (names, summaries, histories, notes); pages in another
# language mark it with lang (twinning/context_processors.py).
CONTENT_LANGUAGE = "en"
# The interface in English (no URL prefix) and Ukrainian (/uk/...); content keeps its own
# language. The catalogue is locale/uk/LC_MESSAGES/django.po (README: Languages).
LANGUAGES = [("en", _("English")), ("uk", _("Ukrainian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# British date formats for English ("6 December 2023"), and for Ukrainian Django's own with
# the day without a leading zero ("6 грудня 2023").
FORMAT_MODULE_PATH = ["twinning.formats"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
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
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Each open-data download is built once per change of content and kept here, gzipped
# (partnerships/download_store.py); OPEN_DATA_ROOT="" builds it for every request instead.
OPEN_DATA_ROOT = env.str("OPEN_DATA_ROOT", default=str(BASE_DIR / "var" / "open-data"))
# A request for a download another request is building waits this long for its file.
OPEN_DATA_WAIT = env.float("OPEN_DATA_WAIT", default=30.0)
# A stored download older than this (seconds) is built again, whatever the content version says.
OPEN_DATA_MAX_AGE = env.int("OPEN_DATA_MAX_AGE", default=60 * 60)

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Production hardening. TLS is terminated by the reverse proxy in front of gunicorn,
# which tells Django the original scheme in X-Forwarded-Proto.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = tuple(
        env.list("SECURE_PROXY_SSL_HEADER", default=["HTTP_X_FORWARDED_PROTO", "https"])
    )
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 8

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# The donation link check (python manage.py check_donation_links): seconds to wait for each
# page, and an optional PEM file of certificate authorities to trust instead of the system's.
DONATION_LINK_CHECK_TIMEOUT = env.float("DONATION_LINK_CHECK_TIMEOUT", default=10.0)
DONATION_LINK_CHECK_CA_FILE = env.str("DONATION_LINK_CHECK_CA_FILE", default="")

# Corrections from the public (twinning.corrections). The form must be open at least
# CORRECTIONS_MIN_FILL_SECONDS and at most CORRECTIONS_FORM_MAX_AGE seconds before it is sent; one
# client may send CORRECTIONS_RATE_LIMIT corrections per CORRECTIONS_RATE_WINDOW seconds, counted in
# the cache under an HMAC of its address (the address itself is never stored). Behind a reverse
# proxy set CLIENT_IP_HEADER to the header that carries the client's address (e.g.
# HTTP_X_FORWARDED_FOR; its last entry is used), or every visitor counts as the proxy.
CORRECTIONS_MIN_FILL_SECONDS = env.int("CORRECTIONS_MIN_FILL_SECONDS", default=3)
CORRECTIONS_FORM_MAX_AGE = 60 * 60 * 24
CORRECTIONS_RATE_LIMIT = env.int("CORRECTIONS_RATE_LIMIT", default=5)
CORRECTIONS_RATE_WINDOW = 60 * 60
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="")

# --- Performance: the page cache, conditional GET, static files (docs/adr/0060–0062) ---------
# Anonymous visitors' pages are cached whole in the default cache (Redis when REDIS_URL is set,
# shared by every worker) and invalidated at once whenever content changes. PAGE_CACHE=false
# turns the cache off (the benchmark's uncached run); there is no way to bypass it per request.
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE", default=True)
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_TIMEOUT = env.int("PAGE_CACHE_TIMEOUT", default=600)
PAGE_CACHE_MAX_AGE = env.int("PAGE_CACHE_MAX_AGE", default=60)
# A request that misses while another renders the same page waits up to PAGE_CACHE_WAIT seconds
# for that page instead of rendering it too; a claim to render lapses after
# PAGE_CACHE_RENDER_TIMEOUT seconds (a worker that died while rendering). docs/adr/0074.
PAGE_CACHE_WAIT = env.float("PAGE_CACHE_WAIT", default=3.0)
PAGE_CACHE_RENDER_TIMEOUT = env.int("PAGE_CACHE_RENDER_TIMEOUT", default=10)
# A page that was rendered and not stored (never_cache, a 404, a cookie) is marked as such for
# its content version for PAGE_CACHE_PASS_TIMEOUT seconds: requests for it meanwhile render at
# once instead of claiming and waiting.
PAGE_CACHE_PASS_TIMEOUT = env.int("PAGE_CACHE_PASS_TIMEOUT", default=60)
# Saving, deleting or relating a record of these apps invalidates every cached page.
PAGE_CACHE_CONTENT_APPS = ["partnerships", "appeals"]
# Except these models, which no public page shows (click counts are for staff).
PAGE_CACHE_IGNORED_MODELS = ["appeals.DonationClick"]
if REDIS_URL:
    # Several sites (or test runs) can share one Redis database with different prefixes.
    CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="twinning")
# ETag and 304 Not Modified for every response, right inside the security and static layers.
MIDDLEWARE.insert(
    MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1,
    "django.middleware.http.ConditionalGetMiddleware",
)
# Innermost, so that it stores the view's own response (see twinning/page_cache.py).
MIDDLEWARE.append("twinning.page_cache.PageCacheMiddleware")
STATIC_ROOT = env.path("STATIC_ROOT", default=STATIC_ROOT)

# --- Search, sharing, sitemap, feeds and open data (issue 5) ---------------------------------
# django.contrib.postgres only registers its database hooks on PostgreSQL connections, so it
# is safe under SQLite too; the search falls back to a simpler match there (twinning/search.py).
INSTALLED_APPS += [
    "django.contrib.postgres",
    "django.contrib.sitemaps",
]
# The search's fuzzy name match counts from this trigram word similarity ("Terekov" is 0.625
# of "Terekhov"). On PostgreSQL it is pg_trgm's threshold for the indexable operator `%>`, set on
# each connection (docs/adr/0024-indexed-search-on-postgresql.md).
SEARCH_WORD_SIMILARITY = 0.5
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _db_options = DATABASES["default"].setdefault("OPTIONS", {})
    _db_options["options"] = " ".join(
        filter(
            None,
            [_db_options.get("options"), f"-c pg_trgm.word_similarity_threshold={SEARCH_WORD_SIMILARITY}"],
        )
    )
# canonical_url and site_name for every template (canonical link, Open Graph, feeds).
TEMPLATES[0]["OPTIONS"]["context_processors"].append("twinning.sharing.sharing")

# --- Safe to run in public: headers, staff accounts, history, faults, logs ---------------------
# (See docs/SECURITY.md for the threat model each setting answers.)

INSTALLED_APPS += ["csp", "axes", "simple_history"]


def _insert_after(existing, new):
    MIDDLEWARE.insert(MIDDLEWARE.index(existing) + 1, new)


# Headers: a strict Content-Security-Policy and a Permissions-Policy on every response.
_insert_after("django.middleware.security.SecurityMiddleware", "csp.middleware.CSPMiddleware")
_insert_after("csp.middleware.CSPMiddleware", "django_permissions_policy.PermissionsPolicyMiddleware")
# A database outage answers 503 with a friendly page instead of a 500 (twinning/outage.py).
_insert_after("whitenoise.middleware.WhiteNoiseMiddleware", "twinning.outage.DatabaseUnavailableMiddleware")
# A 405 answers with a page that says what happened (twinning/middleware.py).
_insert_after("django.middleware.common.CommonMiddleware", "twinning.middleware.MethodNotAllowedPage")
# Who made each change, for the history (django-simple-history), and login throttling (django-axes, last).
_insert_after(
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")

# Nothing but this origin: no inline scripts or styles, no framing, forms post only here.
# The admin needs nothing more (tests/test_security_headers.py checks its pages).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# No page needs a camera, a microphone, geolocation or payment; say so to the browser.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
    "browsing-topics": [],
}

# Staff accounts. django-axes counts failed admin logins in the database: after
# AXES_FAILURE_LIMIT failures an address, and separately a username, is locked out for
# AXES_COOLOFF_HOURS (a superuser lifts it sooner with `manage.py axes_reset_username NAME`).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind the proxy every request comes from 127.0.0.1: take the address the proxy appended.
AXES_CLIENT_IP_CALLABLE = "twinning.staff.client_ip"
AXES_USERNAME_CALLABLE = "twinning.staff.lockout_username"
# Axes' own log lines name only the username, never an address or a browser.
AXES_CLIENT_STR_CALLABLE = "twinning.staff.client_str"
AXES_USE_ATTEMPT_EXPIRATION = True
# Staff sessions end after SESSION_HOURS (8 by default) or when the browser closes.
SESSION_COOKIE_AGE = int(env.float("SESSION_HOURS", default=8) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Changes are recorded with who made them; the history is never deleted with a record.
SIMPLE_HISTORY_REVERT_DISABLED = False
# Each inline row of an admin form posts its fields twice: as edited, and as the editor saw them
# (to stop a save over someone else's change, docs/adr/0057-versions-on-inline-rows.md). A link
# with 50 events passed Django's default of 1,000 fields and its save was refused with a 400.
# 10,000 fields is a link with about 500; a request's body stays capped at 2.5 MB
# (DATA_UPLOAD_MAX_MEMORY_SIZE), and a URL's query string at gunicorn's 4 KB request line.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
# export_content writes JSON with times to the microsecond (twinning/backup_format.py).
SERIALIZATION_MODULES = {"exact_json": "twinning.backup_format"}
# A Redis outage is a cache miss, logged, never an error page (twinning/cache.py); short socket
# timeouts so a hung Redis cannot hold requests.
if REDIS_URL:
    CACHES["default"]["BACKEND"] = "twinning.cache.TolerantRedisCache"
    CACHES["default"]["OPTIONS"] = {
        "socket_connect_timeout": env.float("REDIS_TIMEOUT", default=0.5),
        "socket_timeout": env.float("REDIS_TIMEOUT", default=0.5),
    }
# Logs are JSON lines on standard error (LOG_FORMAT=plain for reading by eye): errors, outages,
# and what staff do (twinning/logs.py). Nothing about visitors: no addresses, no browsers.
if env.str("LOG_FORMAT", default="json") == "json":
    LOGGING["formatters"]["json"] = {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        "static_fields": {"service": "twinning"},
    }
    LOGGING["handlers"]["console"]["formatter"] = "json"
    LOGGING["handlers"]["console"]["filters"] = ["no_visitor_data"]
    LOGGING["filters"] = {"no_visitor_data": {"()": "twinning.logfilter.NoVisitorData"}}

# The page cache stays innermost, whatever other blocks above appended after it.
MIDDLEWARE.remove("twinning.page_cache.PageCacheMiddleware")
MIDDLEWARE.append("twinning.page_cache.PageCacheMiddleware")
