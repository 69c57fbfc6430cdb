"""Content-pack kinds of the guide: index pages, stage introductions, steps and topic guides.

Files (docs/content-packs.md): ``guide/guide.<lang>.yaml`` and ``guide/topics.<lang>.yaml`` (index
pages), ``guide/sections/<stage>.<lang>.yaml``, ``guide/steps/<stage>/<slug>.<lang>.yaml`` and
``guide/topics/<slug>.<lang>.yaml``.
"""

from __future__ import annotations

from typing import Any

from wagtail.models import Page

from civicbuy.content import tree
from civicbuy.content.compact import compact
from civicbuy.content.errors import ContentPackError
from civicbuy.content.packs import Kind, PackPage
from civicbuy.content.spec import FieldSpec
from civicbuy.guide.models import (
    GuideIndexPage,
    GuideSectionPage,
    GuideStepPage,
    TopicGuidePage,
    TopicIndexPage,
)
from civicbuy.taxonomy import registry
from civicbuy.website.blocks import examples_to_data, sources_to_data
from civicbuy.website.models import HomePage

INDEX_FIELDS = {
    "slug": FieldSpec("slug", required=True),
    "title": FieldSpec("line", required=True, max_length=255),
    "summary": FieldSpec("line", max_length=300),
    "introduction": FieldSpec("text"),
}
SECTION_FIELDS = INDEX_FIELDS
STEP_FIELDS = {
    "slug": FieldSpec("slug", required=True),
    "stage": FieldSpec("code:stage", required=True, translated=False),
    "order": FieldSpec("int", required=True, translated=False),
    "title": FieldSpec("line", required=True, max_length=255),
    "purpose": FieldSpec("line", required=True, max_length=300),
    "why_it_matters": FieldSpec("text", required=True),
    "actions": FieldSpec("lines", required=True),
    "dos": FieldSpec("lines"),
    "donts": FieldSpec("lines"),
    "checklist": FieldSpec("lines", required=True),
    "examples": FieldSpec("examples"),
    "more_information": FieldSpec("text"),
    "themes": FieldSpec("codes:theme", required=True, translated=False),
    "sdg_targets": FieldSpec("codes:sdg", required=True, translated=False),
    "cpv_divisions": FieldSpec("codes:cpv_division", translated=False),
    "sources": FieldSpec("sources", translated=False),
}
TOPIC_FIELDS = {
    "slug": FieldSpec("slug", required=True),
    "title": FieldSpec("line", required=True, max_length=255),
    "summary": FieldSpec("line", max_length=300),
    "introduction": FieldSpec("text", required=True),
    "steps": FieldSpec("steps", required=True, translated=False),
    "advice": FieldSpec("text"),
    "themes": FieldSpec("codes:theme", translated=False),
    "sdg_targets": FieldSpec("codes:sdg", translated=False),
    "sources": FieldSpec("sources", translated=False),
}
INDEX_SLUGS = {"guide": GuideIndexPage, "topics": TopicIndexPage}


def _english(model: type[Page], **filters: Any) -> Any:
    return model.objects.filter(locale__language_code="en", **filters).first()


def _need(page: Page | None, what: str, file: str) -> Page:
    if page is None:
        raise ContentPackError(file, f"needs the {what} page, which the pack does not define")
    return page


def _translations(page: Page) -> list[Page]:
    return [page, *[p.specific for p in page.get_translations()]]


# Index pages -------------------------------------------------------------------------------------


def _index_fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {"title": data["title"], "introduction": data.get("introduction") or ""}
    if "summary" in data:
        fields["summary"] = data.get("summary") or ""
    return fields


def apply_indexes(pages: list[PackPage]) -> None:
    """Create the guide index under the home page and the topic index under the guide."""
    by_slug = {page.slug: page for page in pages}
    unknown = set(by_slug) - set(INDEX_SLUGS)
    if unknown:
        raise ContentPackError(by_slug[min(unknown)].relative, "only guide and topics are guide index pages", "slug")
    parents = {
        "guide": lambda f: _need(_english(HomePage), "home", f),
        "topics": lambda f: _need(_english(GuideIndexPage), "guide", f),
    }
    for slug in ("guide", "topics"):
        page = by_slug.get(slug)
        if page is None:
            continue
        model = INDEX_SLUGS[slug]
        fields = _index_fields(page.merged("en"))
        if model is TopicIndexPage:
            fields.pop("summary", None)
        english = tree.upsert_child(parents[slug](page.relative), model, slug, fields, file=page.relative)
        spanish = _index_fields(page.merged("es"))
        if model is TopicIndexPage:
            spanish.pop("summary", None)
        tree.upsert_translation(english, "es", spanish)


def export_indexes() -> list[tuple[str, dict[str, dict[str, Any]]]]:
    """Return the guide and topic index pages in pack form."""
    result = []
    for slug, model in INDEX_SLUGS.items():
        english = _english(model)
        if english is None:
            continue
        languages = {
            p.locale.language_code: compact(
                {"slug": slug, "title": p.title, "summary": getattr(p, "summary", ""), "introduction": p.introduction}
            )
            for p in _translations(english)
        }
        result.append((slug, languages))
    return result


# Stage sections ----------------------------------------------------------------------------------


def check_section(page: PackPage) -> list[ContentPackError]:
    """A section file is named after a stage code."""
    if page.slug not in registry.stages():
        return [ContentPackError(page.relative, f"{page.slug!r} is not a stage code", "slug")]
    return []


def apply_sections(pages: list[PackPage]) -> None:
    """Create or update one section page per stage under the guide index."""
    for page in pages:
        parent = _need(_english(GuideIndexPage), "guide", page.relative)
        data = page.merged("en")
        english = tree.upsert_child(
            parent, GuideSectionPage, page.slug, {**_index_fields(data), "stage": page.slug}, file=page.relative
        )
        tree.upsert_translation(english, "es", {**_index_fields(page.merged("es")), "stage": page.slug})


