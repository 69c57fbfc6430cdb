"""The same Ibis expressions give identical results on DuckDB and on Spark (local mode)."""

import math

import pytest

from civicbuy.analytics import api
from civicbuy.analytics.synthetic import write_jsonl

pytestmark = [
    pytest.mark.spark,
    # PySpark's py4j sockets and ibis' pandas calls raise third-party warnings we cannot fix here.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark"),
]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory, compiled_jsonl):
    directory = tmp_path_factory.mktemp("backends")
    synthetic = directory / "synthetic.jsonl"
    write_jsonl(synthetic, 400, seed=7)
    combined = directory / "combined.jsonl"
    combined.write_bytes(compiled_jsonl.read_bytes() + synthetic.read_bytes())
    return api.ingest(combined, directory / "data" / "both")


def _rows(table):
    rows = table.to_pylist()
    for row in rows:
        assert row["value"] is None or not math.isnan(row["value"])
    return rows


def _same(left, right):
    if left["value"] is None or right["value"] is None:
        return left == right
    close = math.isclose(left["value"], right["value"], rel_tol=1e-9, abs_tol=1e-9)
    return close and {**left, "value": 0} == {**right, "value": 0}


def test_duckdb_and_spark_agree(dataset):
    duckdb_rows = _rows(api.compute_indicators(dataset, backend="duckdb", store=False))
    spark_rows = _rows(api.compute_indicators(dataset, backend="spark", store=False))
    assert len(duckdb_rows) > 1000
    assert len(spark_rows) == len(duckdb_rows)
    different = [(d, s) for d, s in zip(duckdb_rows, spark_rows, strict=True) if not _same(d, s)]
    assert not different, different[:5]
