"""StreamField blocks shared by content pages: cited sources and worked examples."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class SourceBlock(blocks.StructBlock):
    """A public source that a figure or fact on the page cites as [src:N] (N is its position)."""

    title = blocks.CharBlock(max_length=400, label=_("Title"))
    publisher = blocks.CharBlock(max_length=255, required=False, label=_("Publisher"))
    url = blocks.URLBlock(label=_("Address (URL)"))
    accessed = blocks.DateBlock(label=_("Date accessed"))

    class Meta:
        icon = "link"
        label = _("Source")


class ExampleBlock(blocks.StructBlock):
    """A template or example wording the reader can adapt (criteria, notice text, KPI table)."""

    title = blocks.CharBlock(max_length=255, label=_("Title"))
    body = blocks.TextBlock(label=_("Text (Markdown)"))

    class Meta:
        icon = "doc-full"
        label = _("Example")


def sources_to_data(stream: object) -> list[dict[str, object]]:
    """Return a sources StreamField as plain dicts (for content packs and the API)."""
    return [dict(child.value) for child in stream]  # type: ignore[attr-defined]


def examples_to_data(stream: object) -> list[dict[str, object]]:
    """Return an examples StreamField as plain dicts."""
    return [dict(child.value) for child in stream]  # type: ignore[attr-defined]
