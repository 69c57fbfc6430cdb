"""Django settings for CivicBuy, read from the environment through :mod:`civicbuy.config.env`.

The embedded default needs nothing: SQLite in ``CIVICBUY_DATA_DIR``, bundled content, console email.
``CIVICBUY_ENV=production`` switches on the hardened profile in :mod:`civicbuy.config.production`.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from civicbuy.config import env

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env.data_dir()

PRODUCTION = env.get("CIVICBUY_ENV") == "production"
DEBUG = env.get_bool("CIVICBUY_DEBUG") and not PRODUCTION
_DEVELOPMENT_KEY = "civicbuy-development-key-not-for-production-use-0123456789abcdef"
SECRET_KEY = env.get("SECRET_KEY") or _DEVELOPMENT_KEY
ALLOWED_HOSTS = [host.strip() for host in env.get("ALLOWED_HOSTS").split(",") if host.strip()]

INSTALLED_APPS = [
    "civicbuy.website",
    "civicbuy.guide",
    "civicbuy.casestudies",
    "civicbuy.assessment",
    "civicbuy.accounts",
    "civicbuy.impact",
    "civicbuy.dashboard",
    "civicbuy.api",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "civicbuy.api.middleware.ApiResponseMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes requires: counts failed logins and locks out repeated guessing.
    "axes.middleware.AxesMiddleware",
]

# Login throttling in every profile (production may tighten it): 5 failures per user name and address lock
# that pair out for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Behind N reverse proxies the client is N hops back in X-Forwarded-For; one function reads it for every limit.
PROXY_COUNT = int(env.get("CIVICBUY_PROXY_COUNT"))
AXES_CLIENT_IP_CALLABLE = "civicbuy.config.client_ip.client_ip"

# django-axes first, so a locked-out client is refused before its password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "civicbuy.config.urls"
# A form whose CSRF check fails (cookies blocked or cleared) gets the site's own 403 page in the page's
# language, which tells the visitor how to keep what they typed; Django's own is a developer's page in English.
# In every profile: production.apply() leaves it as it is.
CSRF_FAILURE_VIEW = "civicbuy.website.views.csrf_failure"
WSGI_APPLICATION = "civicbuy.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "civicbuy.website.context_processors.site_navigation",
            ],
        },
    },
]

_database_url = env.get("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "civicbuy.sqlite3"),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: interface strings through gettext (.po in locale/), content through wagtail-localize.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
# Collected static files are only needed in production; development serves them from the finders.
STATIC_ROOT = DATA_DIR / "static" if PRODUCTION else None
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.get_path("CIVICBUY_MEDIA_DIR", DATA_DIR / "media")
DATASETS_ROOT = env.get_path("CIVICBUY_DATASETS_DIR", DATA_DIR / "datasets")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# Upload limits: large OCDS files stream to disk; forms stay small.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
CIVICBUY_UPLOAD_MAX_BYTES = int(env.get("CIVICBUY_UPLOAD_MAX_BYTES"))

EMAIL_BACKEND = env.get("CIVICBUY_EMAIL_BACKEND")
DEFAULT_FROM_EMAIL = env.get("CIVICBUY_DEFAULT_FROM_EMAIL")
CIVICBUY_BASE_URL = env.get("CIVICBUY_BASE_URL").rstrip("/")

WAGTAIL_SITE_NAME = "CivicBuy"
WAGTAILADMIN_BASE_URL = CIVICBUY_BASE_URL
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods", "csv", "txt"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAIL_MODERATION_ENABLED = True
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        # On PostgreSQL: a text search configuration made by our migration (simple + unaccent), so
        # "electricos" finds "eléctricos" as SQLite FTS5's unicode61 tokenizer does.
        **({"SEARCH_CONFIG": "civicbuy_unaccent"} if IS_POSTGRES else {}),
    }
}

# Background work. "default" runs immediately (Wagtail's search-index updates must not wait for a
# worker); "jobs" is the database queue for long work such as dataset ingests, run by the worker that
# `civicbuy serve` starts beside the web server.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "jobs": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "ingest"]},
}

# A file cache shared by every server process (rate limits must hold across gunicorn workers).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
}

LOGIN_URL = "/admin/login/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "civicbuy.config.logs.JsonFormatter"},
    },
    "filters": {"redact": {"()": "civicbuy.config.logs.RedactSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.get("CIVICBUY_LOG_FORMAT"),
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"civicbuy": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

SITE_DESCRIPTION = _("Strategic, sustainable and social-purpose procurement for cities.")

if PRODUCTION:
    from civicbuy.config.production import apply as _apply_production

    _apply_production(globals())
