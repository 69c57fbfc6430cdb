"""The hardened production profile, applied on top of the defaults when CIVICBUY_ENV=production.

What it adds, and why:

- a real secret key and PostgreSQL are required (SQLite cannot take concurrent writers from several
  server processes; the profile refuses to start rather than lose writes under load);
- HTTPS only: redirect, HSTS for a year (with subdomains and preload), secure and HTTP-only cookies;
  a TLS-terminating proxy in front must send ``X-Forwarded-Proto: https``;
- a Content-Security-Policy (django-csp) that lets pages load only the app's own scripts, styles,
  images and fonts, and be framed by nobody. The Wagtail editor's pages (``/admin/``) still use inline
  scripts and styles, so they alone get ``'unsafe-inline'``, through :class:`AdminAwareCSPMiddleware`;
- login throttling (django-axes): five failed logins for one user name from one address lock that pair
  for 15 minutes;
- JSON log lines on the console for log shippers; no Gravatar requests leaking editors' address hashes
  and no Wagtail update check from editors' browsers (both third-party calls the CSP would block).

``civicbuy manage check --deploy`` reports nothing with this profile (tests/config/test_production.py).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponseBase
from whitenoise.storage import CompressedManifestStaticFilesStorage

from civicbuy.config import env

logger = logging.getLogger("civicbuy.config")

_ONE_YEAR = 31_536_000

HTMX_INDICATOR_STYLE = "'sha256-faU7yAF8NxuMTNEwVmBz+VcYeIoBQ2EMHW3WaVxCvnk='"
# Public pages, the API and its docs: only what the app itself serves.
POLICY: dict[str, Any] = {
    "default-src": [SELF],
    "script-src": [SELF],
    # htmx adds one fixed <style> for its loading indicators; allowed by its hash (htmx 2's text).
    "style-src": [SELF, HTMX_INDICATOR_STYLE],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "media-src": [SELF],
    "object-src": [NONE],
    "frame-src": [SELF],
    "frame-ancestors": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
}
# The Wagtail editor and Django's admin: inline scripts and styles (date pickers, inline panels,
# the rich-text editor), blob: images (uploads previews) and same-origin preview frames.
EDITOR_PREFIXES = ("/admin/", "/django-admin/")
EDITOR_POLICY: dict[str, Any] = {
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
    "frame-ancestors": [SELF],
}
# The API's documentation page (Swagger UI, served from the app's own static files) sets inline styles.
DOCS_PREFIXES = ("/api/docs",)
DOCS_POLICY: dict[str, Any] = {"style-src": [SELF, UNSAFE_INLINE]}


class AdminAwareCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the editor's and API docs' wider allowances on their paths only."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        """The configured policy, with the editor's or API docs' replacements where the path needs them."""
        parts = super().get_policy_parts(request, response, report_only)
        path = request.path_info
        extra = (
            EDITOR_POLICY
            if path.startswith(EDITOR_PREFIXES)
            else DOCS_POLICY
            if path.startswith(DOCS_PREFIXES)
            else None
        )
        if extra:
            parts.replace = {**extra, **(parts.replace or {})}
        return parts


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, hashed storage that does not stop `collectstatic` on a missing reference.

    A stylesheet built from a design system may refer to an image the build did not copy (govuk-frontend's
    ``assets/images/govuk-crest.svg``); Django's manifest storage then refuses to collect anything, so the
    whole deployment fails for one decorative file. Here the reference is left as it is and logged.
    """

    def hashed_name(self, name: str, content: Any = None, filename: str | None = None) -> str:
        """The hashed name, or ``name`` itself (with a warning) when a referenced file does not exist."""
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            if content is not None or self.exists(name):
                raise
            logger.warning("static file %s is referenced but missing; left unhashed", name)
            return name


def apply(settings: dict[str, Any]) -> None:
    """Harden ``settings`` in place (see the module docstring)."""
    if settings["SECRET_KEY"].startswith("civicbuy-development-key"):
        raise ImproperlyConfigured("SECRET_KEY must be set in production (CIVICBUY_ENV=production).")
    if not settings["IS_POSTGRES"]:
        raise ImproperlyConfigured(
            "production needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name (CIVICBUY_ENV=production)."
        )
    settings.update(
        DEBUG=False,
        SECURE_SSL_REDIRECT=True,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        SECURE_HSTS_SECONDS=_ONE_YEAR,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=True,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=True,
        CSRF_COOKIE_SECURE=True,
        SECURE_CONTENT_TYPE_NOSNIFF=True,
        SECURE_REFERRER_POLICY="same-origin",
        SECURE_CROSS_ORIGIN_OPENER_POLICY="same-origin",
        X_FRAME_OPTIONS="DENY",
        CONTENT_SECURITY_POLICY={"DIRECTIVES": POLICY},
        AXES_FAILURE_LIMIT=5,
        AXES_COOLOFF_TIME=timedelta(minutes=15),
        AXES_LOCKOUT_PARAMETERS=[["username", "ip_address"]],
        AXES_RESET_ON_SUCCESS=True,
        WAGTAIL_GRAVATAR_PROVIDER_URL=None,
        WAGTAIL_ENABLE_UPDATE_CHECK=False,  # no call to releases.wagtail.org from editors' browsers
        CSRF_TRUSTED_ORIGINS=[o.strip() for o in env.get("CIVICBUY_CSRF_TRUSTED_ORIGINS").split(",") if o.strip()],
        STATIC_ROOT=env.get_path("CIVICBUY_STATIC_DIR", settings["DATA_DIR"] / "static"),
    )
    settings["STORAGES"] = {
        **settings["STORAGES"],
        "staticfiles": {"BACKEND": "civicbuy.config.production.StaticFilesStorage"},
    }
    settings["MIDDLEWARE"] = [
        "civicbuy.config.production.AdminAwareCSPMiddleware" if name == "csp.middleware.CSPMiddleware" else name
        for name in settings["MIDDLEWARE"]
    ]
    settings["LOGGING"]["handlers"]["console"]["formatter"] = "json"
