"""Content-pack kind of the case-study library: ``cases/<slug>.<lang>.yaml`` (docs/content-packs.md).

Loading creates the library's index page (``/case-studies/``) under each language's home page when it
is missing, then creates or updates each case in English and its Spanish translation. Export writes
every live case back in the same shape, so ``content export`` then ``content load`` loses nothing.
"""

from __future__ import annotations

from typing import Any

from civicbuy.casestudies.models import RESERVED_SLUGS, CaseStudyIndexPage, CaseStudyPage
from civicbuy.content import tree
from civicbuy.content.compact import compact
from civicbuy.content.errors import ContentPackError
from civicbuy.content.packs import Kind, PackPage
from civicbuy.content.spec import FieldSpec
from civicbuy.website.blocks import sources_to_data
from civicbuy.website.models import HomePage

INDEX_SLUG = "case-studies"
SUMMARY_BULLETS = 3
CASE_FIELDS = {
    "slug": FieldSpec("slug", required=True),
    "title": FieldSpec("line", required=True, max_length=255),
    "country": FieldSpec("code:country", required=True, translated=False),
    "city": FieldSpec("line", max_length=120),
    "organisation": FieldSpec("line", required=True, max_length=300),
    "years": FieldSpec("line", required=True, translated=False, max_length=20),
    "summary": FieldSpec("lines", required=True, cited=True),  # a figure in a bullet needs its [src:N]
    "problem": FieldSpec("text", required=True),
    "approach": FieldSpec("text", required=True),
    "results": FieldSpec("results", required=True),
    "challenges": FieldSpec("text"),
    "reusable": FieldSpec("text"),
    "quote": FieldSpec("quote"),
    "caveats": FieldSpec("text"),
    "stages": FieldSpec("codes:stage", required=True, translated=False),
    "themes": FieldSpec("codes:theme", required=True, translated=False),
    "sdg_targets": FieldSpec("codes:sdg", required=True, translated=False),
    "cpv_divisions": FieldSpec("codes:cpv_division", translated=False),
    "published": FieldSpec("date", required=True, translated=False),
    "sources": FieldSpec("sources", required=True, translated=False),
}
# The index page is not a pack file (the cases folder holds only cases); its text is CivicBuy's own.
INDEX_TEXT = {
    "en": (
        "Case studies",
        (
            "Who has done this before, and what happened? Cases from cities and countries around the world, "
            "every figure linked to its public source. Search, filter by place, theme, SDG target or "
            "lifecycle stage, or propose a case from your own city."
        ),
    ),
    "es": (
        "Estudios de caso",
        (
            "¿Quién lo ha hecho antes y qué pasó? Casos de ciudades y países de todo el mundo, con cada cifra "
            "enlazada a su fuente pública. Busque, filtre por lugar, tema, meta de los ODS o etapa del ciclo, "
            "o proponga un caso de su propia ciudad."
        ),
    ),
}


def check_case(page: PackPage) -> list[ContentPackError]:
    """Three summary bullets in each language, a slug the library's own routes do not use, results match."""
    errors = []
    if page.slug in RESERVED_SLUGS:
        errors.append(ContentPackError(page.relative, f"{page.slug!r} is reserved by the case-study library", "slug"))
    for language, data in page.data.items():
        file = page.relative.replace(".en.yaml", f".{language}.yaml")
        if len(data.get("summary") or []) != SUMMARY_BULLETS:
            errors.append(ContentPackError(file, f"the summary has {SUMMARY_BULLETS} bullets", "summary"))
    english_results = [r.get("source") for r in page.english.get("results") or []]
    spanish = page.data.get("es", {})
    if "results" in spanish and [r.get("source") for r in spanish["results"] or []] != english_results:
        file = page.relative.replace(".en.yaml", ".es.yaml")
        errors.append(
            ContentPackError(file, "results must cite the same sources, in the same order, as English", "results")
        )
    return errors


def ensure_index(language: str = "en") -> CaseStudyIndexPage:
    """The case-study index page of a language, created under the home page when missing."""
    existing = CaseStudyIndexPage.objects.filter(locale__language_code=language).first()
    if existing is not None:
        return existing
    if language != "en":
        english = ensure_index("en")
        title, introduction = INDEX_TEXT.get(language, INDEX_TEXT["en"])
        return tree.upsert_translation(english, language, {"title": title, "introduction": introduction})
    home = HomePage.objects.filter(locale__language_code="en").first()
    if home is None:
        raise ContentPackError("cases", "needs the home page (site/home.en.yaml), which the pack does not define")
    title, introduction = INDEX_TEXT["en"]
    return tree.upsert_child(
        home, CaseStudyIndexPage, INDEX_SLUG, {"title": title, "introduction": introduction}, file="cases"
    )


