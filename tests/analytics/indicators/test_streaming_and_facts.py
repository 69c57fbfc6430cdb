"""Results streamed as record batches, and the per-process facts shared by every process-level indicator."""

import os
import tempfile

import ibis.expr.operations as ops
import pyarrow as pa
import pytest

from civicbuy.analytics import api
from civicbuy.analytics.indicators import runner
from civicbuy.analytics.indicators.context import Context
from civicbuy.analytics.indicators.facts import process_facts
from civicbuy.analytics.ocds.exceptions import SettingsError
from civicbuy.analytics.settings import Settings
from tests.analytics.indicators.compare import differences


@pytest.fixture(scope="module")
def dataset(tmp_path_factory, compiled_jsonl):
    return api.ingest(compiled_jsonl, tmp_path_factory.mktemp("streaming") / "data" / "sample")


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVICBUY_CACHE_DIR", str(tmp_path / "cache"))
    runner.forget_compiled()


def test_streamed_batches_are_the_computed_table(dataset):
    table = api.compute_indicators(dataset, store=False)
    batches = list(api.stream_indicators(dataset, batch_size=500))
    assert len(batches) > 1
    assert all(batch.num_rows <= 500 for batch in batches)
    assert all(batch.schema == runner.RESULT_SCHEMA for batch in batches)
    assert pa.Table.from_batches(batches, schema=runner.RESULT_SCHEMA).equals(table)


def test_stored_batch_by_batch_is_the_file_compute_stores(dataset):
    api.compute_indicators(dataset)
    computed = api.load_results(dataset)
    (dataset.path / api.RESULTS).unlink()
    rows = api.store_indicators(dataset)
    assert rows == computed.num_rows > 0
    assert api.load_results(dataset).equals(computed)


def test_a_failed_store_keeps_the_previous_results_and_leaves_no_partial_file(dataset, monkeypatch):
    api.store_indicators(dataset, indicators=["R003"])
    before = api.load_results(dataset)
    real = api.stream_indicators

    def broken(*args, **kwargs):
        batches = real(*args, **kwargs)
        yield next(iter(batches))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(api, "stream_indicators", broken)
    with pytest.raises(OSError, match="No space left"):
        api.store_indicators(dataset)
    assert api.load_results(dataset).equals(before)
    assert [p.name for p in dataset.path.iterdir() if p.name.startswith(f".{api.RESULTS}")] == []


def test_streaming_a_file_and_a_selection(compiled_jsonl):
    batches = list(api.stream_indicators(compiled_jsonl, indicators=["R003", "R018"]))
    rows = pa.Table.from_batches(batches).to_pylist()
    assert {row["indicator"] for row in rows} == {"R003", "R018"}
    assert sum(1 for row in rows if row["indicator"] == "R003" and row["flagged"]) == 34


def test_an_unknown_code_fails_before_iterating(tmp_path):
    missing = tmp_path / "not-read.jsonl"
    missing.write_text("this is not read")
    with pytest.raises(SettingsError, match="unknown indicator code: R999"):
        api.stream_indicators(missing, indicators=["R999"])


def test_process_facts_are_one_relation_for_the_whole_suite():
    """Every process-level indicator reads the same joins: Ibis must not fold a copy of them into each one."""
    tables = runner.unbound_tables()
    facts = process_facts(Context(tables, Settings())).op()
    chain = next(iter(facts.find(ops.JoinChain)))
    suite = runner.suite_expression(tables, Settings(), runner.select_indicators())
    copies = {op for op in suite.op().find(ops.JoinChain) if len(op.rest) == len(chain.rest)}
    assert copies == {chain}


