"""Settings for the directory. One file; every deployment difference comes from the environment."""

import base64
import hashlib
import os
from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# A development checkout keeps its values in a git-ignored .env (`make install` copies .env.example,
# which sets DEBUG=1). The environment wins over the file; a deployment has no .env and reads the
# environment only, so it still refuses to start without SECRET_KEY.
load_dotenv(BASE_DIR / ".env", override=False)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    return int(os.environ.get(name) or default)


def _csp_hash(source):
    return f"'sha256-{base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()}'"


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DEBUG=1 for local development "
            "(`make install` writes a .env with DEBUG=1 from .env.example)."
        )
    SECRET_KEY = "development-only-secret-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "corsheaders",
    "widget_tweaks",
    "dsfr",
    "taggit",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "communs.apps.CommunsConfig",
    # The places: imported by the feature apps below, importing none of them. Listed after
    # initiatives so that the apps' api.py and sitemaps.py, found in this order, keep the API root's
    # and the sitemap index's order as it was when territories were part of initiatives.
    "initiatives.apps.InitiativesConfig",
    "territories.apps.TerritoriesConfig",
    "actors.apps.ActorsConfig",
    "funding.apps.FundingConfig",
    "curation.apps.CurationConfig",
    "catalogues.apps.CataloguesConfig",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before the page cache: a first visit asking for English goes to the English page (communs/locale.py).
    "communs.locale.FirstVisitLanguageMiddleware",
    # Before the session, CSRF and messages middleware: it must see the cookies they set (communs/page_cache.py).
    "communs.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "communs.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "communs.outage.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "communs.urls"
WSGI_APPLICATION = "communs.wsgi.application"

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
            ],
        },
    },
]

# SQLite by default so that `make run` needs nothing installed; PostgreSQL via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 0),
    )
}
# A dead persistent connection (the database restarted) is replaced before use, not failed on.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server gives a 503 quickly (communs/outage.py) instead of holding a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 2))
    # PostgreSQL's default random_page_cost (4) is for spinning disks: with it the planner prefers
    # reading every search document to the full-text GIN index (43 ms instead of 6 ms at 10,000
    # entries). 1.1 is the usual value for SSDs; a server on spinning disks sets 4 back.
    random_page_cost = os.environ.get("DATABASE_RANDOM_PAGE_COST", "1.1")
    # No JIT compilation: past its cost threshold (a search's facets or count at 100,000 entries)
    # PostgreSQL spent about 100 ms compiling a statement that runs once, more than it saved.
    DATABASES["default"]["OPTIONS"].setdefault("options", f"-c random_page_cost={float(random_page_cost)} -c jit=off")
if os.environ.get("TEST_DATABASE_NAME") and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Lets several test runs share one PostgreSQL server without clashing. SQLite test databases
    # live in memory, one per run, and need no name (a name would leave a file in the checkout).
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache shared by every worker, never per-process memory: the rate limits (suggestions, API
# throttles) must count across workers, and the page cache's content version must be one number.
# Redis when REDIS_URL is set (several machines); otherwise files in CACHE_DIR, shared by all the
# workers of one machine. Files rather than Django's DatabaseCache: every page-cache miss would then
# write to the database, where SQLite lets one writer in at a time, and a fresh clone would need a
# cache table before its first request. communs/cache.py makes the file cache's counters atomic.
# "pages" holds the anonymous page cache apart, so that many pages never push out the counters.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_DIR = BASE_DIR / (os.environ.get("CACHE_DIR") or "var/cache")  # a relative path is from the project
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "")
# Seconds an anonymous page stays cached (any write starts a new content version anyway); 0 turns
# the page cache off, the default with DEBUG on so that a template being edited shows at once.
PAGE_CACHE_TIMEOUT = env_int("PAGE_CACHE_TIMEOUT", 0 if DEBUG else 600)
# Seconds a list's facet counts and total stay cached, for everyone, signed in or not (communs/listing.py).
FACET_CACHE_TIMEOUT = env_int("FACET_CACHE_TIMEOUT", 0 if DEBUG else 600)
# Cached variants of one path (its query strings × the headers it varies on) per content version and
# day: past it, a new query string is served uncached, so no client can fill the cache.
PAGE_CACHE_MAX_VARIANTS = env_int("PAGE_CACHE_MAX_VARIANTS", 200)
if REDIS_URL:
    CACHES = {
        alias: {"BACKEND": "communs.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": CACHE_KEY_PREFIX + suffix}
        for alias, suffix in (("default", ""), ("pages", "pages"))
    }
