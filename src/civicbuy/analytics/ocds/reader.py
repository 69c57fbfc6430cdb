"""Stream OCDS objects from any supported form, in constant memory.

Line mode (JSON Lines, one-line JSON) parses each line with orjson; stream mode (pretty-printed packages and
objects, huge single lines) walks the file with ijson (yajl2_c backend) and builds one release or record at a
time from ``/releases[]`` or ``/records[]``. Memory is bounded by the largest single release, never the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ijson
import orjson

from civicbuy.analytics.ocds.detect import (
    COMPILED_RELEASE,
    RECORD,
    RECORD_PACKAGE,
    RELEASE,
    RELEASE_PACKAGE,
    ChunkTap,
    Detection,
    classify,
    detect_source,
    json_error,
    package_array,
)
from civicbuy.analytics.ocds.exceptions import (
    AnalyticsError,
    InvalidJSONError,
    ProblemLog,
    UnsupportedFormatError,
)
from civicbuy.analytics.ocds.source import open_source

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from civicbuy.analytics.ocds.source import Source


@dataclass(slots=True)
class Item:
    """One release or record read from the input, with where it came from."""

    kind: str  # RELEASE, COMPILED_RELEASE or RECORD
    data: dict[str, Any]
    line: int | None = None
    byte: int | None = None
    #: The line's bytes when the line held exactly this one release (JSON Lines), to size it without serialising.
    raw: bytes | None = None

    @property
    def where(self) -> str:
        """Describe the position, for warnings ("line 3" or "near byte 1024")."""
        if self.line is not None:
            return f"line {self.line}"
        return f"near byte {self.byte}"


def iter_items(source: Source, problems: ProblemLog, detection: Detection | None = None) -> Iterator[Item]:
    """Yield every release and record in ``source`` (packages are opened up), counting skipped input."""
    detection = detection or detect_source(source)
    if detection.line_mode:
        yield from _iter_lines(source, problems)
    else:
        yield from _iter_stream(source, detection, problems)


def _iter_lines(source: Source, problems: ProblemLog) -> Iterator[Item]:
    loads = orjson.loads
    for number, offset, line in source.lines():
        try:
            value = loads(line)
        except orjson.JSONDecodeError as error:
            if not line.strip():
                continue
            problems.add(
                "invalid_json",
                "Lines that are not valid JSON were skipped",
                f"{source.name}, line {number}, byte {offset + error.pos}: {error.msg}",
            )
            continue
        if isinstance(value, list):
            for obj in value:
                yield from _expand(obj, problems, source.name, number, offset)
        else:
            yield from _expand(value, problems, source.name, number, offset, raw=line)


def _expand(
    obj: Any, problems: ProblemLog, name: str, line: int | None, byte: int | None, *, raw: bytes | None = None
) -> Iterator[Item]:
    """Turn one top-level object into releases and records (opening packages).

    ``raw`` is the object's own bytes (a line of JSON Lines); it is kept for releases only.
    """
    try:
        kind = classify(obj, name=name, line=line)
    except UnsupportedFormatError as error:
        where = f"line {line}" if line is not None else f"near byte {byte}"
        problems.add(
            "not_ocds",
            "Values that are not OCDS releases, records or packages were skipped",
            f"{where}: {error.message}",
        )
        return
    if kind == RELEASE_PACKAGE:
        for release in package_array(obj, kind, name=name, line=line, byte=byte):
            yield from _expand_release(release, problems, line, byte)
    elif kind == RECORD_PACKAGE:
        for record in package_array(obj, kind, name=name, line=line, byte=byte):
            if isinstance(record, dict):
                yield Item(RECORD, record, line, byte)
            else:
                problems.add("not_object", "Array entries that are not objects were skipped", f"line {line}")
    elif kind == RECORD:
        yield Item(kind, obj, line, byte)
    else:
        yield Item(kind, obj, line, byte, raw)


def _expand_release(release: Any, problems: ProblemLog, line: int | None, byte: int | None) -> Iterator[Item]:
    if not isinstance(release, dict):
        where = f"line {line}" if line is not None else f"near byte {byte}"
        problems.add("not_object", "Array entries that are not objects were skipped", where)
        return
    tag = release.get("tag")
    kind = COMPILED_RELEASE if isinstance(tag, list) and "compiled" in tag else RELEASE
    yield Item(kind, release, line, byte)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _iter_stream(source: Source, detection: Detection, problems: ProblemLog) -> Iterator[Item]:
    tap = ChunkTap(source.stream)
    if detection.form == "array":
        prefix = "item"
    elif detection.kind == RELEASE_PACKAGE:
        prefix = "releases.item"
    elif detection.kind == RECORD_PACKAGE:
        prefix = "records.item"
    else:
        prefix = ""
    try:
        for obj in ijson.items(tap, prefix, multiple_values=True, use_float=True):
            if prefix == "releases.item":
                yield from _expand_release(obj, problems, None, tap.position)
            elif prefix == "records.item":
                if isinstance(obj, dict):
                    yield Item(RECORD, obj, None, tap.position)
                else:
                    problems.add(
                        "not_object",
                        "Array entries that are not objects were skipped",
                        f"near byte {tap.position}",
                    )
            else:
                yield from _expand(obj, problems, source.name, None, tap.position)
    except ijson.JSONError as error:
        raise json_error(error, name=source.name, byte=tap.error_byte(error)) from error
    except UnicodeDecodeError as error:
        raise InvalidJSONError("the file is not valid UTF-8", path=source.name, byte=tap.position) from error


@dataclass(slots=True)
class Release:
    """One release ready to compile (or already compiled), with its position for messages."""

    data: dict[str, Any]
    compiled: bool
    where: str
    #: The release's JSON bytes as read, when available (JSON Lines): compile sizes its memory window with them.
    raw: bytes | None = None


def releases_from_items(items: Iterator[Item], problems: ProblemLog) -> Iterator[Release]:
    """Open records: use ``/compiledRelease`` when present, else the full releases in ``/releases``."""
    for item in items:
        if item.kind == RECORD:
            compiled = item.data.get("compiledRelease")
            if isinstance(compiled, dict):
                compiled.setdefault("ocid", item.data.get("ocid"))
                yield Release(compiled, compiled=True, where=item.where)
                continue
            full = [r for r in _list(item.data.get("releases")) if isinstance(r, dict) and "url" not in r]
            if not full:
                problems.add(
                    "linked_releases_only",
                    "Records with neither a compiledRelease nor embedded releases were skipped",
                    f"{item.where}: {item.data.get('ocid')}",
                )
            for release in full:
                yield Release(release, compiled=False, where=item.where)
        else:
            yield Release(item.data, compiled=item.kind == COMPILED_RELEASE, where=item.where, raw=item.raw)


def read(path: str | Path, problems: ProblemLog | None = None) -> Iterator[Release]:
    """Yield every release (or compiled release) in the file at ``path``; ``-`` reads standard input.

    Raises :class:`AnalyticsError` subclasses for unreadable input; counts skippable problems in ``problems``.
    """
    problems = problems if problems is not None else ProblemLog()
    with open_source(path) as source:
        detection = detect_source(source)
        yield from releases_from_items(iter_items(source, problems, detection), problems)


__all__ = ["AnalyticsError", "Item", "Release", "iter_items", "read", "releases_from_items"]
