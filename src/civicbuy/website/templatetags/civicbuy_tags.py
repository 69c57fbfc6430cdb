"""Template helpers shared by every part: Markdown, taxonomy labels, language links."""

from __future__ import annotations

import html
from typing import Any

from django import template
from django.urls import translate_url
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from wagtail.models import Locale, Page

from civicbuy.taxonomy import registry
from civicbuy.website.rendering import plain_text, render_markdown

register = template.Library()


@register.filter
def markdown(text: str | None) -> SafeString:
    """Render Markdown (sanitised), with [src:N] citations linked to the page's sources."""
    return render_markdown(text)


@register.filter
def markdown_inline(text: str | None) -> SafeString:
    """Render one line of Markdown without the wrapping paragraph."""
    return render_markdown(text, inline=True)


@register.filter
def summary_points(summary: str | list[str] | None) -> list[str]:
    """A page's summary as lines of text, for lists of results (site search).

    Guide pages have a one-line summary; case studies have a list of bullets (``LinesField``), which printed
    as-is shows Python's brackets and quotes. Bullets lose their Markdown and ``[src:N]`` citations here,
    because the sources they point to are on the case page, not in the list of results.
    """
    if not summary:
        return []
    if isinstance(summary, str):
        return [summary]
    # plain_text() leaves entities (&amp;) in its output; the template escapes once more, so undo them here.
    return [text for text in (html.unescape(plain_text(point)) for point in summary) if text]


@register.simple_tag
def taxonomy_label(kind: str, code: str) -> str:
    """Label of a taxonomy code in the active language."""
    return registry.label(kind, code, (get_language() or "en")[:2])


@register.filter
def language_name(code: str) -> str:
    """Native name of a language code (shown in the language switcher)."""
    return {"en": "English", "es": "Español"}.get(code, code)


@register.simple_tag(takes_context=True)
def absolute(context: dict[str, Any], path: str) -> str:
    """Absolute URL of a path, for share links and print views."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


@register.simple_tag(takes_context=True)
def language_links(context: dict[str, Any]) -> list[tuple[str, str]]:
    """(language, url) of this page in the other languages: the page's translation, else the same path."""
    request = context.get("request")
    if request is None:
        return []
    current = (get_language() or "en")[:2]
    page = context.get("page")
    links = []
    for code in ("en", "es"):
        if code == current:
            continue
        url = None
        if isinstance(page, Page):
            target = Locale.objects.filter(language_code=code).first()
            translation = page.get_translation_or_none(target) if target else None
            if translation is not None and translation.live:
                url = translation.get_url(request)
        links.append((code, url or translate_url(request.get_full_path(), code)))
    return links
