import os
import signal
import subprocess
import sys
import time

import pyarrow.parquet as pq

from civicbuy.analytics import api
from civicbuy.analytics.store.schemas import TABLES


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
