"""Content packs: the bundled pack loads, round-trips through export, and a broken pack changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from wagtail.models import Page

from civicbuy.content.errors import ContentPackErrors
from civicbuy.content.exporter import export_pack
from civicbuy.content.loader import load_pack
from civicbuy.content.packs import bundled_pack, read_pack
from civicbuy.guide.models import GuideStepPage

pytestmark = pytest.mark.django_db


def _normalise(value: Any) -> Any:
    """Compare what matters: drop empty values; strip text."""
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str):
        return value.strip()
    return value


def _merged_pack(root: Path) -> dict[str, dict[str, Any]]:
    pages = read_pack(root)
    result = {}
    for kind_pages in pages.values():
        for page in kind_pages:
            for language in ("en", "es"):
                result[f"{page.relative}:{language}"] = _normalise(page.merged(language))
    return result


def test_bundled_pack_has_at_least_30_steps_in_both_languages() -> None:
    assert GuideStepPage.objects.filter(locale__language_code="en").live().count() >= 30
    assert GuideStepPage.objects.filter(locale__language_code="es").live().count() >= 30


def test_export_then_load_round_trips_every_page_without_loss(tmp_path: Path) -> None:
    exported = tmp_path / "pack"
    count = export_pack(exported)
    assert count >= 50
    assert _merged_pack(exported) == _merged_pack(bundled_pack())
    before = Page.objects.count()
    load_pack(exported)  # loading the export again changes nothing structurally
    assert Page.objects.count() == before


def _copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(bundled_pack(), target)
    return target


def _titles() -> list[str]:
    return list(Page.objects.order_by("path").values_list("title", flat=True))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("title: [unclosed", "is not valid YAML at line"),
        ("title: One\ntitle: Two", "duplicate key 'title'"),
        ({"themes": ["made-up-theme"]}, "unknown theme code(s): made-up-theme"),
        ({"order": -3}, "order: expected a whole number"),
        ({"why_it_matters": "Cites a missing source [src:99]."}, "cites source 99"),
        ({"sources": [{"title": "No address", "accessed": "2026-01-01"}]}, "a source needs an http(s) address"),
        ({"checklist": "not a list"}, "checklist: expected a list of non-empty texts"),
        ({"surprise": 1}, "surprise: unknown field"),
    ],
)
def test_broken_pack_names_file_and_field_and_loads_nothing(
    tmp_path: Path, change: str | dict[str, Any], message: str
) -> None:
    pack = _copy_pack(tmp_path)
    step = pack / "guide" / "steps" / "tender" / "set-realistic-deadlines.en.yaml"
    if isinstance(change, str):  # a syntax problem: raw text
        step.write_text(change + "\n", encoding="utf-8")
    else:
        data = yaml.safe_load(step.read_text(encoding="utf-8"))
        data.update(change)
        step.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    # Change a title elsewhere so we can tell if anything was written.
    other = pack / "guide" / "steps" / "plan" / "understand-the-need.en.yaml"
    other_data = yaml.safe_load(other.read_text(encoding="utf-8"))
    other_data["title"] = "Changed title that must not appear"
    other.write_text(yaml.safe_dump(other_data, allow_unicode=True), encoding="utf-8")
    before = _titles()
    with pytest.raises(ContentPackErrors) as caught:
        load_pack(pack)
    text = str(caught.value)
    assert "guide/steps/tender/set-realistic-deadlines.en.yaml" in text
    assert message in text
    assert _titles() == before


def test_non_utf8_and_missing_translation_are_reported(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    (pack / "guide" / "steps" / "tender" / "encourage-competition.es.yaml").unlink()
    (pack / "guide" / "steps" / "plan" / "understand-the-need.es.yaml").write_bytes(b"title: Caf\xe9\n")
    with pytest.raises(ContentPackErrors) as caught:
        read_pack(pack)
    text = str(caught.value)
    assert "encourage-competition.es.yaml: is missing" in text
    assert "understand-the-need.es.yaml: is not UTF-8 text" in text


def test_a_failure_while_writing_rolls_everything_back(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    step = pack / "guide" / "steps" / "plan" / "understand-the-need.en.yaml"
    data = yaml.safe_load(step.read_text(encoding="utf-8"))
    data["title"] = "Renamed before the failure"
    step.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    # A step whose stage section does not exist passes file checks but fails while writing.
    (pack / "guide" / "sections" / "tender.en.yaml").unlink()
    (pack / "guide" / "sections" / "tender.es.yaml").unlink()
    GuideStepPage.objects.filter(slug="set-realistic-deadlines").first().get_parent().delete()
    before = _titles()
    with pytest.raises(ContentPackErrors, match="needs the stage tender page"):
        load_pack(pack)
    assert _titles() == before
