"""Small pieces every router shares: the language parameter and absolute links."""

from __future__ import annotations

from typing import Literal

from django.http import Http404, HttpRequest
from wagtail.models import Locale

Language = Literal["en", "es"]


def locale_of(language: str) -> Locale:
    """The Wagtail locale of ``language`` (404 when the site has no content in it yet)."""
    locale = Locale.objects.filter(language_code=language).first()
    if locale is None:
        raise Http404(language)
    return locale


def absolute(request: HttpRequest, path: str | None) -> str:
    """An absolute URL for a site path (empty when the page has no URL)."""
    return request.build_absolute_uri(path) if path else ""