else:
    CACHES = {
        alias: {
            "BACKEND": "communs.cache.FileCache",
            "LOCATION": CACHE_DIR / alias,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 10_000)},
        }
        for alias in ("default", "pages")
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
# One catalogue for the whole project (templates and Python alike): the interface's strings are
# written in French, the source language, and translated in locale/en/LC_MESSAGES/django.po.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        # WhiteNoise's compressed manifest storage, leaving django-dsfr's SRI-pinned files as shipped.
        else "communs.staticfiles.StaticFilesStorage"
    },
}
# Tests and `make run` serve static files straight from the apps, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Where the entries of each imported catalogue land ("published" or "draft"); README: Importing
# catalogues. The SILL is reviewed by the State and code.gouv.fr's "awesome" list by DINUM; entries
# read from any publiccode.yml or from another instance wait for a curator.
CATALOGUE_PUBLICATION = {
    "sill": "published",
    "sill-services": "published",
    "awesome-codegouvfr": "published",
    "dpg": "published",
    "codegouvfr-organisations": "published",
    "codegouvfr-repositories": "published",
    "publiccode": "draft",
    "harvest": "draft",
    "funding": "published",
    # CATALOGUE_PUBLICATION="dpg=draft,publiccode=published" changes some of them.
    **dict(item.split("=", 1) for item in env_list("CATALOGUE_PUBLICATION") if "=" in item),
}

# What the server downloads (harvest, an importer given a URL) and the local files importers read
# (catalogues/fetch.py): http(s) only, never an internal address unless its host is listed here
# (an intranet instance; the tests' 127.0.0.1), a timeout per connect or read, a deadline for the
# whole run, a size cap per file and a bound on the pages of a harvest.
FETCH_ALLOWED_INTERNAL_HOSTS = env_list("FETCH_ALLOWED_INTERNAL_HOSTS")
FETCH_TIMEOUT_SECONDS = env_int("FETCH_TIMEOUT_SECONDS", 30)
FETCH_DEADLINE_SECONDS = env_int("FETCH_DEADLINE_SECONDS", 1800)
FETCH_MAX_MEGABYTES = env_int("FETCH_MAX_MEGABYTES", 50)
FETCH_MAX_PAGES = env_int("FETCH_MAX_PAGES", 2000)

# The public source files the demo data and the importers' tests read (data/README.md gives each
# file's origin and licence); shipped with the project so that a fresh clone needs nothing beside it.
DATA_DIR = BASE_DIR / "data"
# The seed articles the demo facts are checked against (tests/test_demo_data.py). They are not ours to
# redistribute, so they stay outside the project; only that test reads them.
SEEDS_DIR = Path(os.environ.get("SEEDS_DIR") or BASE_DIR.parent / "shared" / "seeds")

TAGGIT_CASE_INSENSITIVE = True

# --- Security: HTTPS, cookies, headers (README, "Security settings") ----------------------------
# The defaults keep `make run` and the tests on plain http://127.0.0.1; a deployment behind TLS sets
# SECURE_SSL_REDIRECT and SECURE_HSTS_SECONDS, and `manage.py check --deploy` then gives no warning.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD")
# Only behind a proxy that sets X-Forwarded-Proto itself (and drops the client's): otherwise a client
# could claim HTTPS and be served secure-only content over plain HTTP.
if env_bool("TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)

# Content-Security-Policy (django-csp): scripts only from our own static files, plus the one inline
# script of the API docs page (Swagger UI's start-up, templates/drf_spectacular/swagger_ui.html),
# which carries the request's nonce. Styles allow inline: Django's admin, Swagger UI and a few of our
# templates use style attributes or a <style> block, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # django-import-export's export page has one inline handler; 'unsafe-hashes' allows that
        # exact handler and nothing else.
        "script-src": [SELF, NONCE, "'unsafe-hashes'", _csp_hash("onSelectToggleChange(event)")],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Login throttling (django-axes) on every login form (the admin's): after AXES_FAILURE_LIMIT failures
# for one account from one address, that pair is refused, even with the right password, for
# AXES_COOLOFF minutes (templates/lockout.html, status 429). Attempts are stored in the database,
# so every worker and server sees them.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
# The same reading of the client's address as the suggestion limit (TRUSTED_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "curation.views.client_address"

# --- Error reports: logs on stdout, and a mail to ADMINS for every 500 ----------------------------
# ADMINS="Jeanne Martin <jeanne@example.gouv.fr>, ops@example.gouv.fr"
ADMINS = [(name, address) for name, address in getaddresses([os.environ.get("ADMINS", "")]) if address]
if any("@" not in address for _, address in ADMINS):
    raise ImproperlyConfigured(f"ADMINS holds an address without @: {os.environ['ADMINS']!r}")
# Set when something watches the logs and alerts someone (ERROR_ALERTS=1): with neither it nor
# ADMINS, the 500 page does not claim that the team knows.
ERROR_ALERTS = env_bool("ERROR_ALERTS")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL") or "root@localhost"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or SERVER_EMAIL
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
# Without an SMTP server, mails are written to stdout (where the logs go) rather than lost.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=EMAIL_PORT == 465)
EMAIL_TIMEOUT = 10
EMAIL_SUBJECT_PREFIX = os.environ.get("EMAIL_SUBJECT_PREFIX", "[Annuaire des communs] ")

LOG_LEVEL = os.environ.get("LOG_LEVEL", "WARNING").upper()
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "communs.log.JSONFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": LOG_FORMAT},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # A 500 is logged by django.request with its traceback: on stdout through the root logger, and
    # mailed to ADMINS when there are any.
    "loggers": {"django": {"handlers": ["mail_admins"], "level": LOG_LEVEL, "propagate": True}},
}

