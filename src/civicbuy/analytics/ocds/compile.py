"""Compile releases into one compiled release per ``ocid``.

A fast merger written for CivicBuy that follows OCDS 1.1 "Merging"
(https://standard.open-contracting.org/1.1/en/schema/merging/) with :data:`OCDS_11_MERGE_RULES`, and gives the same
compiled releases as ``ocdsmerge`` (checked on every sample publisher in ``tests/analytics/ocds/test_compile.py``).
Releases are grouped by ``ocid`` in memory up to ``spill_after`` releases, then spilled to hash buckets on disk,
so memory stays bounded for any file size.
"""

from __future__ import annotations

import tempfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from civicbuy.analytics.ocds.merge_rules import OCDS_11_MERGE_RULES, OMIT, WHOLE_LIST, MergeRules
from civicbuy.analytics.ocds.upgrade import needs_upgrade, upgrade_release

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from civicbuy.analytics.ocds.exceptions import ProblemLog
    from civicbuy.analytics.ocds.reader import Release

SPILL_AFTER = 250_000
BUCKETS = 64


class Merger:
    """Merge releases of one contracting process into a compiled release."""

    def __init__(self, rules: MergeRules | None = None, problems: ProblemLog | None = None) -> None:
        self.rules = rules if rules is not None else OCDS_11_MERGE_RULES
        self.problems = problems

    def compile(self, releases: list[dict[str, Any]]) -> dict[str, Any]:
        """Return the compiled release of ``releases`` (all with the same ``ocid``), sorted by ``date``."""
        if any(not isinstance(release.get("date"), str) for release in releases):
            if self.problems is not None:
                self.problems.add(
                    "release_without_date",
                    "Releases without a date string were merged as if they were the oldest",
                    str(releases[0].get("ocid")),
                )
            ordered = sorted(releases, key=lambda release: _date_key(release.get("date")))
        else:
            ordered = sorted(releases, key=lambda release: release["date"])
        compiled: dict[str, Any] = {"tag": ["compiled"]}
        last = ordered[-1]
        for release in ordered:
            self._merge(compiled, release, ())
        compiled["id"] = f"{last.get('ocid')}-{last.get('date')}"
        compiled["date"] = last.get("date")
        compiled["ocid"] = last.get("ocid")
        return compiled

    def _merge(self, target: dict[str, Any], source: dict[str, Any], path: tuple[str, ...]) -> bool:
        """Merge ``source`` into ``target``; return whether any field was written.

        ocdsmerge creates no container for an empty source object, so neither does this.
        """
        rules = self.rules
        wrote = False
        for key, value in source.items():
            new_path = (*path, key)
            rule = rules.get(new_path)
            if rule == OMIT or (not path and key == "tag"):
                continue
            if (
                rule == WHOLE_LIST
                or not isinstance(value, (dict, list))
                or (type(value) is list and any(not isinstance(item, dict) for item in value))
            ):
                if value is None:
                    existing = target.get(key)
                    if not isinstance(existing, (dict, list)) or not existing or rule == WHOLE_LIST:
                        target.pop(key, None)
                else:
                    target[key] = value
                wrote = True
            elif value:
                if isinstance(value, dict):
                    wrote = self._merge_object(target, key, value, new_path) or wrote
                else:
                    wrote = self._merge_array(target, key, value, new_path) or wrote
        return wrote

    def _merge_object(self, target: dict[str, Any], key: str, value: dict[str, Any], path: tuple[str, ...]) -> bool:
        existing = target.get(key)
        if isinstance(existing, dict):
            return self._merge(existing, value, path)
        child: dict[str, Any] = {}
        if self._merge(child, value, path):
            target[key] = child
            return True
        return False

    def _merge_array(
        self, target: dict[str, Any], key: str, value: list[dict[str, Any]], path: tuple[str, ...]
    ) -> bool:
        existing = target.get(key)
        created = not (isinstance(existing, list) and all(isinstance(item, dict) for item in existing))
        array: list[dict[str, Any]] = [] if created else existing  # type: ignore[assignment]
        index = {str(item["id"]): item for item in array if "id" in item}
        seen: set[str] = set()
        wrote = False
        for item in value:
            if "id" in item:
                identifier = str(item["id"])
                if identifier in seen and self.problems is not None:
                    self.problems.add(
                        "duplicate_id",
                        "Objects in the same array share an id; they were merged into one",
                        f"{'.'.join(path)} id {identifier!r}",
                    )
                seen.add(identifier)
                obj = index.get(identifier)
                if obj is not None:
                    wrote = self._merge(obj, item, path) or wrote
                    continue
                obj = {"id": item["id"]}
                if self._merge(obj, item, path):
                    index[identifier] = obj
                    array.append(obj)
                    wrote = True
            else:
                obj = {}
                if self._merge(obj, item, path):
                    array.append(obj)
                    wrote = True
        if created and array:
            target[key] = array
        return wrote


