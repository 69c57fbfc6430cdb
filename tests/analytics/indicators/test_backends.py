"""The same Ibis expressions give identical results on DuckDB and on Spark (local mode)."""

import pytest

from civicbuy.analytics import api
from civicbuy.analytics.synthetic import write_jsonl
from tests.analytics.indicators.compare import differences

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


def test_duckdb_and_spark_agree(dataset):
    duckdb_results = api.compute_indicators(dataset, backend="duckdb", store=False)
    spark_results = api.compute_indicators(dataset, backend="spark", store=False)
    assert duckdb_results.num_rows > 1000
    different = differences(duckdb_results, spark_results)
    assert not different, different[:5]
