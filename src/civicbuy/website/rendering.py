"""Markdown to safe HTML, with numbered source citations.

Content packs and editors write Markdown; everything shown on a page passes through here, so this is
the one place that decides which HTML may reach a browser. nh3 (the Ammonia sanitiser) removes every
tag, attribute and URL scheme not on the allow-list below: no script, no event handler, no
``javascript:`` link survives, whatever the Markdown contains.
"""

from __future__ import annotations

import re
import threading

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote", "code", "pre",
    "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "sup", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class", "id"}, "sup": {"class", "id"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}
CITATION = re.compile(r"\[src:(\d{1,3})\]")


_local = threading.local()


def _converter() -> markdown.Markdown:
    """One converter per thread: a Markdown instance keeps state while converting and is not thread-safe."""
    converter: markdown.Markdown | None = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
        _local.converter = converter
    return converter


def sanitise_html(html: str) -> str:
    """Return ``html`` with everything outside the allow-list removed (links get rel=noopener)."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def _cite(match: re.Match[str], anchor_prefix: str) -> str:
    number = match.group(1)
    return f'<sup class="cb-cite"><a href="#{anchor_prefix}{number}">[{number}]</a></sup>'


def render_markdown(text: str | None, *, anchor_prefix: str = "source-", inline: bool = False) -> SafeString:
    """Render Markdown to sanitised HTML; ``[src:N]`` becomes a link to source N on the page."""
    if not text:
        return mark_safe("")
    converter = _converter()
    converter.reset()
    html = converter.convert(text)
    if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    html = CITATION.sub(lambda m: _cite(m, anchor_prefix), html)
    return mark_safe(sanitise_html(html))


def plain_text(text: str | None) -> str:
    """Return Markdown as plain text (citations removed), for search indexes and meta descriptions."""
    if not text:
        return ""
    html = render_markdown(text)
    stripped = nh3.clean(str(html), tags=set())
    stripped = re.sub(r"\s*\[\d+\]", "", stripped)  # with the space before it: "two years [1]." -> "two years."
    return re.sub(r"\s+", " ", stripped).strip()


def reading_minutes(*texts: str | None, words_per_minute: int = 200) -> int:
    """Estimate reading time in whole minutes (at least one) at an average adult silent-reading pace."""
    words = sum(len(plain_text(text).split()) for text in texts)
    return max(1, round(words / words_per_minute))
