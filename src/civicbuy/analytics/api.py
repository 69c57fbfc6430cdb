"""The public Python API of the analytics engine, used by the CLI, the dashboard and the REST API.

Example::

    from civicbuy.analytics import api

    api.detect("releases.json").description  # "release package (OCDS 1.1)"
    report = api.review("releases.json")  # JSON-ready dict
    dataset = api.ingest("releases.json", "var/datasets/city", progress=print)
    results = api.compute_indicators(dataset)  # pyarrow.Table: indicator, level, id, value, flagged, reason
    flags = api.compute_indicators(dataset, indicators=["R003", "R018"], store=False)  # only these two
    api.store_indicators(dataset)  # computed and stored batch by batch (any size); returns the number of rows
    api.load_results(dataset)  # the stored results of the last computation
    for batch in api.stream_indicators(dataset):  # pyarrow.RecordBatch, same columns and order, never all held
        ...
    problems = api.ProblemLog()  # the read warnings of a file given directly (skipped lines, wrong types, ...)
    api.compute_indicators("releases.jsonl", problems=problems)
    for line in api.describe_warnings(problems.as_list(), "releases.jsonl"):
        print("Warning:", line)
"""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from civicbuy.analytics.ocds import compile as _compile
from civicbuy.analytics.ocds import detect as _detect
from civicbuy.analytics.ocds import reader as _reader
from civicbuy.analytics.ocds import review as _review
from civicbuy.analytics.ocds.exceptions import AnalyticsError, DatasetError, ProblemLog
from civicbuy.analytics.ocds.source import source_name
from civicbuy.analytics.scratch import scratch_directory
from civicbuy.analytics.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    import pyarrow as pa

    from civicbuy.analytics.ocds.detect import Detection
    from civicbuy.analytics.ocds.reader import Release
    from civicbuy.analytics.store.dataset import Dataset

RESULTS = "results.parquet"

__all__ = [
    "AnalyticsError",
    "Dataset",
    "ProblemLog",
    "Settings",
    "compile_releases",
    "compute_indicators",
    "describe_warnings",
    "detect",
    "ingest",
    "load_results",
    "read",
    "review",
    "store_indicators",
    "stream_indicators",
]


def __getattr__(name: str) -> Any:
    """Import the dataset store (pyarrow, DuckDB: ~0.3 s) on first use; reading, compiling and review need none."""
    if name == "Dataset":
        from civicbuy.analytics.store.dataset import Dataset

        return Dataset
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def detect(path: str | Path) -> Detection:
    """Detect the OCDS form of a file (``-`` for standard input)."""
    return _detect.detect(path)


def read(path: str | Path, problems: ProblemLog | None = None) -> Iterator[Release]:
    """Stream the releases (and compiled releases) in a file of any OCDS form."""
    return _reader.read(path, problems)


def compile_releases(
    source: str | Path | Iterable[Release], problems: ProblemLog | None = None
) -> Iterator[dict[str, Any]]:
    """Yield one compiled release per ``ocid`` from a file or from :func:`read`'s releases."""
    problems = problems if problems is not None else ProblemLog()
    releases = _reader.read(source, problems) if isinstance(source, (str, Path)) else source
    return _compile.compile_releases(releases, problems)


def review(path: str | Path, *, schema: str | None = None) -> dict[str, Any]:
    """Review a file; see :func:`civicbuy.analytics.ocds.review.review`."""
    return _review.review(path, schema=schema)


def ingest(
    path: str | Path,
    dataset_dir: str | Path,
    *,
    progress: Callable[[int], None] | None = None,
    problems: ProblemLog | None = None,
) -> Dataset:
    """Read, upgrade, compile and flatten a file into the dataset at ``dataset_dir`` (atomically).

    A JSON Lines file of compiled releases of 64 MiB or more is flattened by several processes (one per CPU, at
    most 4; ``CIVICBUY_INGEST_WORKERS``), with the same dataset as one process; see
    :mod:`civicbuy.analytics.store.parallel`. The read warnings are counted in ``problems`` (give an empty log;
    a new one by default) and stored in the manifest (``manifest["warnings"]``).
    """
    from civicbuy.analytics.store import parallel
    from civicbuy.analytics.store.dataset import write_dataset

    problems = problems if problems is not None else ProblemLog()
    detection = _detect.detect(path) if str(path) != "-" else None
    source = {"file": Path(str(path)).name, "format": detection.description if detection else "standard input"}
    workers = parallel.workers_for(path, detection)
    if workers:
        with contextlib.suppress(parallel.Unsuitable):  # not plain compiled releases after all: one process
            return parallel.ingest_parallel(
                path, Path(dataset_dir), problems, workers=workers, source=source, progress=progress
            )
    compiled = _compile.compile_releases(_reader.read(path, problems), problems)
    return write_dataset(compiled, Path(dataset_dir), problems, source=source, progress=progress)