def _date_key(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _bucket(ocid: str) -> int:
    return zlib.crc32(ocid.encode()) % BUCKETS


def group_by_ocid(  # noqa: C901, PLR0912 - one pass with an optional spill to disk
    releases: Iterable[Release], problems: ProblemLog, spill_after: int = SPILL_AFTER
) -> Iterator[tuple[str, list[dict[str, Any]], bool]]:
    """Yield ``(ocid, releases, already_compiled)`` per contracting process.

    Releases without a string ``ocid`` are counted and skipped. Memory holds at most ``spill_after`` releases;
    beyond that, releases go to ``BUCKETS`` temporary files by hash of ``ocid`` and are grouped bucket by bucket.
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    compiled_flags: dict[str, bool] = {}
    held = 0
    spill_dir: tempfile.TemporaryDirectory[str] | None = None
    files: list[Any] = []
    try:
        for release in releases:
            data = release.data
            ocid = data.get("ocid")
            if not isinstance(ocid, str) or not ocid:
                problems.add("release_without_ocid", "Releases without an ocid were skipped", release.where)
                continue
            if spill_dir is not None:
                files[_bucket(ocid)].write(orjson.dumps([release.compiled, data]) + b"\n")
                continue
            groups.setdefault(ocid, []).append(data)
            compiled_flags[ocid] = compiled_flags.get(ocid, True) and release.compiled
            held += 1
            if held > spill_after:
                spill_dir = tempfile.TemporaryDirectory(prefix="civicbuy-compile-")
                files = [(Path(spill_dir.name) / f"{i}.jsonl").open("wb") for i in range(BUCKETS)]
                for key, items in groups.items():
                    for item in items:
                        files[_bucket(key)].write(orjson.dumps([compiled_flags[key], item]) + b"\n")
                groups.clear()
                compiled_flags.clear()
        if spill_dir is None:
            for ocid, items in groups.items():
                yield ocid, items, compiled_flags[ocid]
            return
        for handle in files:
            handle.close()
        for index in range(BUCKETS):
            bucket: dict[str, list[dict[str, Any]]] = {}
            flags: dict[str, bool] = {}
            with (Path(spill_dir.name) / f"{index}.jsonl").open("rb") as handle:
                for line in handle:
                    flag, data = orjson.loads(line)
                    bucket.setdefault(data["ocid"], []).append(data)
                    flags[data["ocid"]] = flags.get(data["ocid"], True) and flag
            for ocid, items in bucket.items():
                yield ocid, items, flags[ocid]
    finally:
        for handle in files:
            handle.close()
        if spill_dir is not None:
            spill_dir.cleanup()


def compile_releases(
    releases: Iterable[Release], problems: ProblemLog, *, merger: Merger | None = None, upgrade: bool = True
) -> Iterator[dict[str, Any]]:
    """Yield one compiled release per ``ocid`` (upgrading OCDS 1.0 releases to 1.1 first).

    A process given as one compiled release passes through; several compiled releases for the same ``ocid`` keep
    the latest (by ``date``) and count a ``duplicate_ocid`` problem.
    """
    merger = merger or Merger(problems=problems)
    upgraded = 0
    for ocid, items, already_compiled in group_by_ocid(releases, problems):
        if upgrade:
            for item in items:
                if needs_upgrade(item):
                    upgrade_release(item)
                    upgraded += 1
        if already_compiled:
            if len(items) > 1:
                problems.add("duplicate_ocid", "Several compiled releases share an ocid; the latest was kept", ocid)
                items.sort(key=lambda item: _date_key(item.get("date")))
            yield items[-1]
        else:
            yield merger.compile(items)
    if upgraded:
        problems.add("upgraded", f"Releases upgraded from OCDS 1.0 to 1.1: {upgraded}", None)
