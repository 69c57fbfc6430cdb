"""Wagtail pages of the case-study library, and the record that links a public submission to its draft.

Tree: HomePage -> CaseStudyIndexPage (slug ``case-studies``, one per language) -> CaseStudyPage.
A case page follows the Digital Buying Guide's case template (summary, problem, approach, results,
challenges, what others can reuse, a quote) plus what CivicBuy adds: a citation next to every figure,
caveats where sources are thin or facts time-sensitive, and the shared taxonomy tags.

The search index rows (:class:`CaseStudySearchEntry`, :class:`CaseStudySearchTerm`) are maintained by
:mod:`civicbuy.casestudies.search`; they hold plain text only and never decide what is public.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from civicbuy.taxonomy import registry
from civicbuy.taxonomy.fields import TaxonomyCodesField
from civicbuy.website.blocks import SourceBlock
from civicbuy.website.fields import LinesField
from civicbuy.website.rendering import reading_minutes

if TYPE_CHECKING:
    from wagtail.models import WorkflowState

RESERVED_SLUGS = frozenset({"submit", "submissions", "api", "map"})


def country_choices() -> list[tuple[str, str]]:
    """Every ISO 3166-1 country (a module-level function so migrations can refer to it)."""
    return registry.choices("country")


class ResultBlock(blocks.StructBlock):
    """One result: a sentence with a figure, and the number of the source that supports it."""

    text = blocks.TextBlock(label=_("Result (one or two sentences)"))
    source = blocks.IntegerBlock(min_value=1, label=_("Source number"))

    class Meta:
        icon = "success"
        label = _("Result")


class CaseStudyIndexPage(Page):
    """/case-studies/: search, facets, the map and the way to propose a case."""

    introduction = models.TextField(_("introduction (Markdown)"), blank=True)

    content_panels: ClassVar[list[Any]] = [*Page.content_panels, FieldPanel("introduction")]
    parent_page_types: ClassVar[list[str]] = ["website.HomePage"]
    subpage_types: ClassVar[list[str]] = ["casestudies.CaseStudyPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("case-study library")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The list as HTML, as an htmx fragment, or as JSON (``?format=json``)."""
        from civicbuy.casestudies.views import serve_index

        del args, kwargs
        return serve_index(self, request)


