"""A dataset directory: the flat Parquet tables of one ingest plus ``manifest.json``.

Layout under a data directory::

    <data_dir>/<name>                -> symlink to .versions/<name>-<stamp>  (swapped atomically)
    <data_dir>/.versions/<name>-<stamp>/manifest.json, <table>.parquet
    <data_dir>/.versions/<name>-<stamp>.partial/                            (while writing)

    <data_dir>/.<name>.lock                                                   (locked while writing)

A new version is written to a ``.partial`` directory in the same parent, every file is fsynced, the directory is
renamed, and the ``<name>`` link is replaced with ``os.replace`` (atomic on POSIX). A failed or interrupted ingest
leaves the previous version untouched; the next ingest removes stale ``.partial`` directories. One ingest of a
name runs at a time (an advisory lock on ``.<name>.lock``; a second one is refused), so a ``.partial`` directory
found by the ingest that holds the lock is stale. Versions are matched by their full name (name, stamp), never by
a prefix: ``city`` and ``city-2020`` are different datasets.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from civicbuy.analytics.ocds.exceptions import DatasetError, storage_error
from civicbuy.analytics.store.flatten import Flattener
from civicbuy.analytics.store.schemas import TABLES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    import duckdb

    from civicbuy.analytics.ocds.exceptions import ProblemLog

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
FLUSH_EVERY = 10_000
VERSIONS = ".versions"
#: What follows a dataset's name in its version folders' names: a timestamp and a random suffix (:func:`_stamp`).
VERSION_STAMP = r"-\d{8}T\d{6}-[0-9a-f]{8}"
#: A dataset name: a letter or digit, then letters, digits, ".", "_" or "-" (one folder, never a path).
NAME = re.compile(r"[^\W_][\w.-]{0,127}")


def check_name(name: str) -> str:
    """Return ``name`` if it can name a dataset, else raise :class:`DatasetError` saying what a name may hold.

    A name becomes one folder under the data directory: a slash, a backslash or ".." would write elsewhere.
    """
    if not NAME.fullmatch(name):
        raise DatasetError(
            f"the dataset name {name!r} is not usable: a name starts with a letter or digit and holds only letters, "
            "digits, '.', '_' and '-' (at most 128 characters)"
        )
    return name


@dataclass(frozen=True)
class Dataset:
    """An ingested dataset: its directory (the resolved version) and manifest."""

    path: Path
    manifest: dict[str, Any]

    def table_path(self, name: str) -> Path:
        """Return the Parquet file of table ``name``."""
        return self.path / f"{name}.parquet"

    @property
    def name(self) -> str:
        """Return the dataset's name."""
        return str(self.manifest.get("name", self.path.name))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_dataset(
    compiled: Iterable[dict[str, Any]],
    target: Path,
    problems: ProblemLog,
    *,
    source: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
    flush_every: int = FLUSH_EVERY,
) -> Dataset:
    """Flatten ``compiled`` releases into a new version of the dataset at ``target`` (a ``<data_dir>/<name>`` path).

    ``progress`` is called with the number of processes written so far (every 1,000 and at the end). A full disk
    or a read-only folder raises :class:`StorageFullError` or :class:`StorageNotWritableError`.
    """

    def fill(sink: TableSink) -> None:
        _write_tables(compiled, sink, problems, progress, flush_every)

    return write_version(fill, Path(target), problems, source=source)


def write_version(
    fill: Callable[[TableSink], None],
    target: Path,
    problems: ProblemLog,
    *,
    source: dict[str, Any] | None = None,
) -> Dataset:
    """Write a new version of the dataset at ``target`` whose tables ``fill`` writes into the sink it is given.

    The version is written in a ``.partial`` directory and published atomically; whatever ``fill`` raises, the
    partial directory is removed and the previous version is left as it was. Storage errors are made plain.
    """
    try:
        return _write_version(fill, target, problems, source=source)
    except OSError as error:
        plain = storage_error(error, target.parent)
        if plain is None:
            raise
        raise plain from error


def _write_version(
    fill: Callable[[TableSink], None],
    target: Path,
    problems: ProblemLog,
    *,
    source: dict[str, Any] | None,
) -> Dataset:
    check_name(target.name)
    versions = target.parent / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    with _writing(target):
        return _write_locked(fill, target, versions, problems, source=source)


def _write_locked(
    fill: Callable[[TableSink], None],
    target: Path,
    versions: Path,
    problems: ProblemLog,
    *,
    source: dict[str, Any] | None,
) -> Dataset:
    name = target.name
    for stale in _versions_of(versions, name, partial=True):
        shutil.rmtree(stale, ignore_errors=True)
    stamp = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    partial = versions / f"{name}-{stamp}.partial"
    final = versions / f"{name}-{stamp}"
    partial.mkdir()
    try:
        sink = TableSink(partial)
        try:
            fill(sink)
        finally:
            sink.close()
        manifest = sink.manifest(problems)
        manifest.update({"name": name, "source": source or {}, "format_version": FORMAT_VERSION})
        (partial / MANIFEST).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
        for child in partial.iterdir():
            _fsync(child)
        _fsync(partial)
        partial.rename(final)
        _fsync(versions)
        _swap_link(target, Path(VERSIONS) / final.name)
    except BaseException:
        # Before the rename the version is the partial folder, after it the final one: remove whichever exists.
        shutil.rmtree(partial, ignore_errors=True)
        shutil.rmtree(final, ignore_errors=True)
        raise
    _remove_old_versions(versions, name, keep=final.name)
    return Dataset(final, manifest)