def _quote_fields(data: dict[str, Any], english: dict[str, Any]) -> dict[str, Any]:
    quote = data.get("quote") or {}
    english_quote = english.get("quote") or {}
    return {
        "quote_text": quote.get("text") or "",
        "quote_attribution": quote.get("attribution") or "",
        "quote_source": english_quote.get("source") or quote.get("source"),
    }


def case_fields(data: dict[str, Any], english: dict[str, Any]) -> dict[str, Any]:
    """Model field values of a case page from a pack file's merged data."""
    english_sources = [r.get("source") for r in english.get("results") or []]
    results = []
    for position, result in enumerate(data.get("results") or []):
        source = english_sources[position] if position < len(english_sources) else result.get("source")
        results.append(("result", {"text": result["text"], "source": source}))
    return {
        "title": data["title"],
        "country": english["country"],
        "city": data.get("city") or "",
        "organisation": data["organisation"],
        "years": str(english["years"]),
        "summary": data.get("summary") or [],
        "problem": data.get("problem") or "",
        "approach": data.get("approach") or "",
        "results": results,
        "challenges": data.get("challenges") or "",
        "reusable": data.get("reusable") or "",
        **_quote_fields(data, english),
        "caveats": data.get("caveats") or "",
        "stages": english.get("stages") or [],
        "themes": english.get("themes") or [],
        "sdg_targets": english.get("sdg_targets") or [],
        "cpv_divisions": english.get("cpv_divisions") or [],
        "published": english["published"],
        "sources": [("source", source) for source in english.get("sources") or []],
    }


def apply_cases(pages: list[PackPage]) -> None:
    """Create the index pages if missing, then create or update every case in English and Spanish."""
    if not pages and not CaseStudyIndexPage.objects.exists():
        return
    index = ensure_index("en")
    ensure_index("es")
    for page in pages:
        english = tree.upsert_child(
            index, CaseStudyPage, page.slug, case_fields(page.merged("en"), page.english), file=page.relative
        )
        tree.upsert_translation(english, "es", case_fields(page.merged("es"), page.english))


def _translated_data(page: CaseStudyPage) -> dict[str, Any]:
    quote = (
        compact({"text": page.quote_text, "attribution": page.quote_attribution, "source": page.quote_source})
        if page.quote_text
        else {}
    )
    return {
        "title": page.title,
        "city": page.city,
        "organisation": page.organisation,
        "summary": list(page.summary),
        "problem": page.problem,
        "approach": page.approach,
        "results": [{"text": child.value["text"], "source": child.value["source"]} for child in page.results],
        "challenges": page.challenges,
        "reusable": page.reusable,
        "quote": quote,
        "caveats": page.caveats,
    }


def case_data(page: CaseStudyPage, *, with_untranslated: bool) -> dict[str, Any]:
    """One case page in pack form (the English file carries the untranslated fields)."""
    translated = _translated_data(page)
    data: dict[str, Any] = {"slug": page.slug, "title": translated.pop("title")}
    if with_untranslated:
        data["country"] = page.country
    data["city"] = translated.pop("city")
    data["organisation"] = translated.pop("organisation")
    if with_untranslated:
        data["years"] = page.years
    data.update(translated)
    if with_untranslated:
        data.update(
            stages=list(page.stages),
            themes=list(page.themes),
            sdg_targets=list(page.sdg_targets),
            cpv_divisions=list(page.cpv_divisions),
            published=page.published,
            sources=sources_to_data(page.sources),
        )
    return compact(data)


def export_cases() -> list[tuple[str, dict[str, dict[str, Any]]]]:
    """Return every live case in pack form, in both languages.

    A case that exists in one language only (an approved submission not yet translated) is written
    with the same text in both files, so the exported pack stays loadable; translators replace it.
    """
    result = []
    seen: set[Any] = set()
    pages = CaseStudyPage.objects.live().select_related("locale").order_by("path")
    for page in sorted(pages, key=lambda p: (p.locale.language_code != "en", p.path)):
        if page.translation_key in seen:
            continue
        seen.add(page.translation_key)
        versions: dict[str, CaseStudyPage] = {
            p.locale.language_code: p
            for p in CaseStudyPage.objects.live().filter(translation_key=page.translation_key).select_related("locale")
        }
        english = versions.get("en") or page
        spanish = versions.get("es") or english
        languages = {
            "en": case_data(english, with_untranslated=True),
            "es": {**case_data(spanish, with_untranslated=False), "slug": english.slug},
        }
        result.append((english.slug, languages))
    return result


KINDS = [Kind("case-study", "cases", 0, CASE_FIELDS, 60, apply_cases, export_cases, check_case)]