# --- REST API (/api/v1/): DRF, OpenAPI, CORS, rate limits -------------------------------------
REST_FRAMEWORK = {
    # Tokens are made in the admin and stored hashed (curation/tokens.py); no session auth, so the
    # API needs no CSRF dance.
    "DEFAULT_AUTHENTICATION_CLASSES": ["curation.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "communs.rest.formats.CSVRenderer"],
    "DEFAULT_PARSER_CLASSES": ["communs.rest.formats.BoundedJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["communs.rest.backends.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "communs.rest.backends.Pagination",
    "DEFAULT_SCHEMA_CLASS": "communs.rest.schema.DirectorySchema",
    "EXCEPTION_HANDLER": "communs.rest.problems.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["communs.rest.backends.AnonThrottle", "communs.rest.backends.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "120/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "1200/minute"),
    },
    # Behind the reverse proxy set API_NUM_PROXIES=1, so that anonymous clients are told apart by
    # X-Forwarded-For; 0 trusts only REMOTE_ADDR (a client cannot spoof its way past the limit).
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0),
    "PAGE_SIZE": 20,
    "UNICODE_JSON": True,
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "API de l'annuaire des communs numériques du secteur public",
    "DESCRIPTION": (
        "Read the directory anonymously with the same filters as the site; curators write with a token "
        "(`Authorization: Token …`) made in the admin, whose key is shown once. Errors are `application/problem+json`. Lists take `?format=csv`; "
        "full dumps are under `…/export.csv` and `…/export.json`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The interactive documentation's assets are served by us (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "InitiativeKindEnum": "initiatives.models.Initiative.Kind",
        "ActorKindEnum": "actors.models.Actor.Kind",
        "TerritoryKindEnum": "territories.models.Territory.Kind",
        "FundingSchemeKindEnum": "funding.models.FundingScheme.Kind",
        "FundingSchemeStatusEnum": "funding.models.FundingScheme.Status",
        "CriterionStatusEnum": "initiatives.models.CriterionAssessment.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "communs.rest.problems.add_problem_responses",
    ],
}

# Anyone may read the API from a browser on another site; writes stay same-origin (no preflight passes).
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "if-modified-since", "user-agent"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "Retry-After"]

# --- Curation (curation/) -------------------------------------------------------
# simple-history's own revert form would save an old copy whole (status, version);
# the admin reverts through curation.services.revert instead.
SIMPLE_HISTORY_REVERT_DISABLED = True
# Imports run in one transaction: a file with one bad row imports nothing.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Public suggestions: (submissions, seconds) per address, link cap, size caps.
CURATION_SUGGESTION_RATE = (env_int("CURATION_SUGGESTION_RATE", 5), 3600)
CURATION_SUGGESTION_MAX_LINKS = 3
CURATION_SUGGESTION_MAX_MESSAGE = 5000
CURATION_SUGGESTION_MAX_BYTES = 20_000
# Behind N reverse proxies that append to X-Forwarded-For, the client is the Nth
# address from the right; 0 (the default) trusts only REMOTE_ADDR, which cannot be forged.
CURATION_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
