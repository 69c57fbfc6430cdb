"""Every setting CivicBuy reads from the environment, declared once in one table.

Why a table: operators need one place that lists every knob with its default and meaning
(docs/settings.md is generated from it with cog, and a test keeps the two in step), and code never calls
``os.getenv`` directly, so a typo in a variable name cannot silently fall back to a default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, default (as text) and a plain-language explanation."""

    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("CIVICBUY_ENV", "development", "development or production; production turns on the hardened profile."),
    Setting("CIVICBUY_DATA_DIR", "var", "Folder for the SQLite database, uploads, datasets and media."),
    Setting(
        "DATABASE_URL",
        "",
        "Database URL (postgres://user@host:5432/name). Empty: SQLite file in CIVICBUY_DATA_DIR.",
    ),
    Setting("SECRET_KEY", "", "Django secret key. Required in production; a development key is used otherwise."),
    Setting("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]", "Comma-separated host names the server answers to."),
    Setting("CIVICBUY_DEBUG", "false", "true shows Django's debug pages (never in production)."),
    Setting("CIVICBUY_BASE_URL", "http://127.0.0.1:8000", "Public address, used in emails and the sitemap."),
    Setting("CIVICBUY_MEDIA_DIR", "", "Where uploaded images and files go. Empty: CIVICBUY_DATA_DIR/media."),
    Setting("CIVICBUY_DATASETS_DIR", "", "Where ingested datasets go. Empty: CIVICBUY_DATA_DIR/datasets."),
    Setting("CIVICBUY_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend", "Django email backend."),
    Setting("CIVICBUY_DEFAULT_FROM_EMAIL", "civicbuy@localhost", "Sender address of notification emails."),
    Setting("CIVICBUY_UPLOAD_MAX_BYTES", str(2 * 1024**3), "Largest OCDS upload accepted, in bytes."),
    Setting("CIVICBUY_LOG_FORMAT", "text", "text or json (structured logs for production)."),
    Setting("CIVICBUY_WORKERS", "2", "Web server worker processes started by `civicbuy serve`."),
    Setting(
        "CIVICBUY_API_RATE_ANONYMOUS",
        "300/m",
        "Most API requests one address may make without a token (number/s, /m, /h or /d).",
    ),
    Setting(
        "CIVICBUY_PROXY_COUNT",
        "0",
        "Reverse proxies in front of the server (production): the client address is read from "
        "X-Forwarded-For this many hops back, for login throttling and every rate limit. 0: use the connection's "
        "address (the header is ignored).",
    ),
    Setting(
        "CIVICBUY_CSRF_TRUSTED_ORIGINS",
        "",
        "Comma-separated extra origins (https://host) allowed to post forms, e.g. a second host name.",
    ),
    Setting(
        "CIVICBUY_STATIC_DIR",
        "",
        "Where `civicbuy setup` collects static files in production. Empty: CIVICBUY_DATA_DIR/static.",
    ),
    Setting("CIVICBUY_API_RATE_TOKEN", "1200/m", "Most API requests one API token may make (number/s, /m, /h or /d)."),
    Setting("CIVICBUY_DEMO_RELEASES", "2000", "Size of the demo city's dataset that `civicbuy setup` generates."),
    # Read by the analytics engine itself (it never imports Django or this module), declared here so that
    # operators find every setting in one table.
    Setting(
        "CIVICBUY_CACHE_DIR",
        "",
        "Analytics engine: where compiled indicator queries are cached. Empty: $XDG_CACHE_HOME/civicbuy or "
        "~/.cache/civicbuy; off: no cache on disk.",
    ),
    Setting(
        "CIVICBUY_DUCKDB_MEMORY_LIMIT",
        "2GB",
        "Analytics engine: most memory DuckDB may use for the indicator query before spilling to disk.",
    ),
    Setting(
        "CIVICBUY_INGEST_WORKERS",
        "",
        "Analytics engine: processes that flatten a JSON Lines file of compiled releases of 64 MiB or more. Empty: "
        "one per CPU, at most 4; 0 or 1: one process.",
    ),
    Setting(
        "CIVICBUY_OCDS_SCHEMA",
        "",
        "Analytics engine: path of the official OCDS release schema for full validation in `civicbuy review` "
        "(never fetched). Empty: CivicBuy's own checks only.",
    ),
    Setting("CIVICBUY_SPARK_MASTER", "local[2]", "Analytics engine: Spark master URL for `--backend spark`."),
    # Read at install time by setup.py, not by the running product.
    Setting(
        "CIVICBUY_PURE_PYTHON",
        "",
        "Install time (make install, pip install): 1 skips compiling the OCDS merger and the flattener to C with "
        "mypyc. Same results; an ingest takes about a quarter longer.",
    ),
)

_BY_NAME = {setting.name: setting for setting in SETTINGS}


def get(name: str) -> str:
    """Return the value of a declared setting (environment first, then its default)."""
    setting = _BY_NAME[name]
    return os.environ.get(name, setting.default)


def get_bool(name: str) -> bool:
    """Return a declared setting read as a yes/no value."""
    return get(name).strip().lower() in {"1", "true", "yes", "on"}


def get_path(name: str, fallback: Path) -> Path:
    """Return a declared path setting, or ``fallback`` when it is empty."""
    value = get(name)
    return Path(value).resolve() if value else fallback


def data_dir() -> Path:
    """The folder for everything CivicBuy writes (database, media, datasets)."""
    return Path(get("CIVICBUY_DATA_DIR")).resolve()