def _swap_link(target: Path, relative: Path) -> None:
    if target.exists() and not target.is_symlink():
        raise DatasetError("exists and is not a CivicBuy dataset link; refusing to replace it", path=str(target))
    link = target.parent / f".{target.name}.link-{uuid.uuid4().hex[:8]}"
    link.symlink_to(relative)
    link.replace(target)
    _fsync(target.parent)


def _remove_old_versions(versions: Path, name: str, keep: str) -> None:
    for old in _versions_of(versions, name, partial=False):
        if old.name != keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


def _versions_of(versions: Path, name: str, *, partial: bool | None = None) -> list[Path]:
    """Return the version folders of dataset ``name`` (only the partial ones, the finished ones, or both)."""
    suffix = {True: r"\.partial", False: "", None: r"(?:\.partial)?"}[partial]
    pattern = re.compile(re.escape(name) + VERSION_STAMP + suffix)
    try:
        return [child for child in versions.iterdir() if pattern.fullmatch(child.name)]
    except FileNotFoundError:
        return []


@contextlib.contextmanager
def _writing(target: Path) -> Iterator[None]:
    """Hold the lock of dataset ``target`` while its new version is written; refuse when another ingest holds it.

    An advisory ``flock``: the kernel releases it when the process ends, however it ends, so a killed ingest never
    leaves the name locked.
    """
    # Beside the link, not in .versions, whose listing is the versions. The file stays: removing a lock file that
    # another process has open would let two ingests each hold a lock, on two different files.
    with (target.parent / f".{target.name}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DatasetError(
                "another ingest of this dataset is running; try again when it has finished", path=str(target)
            ) from None
        yield


class TableSink:
    """The Parquet writers of one version being written: one file per flat table, plus what the manifest says.

    Tables are appended in the order they are given (row groups as given), so the rows of every table keep the
    order of the input whoever produced them (one process or several).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.writers = {name: pq.ParquetWriter(directory / f"{name}.parquet", spec) for name, spec in TABLES.items()}
        self.counts = dict.fromkeys(TABLES, 0)
        self.first: int | None = None
        self.last: int | None = None

    def write(self, tables: dict[str, pa.Table]) -> None:
        """Append one batch of every table (as :meth:`Flattener.take` returns them)."""
        for name, table in tables.items():
            if name == "processes" and table.num_rows:
                # In Arrow: turning every date into a Python datetime took longer than writing the table.
                span = pc.min_max(table.column("date").cast(pa.int64()))
                low, high = span["min"].as_py(), span["max"].as_py()
                if low is not None and high is not None:
                    low, high = int(low / 1_000_000), int(high / 1_000_000)  # as datetime.timestamp() did
                    self.first = low if self.first is None else min(self.first, low)
                    self.last = high if self.last is None else max(self.last, high)
            self.counts[name] += table.num_rows
            self.writers[name].write_table(table)

    def close(self) -> None:
        """Close every Parquet file (idempotent)."""
        for writer in self.writers.values():
            writer.close()

    def manifest(self, problems: ProblemLog) -> dict[str, Any]:
        """Return the manifest's counts, period and warnings."""
        return {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "counts": self.counts,
            "processes": self.counts["processes"],  # one row per process
            "period": {
                "start": datetime.fromtimestamp(self.first, UTC).isoformat() if self.first is not None else None,
                "end": datetime.fromtimestamp(self.last, UTC).isoformat() if self.last is not None else None,
            },
            "warnings": problems.as_list(),
        }


def _write_tables(
    compiled: Iterable[dict[str, Any]],
    sink: TableSink,
    problems: ProblemLog,
    progress: Callable[[int], None] | None,
    flush_every: int,
) -> None:
    flattener = Flattener(problems)
    processes = 0
    for release in compiled:
        flattener.add(release)
        processes += 1
        if flattener.buffered >= flush_every:
            sink.write(flattener.take())
        if progress is not None and processes % 1000 == 0:
            progress(processes)
    sink.write(flattener.take())
    if progress is not None:
        progress(processes)


def open_dataset(path: str | Path) -> Dataset:
    """Open an ingested dataset (the ``<data_dir>/<name>`` link or a version directory)."""
    resolved = Path(path).resolve()
    manifest_path = resolved / MANIFEST
    try:
        manifest = orjson.loads(manifest_path.read_bytes())
    except FileNotFoundError as error:
        raise DatasetError("no dataset here (manifest.json is missing)", path=str(path)) from error
    except orjson.JSONDecodeError as error:
        raise DatasetError(f"manifest.json is not valid JSON: {error.msg}", path=str(manifest_path)) from error
    return Dataset(resolved, manifest)


def connect_duckdb(dataset: Dataset, database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """Return a DuckDB connection with one view per flat table over the dataset's Parquet files."""
    import duckdb

    connection = duckdb.connect(database)
    for name in TABLES:
        file = str(dataset.table_path(name)).replace("'", "''")
        # Table names come from TABLES and the quoted path from the dataset: no user SQL here.
        connection.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM read_parquet('{file}')")  # noqa: S608
    return connection


def remove_dataset(target: Path) -> None:
    """Remove a dataset link and its versions."""
    versions = target.parent / VERSIONS
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    for version in _versions_of(versions, target.name):
        shutil.rmtree(version, ignore_errors=True)