def test_running_out_of_duckdb_memory_is_one_plain_error(compiled_jsonl, tmp_path, monkeypatch):
    """A dataset too large for CIVICBUY_DUCKDB_MEMORY_LIMIT gets a message naming the setting, not DuckDB's error."""
    from civicbuy.analytics.ocds.exceptions import QueryMemoryError

    dataset = api.ingest(compiled_jsonl, tmp_path / "city")
    monkeypatch.setenv("CIVICBUY_DUCKDB_MEMORY_LIMIT", "1MB")
    with pytest.raises(QueryMemoryError) as raised:
        api.compute_indicators(dataset, store=False)
    assert "CIVICBUY_DUCKDB_MEMORY_LIMIT" in raised.value.user_message()
    with pytest.raises(QueryMemoryError):
        list(api.stream_indicators(dataset))
    monkeypatch.setenv("CIVICBUY_DUCKDB_MEMORY_LIMIT", "2GB")
    assert api.compute_indicators(dataset, store=False).num_rows > 0


def test_staged_suite_stores_each_shared_relation_once_before_the_queries_that_read_it():
    """DuckDB runs the suite staged: shared relations become tables, created in an order that has their inputs."""
    stages, queries = runner.staged_suite(runner.unbound_tables(), Settings(), runner.select_indicators())
    assert [code for code, _ in queries] == sorted(indicator.code for indicator in runner.select_indicators())
    assert {"shared_process_base", "shared_process_facts", "shared_currency_row"} <= set(stages)
    created: set[str] = set(runner.TABLES)
    for name, stage in stages.items():
        inputs = {table.name for table in stage.op().find(ops.UnboundTable)}
        assert inputs <= created, f"{name} reads {sorted(inputs - created)} before they exist"
        created.add(name)
    for code, query in queries:
        inputs = {table.name for table in query.op().find(ops.UnboundTable)}
        assert inputs <= created, code
    facts_readers = [
        code
        for code, query in queries
        if "shared_process_facts" in {t.name for t in query.op().find(ops.UnboundTable)}
    ]
    assert len(facts_readers) > 10  # the per-process facts are read as a table, not rebuilt per indicator


def test_staged_queries_give_the_rows_of_the_single_union_query(dataset):
    """The staged DuckDB run and the whole suite as one Ibis expression on DuckDB give the same rows."""
    from civicbuy.analytics.store.backends import connect, load_tables

    connection = connect("duckdb")
    single = connection.to_pyarrow(
        runner.suite_expression(load_tables(connection, dataset), Settings(), runner.select_indicators())
    )
    staged = api.compute_indicators(dataset, store=False)
    assert staged.num_rows > 1000
    different = differences(single.select(runner.RESULT_SCHEMA.names).cast(runner.RESULT_SCHEMA), staged)
    assert not different, different[:5]


RAM = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


@pytest.mark.parametrize(
    ("limit", "expected"),
    [("2GB", 2 * 1000**3), ("500 MiB", 500 * 1024**2), ("1.5gb", 1_500_000_000), ("80%", 0.8 * RAM)],
)
def test_the_memory_limit_is_read_as_duckdb_applies_it(limit, expected):
    import duckdb

    connection = duckdb.connect(":memory:")
    connection.execute("SET memory_limit = ?", [limit])
    # DuckDB reports the limit cut to one decimal of its unit ("1.3 GiB" for 1.5 GB), so within 0.1 GiB.
    assert runner.memory_limit_bytes(connection) == pytest.approx(expected, abs=0.1 * 1024**3)


def test_a_small_dataset_runs_in_memory_and_a_large_one_on_a_file_with_the_same_rows(dataset, monkeypatch, tmp_path):
    compiled = runner.compile_suite(Settings())
    assert runner.in_memory(dataset, compiled, 2 * 1000**3)
    assert not runner.in_memory(dataset, compiled, 64_000)  # the sample's files are larger than a quarter of it
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the runner's temporary folders, to look into

    def files_while_running():
        batches = api.stream_indicators(dataset)
        first = next(batches)
        files = sorted(path.name for path in tmp_path.glob("civicbuy-duckdb-*/*.duckdb"))
        return pa.Table.from_batches([first, *batches], schema=runner.RESULT_SCHEMA), files

    in_memory, memory_files = files_while_running()
    monkeypatch.setattr(runner, "IN_MEMORY_SHARE", 0.0)
    on_file, file_files = files_while_running()
    assert memory_files == []
    assert file_files == ["tables.duckdb"]
    assert in_memory.num_rows > 0
    assert differences(in_memory, on_file) == []
