import fcntl
import os
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq
import pytest

from civicbuy.analytics import api
from civicbuy.analytics.ocds.exceptions import DatasetError
from civicbuy.analytics.store.dataset import check_name, remove_dataset
from civicbuy.analytics.store.schemas import TABLES
from tests.processes import CIVICBUY


def test_tables_have_the_declared_schemas(compiled_jsonl, tmp_path):
    dataset = api.ingest(compiled_jsonl, tmp_path / "city")
    for name, schema in TABLES.items():
        assert pq.read_schema(dataset.table_path(name)).remove_metadata() == schema
    manifest = dataset.manifest
    assert manifest["processes"] == 143
    assert manifest["counts"]["processes"] == 143
    assert manifest["period"]["start"].startswith("2011-")
    assert {"generated_at", "warnings", "source"} <= set(manifest)


def test_interrupted_ingest_keeps_the_previous_dataset(compiled_jsonl, tmp_path):
    before = api.ingest(compiled_jsonl, tmp_path / "city")
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from civicbuy.analytics.synthetic import Generator\n"
        "from civicbuy.analytics.store.dataset import write_dataset\n"
        "from civicbuy.analytics.ocds.exceptions import ProblemLog\n"
        "def slow():\n"
        "    for i, r in enumerate(Generator(1).releases(10**7)):\n"
        "        if i == 2000: print('started', flush=True)\n"
        "        yield r\n"
        "write_dataset(slow(), Path(sys.argv[1]), ProblemLog(), flush_every=500)\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "city")], stdout=subprocess.PIPE)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"started"
    time.sleep(0.5)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()
    assert (tmp_path / "city").resolve() == before.path
    assert api.compute_indicators(tmp_path / "city", store=False).num_rows > 0
    partial = [p for p in (tmp_path / ".versions").iterdir() if p.name.endswith(".partial")]
    assert len(partial) == 1
    again = api.ingest(compiled_jsonl, tmp_path / "city")
    assert sorted(p.name for p in (tmp_path / ".versions").iterdir()) == [again.path.name]


def test_a_dataset_whose_name_starts_with_another_is_left_alone(compiled_jsonl, tmp_path):
    longer = api.ingest(compiled_jsonl, tmp_path / "city-2020")
    api.ingest(compiled_jsonl, tmp_path / "city")  # removed "city-2020"'s version as if it were an old "city"
    api.ingest(compiled_jsonl, tmp_path / "city")
    assert (tmp_path / "city-2020").resolve() == longer.path
    assert api.compute_indicators(tmp_path / "city-2020", store=False).num_rows > 0
    remove_dataset(tmp_path / "city")
    assert not (tmp_path / "city").exists()
    assert (tmp_path / "city-2020").resolve() == longer.path
    assert [p.name for p in (tmp_path / ".versions").iterdir()] == [longer.path.name]


def test_a_second_ingest_of_a_name_is_refused_while_one_runs(compiled_jsonl, tmp_path):
    before = api.ingest(compiled_jsonl, tmp_path / "city")
    running = tmp_path / ".versions" / f"city-{'2' * 8}T{'1' * 6}-{'a' * 8}.partial"
    running.mkdir()  # the folder the running ingest is writing
    with (tmp_path / ".city.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as the running ingest holds it
        with pytest.raises(DatasetError, match="another ingest of this dataset is running"):
            api.ingest(compiled_jsonl, tmp_path / "city")
        assert running.is_dir()  # its work was not removed under it
    assert (tmp_path / "city").resolve() == before.path
    again = api.ingest(compiled_jsonl, tmp_path / "city")  # once it has ended, its leftovers are stale
    assert [p.name for p in (tmp_path / ".versions").iterdir()] == [again.path.name]


def test_an_ingest_that_cannot_publish_leaves_no_version_behind(compiled_jsonl, tmp_path):
    (tmp_path / "realdir").mkdir()  # a folder of the user's where the link would go
    for _ in range(2):
        with pytest.raises(DatasetError, match="is not a CivicBuy dataset link"):
            api.ingest(compiled_jsonl, tmp_path / "realdir")
    assert list((tmp_path / ".versions").iterdir()) == []
    assert list((tmp_path / "realdir").iterdir()) == []


@pytest.mark.parametrize("name", ["../../escape", "a/b", "..", "", ".hidden", "-flag", "x" * 129])
def test_a_dataset_name_that_is_not_one_folder_is_refused(compiled_jsonl, tmp_path, name):
    data = tmp_path / "data"
    result = subprocess.run(
        [CIVICBUY, "ingest", str(compiled_jsonl), "--dataset", name, "--data-dir", str(data)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"Error: the dataset name {name!r} is not usable: a name starts with")
    assert "Traceback" not in result.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == []


def test_names_in_any_alphabet_are_accepted(compiled_jsonl, tmp_path):
    assert check_name("compras-año.2024_v2") == "compras-año.2024_v2"
    assert api.ingest(compiled_jsonl, tmp_path / "compras-año").manifest["processes"] == 143
