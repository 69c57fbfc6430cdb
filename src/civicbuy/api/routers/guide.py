"""/api/v1/guide/: the step-by-step guide (stages with their steps, each step, topic guides)."""

from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from civicbuy.api.common import Language, absolute, locale_of
from civicbuy.api.pagination import Pages
from civicbuy.guide import queries
from civicbuy.guide.models import GuideStepPage, TopicGuidePage

router = Router(tags=["guide"])


class SourceOut(Schema):
    """A cited source."""

    number: int
    title: str
    publisher: str
    url: str
    accessed: date | None


class StepSummary(Schema):
    """A step in a list."""

    reference: str
    stage: str
    slug: str
    title: str
    purpose: str
    order: int
    url: str


class ExampleOut(Schema):
    """A worked example on a step page."""

    title: str
    body: str


class StepOut(StepSummary):
    """A whole step: text fields are Markdown."""

    why_it_matters: str
    actions: list[str]
    dos: list[str]
    donts: list[str]
    checklist: list[str]
    examples: list[ExampleOut]
    more_information: str
    themes: list[str]
    sdg_targets: list[str]
    cpv_divisions: list[str]
    sources: list[SourceOut]


class SectionOut(Schema):
    """A stage of the guide and its steps in order."""

    stage: str
    title: str
    summary: str
    url: str
    steps: list[StepSummary]


class TopicOut(Schema):
    """A topic guide: a path through the steps that matter for one topic."""

    slug: str
    title: str
    summary: str
    introduction: str
    advice: str
    steps: list[str]
    themes: list[str]
    sdg_targets: list[str]
    url: str


def _sources(stream: Any) -> list[SourceOut]:
    return [
        SourceOut(
            number=number,
            title=child.value["title"],
            publisher=child.value.get("publisher") or "",
            url=child.value["url"],
            accessed=child.value.get("accessed"),
        )
        for number, child in enumerate(stream, start=1)
    ]


def _summary(request: HttpRequest, stage: str, step: GuideStepPage) -> StepSummary:
    return StepSummary(
        reference=f"{stage}/{step.slug}",
        stage=stage,
        slug=step.slug,
        title=step.title,
        purpose=step.purpose,
        order=step.order,
        url=absolute(request, step.get_url(request)),
    )


def _topic(request: HttpRequest, page: TopicGuidePage) -> TopicOut:
    return TopicOut(
        slug=page.slug,
        title=page.title,
        summary=page.summary,
        introduction=page.introduction,
        advice=page.advice,
        steps=[str(reference) for reference in page.steps or []],
        themes=list(page.themes or []),
        sdg_targets=list(page.sdg_targets or []),
        url=absolute(request, page.get_url(request)),
    )


@router.get("/sections/", response=list[SectionOut], summary="The guide's stages with their steps")
def sections(request: HttpRequest, lang: Language = "en") -> list[SectionOut]:
    """Every live stage (and the emergency track) in lifecycle order, each with its steps."""
    found = queries.stage_sections(locale_of(lang), with_steps=True)
    return [
        SectionOut(
            stage=section.stage,
            title=section.page.title,
            summary=section.page.summary,
            url=absolute(request, section.page.get_url(request)),
            steps=[_summary(request, section.stage, step) for step in section.steps],
        )
        for section in found
    ]


@router.get("/steps/", response=list[StepSummary], summary="Every guide step")
@paginate(Pages)
def steps(request: HttpRequest, lang: Language = "en") -> list[StepSummary]:
    """The live steps of ``lang`` in guide order (stage, then step order)."""
    return [
        _summary(request, section.stage, step)
        for section in queries.stage_sections(locale_of(lang), with_steps=True)
        for step in section.steps
    ]


@router.get("/steps/{stage}/{slug}/", response=StepOut, summary="One guide step")
def step(request: HttpRequest, stage: str, slug: str, lang: Language = "en") -> StepOut:
    """A step by stage code and slug (the same as its page address)."""
    page = queries.step_index(locale_of(lang)).get(f"{stage}/{slug}")
    if page is None:
        raise Http404(slug)
    return StepOut(
        **_summary(request, stage, page).dict(),
        why_it_matters=page.why_it_matters,
        actions=list(page.actions),
        dos=list(page.dos),
        donts=list(page.donts),
        checklist=list(page.checklist),
        examples=[ExampleOut(title=c.value["title"], body=c.value["body"]) for c in page.examples],
        more_information=page.more_information,
        themes=list(page.themes or []),
        sdg_targets=list(page.sdg_targets or []),
        cpv_divisions=list(page.cpv_divisions or []),
        sources=_sources(page.sources),
    )


@router.get("/topics/", response=list[TopicOut], summary="The topic guides")
def topics(request: HttpRequest, lang: Language = "en") -> list[TopicOut]:
    """Every live topic guide of ``lang``."""
    return [_topic(request, page) for page in queries.topic_guides(locale_of(lang))]


@router.get("/topics/{slug}/", response=TopicOut, summary="One topic guide")
def topic(request: HttpRequest, slug: str, lang: Language = "en") -> TopicOut:
    """A topic guide by slug."""
    page = next((p for p in queries.topic_guides(locale_of(lang)) if p.slug == slug), None)
    if page is None:
        raise Http404(slug)
    return _topic(request, page)
