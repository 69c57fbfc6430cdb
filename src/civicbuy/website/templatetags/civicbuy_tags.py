"""Template helpers shared by every part: Markdown, taxonomy labels, language links."""

from __future__ import annotations

import html
from dataclasses import dataclass
from http import HTTPStatus
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


@dataclass(frozen=True)
class LanguageLink:
    """Where the language switch leads for one other language.

    ``alternate`` is True only when ``url`` is this very page in that language: only then may it be given
    to search engines as ``<link rel="alternate" hreflang>``. Otherwise the link leads to the nearest page
    that exists in that language (the section's index, else the home page), named by ``title``.
    """

    code: str
    url: str
    alternate: bool
    title: str = ""


def _nearest_translation(page: Page, locale: Locale, request: Any) -> LanguageLink | None:
    """This page's live translation in ``locale``, else that of its nearest translated section."""
    code = locale.language_code
    translation = page.get_translation_or_none(locale)
    if translation is not None and translation.live:
        return LanguageLink(code, translation.get_url(request) or f"/{code}/", alternate=True)
    for ancestor in page.get_ancestors().filter(depth__gt=1).order_by("-depth"):
        translation = ancestor.get_translation_or_none(locale)
        if translation is not None and translation.live:
            url = translation.get_url(request) or f"/{code}/"
            return LanguageLink(code, url, alternate=False, title=translation.title)
    return None


@register.simple_tag(takes_context=True)
def language_links(context: dict[str, Any]) -> list[LanguageLink]:
    """This page in the other languages, for the language switch and the ``hreflang`` links.

    A CMS page links to its translation when there is one. Many pages exist in one language only (every case
    study sent in through the public form): those link to their section in the other language, never to the
    same path there, which would be a 404. Pages that answer with an error (``status`` in the context) lead to
    the other language's home page. Other views (search, the pathfinder, the dashboard) exist at the same path
    in every language.
    """
    request = context.get("request")
    if request is None:
        return []
    current = (get_language() or "en")[:2]
    page = context.get("page")
    status = context.get("status")
    failed = isinstance(status, int) and status >= HTTPStatus.BAD_REQUEST
    links = []
    for code in ("en", "es"):
        if code == current:
            continue
        if failed:
            link = LanguageLink(code, f"/{code}/", alternate=False)
        elif isinstance(page, Page) and page.pk:
            locale = Locale.objects.filter(language_code=code).first()
            found = _nearest_translation(page, locale, request) if locale else None
            link = found or LanguageLink(code, f"/{code}/", alternate=False)
        else:
            link = LanguageLink(code, translate_url(request.get_full_path(), code), alternate=True)
        links.append(link)
    return links
