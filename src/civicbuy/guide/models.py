"""Wagtail pages of the guide.

Tree: GuideIndexPage (/guide/) -> GuideSectionPage per lifecycle stage and the emergency track
(/guide/<stage>/) -> GuideStepPage (/guide/<stage>/<step>/); GuideIndexPage -> TopicIndexPage
(/guide/topics/) -> TopicGuidePage. Step pages follow the Digital Buying Guide's proven shape (why it
matters, what to do, do's and don'ts, more information) plus a checklist, examples, SDG tags and
cited sources.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from civicbuy.taxonomy.fields import TaxonomyCodesField, stage_choices
from civicbuy.website.blocks import ExampleBlock, SourceBlock
from civicbuy.website.fields import LinesField
from civicbuy.website.rendering import reading_minutes

TAXONOMY_PANELS = MultiFieldPanel(
    [FieldPanel("themes"), FieldPanel("sdg_targets"), FieldPanel("cpv_divisions")],
    heading=_("Tags (shared taxonomy)"),
)


class GuideIndexPage(Page):
    """The guide's front page: the lifecycle stages in order, the topic guides and the pathfinder."""

    summary = models.CharField(_("summary"), max_length=300, blank=True)
    introduction = models.TextField(_("introduction (Markdown)"), blank=True)

    content_panels: ClassVar[list[Any]] = [*Page.content_panels, FieldPanel("summary"), FieldPanel("introduction")]
    parent_page_types: ClassVar[list[str]] = ["website.HomePage"]
    subpage_types: ClassVar[list[str]] = ["guide.GuideSectionPage", "guide.TopicIndexPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("guide index")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """List stages (with their steps), the emergency track and topic guides."""
        from civicbuy.guide.queries import stage_sections, topic_guides

        context = super().get_context(request, *args, **kwargs)
        sections = stage_sections(self.locale, with_steps=True)
        context["sections"] = [s for s in sections if s.stage != "emergency"]
        context["emergency"] = next((s for s in sections if s.stage == "emergency"), None)
        context["topics"] = topic_guides(self.locale)
        return context


class GuideSectionPage(Page):
    """One lifecycle stage (or the emergency track): an introduction and its steps in order."""

    stage = models.CharField(_("stage"), max_length=32, choices=stage_choices)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    introduction = models.TextField(_("introduction (Markdown)"), blank=True)

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("stage"),
        FieldPanel("summary"),
        FieldPanel("introduction"),
    ]
    search_fields: ClassVar[list[Any]] = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("introduction"),
    ]
    override_translatable_fields: ClassVar[list[Any]] = [SynchronizedField("stage")]
    parent_page_types: ClassVar[list[str]] = ["guide.GuideIndexPage"]
    subpage_types: ClassVar[list[str]] = ["guide.GuideStepPage"]

    class Meta:
        verbose_name = _("guide stage")

    def steps(self) -> models.QuerySet[GuideStepPage]:
        """The live steps of this stage, in order."""
        return GuideStepPage.objects.child_of(self).live().order_by("order", "path")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Add the steps and related case studies."""
        from civicbuy.guide.queries import related_cases

        context = super().get_context(request, *args, **kwargs)
        context["steps"] = self.steps()
        context["related_cases"] = related_cases(self.locale, stages=[self.stage])
        return context


class GuideStepPage(Page):
    """One step: purpose, why it matters, actions, do's and don'ts, checklist, examples, tags, sources."""

    order = models.PositiveSmallIntegerField(_("order within the stage"), default=1)
    purpose = models.CharField(_("purpose (one line)"), max_length=300)
    why_it_matters = models.TextField(_("why it matters (Markdown)"), blank=True)
    actions = LinesField(_("what to do"))
    dos = LinesField(_("do"))
    donts = LinesField(_("don't"))
    checklist = LinesField(_("checklist"))
    examples = StreamField([("example", ExampleBlock())], blank=True, use_json_field=True)
    more_information = models.TextField(_("more information (Markdown)"), blank=True)
    themes = TaxonomyCodesField(_("themes"), kind="theme")
    sdg_targets = TaxonomyCodesField(_("SDG targets"), kind="sdg")
    cpv_divisions = TaxonomyCodesField(_("CPV divisions"), kind="cpv_division")
    sources = StreamField([("source", SourceBlock())], blank=True, use_json_field=True)

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("order"),
        FieldPanel("purpose"),
        FieldPanel("why_it_matters"),
        FieldPanel("actions"),
        FieldPanel("dos"),
        FieldPanel("donts"),
        FieldPanel("checklist"),
        FieldPanel("examples"),
        FieldPanel("more_information"),
        TAXONOMY_PANELS,
        FieldPanel("sources"),
    ]
    search_fields: ClassVar[list[Any]] = [
        *Page.search_fields,
        index.SearchField("purpose", boost=3),
        index.SearchField("why_it_matters"),
        index.SearchField("actions"),
        index.SearchField("checklist"),
        index.SearchField("more_information"),
        index.FilterField("locale_id"),
    ]
    override_translatable_fields: ClassVar[list[Any]] = [
        SynchronizedField("order"),
        SynchronizedField("themes"),
        SynchronizedField("sdg_targets"),
        SynchronizedField("cpv_divisions"),
        TranslatableField("sources"),
    ]
    parent_page_types: ClassVar[list[str]] = ["guide.GuideSectionPage"]
    subpage_types: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("guide step")

    @property
    def stage(self) -> str:
        """The stage code of the section this step belongs to."""
        parent = self.get_parent()
        return parent.specific.stage if parent else ""

    @property
    def reading_minutes(self) -> int:
        """Estimated reading time of the step."""
        return reading_minutes(self.why_it_matters, " ".join(self.actions), self.more_information)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Add previous/next steps within the stage and related case studies."""
        from civicbuy.guide.queries import related_cases

        context = super().get_context(request, *args, **kwargs)
        parent = self.get_parent().specific
        steps = list(parent.steps())
        ids = [step.pk for step in steps]
        position = ids.index(self.pk) if self.pk in ids else -1
        context["section"] = parent
        context["step_number"] = position + 1
        context["step_count"] = len(steps)
        context["previous_step"] = steps[position - 1] if position > 0 else None
        context["next_step"] = steps[position + 1] if 0 <= position < len(steps) - 1 else None
        context["related_cases"] = related_cases(self.locale, themes=self.themes, sdg_targets=self.sdg_targets)
        return context


class TopicIndexPage(Page):
    """The list of topic guides."""

    introduction = models.TextField(_("introduction (Markdown)"), blank=True)
    content_panels: ClassVar[list[Any]] = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types: ClassVar[list[str]] = ["guide.GuideIndexPage"]
    subpage_types: ClassVar[list[str]] = ["guide.TopicGuidePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("topic guide index")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """List the topic guides."""
        from civicbuy.guide.queries import topic_guides

        context = super().get_context(request, *args, **kwargs)
        context["topics"] = topic_guides(self.locale)
        return context


class TopicGuidePage(Page):
    """A short path through the steps that matter for one topic, plus the topic's own advice."""

    summary = models.CharField(_("summary"), max_length=300, blank=True)
    introduction = models.TextField(_("introduction (Markdown)"), blank=True)
    steps = models.JSONField(_("steps, in order (stage/slug)"), default=list, blank=True)
    advice = models.TextField(_("advice (Markdown)"), blank=True)
    themes = TaxonomyCodesField(_("themes"), kind="theme")
    sdg_targets = TaxonomyCodesField(_("SDG targets"), kind="sdg")
    sources = StreamField([("source", SourceBlock())], blank=True, use_json_field=True)

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("introduction"),
        FieldPanel("steps"),
        FieldPanel("advice"),
        MultiFieldPanel([FieldPanel("themes"), FieldPanel("sdg_targets")], heading=_("Tags (shared taxonomy)")),
        FieldPanel("sources"),
    ]
    search_fields: ClassVar[list[Any]] = [
        *Page.search_fields,
        index.SearchField("summary", boost=2),
        index.SearchField("introduction"),
        index.SearchField("advice"),
    ]
    override_translatable_fields: ClassVar[list[Any]] = [
        SynchronizedField("steps"),
        SynchronizedField("themes"),
        SynchronizedField("sdg_targets"),
    ]
    parent_page_types: ClassVar[list[str]] = ["guide.TopicIndexPage"]
    subpage_types: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("topic guide")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Resolve the path of steps in this page's language, and related cases."""
        from civicbuy.guide.queries import related_cases, resolve_steps

        context = super().get_context(request, *args, **kwargs)
        context["path_steps"] = resolve_steps(self.locale, self.steps)
        context["related_cases"] = related_cases(self.locale, themes=self.themes, sdg_targets=self.sdg_targets)
        return context
