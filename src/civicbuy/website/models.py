"""The home page and the "Is this page useful?" feedback that every content page collects."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from civicbuy.website.blocks import SourceBlock


class HomePage(Page):
    """The landing page of each language: what CivicBuy is and the way into its five parts."""

    summary = models.CharField(_("summary"), max_length=300, blank=True)
    introduction = models.TextField(_("introduction (Markdown)"), blank=True)
    sources = StreamField([("source", SourceBlock())], blank=True, use_json_field=True)

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("introduction"),
        FieldPanel("sources"),
    ]
    search_fields: ClassVar[list[Any]] = [*Page.search_fields, index.SearchField("introduction")]
    max_count_per_parent = 1
    parent_page_types: ClassVar[list[str]] = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Add the guide's stages to the home page."""
        context = super().get_context(request, *args, **kwargs)
        from civicbuy.guide.queries import stage_sections

        context["sections"] = stage_sections(self.locale)
        return context


class PageFeedback(models.Model):
    """One answer to "Is this page useful?": yes/no and an optional comment, no personal data."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="feedback")
    useful = models.BooleanField(_("useful"))
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("page feedback")
        verbose_name_plural = _("page feedback")
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.page_id}: {'yes' if self.useful else 'no'}"
