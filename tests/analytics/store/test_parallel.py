"""The parallel ingest gives what one process gives, and falls back to one process whenever it could differ."""

from __future__ import annotations

import contextlib
import gc
import gzip
import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest

from civicbuy.analytics import api
from civicbuy.analytics.ocds import detect
from civicbuy.analytics.ocds.exceptions import ProblemLog
from civicbuy.analytics.store import parallel
from civicbuy.analytics.store.dataset import Dataset
from civicbuy.analytics.store.schemas import TABLES
from civicbuy.analytics.synthetic import write_jsonl

SMALL_CHUNK = 64 * 1024
#: The start of the scripts that run a parallel ingest in a process of their own (arguments: FILE, TARGET, ...).
SCRIPT_HEADER = (
    "import sys\n"
    "from pathlib import Path\n"
    "from civicbuy.analytics.store import parallel\n"
    "from civicbuy.analytics.ocds.exceptions import ProblemLog\n"
)
INGEST_CALL = "parallel.ingest_parallel(sys.argv[1], Path(sys.argv[2]), ProblemLog(), workers=2, chunk_bytes=65536)\n"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 synthetic compiled releases (with the generator's wrong types and missing fields): ~6 MB."""
    path = tmp_path_factory.mktemp("parallel") / "city.jsonl"
    write_jsonl(path, 3000, seed=7)
    return path


@pytest.fixture
def parallel_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let api.ingest take the parallel path for small files, in small chunks, with two workers."""
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "CHUNK_BYTES", SMALL_CHUNK)
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")


def one_process(path: Path, target: Path, monkeypatch: pytest.MonkeyPatch) -> Dataset:
    with monkeypatch.context() as patch:
        patch.setenv(parallel.WORKERS_ENV, "0")
        return api.ingest(path, target)


def assert_same_dataset(expected: Dataset, actual: Dataset) -> None:
    for name in TABLES:
        assert pq.read_table(actual.table_path(name)).equals(pq.read_table(expected.table_path(name))), name
    for key in ("counts", "processes", "period", "warnings", "source"):
        assert actual.manifest[key] == expected.manifest[key], key


def row_groups(dataset: Dataset) -> int:
    return pq.ParquetFile(dataset.table_path("processes")).metadata.num_row_groups


def test_parallel_ingest_equals_one_process(synthetic, tmp_path, monkeypatch, parallel_on):
    expected = one_process(synthetic, tmp_path / "one", monkeypatch)
    actual = api.ingest(synthetic, tmp_path / "two")
    assert row_groups(actual) > 10  # one row group per 64 KiB chunk: the parallel path wrote it
    assert row_groups(expected) == 1
    assert_same_dataset(expected, actual)
    codes = {warning["code"] for warning in actual.manifest["warnings"]}
    assert "wrong_type:/tender/value/amount" in codes  # the workers' problem logs reached the manifest


def test_parallel_ingest_equals_one_process_on_real_compiled_releases(compiled_jsonl, tmp_path, monkeypatch):
    expected = one_process(compiled_jsonl, tmp_path / "one", monkeypatch)
    actual = parallel.ingest_parallel(
        compiled_jsonl,
        tmp_path / "two",
        ProblemLog(),
        workers=2,
        chunk_bytes=16 * 1024,
        source=expected.manifest["source"],
    )
    assert row_groups(actual) > 1
    assert_same_dataset(expected, actual)


def test_upgrades_are_counted_across_workers(samples, tmp_path, monkeypatch, parallel_on):
    """OCDS 1.0 compiled releases are upgraded by the workers and counted once, as in one process."""
    old = orjson.loads((samples / "derived" / "compiled-releases.jsonl").read_bytes().splitlines()[0])
    old.pop("parties", None)
    old["buyer"] = {"name": "Old City", "identifier": {"scheme": "X", "id": "9"}, "address": {"locality": "Here"}}
    lines = [orjson.dumps({**old, "ocid": f"ocds-old-{n}"}) for n in range(400)]
    path = tmp_path / "old.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    expected = one_process(path, tmp_path / "one", monkeypatch)
    actual = api.ingest(path, tmp_path / "two")
    assert row_groups(actual) > 1
    assert_same_dataset(expected, actual)
    upgraded = [w for w in actual.manifest["warnings"] if w["code"] == "upgraded"]
    assert len(upgraded) == 1
    assert upgraded[0]["message"].endswith(": 400")


def with_line(source: Path, target: Path, at: int, line: bytes) -> Path:
    lines = source.read_bytes().splitlines()
    lines.insert(at, line)
    target.write_bytes(b"\n".join(lines) + b"\n")
    return target


@pytest.mark.parametrize(
    ("line", "processes", "warning"),
    [
        (None, 3000, "duplicate_compiled_release"),  # None: a copy of the first line
        (b'{"ocid": "ocds-x-1", "tag": ["compiled"', 3000, "invalid_json"),
        (b'{"ocid": "ocds-x-2", "id": "1", "date": "2024-01-01T00:00:00Z", "tag": ["tender"]}', 3001, None),
        (b'{"uri": "x", "releases": []}', 3000, None),
        (
            b'{"id": "x", "date": "2024-01-01T00:00:00Z", "tag": ["compiled"], "buyer": {"id": "b"}}',
            3000,
            "release_without_ocid",
        ),
    ],
    ids=["repeated ocid", "invalid JSON", "a release to merge", "a package", "no ocid"],
)
def test_falls_back_to_one_process_where_results_could_differ(  # noqa: PLR0917 - pytest fixtures and parameters
    line, processes, warning, synthetic, tmp_path, monkeypatch, parallel_on
):
    first = synthetic.read_bytes().split(b"\n", 1)[0]
    path = with_line(synthetic, tmp_path / "input.jsonl", 2500, line if line is not None else first)
    expected = one_process(path, tmp_path / "one", monkeypatch)
    actual = api.ingest(path, tmp_path / "two")
    assert row_groups(actual) == 1  # written by the one-process path
    assert_same_dataset(expected, actual)
    assert actual.manifest["processes"] == processes
    if warning:
        assert warning in {w["code"] for w in actual.manifest["warnings"]}


def test_a_refused_parallel_ingest_keeps_the_previous_dataset(synthetic, tmp_path):
    before = api.ingest(synthetic, tmp_path / "city")
    first = synthetic.read_bytes().split(b"\n", 1)[0]
    path = with_line(synthetic, tmp_path / "input.jsonl", 2999, first)
    problems = ProblemLog()
    with pytest.raises(parallel.Unsuitable):
        parallel.ingest_parallel(path, tmp_path / "city", problems, workers=2, chunk_bytes=SMALL_CHUNK)
    assert not problems
    assert (tmp_path / "city").resolve() == before.path
    assert not list((tmp_path / ".versions").glob("*.partial"))


def test_chunks_cover_the_file_on_line_boundaries(tmp_path):
    path = tmp_path / "lines.jsonl"
    lines = [b"\xef\xbb\xbf" + b'{"a": 1}'] + [orjson.dumps({"n": n, "pad": "x" * (n % 50)}) for n in range(500)]
    path.write_bytes(b"\n".join(lines))  # no newline at the end
    ranges = parallel.chunk_ranges(path, 1000)
    data = path.read_bytes()
    assert ranges[0][0] == 3  # after the byte order mark
    assert ranges[-1][1] == len(data)
    assert all(end == start for (_, end), (start, _) in itertools.pairwise(ranges))
    assert all(data[end - 1 : end] == b"\n" for _, end in ranges[:-1])
    assert len(ranges) > 10


@pytest.mark.parametrize("content", [b'{"ocid": "ocds-1", "tag": ["compiled"], "id": "1"}\n', b"{not json\n"])
def test_a_flattened_range_leaves_the_cycle_collector_as_it_found_it(tmp_path, content, monkeypatch):
    """The collector is paused while a range is flattened, and back on after it, also when the range is refused."""
    path = tmp_path / "one.jsonl"
    path.write_bytes(content)
    seen = []
    add = parallel.Flattener.add

    def recording_add(self, release):
        seen.append(gc.isenabled())
        add(self, release)

    monkeypatch.setattr(parallel.Flattener, "add", recording_add)
    assert gc.isenabled()
    try:
        result = parallel.flatten_range(str(path), 0, len(content))
    except parallel.Unsuitable:
        result = None
    assert gc.isenabled()
    assert seen == ([] if result is None else [False])  # paused while the release was flattened
    assert result is None or result.tables["processes"].num_rows == 1
    gc.disable()
    try:
        with contextlib.suppress(parallel.Unsuitable):
            parallel.flatten_range(str(path), 0, len(content))
        assert not gc.isenabled()  # a caller that had paused it keeps it paused
    finally:
        gc.enable()


def test_only_large_plain_jsonl_of_compiled_releases_is_split(
    synthetic, compiled_jsonl, samples, tmp_path, monkeypatch
):
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    assert parallel.workers_for(synthetic, detect.detect(synthetic), min_bytes=0) == 2
    assert parallel.workers_for(synthetic, detect.detect(synthetic)) == 0  # smaller than MIN_BYTES
    zipped = tmp_path / "city.jsonl.gz"
    zipped.write_bytes(gzip.compress(synthetic.read_bytes()))
    assert parallel.workers_for(zipped, detect.detect(zipped), min_bytes=0) == 0
    package = next(iter(sorted(samples.glob("*/releases/*.json"))))
    assert parallel.workers_for(package, detect.detect(package), min_bytes=0) == 0
    monkeypatch.setenv(parallel.WORKERS_ENV, "0")
    assert parallel.workers_for(synthetic, detect.detect(synthetic), min_bytes=0) == 0


def test_problem_logs_merged_in_order_equal_one_log():
    whole, first, second = ProblemLog(), ProblemLog(), ProblemLog()
    events = [("a", f"a{n}") for n in range(5)] + [("b", "b0")] + [("a", f"a{n}") for n in range(5, 9)]
    for index, (code, example) in enumerate(events):
        whole.add(code, code.upper(), example)
        (first if index < 3 else second).add(code, code.upper(), example)
    first.merge(second)
    assert first.as_list() == whole.as_list()


def _stat(pid: int | str) -> list[str]:
    """Return the fields of /proc/PID/stat after the command name (state first, then the parent's pid)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _children(pid: int) -> list[int]:
    return [
        int(stat.parent.name)
        for stat in Path("/proc").glob("[0-9]*/stat")
        if _stat(stat.parent.name)[1:2] == [str(pid)]
    ]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _state(pid: int) -> str:
    """Return the process state ("Z" for a zombie, and for a process that is gone)."""
    return (_stat(pid) or ["Z"])[0]


def _wait_for_workers(process: subprocess.Popen[bytes]) -> list[int]:
    """Return the pids of the ingest's workers once at least two have started."""
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2:
        workers = [pid for pid in _children(process.pid) if parallel.WORKER_MODULE.encode() in _cmdline(pid)]
        time.sleep(0.05)
    assert len(workers) >= 2, "the workers did not start"
    return workers


def test_killing_the_ingest_kills_its_workers(tmp_path):
    """A killed ingest (a crashed or stopped task worker) leaves no worker running on the machine."""
    path = tmp_path / "big.jsonl"
    write_jsonl(path, 30000, seed=3)
    script = SCRIPT_HEADER + INGEST_CALL
    process = subprocess.Popen([sys.executable, "-c", script, str(path), str(tmp_path / "city")])
    workers = _wait_for_workers(process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = [pid for pid in workers if _state(pid) != "Z"]
        time.sleep(0.05)
    assert alive == []


def test_a_script_without_main_guard_runs_once(synthetic, tmp_path):
    """Workers are started with ``python -m``, so the calling script's top level never runs again in them."""
    marker = tmp_path / "runs.txt"
    script = SCRIPT_HEADER + "with open(sys.argv[3], 'a') as runs: runs.write('ran\\n')\n" + INGEST_CALL
    completed = subprocess.run(
        [sys.executable, "-c", script, str(synthetic), str(tmp_path / "city"), str(marker)],
        capture_output=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    assert completed.stderr == b""
    assert marker.read_text() == "ran\n"
    assert pq.ParquetFile(tmp_path / "city" / "processes.parquet").metadata.num_row_groups > 10


def test_ctrl_c_stops_the_ingest_and_its_workers_quietly(tmp_path):
    """Ctrl-C reaches the whole process group: only the main process reacts; no worker prints a traceback."""
    path = tmp_path / "big.jsonl"
    write_jsonl(path, 30000, seed=5)
    script = (
        SCRIPT_HEADER
        + "try:\n    "
        + INGEST_CALL
        + "except KeyboardInterrupt:\n"
        + "    print('interrupted', file=sys.stderr)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(path), str(tmp_path / "city")],
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509 - one call, before exec
    )
    workers = _wait_for_workers(process)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert stderr == b"interrupted\n"
    assert all(_state(pid) == "Z" for pid in workers)
    assert not list((tmp_path / ".versions").glob("*.partial"))
