"""Compile releases into one compiled release per ``ocid``, in bounded memory.

The merge of one process is :class:`~civicbuy.analytics.ocds.merge.Merger` (its own module, compiled at install).

Memory: releases to merge are held, grouped by ``ocid``, until their JSON text reaches ``window_bytes``
(:data:`WINDOW_BYTES`, 64 MiB: a peak RSS of about 470 MB, measured on 180,000 releases); then the window is written
to disk as a run sorted by ``ocid`` and emptied. At the end the runs are merged (an external merge sort, at most
:data:`MAX_OPEN_RUNS` files open at once) and each process is read back, merged and yielded. Memory is bounded by the
window and the largest single process, whatever the file size. Input that is already compiled (compiled releases,
records with a ``compiledRelease``) is not held or merged: it streams straight through; only its ``ocid`` is kept, to
skip a second compiled release of the same process (so that part grows by about 100 bytes per process).
"""

from __future__ import annotations

import gc
import heapq
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from civicbuy.analytics.ocds.jsonbytes import MAX_DEPTH, TooDeepError, dumps
from civicbuy.analytics.ocds.merge import Merger
from civicbuy.analytics.ocds.upgrade import needs_upgrade, upgrade_release
from civicbuy.analytics.scratch import scratch_directory

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from civicbuy.analytics.ocds.exceptions import ProblemLog
    from civicbuy.analytics.ocds.reader import Release

#: JSON bytes of releases held in memory before a sorted run is written to disk.
WINDOW_BYTES = 64 * 1024 * 1024
#: Run files merged at once; more runs are first merged into bigger runs.
MAX_OPEN_RUNS = 128
#: Releases added between two ``gc.freeze()`` calls while the window fills (see :class:`OcidGrouper`).
FREEZE_EVERY = 1_000


class OcidGrouper:
    """Group releases by ``ocid`` within a memory window, spilling sorted runs to disk beyond it.

    Each run line is ``<ocid as JSON> TAB <sequence number> TAB <release JSON>``: sorting and merging whole lines
    keeps every process together and its releases in input order. The window is measured in JSON bytes: the length
    of the line a release was read from (JSON Lines), else of its orjson serialisation.

    While the window fills, the objects it holds are moved out of the garbage collector's view every
    :data:`FREEZE_EVERY` releases (``gc.freeze``, undone by :meth:`close`): parsed JSON has no reference cycles,
    and scanning hundreds of thousands of held objects again and again took most of the grouping time.
    """

    def __init__(self, window_bytes: int = WINDOW_BYTES) -> None:
        self.window_bytes = window_bytes
        self._groups: dict[str, list[dict[str, Any]]] = {}
        self._held_bytes = 0
        self._added = 0
        self._sequence = 0
        self._runs: list[Path] = []
        self._directory: tempfile.TemporaryDirectory[str] | None = None
        self._froze = False

    def add(self, ocid: str, data: dict[str, Any], raw: bytes | None = None) -> None:
        """Hold ``data`` under ``ocid`` (``raw``: its JSON bytes, to size it); spill when the window is full.

        Raises :class:`~civicbuy.analytics.ocds.jsonbytes.TooDeepError` (and holds nothing) for a release nested
        too deeply to be written to a run and read back.
        """
        size = len(raw) if raw is not None else len(dumps(data))
        group = self._groups.get(ocid)
        if group is None:
            self._groups[ocid] = [data]
        else:
            group.append(data)
        self._held_bytes += size
        self._added += 1
        if self._added % FREEZE_EVERY == 0:
            gc.freeze()
            self._froze = True
        if self._held_bytes > self.window_bytes:
            self._spill()

    def _spill(self) -> None:
        if self._directory is None:
            self._directory = scratch_directory("compile")
        lines: list[bytes] = []
        groups = self._groups
        while groups:
            ocid, items = groups.popitem()  # each process is freed once written: the window is not held twice
            key = orjson.dumps(ocid)
            sequence = self._sequence
            lines.extend(b"%s\t%012d\t%s\n" % (key, sequence + index, dumps(data)) for index, data in enumerate(items))
            self._sequence += len(items)
        self._held_bytes = 0
        lines.sort()
        run = Path(self._directory.name) / f"run-{len(self._runs):06d}"
        with run.open("wb") as handle:
            handle.writelines(lines)
        self._runs.append(run)

    def groups(self) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        """Yield ``(ocid, releases)`` for every process: from memory if nothing was spilled, else from the runs."""
        if not self._runs:
            pending: list[tuple[str, list[dict[str, Any]]] | None] = list(self._groups.items())
            self._groups.clear()
            for index, group in enumerate(pending):
                pending[index] = None  # let each process go once it is merged
                yield group  # type: ignore[misc]
            return
        if self._groups:
            self._spill()
        runs = self._runs
        while len(runs) > MAX_OPEN_RUNS:
            runs = [self._merge_runs(runs[:MAX_OPEN_RUNS]), *runs[MAX_OPEN_RUNS:]]
        with ExitStack() as stack:
            handles = [stack.enter_context(run.open("rb")) for run in runs]
            current_key = b""
            current: list[dict[str, Any]] = []
            loads = orjson.loads
            for line in heapq.merge(*handles):
                key, _, data = line.split(b"\t", 2)
                if key != current_key:
                    if current:
                        yield loads(current_key), current
                    current_key, current = key, []
                current.append(loads(data))
            if current:
                yield loads(current_key), current

    def _merge_runs(self, runs: list[Path]) -> Path:
        assert self._directory is not None  # noqa: S101 - only called once runs exist
        target = Path(self._directory.name) / f"merged-{runs[0].name}"
        with ExitStack() as stack, target.open("wb") as out:
            handles = [stack.enter_context(run.open("rb")) for run in runs]
            out.writelines(heapq.merge(*handles))
        for run in runs:
            run.unlink()
        return target

    def close(self) -> None:
        """Drop what is held and remove the run files."""
        if self._froze:
            gc.unfreeze()
            self._froze = False
        self._groups.clear()
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None


