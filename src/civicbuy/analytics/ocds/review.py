"""Data review: what a file can and cannot show, before anyone reads an indicator.

Reports invalid JSON (line and byte), skipped values, duplicate release ids, ocid prefixes, closed-codelist
problems, JSON Schema problems when a release schema is given (``--schema`` or ``CIVICBUY_OCDS_SCHEMA``), grouped by
JSON path with counts and examples, and coverage: for each indicator, the share of processes that publish all of
its inputs, and the share for each input ("R018 needs /tender/numberOfTenderers: present for 41% of processes").
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from civicbuy.analytics.ocds.codelists import CLOSED_CODELISTS
from civicbuy.analytics.ocds.compile import compile_releases
from civicbuy.analytics.ocds.detect import detect_source
from civicbuy.analytics.ocds.exceptions import AnalyticsError, ProblemLog
from civicbuy.analytics.ocds.reader import Release, iter_items, releases_from_items
from civicbuy.analytics.ocds.source import open_source

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

OCID_PREFIX = re.compile(r"^(ocds-[a-z0-9]{6})-", re.IGNORECASE)
INDEX = re.compile(r"/\d+(?=/|$)")
#: Distinct sets of present fields held before they are added to the coverage counts (bounds memory).
MAX_SHAPES = 10_000


Steps = tuple[tuple[str, bool], ...]
_EMPTY: tuple[Any, ...] = ("", [], {})  # what does not count as a value


def path_steps(path: str) -> Steps:
    """Split an OCDS field path such as ``/awards[]/status`` into ``(("awards", True), ("status", False))``."""
    return tuple((part.removesuffix("[]"), part.endswith("[]")) for part in path.strip("/").split("/"))


def values_at(obj: Any, path: str | Steps) -> list[Any]:
    """Return the values at an OCDS field path such as ``/bids/details[]/value/amount`` (``[]``: every entry).

    null, "", [] and {} are not values.
    """
    nodes = [obj]
    for key, each in path_steps(path) if isinstance(path, str) else path:
        next_nodes = []
        for node in nodes:
            if isinstance(node, dict):
                value = node.get(key)
                if value is None:
                    continue
                if not each:
                    next_nodes.append(value)
                elif isinstance(value, list):
                    next_nodes.extend(value)
        if not next_nodes:
            return next_nodes
        nodes = next_nodes
    return [node for node in nodes if node is not None and node not in _EMPTY]


def _is_value(node: Any) -> bool:
    return node is not None and node not in _EMPTY


# A node of a FieldTrie: (property name, every entry of an array?, the field path ending here or None, children,
# every path below the children).
_TrieNode = tuple[str, bool, str | None, tuple[Any, ...], frozenset[str]]


class FieldTrie:
    """Find which of many OCDS field paths have a value in an object, walking shared prefixes once.

    Gives the same answer as ``next(values_at(obj, path), None) is not None`` for every path, in one walk of the
    object instead of one walk per path and indicator (this check ran about 100 times per process).
    """

    def __init__(self, paths: Iterable[str]) -> None:
        nested: dict[tuple[str, bool], list[Any]] = {}  # (name, each) -> [path or None, children]
        for path in paths:
            level = nested
            steps = path_steps(path)
            for depth, step in enumerate(steps):
                entry = level.setdefault(step, [None, {}])
                if depth == len(steps) - 1:
                    entry[0] = path
                level = entry[1]

        def below(level: dict[tuple[str, bool], list[Any]]) -> frozenset[str]:
            paths = set()
            for path, children in level.values():
                if path is not None:
                    paths.add(path)
                paths |= below(children)
            return frozenset(paths)

        def freeze(level: dict[tuple[str, bool], list[Any]]) -> tuple[_TrieNode, ...]:
            return tuple(
                (key, each, path, freeze(children), below(children)) for (key, each), (path, children) in level.items()
            )

        self.root = freeze(nested)

    def present(self, obj: Any) -> set[str]:
        """Return the paths that hold at least one value (not null, "", [] or {}) in ``obj``."""
        found: set[str] = set()
        if isinstance(obj, dict):
            self._one(obj, self.root, found)
        return found

    def _one(self, obj: dict[str, Any], trie: tuple[_TrieNode, ...], found: set[str]) -> None:
        # A field under an array is present if any entry has it, so each entry is walked as one object.
        for key, each, path, children, below in trie:
            value = obj.get(key)
            if value is None:
                continue
            if not each:
                if path is not None and value not in _EMPTY:
                    found.add(path)
                if children and isinstance(value, dict):
                    self._one(value, children, found)
            elif isinstance(value, list) and value:
                self._entries(value, path, children, below, found)

    def _entries(
        self, entries: list[Any], path: str | None, trie: tuple[_TrieNode, ...], below: frozenset[str], found: set[str]
    ) -> None:
        if path is not None and path not in found and any(_is_value(entry) for entry in entries):
            found.add(path)
        if trie:
            for entry in entries:
                if isinstance(entry, dict):
                    self._one(entry, trie, found)
                    if below <= found:
                        break  # every field below is already found: the other entries cannot add one


class _SchemaChecker:
    """Validate releases against the given release schema with jsonschema-rs (Draft 4, formats checked, offline).

    jsonschema-rs finds the same errors as Python ``jsonschema`` on the real samples, plus ``date-time`` and ``uri``
    format errors, which Python ``jsonschema`` skips unless its optional format packages are installed
    (``tests/analytics/ocds/test_review.py`` checks both). ``offline=True``: a schema never makes the product fetch
    anything.
    """

    def __init__(self, schema_path: str) -> None:
        import jsonschema_rs

        try:
            schema = orjson.loads(Path(schema_path).read_bytes())
        except (OSError, orjson.JSONDecodeError) as error:
            raise AnalyticsError(f"cannot read the release schema: {error}", path=schema_path) from error
        try:
            self.validator = jsonschema_rs.Draft4Validator(schema, validate_formats=True, offline=True)
        except (ValueError, jsonschema_rs.ReferencingError) as error:
            message = (str(error).strip().splitlines() or ["invalid schema"])[0][:200]
            raise AnalyticsError(f"cannot use the release schema: {message}", path=schema_path) from error

    def check(self, release: dict[str, Any], problems: ProblemLog, where: str) -> None:
        for error in self.validator.iter_errors(release):
            keyword = str(error.schema_path[-1]) if error.schema_path else "schema"
            path = "/" + "/".join(str(part) for part in error.instance_path)
            pattern = INDEX.sub("[]", path) if path != "/" else "/"
            problems.add(
                f"schema:{keyword}:{pattern}",
                f"{pattern}: {keyword} ({' '.join(error.message.split())[:100]})",
                f"{where}, {release.get('ocid')}: {path}",
            )


class _ReleaseChecks:
    """Checks made on every release as it streams past: ocid prefix, duplicate ids, closed codelists, schema."""

    def __init__(self, checker: _SchemaChecker | None, problems: ProblemLog) -> None:
        self.checker = checker
        self.problems = problems
        self.releases = 0
        self.release_ids: set[tuple[str, str]] = set()
        self.duplicates = 0
        self.prefixes: Counter[str] = Counter()
        self.codelists = [(field, *codelist, path_steps(field)) for field, codelist in CLOSED_CODELISTS.items()]

    def check(self, releases: Iterator[Release]) -> Iterator[Release]:
        """Check each release of ``releases`` and pass it on."""
        problems = self.problems
        for release in releases:
            self.releases += 1
            data = release.data
            ocid = data.get("ocid")
            if isinstance(ocid, str):
                match = OCID_PREFIX.match(ocid)
                self.prefixes[match.group(1).lower() if match else "(no registered prefix)"] += 1
                if isinstance(data.get("id"), (str, int)):
                    pair = (ocid, str(data["id"]))
                    if pair in self.release_ids:
                        self.duplicates += 1
                    else:
                        self.release_ids.add(pair)
            for field, codelist, codes, steps in self.codelists:
                for value in values_at(data, steps):
                    if not isinstance(value, str) or value not in codes:
                        problems.add(
                            f"codelist:{field}",
                            f"{field}: code not in the closed codelist {codelist}",
                            f"{release.where}: {str(value)[:40]!r}",
                        )
            if self.checker is not None:
                self.checker.check(data, problems, release.where)
            yield release

    def count_duplicates(self) -> None:
        """Count the releases that repeat an ``(ocid, id)`` pair, once the file is read."""
        if self.duplicates:
            self.problems.add(
                "duplicate_release_id", f"Releases repeating an (ocid, id) pair: {self.duplicates}", None
            )


class _Coverage:
    """For each indicator, the share of processes that publish all of its inputs, and the share for each input.

    Processes are counted by the set of fields they publish (there are few distinct sets), then the counts per
    field and per indicator are added up from the sets, at most :data:`MAX_SHAPES` sets at a time.
    """

    def __init__(self, indicators: list[Any]) -> None:
        self.indicators = indicators
        self.fields = FieldTrie({field for declared in indicators for field in declared.inputs})
        self.inputs = [(declared.code, frozenset(declared.inputs)) for declared in indicators]
        self.processes = 0
        self.present: Counter[str] = Counter()
        self.computable: Counter[str] = Counter()
        self.shapes: Counter[frozenset[str]] = Counter()

    def add(self, compiled: dict[str, Any]) -> None:
        """Count one compiled release."""
        self.processes += 1
        self.shapes[frozenset(self.fields.present(compiled))] += 1
        if len(self.shapes) >= MAX_SHAPES:
            self._count_shapes()

    def _count_shapes(self) -> None:
        for shape, count in self.shapes.items():
            for field in shape:
                self.present[field] += count
            for code, needed in self.inputs:
                if needed <= shape:
                    self.computable[code] += count
        self.shapes.clear()

    def report(self) -> list[dict[str, Any]]:
        """Return the coverage entries of the review report."""
        self._count_shapes()
        processes = self.processes

        def share(count: int) -> float | None:
            return round(count / processes, 4) if processes else None

        return [
            {
                "indicator": declared.code,
                "name": declared.name,
                "computable_share": share(self.computable[declared.code]),
                "missing_fields": [
                    {"field": field, "present_share": share(self.present[field])}
                    for field in declared.inputs
                    if self.present[field] < processes or not processes
                ],
            }
            for declared in self.indicators
        ]


def review(path: str | Path, *, schema: str | None = None) -> dict[str, Any]:
    """Review the file at ``path`` and return a JSON-ready report (one streaming pass gathers every check)."""
    from civicbuy.analytics.indicators.catalog import declared

    schema = schema or os.environ.get("CIVICBUY_OCDS_SCHEMA") or None
    reading = ProblemLog()
    data = ProblemLog()
    checks = _ReleaseChecks(_SchemaChecker(schema) if schema else None, data)
    coverage = _Coverage(list(declared()))  # the declarations as data: no Ibis import
    with open_source(path) as source:
        detection = detect_source(source)
        releases = releases_from_items(iter_items(source, reading, detection), reading)
        for compiled in compile_releases(checks.check(releases), data):
            coverage.add(compiled)
    checks.count_duplicates()
    return {
        "file": str(path),
        "format": detection.as_dict(),
        "releases": checks.releases,
        "processes": coverage.processes,
        "ocid_prefixes": dict(checks.prefixes.most_common()),
        "reading_problems": reading.as_list(),
        "data_problems": data.as_list(),
        "schema_checked": schema is not None,
        "coverage": coverage.report(),
    }


def format_review(report: dict[str, Any]) -> str:
    """Return the review as human-readable text."""
    lines = [
        f"{report['file']}: {report['format']['description']}",
        f"{report['releases']} releases, {report['processes']} contracting processes",
        "ocid prefixes: " + (", ".join(f"{k} ({v})" for k, v in report["ocid_prefixes"].items()) or "none"),
    ]
    for title, key in (("Reading problems", "reading_problems"), ("Data problems", "data_problems")):
        problems = report[key]
        lines.append(f"{title}: {'none' if not problems else sum(p['count'] for p in problems)}")
        for problem in problems[:30]:
            lines.append(f"  {problem['count']:>7}  {problem['message']}")
            lines.extend(f"           e.g. {example}" for example in problem["examples"])
    if not report["schema_checked"]:
        lines.append("Schema: not checked (give --schema PATH or set CIVICBUY_OCDS_SCHEMA to check it)")
    lines.append("Coverage (share of processes each indicator can be computed for):")
    for entry in report["coverage"]:
        computable = entry["computable_share"]
        text = f"  {entry['indicator']:<42} {'' if computable is None else f'{computable:.0%}':>5}"
        if entry["missing_fields"]:
            needs = "; ".join(
                f"{m['field']}: present for {0 if m['present_share'] is None else m['present_share']:.0%}"
                for m in entry["missing_fields"]
            )
            text += f"  needs {needs}"
        lines.append(text)
    return "\n".join(lines)
