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
from civicbuy.analytics.ocds.reader import iter_items, releases_from_items
from civicbuy.analytics.ocds.source import open_source

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

OCID_PREFIX = re.compile(r"^(ocds-[a-z0-9]{6})-", re.IGNORECASE)
INDEX = re.compile(r"/\d+(?=/|$)")


def values_at(obj: Any, path: str) -> Iterator[Any]:
    """Yield the values at an OCDS field path such as ``/bids/details[]/value/amount`` (``[]``: every entry)."""
    nodes = [obj]
    for part in path.strip("/").split("/"):
        each = part.endswith("[]")
        key = part.removesuffix("[]")
        next_nodes = []
        for node in nodes:
            if isinstance(node, dict) and key in node:
                value = node[key]
                if each:
                    if isinstance(value, list):
                        next_nodes.extend(value)
                else:
                    next_nodes.append(value)
        nodes = next_nodes
    for node in nodes:
        if node is not None and node not in ("", [], {}):
            yield node


def _is_value(node: Any) -> bool:
    return node is not None and node not in ("", [], {})


class FieldTrie:
    """Find which of many OCDS field paths have a value in an object, walking shared prefixes once.

    Gives the same answer as ``next(values_at(obj, path), None) is not None`` for every path, in one walk of the
    object instead of one walk per path and indicator (this check ran about 100 times per process).
    """

    def __init__(self, paths: Iterable[str]) -> None:
        # part ("awards[]") -> [every entry?, the path ending here or None, children]
        self.root: dict[str, list[Any]] = {}
        for path in paths:
            node = self.root
            parts = path.strip("/").split("/")
            for depth, part in enumerate(parts):
                entry = node.setdefault(part, [part.endswith("[]"), None, {}])
                if depth == len(parts) - 1:
                    entry[1] = path
                node = entry[2]

    def present(self, obj: Any) -> set[str]:
        """Return the paths that hold at least one value (not null, "", [] or {}) in ``obj``."""
        found: set[str] = set()
        self._walk([obj], self.root, found)
        return found

    def _walk(self, nodes: list[Any], trie: dict[str, list[Any]], found: set[str]) -> None:
        for part, (each, path, children) in trie.items():
            key = part[:-2] if each else part
            next_nodes: list[Any] = []
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
                continue
            if path is not None and any(_is_value(node) for node in next_nodes):
                found.add(path)
            if children:
                self._walk(next_nodes, children, found)


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


def review(  # noqa: C901 - one streaming pass gathers every check
    path: str | Path, *, schema: str | None = None
) -> dict[str, Any]:
    """Review the file at ``path`` and return a JSON-ready report."""
    from civicbuy.analytics.indicators.registry import all_indicators

    schema = schema or os.environ.get("CIVICBUY_OCDS_SCHEMA") or None
    checker = _SchemaChecker(schema) if schema else None
    reading = ProblemLog()
    data = ProblemLog()
    release_ids: Counter[tuple[str, str]] = Counter()
    prefixes: Counter[str] = Counter()
    releases = 0
    with open_source(path) as source:
        detection = detect_source(source)

        def checked() -> Iterator[Any]:
            nonlocal releases
            for release in releases_from_items(iter_items(source, reading, detection), reading):
                releases += 1
                data_obj = release.data
                ocid = data_obj.get("ocid")
                if isinstance(ocid, str):
                    match = OCID_PREFIX.match(ocid)
                    prefixes[match.group(1).lower() if match else "(no registered prefix)"] += 1
                    if isinstance(data_obj.get("id"), (str, int)):
                        release_ids[(ocid, str(data_obj["id"]))] += 1
                for field, (codelist, codes) in CLOSED_CODELISTS.items():
                    for value in values_at(data_obj, field):
                        if not isinstance(value, str) or value not in codes:
                            data.add(
                                f"codelist:{field}",
                                f"{field}: code not in the closed codelist {codelist}",
                                f"{release.where}: {str(value)[:40]!r}",
                            )
                if checker is not None:
                    checker.check(data_obj, data, release.where)
                yield release

        indicators = all_indicators()
        fields = FieldTrie({field for declared in indicators for field in declared.inputs})
        inputs = [(declared.code, frozenset(declared.inputs)) for declared in indicators]
        coverage_counts: Counter[str] = Counter()
        computable: Counter[str] = Counter()
        processes = 0
        for compiled in compile_releases(checked(), data):
            processes += 1
            present = fields.present(compiled)
            coverage_counts.update(present)
            for code, needed in inputs:
                if needed <= present:
                    computable[code] += 1
    duplicates = sum(count - 1 for count in release_ids.values() if count > 1)
    if duplicates:
        data.add("duplicate_release_id", f"Releases repeating an (ocid, id) pair: {duplicates}", None)

    def share(count: int) -> float | None:
        return round(count / processes, 4) if processes else None

    coverage = []
    for declared in indicators:
        missing = [
            {"field": field, "present_share": share(coverage_counts[field])}
            for field in declared.inputs
            if coverage_counts[field] < processes or not processes
        ]
        coverage.append(
            {
                "indicator": declared.code,
                "name": declared.name,
                "computable_share": share(computable[declared.code]),
                "missing_fields": missing,
            }
        )
    return {
        "file": str(path),
        "format": detection.as_dict(),
        "releases": releases,
        "processes": processes,
        "ocid_prefixes": dict(prefixes.most_common()),
        "reading_problems": reading.as_list(),
        "data_problems": data.as_list(),
        "schema_checked": checker is not None,
        "coverage": coverage,
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
