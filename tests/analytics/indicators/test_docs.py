"""Every indicator is documented (docs/indicators/<code>.md) and links to its guide step."""

from pathlib import Path

import pytest

from civicbuy.analytics.indicators.registry import all_indicators

DOCS = Path(__file__).resolve().parents[3] / "docs" / "indicators"
STAGES = {
    "plan",
    "engage-market",
    "specify",
    "tender",
    "evaluate-award",
    "manage-contract",
    "measure-learn",
    "emergency",
}


@pytest.mark.parametrize("declared", all_indicators(), ids=lambda d: d.code)
def test_indicator_has_a_documentation_page(declared):
    page = DOCS / f"{declared.code}.md"
    assert page.exists(), f"{declared.code} has no documentation page at {page}"
    text = page.read_text(encoding="utf-8")
    assert declared.name in text
    assert f"/guide/{declared.guide_step}/" in text


@pytest.mark.parametrize("declared", all_indicators(), ids=lambda d: d.code)
def test_declaration_is_complete(declared):
    stage, _, step = declared.guide_step.partition("/")
    assert stage in STAGES
    assert step
    assert declared.inputs
    assert declared.direction in {"higher is worse", "higher is better", "neutral"}
    assert declared.definition
    assert declared.source
