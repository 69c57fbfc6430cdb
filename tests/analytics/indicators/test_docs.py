"""Every indicator is documented (docs/indicators/<code>.md) and links to its guide step."""

import subprocess
import sys
from pathlib import Path

import pytest

from civicbuy.analytics.indicators import catalog
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


def test_the_catalog_the_review_reads_is_the_registry():
    """``catalog.json`` (declarations as data, so the review does not import Ibis) must match the declarations."""
    assert catalog.CATALOG.read_bytes() == catalog.generate(), (
        "catalog.json is out of date: run `python -m civicbuy.analytics.indicators.catalog`"
    )
    assert [d.code for d in catalog.declared()] == [d.code for d in all_indicators()]


def test_the_review_does_not_import_ibis(compiled_jsonl):
    """Starting the review costs no Ibis import (~0.4 s): checked in a fresh interpreter."""
    script = (
        "import sys; from civicbuy.analytics import api; report = api.review(sys.argv[1]); "
        "assert report['coverage'], 'no coverage'; print('ibis' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(compiled_jsonl)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