def export_sections() -> list[tuple[str, dict[str, dict[str, Any]]]]:
    """Return every stage section in pack form."""
    result = []
    for english in GuideSectionPage.objects.filter(locale__language_code="en").order_by("path"):
        languages = {
            p.locale.language_code: compact(
                {"slug": english.slug, "title": p.title, "summary": p.summary, "introduction": p.introduction}
            )
            for p in _translations(english)
        }
        result.append((english.slug, languages))
    return result


# Steps -------------------------------------------------------------------------------------------


def check_step(page: PackPage) -> list[ContentPackError]:
    """A step lives in the folder of its stage."""
    stage = page.english.get("stage")
    if page.folder and page.folder[0] != stage:
        return [
            ContentPackError(page.relative, f"stage {stage!r} differs from its folder {page.folder[0]!r}", "stage")
        ]
    return []


def _step_fields(data: dict[str, Any], english: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data["title"],
        "purpose": data["purpose"].strip(),
        "why_it_matters": data.get("why_it_matters") or "",
        "actions": data.get("actions") or [],
        "dos": data.get("dos") or [],
        "donts": data.get("donts") or [],
        "checklist": data.get("checklist") or [],
        "examples": [("example", example) for example in data.get("examples") or []],
        "more_information": data.get("more_information") or "",
        "order": english["order"],
        "themes": english.get("themes") or [],
        "sdg_targets": english.get("sdg_targets") or [],
        "cpv_divisions": english.get("cpv_divisions") or [],
        "sources": [("source", source) for source in english.get("sources") or []],
    }


def apply_steps(pages: list[PackPage]) -> None:
    """Create or update every step under its stage section, in both languages."""
    for page in pages:
        english_data = page.english
        section = _need(
            _english(GuideSectionPage, stage=english_data["stage"]), f"stage {english_data['stage']}", page.relative
        )
        english = tree.upsert_child(
            section, GuideStepPage, page.slug, _step_fields(page.merged("en"), english_data), file=page.relative
        )
        tree.upsert_translation(english, "es", _step_fields(page.merged("es"), english_data))


def export_steps() -> list[tuple[str, dict[str, dict[str, Any]]]]:
    """Return every step in pack form, under its stage folder."""
    result = []
    for english in GuideStepPage.objects.filter(locale__language_code="en").order_by("path"):
        stage = english.stage
        languages: dict[str, dict[str, Any]] = {}
        for p in _translations(english):
            data: dict[str, Any] = {
                "slug": english.slug,
                "title": p.title,
                "purpose": p.purpose,
                "why_it_matters": p.why_it_matters,
                "actions": list(p.actions),
                "dos": list(p.dos),
                "donts": list(p.donts),
                "checklist": list(p.checklist),
                "examples": examples_to_data(p.examples),
                "more_information": p.more_information,
            }
            if p.locale.language_code == "en":
                data = {
                    "slug": english.slug,
                    "stage": stage,
                    "order": p.order,
                    **{k: v for k, v in data.items() if k != "slug"},
                    "themes": list(p.themes),
                    "sdg_targets": list(p.sdg_targets),
                    "cpv_divisions": list(p.cpv_divisions),
                    "sources": sources_to_data(p.sources),
                }
            languages[p.locale.language_code] = compact(data)
        result.append((f"{stage}/{english.slug}", languages))
    return result


# Topic guides ------------------------------------------------------------------------------------


def _topic_fields(data: dict[str, Any], english: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data["title"],
        "summary": data.get("summary") or "",
        "introduction": data.get("introduction") or "",
        "advice": data.get("advice") or "",
        "steps": english.get("steps") or [],
        "themes": english.get("themes") or [],
        "sdg_targets": english.get("sdg_targets") or [],
        "sources": [("source", source) for source in english.get("sources") or []],
    }


def apply_topics(pages: list[PackPage]) -> None:
    """Create or update every topic guide under the topic index, in both languages."""
    for page in pages:
        parent = _need(_english(TopicIndexPage), "topics", page.relative)
        english = tree.upsert_child(
            parent, TopicGuidePage, page.slug, _topic_fields(page.merged("en"), page.english), file=page.relative
        )
        tree.upsert_translation(english, "es", _topic_fields(page.merged("es"), page.english))


def export_topics() -> list[tuple[str, dict[str, dict[str, Any]]]]:
    """Return every topic guide in pack form."""
    result = []
    for english in TopicGuidePage.objects.filter(locale__language_code="en").order_by("path"):
        languages: dict[str, dict[str, Any]] = {}
        for p in _translations(english):
            data: dict[str, Any] = {
                "slug": english.slug,
                "title": p.title,
                "summary": p.summary,
                "introduction": p.introduction,
                "advice": p.advice,
            }
            if p.locale.language_code == "en":
                data.update(
                    steps=list(p.steps),
                    themes=list(p.themes),
                    sdg_targets=list(p.sdg_targets),
                    sources=sources_to_data(p.sources),
                )
            languages[p.locale.language_code] = compact(data)
        result.append((english.slug, languages))
    return result


KINDS = [
    Kind("guide-index", "guide", 0, INDEX_FIELDS, 20, apply_indexes, export_indexes),
    Kind("guide-section", "guide/sections", 0, SECTION_FIELDS, 30, apply_sections, export_sections, check_section),
    Kind("guide-step", "guide/steps", 1, STEP_FIELDS, 40, apply_steps, export_steps, check_step),
    Kind("topic-guide", "guide/topics", 0, TOPIC_FIELDS, 50, apply_topics, export_topics),
]
