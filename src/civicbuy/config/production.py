"""The hardened production profile, applied on top of the defaults when CIVICBUY_ENV=production."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured

_ONE_YEAR = 31_536_000


def apply(settings: dict[str, Any]) -> None:
    """Harden ``settings`` in place: secret key required, HTTPS-only cookies, HSTS, JSON logs."""
    if settings["SECRET_KEY"].startswith("civicbuy-development-key"):
        raise ImproperlyConfigured("SECRET_KEY must be set in production (CIVICBUY_ENV=production).")
    settings.update(
        DEBUG=False,
        SECURE_SSL_REDIRECT=True,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        SECURE_HSTS_SECONDS=_ONE_YEAR,
        SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=True,
        SESSION_COOKIE_SECURE=True,
        CSRF_COOKIE_SECURE=True,
        SECURE_CONTENT_TYPE_NOSNIFF=True,
        SECURE_REFERRER_POLICY="same-origin",
        X_FRAME_OPTIONS="DENY",
    )
    settings["LOGGING"]["handlers"]["console"]["formatter"] = "json"
