"""Public read functions of the guide, used by its pages, the pathfinder, other parts and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wagtail.models import Locale

from civicbuy.guide.models import GuideSectionPage, GuideStepPage, TopicGuidePage
from civicbuy.taxonomy import registry


@dataclass
class Section:
    """A stage of the guide in one language, with its steps when asked for."""

    stage: str
    page: GuideSectionPage
    steps: list[GuideStepPage] = field(default_factory=list)


def stage_sections(locale: Locale, *, with_steps: bool = False) -> list[Section]:
    """Return the live stage pages of ``locale`` in lifecycle order."""
    order = {code: term.order for code, term in registry.stages().items()}
    pages = GuideSectionPage.objects.live().filter(locale=locale)
    sections = sorted((Section(stage=p.stage, page=p) for p in pages), key=lambda s: order.get(s.stage, 99))
    if with_steps:
        steps = GuideStepPage.objects.live().filter(locale=locale).order_by("order", "path")
        by_parent: dict[str, list[GuideStepPage]] = {}
        for step in steps:
            by_parent.setdefault(step.path[: -GuideStepPage.steplen], []).append(step)
        for section in sections:
            section.steps = by_parent.get(section.page.path, [])
    return sections


def topic_guides(locale: Locale) -> list[TopicGuidePage]:
    """Return the live topic guides of ``locale``, in the editors' order."""
    return list(TopicGuidePage.objects.live().filter(locale=locale).order_by("path"))


def step_index(locale: Locale) -> dict[str, GuideStepPage]:
    """Map "stage/slug" to the live step page in ``locale``."""
    sections = {s.page.path: s.stage for s in stage_sections(locale)}
    result: dict[str, GuideStepPage] = {}
    for step in GuideStepPage.objects.live().filter(locale=locale).order_by("order", "path"):
        stage = sections.get(step.path[: -GuideStepPage.steplen])
        if stage:
            result[f"{stage}/{step.slug}"] = step
    return result


def resolve_steps(locale: Locale, references: list[str]) -> list[GuideStepPage]:
    """Return the step pages named by "stage/slug" references, skipping any that do not exist."""
    index = step_index(locale)
    return [index[ref] for ref in references if ref in index]


def step_url(locale: Locale, reference: str) -> str | None:
    """URL of a step named "stage/slug" in ``locale`` (None when it does not exist)."""
    page = step_index(locale).get(reference)
    return page.get_url() if page else None


def related_cases(locale: Locale, **tags: Any) -> list[Any]:
    """Case studies that share tags with a guide page (through the case-study part's public function)."""
    from civicbuy.casestudies import queries as case_queries

    return case_queries.related(locale, limit=3, **tags)