class CaseStudyPage(Page):
    """One city's or country's experience, every figure cited."""

    country = models.CharField(_("country"), max_length=2, choices=country_choices)
    city = models.CharField(_("city or area (optional)"), max_length=120, blank=True)
    organisation = models.CharField(_("organisation"), max_length=300)
    years = models.CharField(_("year(s)"), max_length=20, help_text=_("For example 2019 or 2019-2022."))
    summary = LinesField(_("summary (three short bullets)"))
    problem = models.TextField(_("the problem (Markdown)"))
    approach = models.TextField(_("the approach (Markdown)"))
    results = StreamField([("result", ResultBlock())], blank=True, use_json_field=True)
    challenges = models.TextField(_("challenges (Markdown)"), blank=True)
    reusable = models.TextField(_("what others can reuse (Markdown)"), blank=True)
    quote_text = models.TextField(_("quote (only from a public source)"), blank=True)
    quote_attribution = models.CharField(_("quote attribution"), max_length=300, blank=True)
    quote_source = models.PositiveSmallIntegerField(_("quote source number"), null=True, blank=True)
    caveats = models.TextField(_("caveats: thin sources, time-sensitive facts (Markdown)"), blank=True)
    stages = TaxonomyCodesField(_("lifecycle stages"), kind="stage")
    themes = TaxonomyCodesField(_("themes"), kind="theme")
    sdg_targets = TaxonomyCodesField(_("SDG targets"), kind="sdg")
    cpv_divisions = TaxonomyCodesField(_("CPV divisions"), kind="cpv_division")
    published = models.DateField(_("publication date"), default=dt.date.today)
    sources = StreamField([("source", SourceBlock())], blank=True, use_json_field=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    image_alt = models.CharField(_("image description (alternative text)"), max_length=250, blank=True)
    attachment = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("attached document"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels: ClassVar[list[Any]] = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("country"), FieldPanel("city")]),
                FieldPanel("organisation"),
                FieldRowPanel([FieldPanel("years"), FieldPanel("published")]),
            ],
            heading=_("Place and time"),
        ),
        FieldPanel("summary"),
        FieldPanel("problem"),
        FieldPanel("approach"),
        FieldPanel("results"),
        FieldPanel("challenges"),
        FieldPanel("reusable"),
        MultiFieldPanel(
            [FieldPanel("quote_text"), FieldPanel("quote_attribution"), FieldPanel("quote_source")],
            heading=_("Quote"),
        ),
        FieldPanel("caveats"),
        MultiFieldPanel(
            [FieldPanel("stages"), FieldPanel("themes"), FieldPanel("sdg_targets"), FieldPanel("cpv_divisions")],
            heading=_("Tags (shared taxonomy)"),
        ),
        MultiFieldPanel(
            [FieldPanel("image"), FieldPanel("image_alt"), FieldPanel("attachment")], heading=_("Image and file")
        ),
        FieldPanel("sources"),
    ]
    search_fields: ClassVar[list[Any]] = [
        *Page.search_fields,
        index.SearchField("summary", boost=2),
        index.SearchField("organisation"),
        index.SearchField("city"),
        index.SearchField("problem"),
        index.SearchField("approach"),
        index.FilterField("locale_id"),
        index.FilterField("country"),
    ]
    override_translatable_fields: ClassVar[list[Any]] = [
        SynchronizedField("country"),
        SynchronizedField("years"),
        SynchronizedField("quote_source"),
        SynchronizedField("stages"),
        SynchronizedField("themes"),
        SynchronizedField("sdg_targets"),
        SynchronizedField("cpv_divisions"),
        SynchronizedField("published"),
        SynchronizedField("sources"),
        SynchronizedField("image"),
        SynchronizedField("attachment"),
    ]
    parent_page_types: ClassVar[list[str]] = ["casestudies.CaseStudyIndexPage"]
    subpage_types: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")

    @property
    def language(self) -> str:
        """The two-letter language of this page's locale."""
        return str(self.locale.language_code)[:2]

    @property
    def country_name(self) -> str:
        """The country's name in the page's language."""
        return registry.label("country", self.country, self.language) if self.country else ""

    @property
    def place(self) -> str:
        """The place as "City, Country" (or the country alone), in the page's language."""
        return ", ".join(part for part in (self.city, self.country_name) if part)

    @property
    def region(self) -> str:
        """The world-region code of the country."""
        return registry.region_of(self.country) if self.country else ""

    @property
    def reading_minutes(self) -> int:
        """Estimated reading time of the whole case."""
        results = " ".join(str(child.value["text"]) for child in self.results)
        return reading_minutes(
            " ".join(self.summary),
            self.problem,
            self.approach,
            results,
            self.challenges,
            self.reusable,
            self.quote_text,
            self.caveats,
        )

    @property
    def has_quote(self) -> bool:
        """A quote is shown only with its attribution."""
        return bool(self.quote_text.strip() and self.quote_attribution.strip())

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """The case as HTML, or as JSON (``?format=json``) for the API."""
        if request.GET.get("format") == "json":
            from civicbuy.casestudies.views import case_json

            return case_json(self, request)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Add related cases that share tags with this one."""
        from civicbuy.casestudies.queries import related

        context = super().get_context(request, *args, **kwargs)
        context["related_cases"] = [
            case
            for case in related(self.locale, limit=4, themes=self.themes, sdg_targets=self.sdg_targets)
            if case.page_id != self.pk
        ][:3]
        context["index_page"] = self.get_parent()
        return context


class CaseStudySearchEntry(models.Model):
    """Plain text of one live case page, indexed by the database's full-text engine.

    On SQLite the text is mirrored into an FTS5 table; on PostgreSQL a ``search_vector`` tsvector
    column (added by migration 0002, weighted and built with the page language's text search
    configuration) sits beside these columns. Both are written by :mod:`civicbuy.casestudies.search`.
    """

    page = models.OneToOneField(CaseStudyPage, on_delete=models.CASCADE, primary_key=True, related_name="+")
    language = models.CharField(max_length=8, db_index=True)
    title = models.TextField()
    summary = models.TextField(blank=True)
    place = models.TextField(blank=True)
    body = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case-study search entry")
        verbose_name_plural = _("case-study search entries")

    def __str__(self) -> str:
        return self.title


class CaseStudySearchTerm(models.Model):
    """One word (lowercase, accents as written) seen in the indexed text of a language.

    Used to correct misspelt query words to words that exist, the same way on both databases: compared
    without accents, shown with them.
    """

    language = models.CharField(max_length=8)
    term = models.CharField(max_length=64)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["language", "term"], name="casestudies_unique_search_term")
        ]

    def __str__(self) -> str:
        return f"{self.language}:{self.term}"


def hash_token(token: str) -> str:
    """The stored form of a status-link token: only its SHA-256, so a database leak reveals no link."""
    return hashlib.sha256(token.encode()).hexdigest()


class CaseSubmission(models.Model):
    """A case proposed through the public form: its draft page, who proposed it and their status link."""

    class Status(models.TextChoices):
        IN_REVIEW = "in_review", _("Waiting for review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested by an editor")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed without publishing")

    page = models.ForeignKey(
        CaseStudyPage, verbose_name=_("draft page"), null=True, blank=True, on_delete=models.SET_NULL
    )
    title = models.CharField(_("title when submitted"), max_length=255)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    submitter_name = models.CharField(_("name"), max_length=200, blank=True)
    submitter_email = models.EmailField(_("email"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_submissions",
    )
    language = models.CharField(_("language"), max_length=8)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("case submission")
        verbose_name_plural = _("case submissions")
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def workflow_state(self) -> WorkflowState | None:
        """The latest moderation workflow of the draft page (None before one started)."""
        from wagtail.models import WorkflowState

        if self.page_id is None:
            return None
        return WorkflowState.objects.for_instance(self.page).order_by("-created_at").first()

    @property
    def status(self) -> str:
        """Where the submission stands, in the submitter's terms."""
        from wagtail.models import WorkflowState

        page = self.page
        if page is None:
            return self.Status.CLOSED
        if page.live:
            return self.Status.PUBLISHED
        state = self.workflow_state()
        if state is None or state.status == WorkflowState.STATUS_IN_PROGRESS:
            return self.Status.IN_REVIEW
        if state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            return self.Status.CHANGES_REQUESTED
        return self.Status.CLOSED

    def get_status_display(self) -> str:
        """The status label."""
        return str(self.Status(self.status).label)

    def editor_comment(self) -> str:
        """The editor's comment when changes were requested (shown to the submitter)."""
        state = self.workflow_state()
        if state is None:
            return ""
        task_state = state.task_states.exclude(comment="").order_by("-finished_at").first()
        return task_state.comment if task_state else ""
