"""Computing a selection of indicators, and reusing the compiled SQL between computations and processes."""

import json

import click
import ibis
import pyarrow as pa
import pytest
from click.testing import CliRunner

from civicbuy.analytics import api
from civicbuy.analytics.cli_commands import register
from civicbuy.analytics.indicators import runner
from civicbuy.analytics.indicators.context import Context, text_contains_any
from civicbuy.analytics.ocds.exceptions import SettingsError
from civicbuy.analytics.settings import Settings


@pytest.fixture(scope="module")
def dataset(tmp_path_factory, compiled_jsonl):
    return api.ingest(compiled_jsonl, tmp_path_factory.mktemp("selection") / "data" / "sample")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("CIVICBUY_CACHE_DIR", str(directory))
    runner.forget_compiled()
    return directory / "indicator-sql"


def test_a_selection_gives_the_same_rows_as_the_full_suite(dataset, cache_dir):
    everything = api.compute_indicators(dataset, store=False).to_pylist()
    selected = api.compute_indicators(dataset, indicators=["R018", "competition.single_bid_rate"], store=False)
    assert set(selected.column("indicator").to_pylist()) == {"R018", "competition.single_bid_rate"}
    expected = [row for row in everything if row["indicator"] in {"R018", "competition.single_bid_rate"}]
    assert selected.to_pylist() == expected
    assert sum(1 for row in expected if row["indicator"] == "R018" and row["flagged"]) == 4


def test_codes_is_still_accepted(dataset, cache_dir):
    assert set(api.compute_indicators(dataset, codes=["R003"], store=False).column("indicator").to_pylist()) == {
        "R003"
    }


def test_an_unknown_code_is_an_error_before_reading(tmp_path, cache_dir):
    missing = tmp_path / "not-read.jsonl"
    missing.write_text("this is not read")
    with pytest.raises(SettingsError, match="unknown indicator code: R999"):
        api.compute_indicators(missing, indicators=["R003", "R999"])


def test_cli_only(compiled_jsonl, cache_dir):
    group = click.Group()
    register(group)
    result = CliRunner().invoke(group, ["indicators", str(compiled_jsonl), "--only", "R003, R018"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {row["indicator"] for row in rows} == {"R003", "R018"}
    assert all(list(row) == ["indicator", "level", "id", "value", "flagged", "reason"] for row in rows)
    failed = CliRunner().invoke(group, ["indicators", str(compiled_jsonl), "--only", "R003,nope"])
    assert failed.exit_code == 1
    assert failed.output.strip().splitlines() == [
        "Error: unknown indicator code: nope. `civicbuy indicators --help` and docs/indicators/ list the codes"
    ]


def test_compiled_sql_is_reused_from_the_cache_directory(dataset, cache_dir):
    first = api.compute_indicators(dataset, indicators=["R024", "R058"], store=False)
    files = list(cache_dir.glob("*.json"))
    assert len(files) == 1
    entry = json.loads(files[0].read_bytes())
    assert [code for code, _ in entry["queries"]] == ["R024", "R058"]
    assert "shared_process_facts" in [name for name, _ in entry["stages"]]
    runner.forget_compiled()
    assert api.compute_indicators(dataset, indicators=["R058", "R024"], store=False).equals(first)
    assert list(cache_dir.glob("*.json")) == files  # same selection in another order: same entry


def test_settings_change_the_cache_key_and_a_broken_entry_is_ignored(dataset, cache_dir):
    default = api.compute_indicators(dataset, indicators=["R003"], store=False)
    strict = api.compute_indicators(
        dataset, indicators=["R003"], settings=Settings({"R003.threshold": 1}), store=False
    )
    assert len(list(cache_dir.glob("*.json"))) == 2
    assert strict.column("flagged").to_pylist().count(True) < default.column("flagged").to_pylist().count(True) == 34
    for entry in cache_dir.glob("*.json"):
        entry.write_text("{not json")
    runner.forget_compiled()
    assert api.compute_indicators(dataset, indicators=["R003"], store=False).equals(default)


def test_the_cache_directory_can_be_turned_off(dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("CIVICBUY_CACHE_DIR", "off")
    assert runner.cache_directory() is None
    assert api.compute_indicators(dataset, indicators=["R018"], store=False).num_rows == 143


def r8(values, tau):
    """statrs' quantile (R-8), as Cardinal computes it, in plain Python."""
    data = sorted(values)
    n = len(data)
    h = (n + 1 / 3) * tau + 1 / 3
    hf = int(h)
    if hf <= 0 or tau == 0:
        return data[0]
    if hf >= n or tau == 1:
        return data[-1]
    return data[hf - 1] + (h - hf) * (data[hf] - data[hf - 1])


@pytest.mark.parametrize(
    "values",
    [
        [5.0],
        [1.0, 2.0],
        [0.1, 0.1, 0.1, 7.5],
        [3.0, -1.0, 2.5, 2.5, 10.0, 0.0, 4.25],
        [float(i % 13) for i in range(101)],
    ],
)
def test_quantiles_in_the_query_match_statrs(values):
    connection = ibis.duckdb.connect()
    table = ibis.memtable(pa.table({"x": pa.array([*values, None], pa.float64())}))
    context = Context({}, Settings())
    taus = {"q0": 0.0, "q1": 0.25, "median": 0.5, "q3": 0.75, "p90": 0.9, "q4": 1.0}
    row = connection.to_pyarrow(context.quantiles(table, "x", taus)).to_pylist()[0]
    assert row == {name: r8(values, tau) for name, tau in taus.items()}


def test_quantiles_without_values_are_null():
    connection = ibis.duckdb.connect()
    table = ibis.memtable(pa.table({"x": pa.array([None, None], pa.float64())}))
    row = connection.to_pyarrow(Context({}, Settings()).quartiles(table, "x")).to_pylist()[0]
    assert row == {"q1": None, "q3": None}


def test_keywords_are_matched_literally_and_case_insensitively():
    connection = ibis.duckdb.connect()
    table = ibis.memtable(pa.table({"a": ["Price (EUR) only", "a.b", "axb", None, "COVID-19 response"]}))
    hit = text_contains_any([table.a], ["(eur)", "a.b", "covid-19"])
    assert connection.to_pyarrow(table.select(hit=hit)).column("hit").to_pylist() == [True, True, False, False, True]