def upgrade_releases(releases: list[dict[str, Any]]) -> int:
    """Upgrade the OCDS 1.0 releases among ``releases`` in place; return how many were upgraded."""
    upgraded = 0
    for release in releases:
        if needs_upgrade(release):
            upgrade_release(release)
            upgraded += 1
    return upgraded


def compile_releases(
    releases: Iterable[Release],
    problems: ProblemLog,
    *,
    merger: Merger | None = None,
    upgrade: bool = True,
    window_bytes: int = WINDOW_BYTES,
) -> Iterator[dict[str, Any]]:
    """Yield one compiled release per ``ocid`` (upgrading OCDS 1.0 releases to 1.1 first).

    Compiled releases are yielded as they are read (after the upgrade, if needed), without merging. A second
    compiled release for the same ``ocid`` is skipped and counted (``duplicate_compiled_release``: the first is kept,
    since the first was already yielded), and so are releases of a process also given as a compiled release
    (``releases_of_compiled_process``). Releases are grouped by ``ocid`` (see :class:`OcidGrouper`) and merged once
    the input is read.
    """
    merger = merger or Merger(problems=problems)
    upgraded = 0
    compiled_ocids: set[str] = set()
    grouper = OcidGrouper(window_bytes)
    try:
        for release in releases:
            data = release.data
            ocid = data.get("ocid")
            if not isinstance(ocid, str) or not ocid:
                problems.add("release_without_ocid", "Releases without an ocid were skipped", release.where)
                continue
            if not release.compiled:
                try:
                    grouper.add(ocid, data, release.raw)
                except TooDeepError:
                    problems.add(
                        "too_deep",
                        f"Releases nested more than {MAX_DEPTH} levels deep were skipped",
                        release.where,
                    )
                continue
            if ocid in compiled_ocids:
                problems.add(
                    "duplicate_compiled_release",
                    "Compiled releases repeating an ocid were skipped (the first was kept)",
                    ocid,
                )
                continue
            compiled_ocids.add(ocid)
            if upgrade:
                upgraded += upgrade_releases([data])
            yield data
        for ocid, items in grouper.groups():
            if ocid in compiled_ocids:
                problems.add(
                    "releases_of_compiled_process",
                    "Releases of a process also given as a compiled release were ignored (the compiled one was kept)",
                    ocid,
                )
                continue
            if upgrade:
                upgraded += upgrade_releases(items)
            yield merger.compile(items)
    finally:
        grouper.close()
    record_upgrades(problems, upgraded)


def record_upgrades(problems: ProblemLog, upgraded: int) -> None:
    """Count the releases upgraded from OCDS 1.0 as one warning (none when nothing was upgraded)."""
    if upgraded:
        problems.add("upgraded", f"Releases upgraded from OCDS 1.0 to 1.1: {upgraded}", None)