def describe_warnings(warnings: Iterable[Mapping[str, Any]], file: str | Path) -> list[str]:
    """Return one line per kind of read warning, naming ``file`` and the first places it happened.

    ``warnings`` is :meth:`ProblemLog.as_list` or a manifest's ``warnings``. A command that computes on a file
    without storing it (``civicbuy indicators FILE``, ``civicbuy impact FILE``) must still say that parts of the
    file were skipped or read as null, as ``civicbuy ingest`` and ``civicbuy review`` do; otherwise its figures
    look complete when they are not. Example: ``data.jsonl: Lines that are not valid JSON were skipped: 1 (e.g.
    line 2, byte 95: unexpected end of data)``.
    """
    name = source_name(file)
    lines = []
    for warning in warnings:
        message = str(warning["message"])
        count = "" if message[-1:].isdigit() else f": {warning['count']:,}"  # "upgraded ...: 5" has its own count
        examples = [str(example).removeprefix(f"{name}, ") for example in warning.get("examples") or ()]
        places = f" (e.g. {'; '.join(examples)})" if examples else ""
        lines.append(f"{name}: {message}{count}{places}")
    return lines


def _resolve_settings(settings: Settings | str | Path | None) -> Settings:
    if settings is None:
        return Settings()
    if isinstance(settings, Settings):
        return settings
    return Settings.from_file(settings)


def compute_indicators(
    source: Dataset | str | Path,
    *,
    indicators: Iterable[str] | None = None,
    backend: str = "duckdb",
    settings: Settings | str | Path | None = None,
    codes: Iterable[str] | None = None,
    store: bool = True,
    problems: ProblemLog | None = None,
) -> pa.Table:
    """Compute indicators on an ingested dataset, a dataset directory, or any OCDS file.

    ``indicators`` selects indicator codes (``["R003", "R018", "competition.single_bid_rate"]``); by default every
    indicator is computed. An unknown code raises :class:`~civicbuy.analytics.ocds.exceptions.SettingsError` before
    any data is read. ``codes`` is the older name of ``indicators`` and still works. ``backend`` is ``"duckdb"``
    (default) or ``"spark"``; ``settings`` a :class:`Settings` or the path of a settings file.

    Returns a table with columns ``indicator, level, id, value, flagged, reason``, sorted by indicator, level and
    id. With a dataset, the results are also stored next to it (``results.parquet``) for :func:`load_results`,
    unless ``store=False``; a selection is stored like the full suite, replacing the previous results. With an
    OCDS file, its read warnings (lines skipped, values read as null) are counted in ``problems`` when given, for
    the caller to show (:func:`describe_warnings`); a dataset's were shown when it was ingested.

    The first computation with given settings and selection compiles the indicators to SQL (seconds); later ones,
    in this process or another, reuse it (see :mod:`civicbuy.analytics.indicators.runner`).
    """
    from civicbuy.analytics.indicators.runner import run_indicators, select_indicators
    from civicbuy.analytics.store.dataset import Dataset, open_dataset

    selection = list(indicators if indicators is not None else codes or []) or None
    resolved = _resolve_settings(settings)
    if isinstance(source, Dataset):
        dataset = source
    elif str(source) != "-" and Path(source).is_dir():
        dataset = open_dataset(source)
    else:
        if selection:
            select_indicators(selection)  # an unknown code fails before the file is read
        with scratch_directory("indicators") as temporary:
            dataset = ingest(source, Path(temporary) / "input", problems=problems)
            return run_indicators(dataset, resolved, backend=backend, codes=selection)
    results = run_indicators(dataset, resolved, backend=backend, codes=selection)
    if store:
        _store_results(dataset, results.to_batches())
    return results


