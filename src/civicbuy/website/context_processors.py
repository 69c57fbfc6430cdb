"""Values every template needs: the navigation and which of its sections is current."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language

NAVIGATION = (
    ("guide", "/guide/"),
    ("case-studies", "/case-studies/"),
    ("assessment", "/assessment/"),
    ("dashboard", "/dashboard/"),
    ("impact", "/impact/"),
)


def site_navigation(request: HttpRequest) -> dict[str, Any]:
    """Navigation links, the current section and the active language."""
    language = (get_language() or "en")[:2]
    path = request.path
    prefix = f"/{language}"
    return {
        "nav_prefix": prefix,
        "nav_current": next((key for key, url in NAVIGATION if path.startswith(prefix + url)), ""),
        "current_language": language,
    }
