"""Case studies in content packs: `content export` then `content load` round-trips every case without loss."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from civicbuy.casestudies.models import CaseStudyIndexPage, CaseStudyPage
from civicbuy.content.errors import ContentPackErrors
from civicbuy.content.exporter import export_pack
from civicbuy.content.loader import load_pack
from civicbuy.content.packs import bundled_pack, read_pack

pytestmark = pytest.mark.django_db


def _normalise(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str):
        return value.strip()
    return value


def _cases(root: Path) -> dict[str, Any]:
    pages = read_pack(root)["case-study"]
    return {
        f"{page.slug}:{language}": _normalise(page.merged(language)) for page in pages for language in ("en", "es")
    }


def _raw_cases(root: Path) -> dict[str, Any]:
    return {
        path.name: _normalise(yaml.safe_load(path.read_text("utf-8")))
        for path in sorted((root / "cases").glob("*.yaml"))
    }


def test_every_bundled_case_is_loaded_in_both_languages() -> None:
    slugs = {path.name.removesuffix(".en.yaml") for path in (bundled_pack() / "cases").glob("*.en.yaml")}
    assert len(slugs) >= 30
    for language in ("en", "es"):
        loaded = set(
            CaseStudyPage.objects.live().filter(locale__language_code=language).values_list("slug", flat=True)
        )
        assert slugs <= loaded, language
    assert CaseStudyIndexPage.objects.filter(slug="case-studies").count() == 2


def test_export_then_load_round_trips_every_case_without_loss(tmp_path: Path) -> None:
    exported = tmp_path / "pack"
    export_pack(exported)
    assert _cases(exported) == _cases(bundled_pack())
    assert _raw_cases(exported) == _raw_cases(bundled_pack())  # the files themselves, field for field
    before = CaseStudyPage.objects.count()
    load_pack(exported)
    assert CaseStudyPage.objects.count() == before
    again = tmp_path / "again"
    export_pack(again)
    assert _raw_cases(again) == _raw_cases(exported)


def test_a_quote_and_translated_results_round_trip(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(bundled_pack(), pack)
    for language, text in (("en", "We opened the data first."), ("es", "Primero abrimos los datos.")):
        path = pack / "cases" / f"mexico-city-ecobici.{language}.yaml"
        data = yaml.safe_load(path.read_text("utf-8"))
        data["quote"] = {"text": text, "attribution": "Ecobici team", "source": 2}
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    load_pack(pack)
    spanish = CaseStudyPage.objects.get(slug="mexico-city-ecobici", locale__language_code="es")
    assert spanish.quote_text == "Primero abrimos los datos."
    assert spanish.quote_source == 2
    assert spanish.results[0].value["text"].startswith("El nuevo contrato") or spanish.results[0].value["text"]
    exported = tmp_path / "exported"
    export_pack(exported)
    assert _cases(exported)["mexico-city-ecobici:es"]["quote"] == {
        "text": "Primero abrimos los datos.",
        "attribution": "Ecobici team",
        "source": 2,
    }
    assert _cases(exported) == _cases(pack)


def _break(tmp_path: Path, slug: str, language: str, change: dict[str, Any]) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(bundled_pack(), pack)
    path = pack / "cases" / f"{slug}.{language}.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data.update(change)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return pack


@pytest.mark.parametrize(
    ("language", "change", "message"),
    [
        ("en", {"summary": ["one", "two"]}, "summary: the summary has 3 bullets"),
        ("en", {"country": "XX"}, "country: unknown country code"),
        ("en", {"results": [{"text": "A figure without a source."}]}, "results[0].source: required"),
        ("en", {"results": [{"text": "Cites nothing real.", "source": 99}]}, "source must be a number from 1 to"),
        ("es", {"results": [{"text": "Otro orden.", "source": 1}]}, "results must cite the same sources"),
        ("en", {"sdg_targets": ["99.9"]}, "unknown sdg code"),
    ],
)
def test_a_broken_case_file_is_reported_and_nothing_changes(
    tmp_path: Path, language: str, change: dict[str, Any], message: str
) -> None:
    pack = _break(tmp_path, "mexico-city-ecobici", language, change)
    before = CaseStudyPage.objects.get(slug="mexico-city-ecobici", locale__language_code="en").title
    with pytest.raises(ContentPackErrors) as raised:
        load_pack(pack)
    assert message in str(raised.value), str(raised.value)
    assert CaseStudyPage.objects.get(slug="mexico-city-ecobici", locale__language_code="en").title == before


def _summary(*bullets: str) -> dict[str, Any]:
    return {"summary": list(bullets)}


FIRST = "After a decade with one operator, Mexico City reopened its Ecobici bike share to global competition."
THIRD = "The first tender failed, but the new contract delivers more bikes and stations at about half the cost."


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_summary_bullet_with_an_uncited_figure_is_refused_naming_file_field_and_bullet(
    tmp_path: Path, language: str
) -> None:
    """The submission form's rule for summary bullets holds for pack files too: a figure needs its [src:N]."""
    pack = _break(tmp_path, "mexico-city-ecobici", language, _summary(FIRST, "Bikes rose to 9,300.", THIRD))
    before = CaseStudyPage.objects.get(slug="mexico-city-ecobici", locale__language_code=language).summary
    with pytest.raises(ContentPackErrors) as raised:
        load_pack(pack)
    messages = [str(error) for error in raised.value.errors]
    assert messages == [
        (
            f"cases/mexico-city-ecobici.{language}.yaml: summary[1]: "
            "“Bikes rose to 9,300.” gives a figure without its source: add [src:N] after the figure"
        )
    ]
    assert CaseStudyPage.objects.get(slug="mexico-city-ecobici", locale__language_code=language).summary == before


def test_every_uncited_bullet_is_reported_and_a_long_one_is_quoted_shortened(tmp_path: Path) -> None:
    long_bullet = "The city published usage and financial data for the old scheme, and bikes rose from 6,500 to 9,300."
    pack = _break(tmp_path, "mexico-city-ecobici", "en", _summary("Costs fell by 45%.", long_bullet, THIRD))
    with pytest.raises(ContentPackErrors) as raised:
        read_pack(pack)
    fields = [(error.file, error.field) for error in raised.value.errors]
    assert fields == [
        ("cases/mexico-city-ecobici.en.yaml", "summary[0]"),
        ("cases/mexico-city-ecobici.en.yaml", "summary[1]"),
    ]
    assert f"“{long_bullet[:80]}…”" in raised.value.errors[1].message


@pytest.mark.parametrize(
    "bullet",
    [
        "Bikes rose to 9,300 [src:1].",  # the figure is cited
        "Bikes rose to 9,300 [src:1] and stations to 687 [src:2].",
        "In 2019 the city asked residents for ideas.",  # a year alone is not a figure
        "The new contract runs for several years.",  # no figure at all
    ],
)
def test_a_summary_bullet_with_a_cited_figure_or_no_figure_loads(tmp_path: Path, bullet: str) -> None:
    pack = _break(tmp_path, "mexico-city-ecobici", "en", _summary(FIRST, bullet, THIRD))
    load_pack(pack)
    page = CaseStudyPage.objects.get(slug="mexico-city-ecobici", locale__language_code="en")
    assert page.summary == [FIRST, bullet, THIRD]


def test_every_bundled_summary_bullet_cites_its_figures() -> None:
    """The bundled cases pass the check: no bullet gives a figure without its [src:N]."""
    read_pack(bundled_pack())  # raises ContentPackErrors, naming each bullet, if one does not
