"""Every filter (period, buyer, CPV division, method) applies to the cards, charts, tables and exports alike.

The filtered figures are checked against independent computations: the engine run afresh on only the releases of
that method (filtered from the source file, not from the dashboard's tables), and the facts read with pyarrow.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from django.test import Client
from django.utils import translation

from civicbuy.analytics import api
from civicbuy.dashboard import cards, charts, summary
from civicbuy.dashboard.models import Dataset
from civicbuy.dashboard.queries import dataset_summary
from civicbuy.dashboard.summary import Filters

SINGLE_BID = "competition.single_bid_rate"


def _engine_value_on_releases_with_method(source: Path, method: str, folder: Path) -> float:
    kept = folder / "kept.jsonl"
    with source.open("rb") as lines, kept.open("wb") as out:
        for line in lines:
            if orjson.loads(line).get("tender", {}).get("procurementMethod") == method:
                out.write(line)
    results = api.compute_indicators(api.ingest(kept, folder / "data"), codes=[SINGLE_BID], store=False)
    rows = [r for r in results.to_pylist() if r["level"] == "dataset"]
    assert rows[0]["value"] is not None
    return float(rows[0]["value"])


def _csv(client: Client, url: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))


def test_a_method_filter_gives_the_engines_figure_on_those_processes(
    member_client: Client, ready_dataset: Dataset, built_job: Path, tmp_path: Path
) -> None:
    figures = dataset_summary(ready_dataset)
    everything = figures.engine_values(Filters())[(SINGLE_BID, "dataset", "dataset")]
    filtered = figures.engine_values(Filters(method="open"))[(SINGLE_BID, "dataset", "dataset")]
    competition = next(c for c in cards.family_cards(figures, Filters(method="open")) if c.family == "competition")
    figures.close()
    expected = _engine_value_on_releases_with_method(built_job.parent / "synthetic.jsonl", "open", tmp_path)
    assert filtered == pytest.approx(expected)
    assert filtered != pytest.approx(everything)
    assert competition.headline is not None
    assert competition.headline.code == SINGLE_BID
    assert competition.headline.value == pytest.approx(expected)

    base = f"/en/dashboard/{ready_dataset.pk}/"
    page = member_client.get(f"{base}?method=open").content.decode()
    assert f"{expected:.0%}" in page
    assert "only the processes of the chosen CPV division and procurement method" in page
    assert "export/indicators.csv?method=open" in page  # exports and sections keep the filter: shareable
    rows = _csv(member_client, f"{base}export/indicators.csv?method=open")
    exported = next(r for r in rows if r[0] == SINGLE_BID and r[2] == "dataset")
    assert float(exported[4]) == pytest.approx(expected)
    # A filter seen for the first time: the page answers at once and says the figures are coming.
    pending = member_client.get(f"{base}?method=selective").content.decode()
    assert "are being computed" in pending
    # The computed figures are kept beside the summary: the next page with this filter reads them.
    assert any((dataset_summary(ready_dataset).path / summary.FILTERED).glob("*.parquet"))


def test_a_new_filters_charts_are_drawn_with_its_figures(member_client: Client, ready_dataset: Dataset) -> None:
    """The background job that computes a new filter's figures also draws its charts, in the page's language.

    Otherwise the next view of the page would draw them while it renders (over a second on 2 cores).
    """
    base = f"/en/dashboard/{ready_dataset.pk}/"
    assert "are being computed" in member_client.get(f"{base}?method=limited").content.decode()
    # One worker per queue, first in first out: these no-ops finish after the jobs the page started.
    summary._BACKGROUND.submit(lambda: None).result(timeout=300)
    charts._BACKGROUND.submit(lambda: None).result(timeout=300)
    figures = dataset_summary(ready_dataset)
    try:
        with translation.override("en"):
            drawn = [c for card in cards.family_cards(figures, Filters(method="limited")) for c in card.charts]
        engine_cards = [c for c in cards.family_cards(figures, Filters(method="limited")) if c.family != "integrity"]
        assert any(card.charts for card in engine_cards)
        missing = [c.title for c in drawn if not (figures.path / charts.CACHE / f"{c.key}.svg").exists()]
    finally:
        figures.close()
    assert missing == []


def test_a_cpv_filter_applies_to_cards_tables_and_exports(member_client: Client, ready_dataset: Dataset) -> None:
    figures = dataset_summary(ready_dataset)
    facts = pq.read_table(figures.path / summary.FACTS)
    division = facts.group_by("cpv").aggregate([("ocid", "count")]).sort_by([("ocid_count", "descending")])[0][0]
    division = division.as_py()
    chosen = facts.filter(pc.equal(facts["cpv"], division))
    integrity = next(c for c in cards.family_cards(figures, Filters(cpv=division)) if c.family == "integrity")
    everything = next(c for c in cards.family_cards(figures, Filters()) if c.family == "integrity")
    figures.close()
    flagged = chosen.filter(pc.greater(chosen["flag_count"], 0)).num_rows
    applicable = chosen.filter(pc.is_valid(chosen["R018"])).num_rows
    single = pc.sum(chosen["R018"]).as_py()
    r018 = next(row for row in integrity.rows if row.code == "R018")
    assert r018.value == pytest.approx(single / applicable)
    assert integrity.headline is not None
    assert everything.headline is not None
    assert integrity.headline.value != pytest.approx(everything.headline.value)

    base = f"/en/dashboard/{ready_dataset.pk}/"
    rows = _csv(member_client, f"{base}export/flagged.csv?cpv={division}")
    assert len(rows) - 1 == flagged
    assert {row[5] for row in rows[1:]} == {division}
    buyers = _csv(member_client, f"{base}export/buyers.csv?cpv={division}")
    assert sum(int(row[2]) for row in buyers[1:]) == chosen.filter(pc.not_equal(chosen["buyer_id"], "")).num_rows
