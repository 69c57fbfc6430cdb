"""The same Ibis expressions give identical results on DuckDB and on Spark (local mode)."""

import math

import pytest

from civicbuy.analytics import api
from civicbuy.analytics.synthetic import write_jsonl

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def dataset(tmp_path_factory, compiled_jsonl):
    directory = tmp_path_factory.mktemp("backends")
    synthetic = directory / "synthetic.jsonl"
    write_jsonl(synthetic, 400, seed=7)
    combined = directory / "combined.jsonl"
    combined.write_bytes(compiled_jsonl.read_bytes() + synthetic.read_bytes())
    return api.ingest(combined, directory / "data" / "both")


def _rows(table):
    rows = []
    for row in table.to_pylist():
        value = row["value"]
        row["value"] = None if value is None else round(value, 9)
        assert value is None or not math.isnan(value)
        rows.append(row)
    return rows


def test_duckdb_and_spark_agree(dataset):
    pytest.importorskip("pyspark", reason="install civicbuy[spark] to run the Spark backend")
    duckdb_rows = _rows(api.compute_indicators(dataset, backend="duckdb", store=False))
    spark_rows = _rows(api.compute_indicators(dataset, backend="spark", store=False))
    assert len(duckdb_rows) > 1000
    assert spark_rows == duckdb_rows