def store_indicators(
    source: Dataset | str | Path,
    *,
    indicators: Iterable[str] | None = None,
    backend: str = "duckdb",
    settings: Settings | str | Path | None = None,
) -> int:
    """Compute indicators on an ingested dataset and store them next to it (``results.parquet``); return the rows.

    The stored file is the one :func:`compute_indicators` stores, but the result table is never held whole: the
    rows go from the query to the file one record batch at a time (:func:`stream_indicators`), so memory stays that
    of DuckDB's query (capped by ``CIVICBUY_DUCKDB_MEMORY_LIMIT``) plus one batch. At 1M releases the whole table
    is 8.4 million rows, ~680 MB of Arrow, held once more while written; at 10M it would not fit in 4 GB. The file
    is written under a temporary name and renamed, so readers see the previous results or the new ones, never part.
    """
    dataset = _open(source)
    batches = stream_indicators(dataset, indicators=indicators, backend=backend, settings=settings)
    return _store_results(dataset, batches)


def _store_results(dataset: Dataset, batches: Iterable[pa.RecordBatch]) -> int:
    """Write ``batches`` as the dataset's ``results.parquet`` (temporary name, then renamed); return the rows."""
    import pyarrow.parquet as pq

    from civicbuy.analytics.indicators.runner import RESULT_SCHEMA

    partial = dataset.path / f".{RESULTS}.{uuid.uuid4().hex[:8]}"
    rows = 0
    try:
        with pq.ParquetWriter(partial, RESULT_SCHEMA) as writer:
            for batch in batches:
                writer.write_batch(batch)
                rows += batch.num_rows
        partial.replace(dataset.path / RESULTS)
    finally:
        partial.unlink(missing_ok=True)
    return rows


def _open(source: Dataset | str | Path) -> Dataset:
    """Return ``source`` as a dataset (opening the directory it names)."""
    from civicbuy.analytics.store.dataset import Dataset, open_dataset

    return source if isinstance(source, Dataset) else open_dataset(source)


def stream_indicators(
    source: Dataset | str | Path,
    *,
    indicators: Iterable[str] | None = None,
    backend: str = "duckdb",
    settings: Settings | str | Path | None = None,
    batch_size: int | None = None,
    problems: ProblemLog | None = None,
) -> Iterator[pa.RecordBatch]:
    """Compute indicators like :func:`compute_indicators` and yield the results as Arrow record batches.

    The rows, columns and order are those of :func:`compute_indicators`, but the result table is never held whole:
    on DuckDB each batch (at most ``batch_size`` rows, default 65,536) comes from the query as it produces it.
    Nothing is stored next to the dataset. An unknown indicator code or settings file raises here, before any data
    is read; an OCDS file is ingested into a temporary dataset when iteration starts, removed when it ends, and its
    read warnings are counted in ``problems`` (when given) before the first batch is yielded.
    """
    from civicbuy.analytics.indicators.runner import BATCH_SIZE, select_indicators
    from civicbuy.analytics.store.dataset import Dataset

    selection = list(indicators or []) or None
    resolved = _resolve_settings(settings)
    if selection:
        select_indicators(selection)  # an unknown code fails before anything is read
    size = batch_size or BATCH_SIZE
    if isinstance(source, Dataset) or (str(source) != "-" and Path(source).is_dir()):
        return _stream_dataset(source, resolved, backend, selection, size)
    return _stream_file(source, resolved, backend, selection, size, problems)


def _stream_dataset(
    source: Dataset | str | Path, settings: Settings, backend: str, selection: list[str] | None, size: int
) -> Iterator[pa.RecordBatch]:
    from civicbuy.analytics.indicators.runner import stream_indicators as stream

    yield from stream(_open(source), settings, backend=backend, codes=selection, batch_size=size)


def _stream_file(  # noqa: PLR0917 - the public function's arguments, resolved
    source: str | Path,
    settings: Settings,
    backend: str,
    selection: list[str] | None,
    size: int,
    problems: ProblemLog | None,
) -> Iterator[pa.RecordBatch]:
    from civicbuy.analytics.indicators.runner import stream_indicators as stream

    with scratch_directory("indicators") as temporary:
        dataset = ingest(source, Path(temporary) / "input", problems=problems)
        yield from stream(dataset, settings, backend=backend, codes=selection, batch_size=size)


def load_results(dataset: Dataset | str | Path) -> pa.Table:
    """Return the results stored by the last :func:`compute_indicators` on ``dataset``."""
    import pyarrow.parquet as pq

    dataset = _open(dataset)
    path = dataset.path / RESULTS
    if not path.exists():
        raise DatasetError("no indicator results yet; compute them first", path=str(dataset.path))
    return pq.read_table(path)
