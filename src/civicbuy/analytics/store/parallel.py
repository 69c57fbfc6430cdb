"""Ingest a large JSON Lines file of compiled releases in several processes, with the same result as one process.

Flattening is Python and runs on one core: about 90 µs per release measured here, so 15 minutes for 10 million
releases (benchmarks/README.md). A file of compiled releases needs no merging, so its lines can be flattened in any
order: the file is cut into byte ranges on line boundaries, each worker process reads and parses its own ranges
(nothing is sent to it but the path and two offsets), flattens them into Arrow tables and sends those back; the
main process writes them in file order, so every table holds its rows in the same order as a one-process ingest.

Only the plain case takes this path. A worker gives up (:class:`Unsuitable`) at the first line that is not a
compiled release with an ``ocid`` (invalid JSON, a package, a release to merge, a record), and the main process
gives up when an ``ocid`` repeats; :func:`civicbuy.analytics.api.ingest` then ingests the file in one process, which
counts those problems with their line numbers. What a worker counts (wrong types, upgrades) names the ``ocid``, never
a position, so the warnings are the same as one process's: problem logs are merged in file order.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import orjson

from civicbuy.analytics.ocds.compile import record_upgrades, upgrade_releases
from civicbuy.analytics.ocds.detect import COMPILED_RELEASE, classify_keys
from civicbuy.analytics.ocds.exceptions import ProblemLog, UnsupportedFormatError
from civicbuy.analytics.ocds.source import UTF8_BOM
from civicbuy.analytics.store.dataset import write_version
from civicbuy.analytics.store.flatten import Flattener

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import pyarrow as pa

    from civicbuy.analytics.ocds.detect import Detection
    from civicbuy.analytics.store.dataset import Dataset, TableSink

#: Files smaller than this are ingested in one process: starting the workers (~0.5 s) would cost more than it saves.
MIN_BYTES = 64 * 1024 * 1024
#: Bytes of input per task: small enough for a smooth progress bar, large enough to keep the overhead low.
CHUNK_BYTES = 16 * 1024 * 1024
WORKERS_ENV = "CIVICBUY_INGEST_WORKERS"
#: Run as ``python -m`` to start a worker (see :func:`serve`).
WORKER_MODULE = "civicbuy.analytics.store.ingest_worker"


class Unsuitable(Exception):  # noqa: N818 - a signal to fall back, not an error the user sees
    """The file is not a plain JSON Lines file of distinct compiled releases: ingest it in one process."""


@dataclass
class ChunkResult:
    """What a worker sends back for one byte range."""

    tables: dict[str, pa.Table]
    problems: ProblemLog
    upgraded: int


def workers_for(path: str | Path, detection: Detection | None, *, min_bytes: int | None = None) -> int:
    """Return how many worker processes should ingest ``path``; 0 means one process (the usual path).

    The parallel path needs a plain (not gzip) regular file of JSON Lines of compiled releases of at least
    ``min_bytes``, and more than one CPU. ``CIVICBUY_INGEST_WORKERS`` sets the number of workers (0 or 1: never).
    """
    if detection is None or str(path) == "-":
        return 0
    if detection.gzip or detection.form != "jsonl" or not detection.line_mode or detection.kind != COMPILED_RELEASE:
        return 0
    file = Path(path)
    if not file.is_file() or file.stat().st_size < (MIN_BYTES if min_bytes is None else min_bytes):
        return 0
    configured = os.environ.get(WORKERS_ENV, "").strip()
    if configured:
        try:
            count = int(configured)
        except ValueError:
            count = 1
    else:
        count = min(len(os.sched_getaffinity(0)), 4) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return count if count >= 2 else 0  # noqa: PLR2004 - one worker is slower than no worker


def chunk_ranges(path: Path, chunk_bytes: int) -> list[tuple[int, int]]:
    """Cut the file into ``(start, end)`` byte ranges of about ``chunk_bytes``, each ending after a newline."""
    size = path.stat().st_size
    ranges = []
    with path.open("rb") as handle:
        start = 3 if handle.read(3) == UTF8_BOM else 0
        while start < size:
            handle.seek(max(start, start + chunk_bytes - 1))
            handle.readline()  # on to the end of the line the cut falls in
            end = min(handle.tell(), size)
            ranges.append((start, end))
            start = end
    return ranges


def ingest_parallel(
    path: str | Path,
    target: Path,
    problems: ProblemLog,
    *,
    workers: int,
    source: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
    chunk_bytes: int | None = None,
) -> Dataset:
    """Ingest ``path`` with ``workers`` processes into a new version of the dataset at ``target``.

    Raises :class:`Unsuitable` (leaving the previous version as it was and ``problems`` untouched) when the file
    must be ingested in one process instead.
    """
    file = Path(path)
    ranges = chunk_ranges(file, chunk_bytes or CHUNK_BYTES)
    found = ProblemLog(problems.max_examples)

    def fill(sink: TableSink) -> None:
        upgraded = 0
        for result in _results(file, ranges, workers):
            sink.write(result.tables)
            found.merge(result.problems)
            upgraded += result.upgraded
            if progress is not None:
                progress(sink.counts["processes"])
        sink.close()
        _refuse_repeated_ocids(sink)
        record_upgrades(found, upgraded)
        problems.merge(found)

    return write_version(fill, target, problems, source=source)


def _results(file: Path, ranges: list[tuple[int, int]], workers: int) -> Iterator[ChunkResult]:
    """Yield the workers' results in file order; range ``i`` goes to worker ``i % workers``, two at a time each.

    Workers are ``python -m civicbuy.analytics.store.ingest_worker`` processes rather than :mod:`multiprocessing` ones:
    ``spawn`` would run the calling script's top level again in every worker (a script without a ``__main__`` guard
    would repeat what it did before calling the ingest), and ``fork`` is unsafe in a threaded web or task worker.
    """
    started: list[_Worker] = []
    try:
        for _ in range(workers):
            started.append(_Worker(file))  # noqa: PERF401 - the ones started are stopped if a later one fails
        for index, (start, end) in enumerate(ranges[: 2 * workers]):
            started[index % workers].send(start, end)
        for index in range(len(ranges)):
            worker = started[index % workers]
            result = worker.receive()
            following = index + 2 * workers
            if following < len(ranges):
                worker.send(*ranges[following])
            yield result
        for worker in started:
            worker.finish()
    finally:
        for worker in started:
            worker.stop()


class _Worker:
    """One worker process: tasks go to its standard input, results come back on its standard output."""

    def __init__(self, file: Path) -> None:
        if not sys.executable:
            raise Unsuitable("no Python executable to start workers with")
        try:
            self.process = subprocess.Popen(  # noqa: S603 - our own module, run by this interpreter
                [sys.executable, "-m", WORKER_MODULE, str(file), str(os.getpid())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                # Its own session: Ctrl-C on a terminal reaches the main process only, which stops the workers
                # itself; a worker interrupted while it starts would print a KeyboardInterrupt traceback.
                start_new_session=True,
            )
        except OSError as error:
            raise Unsuitable(f"cannot start a worker: {error}") from error
        self.results: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        """Read every message as it arrives, so that a worker never waits for the main process to want it."""
        stream = self.process.stdout
        assert stream is not None  # noqa: S101 - opened with stdout=PIPE
        while True:
            header = stream.read(8)
            if len(header) < 8:  # noqa: PLR2004 - the length prefix
                self.results.put(("stopped", None))
                return
            payload = stream.read(int.from_bytes(header, "little"))
            try:
                self.results.put(pickle.loads(payload))  # noqa: S301 - written by our own worker process
            except Exception:  # noqa: BLE001 - a cut message means the worker died
                self.results.put(("stopped", None))
                return

    def send(self, start: int, end: int) -> None:
        """Queue the byte range ``[start, end)`` for this worker."""
        stdin = self.process.stdin
        assert stdin is not None  # noqa: S101 - opened with stdin=PIPE
        try:
            stdin.write(f"{start} {end}\n".encode())
            stdin.flush()
        except OSError as error:
            raise Unsuitable("a worker process stopped") from error

    def receive(self) -> ChunkResult:
        """Return the result of the oldest range sent, or raise :class:`Unsuitable`."""
        status, value = self.results.get()
        if status == "ok":
            return cast("ChunkResult", value)
        # "unsuitable" (the file needs one process), "error" (an unexpected failure, which one process will report
        # properly, with its own handling) or "stopped" (the worker died: killed, out of memory).
        raise Unsuitable(str(value or status))

    def finish(self) -> None:
        """Close the worker's input: it exits once its queue is empty."""
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()

    def stop(self) -> None:
        """End the worker (at once if it is still busy) and reap it."""
        self.finish()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def _refuse_repeated_ocids(sink: TableSink) -> None:
    """Give up when an ``ocid`` occurs twice: one process keeps the first and counts the rest, in file order."""
    import duckdb

    file = str(sink.directory / "processes.parquet").replace("'", "''")
    with duckdb.connect() as connection:
        row = connection.execute(
            f"SELECT count(*) - count(DISTINCT ocid) FROM read_parquet('{file}')"  # noqa: S608 - our own path
        ).fetchone()
    if row is not None and row[0]:
        raise Unsuitable("an ocid occurs more than once")


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a range is flattened, and restore it after.

    Parsed JSON and the flat row tuples hold no reference cycles, so the collector finds nothing to free there, but
    the rows of a whole range stay alive until they become Arrow tables, and each full collection walks all of them
    again. Counted with callgrind (instructions, not seconds: this machine's speed varies too much to time it) on two
    16 MiB ranges of synthetic compiled releases (15,400 releases), start-up excluded: 8.20 billion instructions
    before, 8.00 billion with the collector paused here (-2.5%).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_no_cycle_collection()
def flatten_range(path: str, start: int, end: int) -> ChunkResult:
    """Read, check, upgrade and flatten the compiled releases on the lines in ``[start, end)`` of ``path``."""
    problems = ProblemLog()
    flattener = Flattener(problems)
    loads = orjson.loads
    upgraded = 0
    with Path(path).open("rb") as handle:
        handle.seek(start)
        position = start
        for line in handle:
            if position >= end:
                break
            position += len(line)
            if not line.strip():
                continue
            try:
                release = loads(line)
            except orjson.JSONDecodeError as error:
                raise Unsuitable("invalid JSON") from error
            if not isinstance(release, dict) or not _is_compiled_release(release):
                raise Unsuitable("not a compiled release")
            ocid = release.get("ocid")
            if not isinstance(ocid, str) or not ocid:
                raise Unsuitable("a compiled release without an ocid")
            upgraded += upgrade_releases([release])
            flattener.add(release)
    return ChunkResult(flattener.take(), problems, upgraded)


def _is_compiled_release(release: dict[str, Any]) -> bool:
    try:
        return classify_keys(release.keys(), release.get("tag")) == COMPILED_RELEASE
    except UnsupportedFormatError:
        return False


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the process that started it dies (a killed ingest leaves no orphans)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def serve(path: str, parent: int) -> None:
    """Worker loop: flatten each ``start end`` range read on standard input; answer on standard output."""
    _die_with_parent(parent)
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        start, end = (int(part) for part in line.split())
        message: tuple[str, Any]
        try:
            message = ("ok", flatten_range(path, start, end))
        except Unsuitable as error:
            message = ("unsuitable", str(error))
        except Exception as error:  # noqa: BLE001 - reported to the main process, which falls back to one process
            message = ("error", f"{type(error).__name__}: {error}")
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(len(payload).to_bytes(8, "little"))
        out.write(payload)
        out.flush()


__all__ = [
    "MIN_BYTES",
    "WORKERS_ENV",
    "Unsuitable",
    "chunk_ranges",
    "flatten_range",
    "ingest_parallel",
    "serve",
    "workers_for",
]
