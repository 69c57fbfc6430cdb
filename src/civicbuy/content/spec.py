"""Declared shape of each kind of content-pack file, and the validation that checks a file against it.

A file is checked completely before anything is written, so a broken file produces a list of clear
messages (file, field, what is wrong) and the CMS stays as it was. The format is documented in
docs/content-packs.md.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from civicbuy.content.errors import ContentPackError
from civicbuy.taxonomy import registry

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STEP_REFERENCE = re.compile(r"^[a-z0-9-]+/[a-z0-9-]+$")
CITATION = re.compile(r"\[src:(\d{1,3})\]")
UNCITED_QUOTE = 80  # characters of an uncited paragraph quoted back in a message
# A figure: a number that is not a year on its own (1900-2099) and not a [src:N] citation.
FIGURE = re.compile(r"(?<![\w.\[:\-/])(?!(?:19|20)\d\d\b)\d[\d.,]*\s*(%|per ?cent|por ciento)?")


def uncited_figures(text: str) -> list[str]:
    """Paragraphs (or list items) of Markdown that give a figure but cite no source.

    The one test of "a figure without its source", shared by the case submission form and the content-pack
    check, so a bullet the form refuses is refused in a pack file too.
    """
    problems = []
    for block in re.split(r"\n\s*\n|\n\s*[-*] ", text):
        without_citations = CITATION.sub("", block)
        if FIGURE.search(without_citations) and not CITATION.search(block):
            problems.append(" ".join(block.split())[:UNCITED_QUOTE])
    return problems


@dataclass(frozen=True)
class FieldSpec:
    """One field of a pack file.

    ``kind`` is one of: slug, line (one-line text), text (Markdown), lines (list of one-line texts),
    int, date, codes:<taxonomy kind>, code:<taxonomy kind>, steps (list of "stage/slug"), sources,
    examples, results, quote. ``translated`` fields come from each language's file; the others only
    from the English file. A ``cited`` field (text or lines) must put a [src:N] citation in every
    paragraph or item that gives a figure (see :func:`uncited_figures`).
    """

    kind: str
    required: bool = False
    translated: bool = True
    max_length: int = 0
    cited: bool = False

    def __post_init__(self) -> None:
        """Refuse a spec that cannot be checked: only text and lines fields can carry citations."""
        if self.cited and self.kind not in {"text", "lines"}:
            raise ValueError(f"only text and lines fields can be cited, not {self.kind}")


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _check_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parsed = urlparse(value)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return False
    return parsed.scheme in {"http", "https"} and bool(parsed.netloc)


def _check_sources(file: str, name: str, value: Any) -> list[ContentPackError]:
    errors: list[ContentPackError] = []
    if not isinstance(value, list):
        return [ContentPackError(file, "expected a list of sources", name)]
    for i, source in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(source, dict):
            errors.append(ContentPackError(file, "expected title, publisher, url, accessed", where))
            continue
        if not _is_text(source.get("title")) or not source["title"].strip():
            errors.append(ContentPackError(file, "a source needs a title", f"{where}.title"))
        if not _check_url(source.get("url")):
            errors.append(ContentPackError(file, "a source needs an http(s) address", f"{where}.url"))
        if not isinstance(source.get("accessed"), dt.date):
            errors.append(ContentPackError(file, "a source needs the date accessed (YYYY-MM-DD)", f"{where}.accessed"))
        unknown = set(source) - {"title", "publisher", "url", "accessed"}
        if unknown:
            errors.append(ContentPackError(file, f"unknown key(s) {', '.join(sorted(unknown))}", where))
    return errors


def _check_items(file: str, name: str, value: Any, keys: dict[str, bool]) -> list[ContentPackError]:
    """Check a list of mappings whose keys are given as {key: required}."""
    if not isinstance(value, list):
        return [ContentPackError(file, "expected a list", name)]
    errors: list[ContentPackError] = []
    for i, item in enumerate(value):
        where = f"{name}[{i}]"
        if not isinstance(item, dict):
            errors.append(ContentPackError(file, f"expected keys {', '.join(keys)}", where))
            continue
        errors.extend(
            ContentPackError(file, "required", f"{where}.{key}")
            for key, required in keys.items()
            if required and item.get(key) in (None, "")
        )
        unknown = set(item) - set(keys)
        if unknown:
            errors.append(ContentPackError(file, f"unknown key(s) {', '.join(sorted(unknown))}", where))
    return errors


def _check_figures_cited(file: str, name: str, value: str | list[str]) -> list[ContentPackError]:
    """A figure without a [src:N] in a cited field: one problem per paragraph, or per item of a list."""
    items = [(name, value)] if isinstance(value, str) else [(f"{name}[{i}]", item) for i, item in enumerate(value)]
    return [
        ContentPackError(
            file,
            f"“{text}{'…' if len(text) >= UNCITED_QUOTE else ''}” gives a figure without its source: "
            "add [src:N] after the figure",
            where,
        )
        for where, item in items
        for text in uncited_figures(item)
    ]


def check_field(file: str, name: str, spec: FieldSpec, value: Any) -> list[ContentPackError]:  # noqa: C901, PLR0911, PLR0912
    """Return the problems with one field's value (empty when it is fine)."""
    kind = spec.kind
    if kind in {"line", "text", "slug"}:
        if not _is_text(value):
            return [ContentPackError(file, f"expected text, got {type(value).__name__}", name)]
        if kind == "slug" and not SLUG.match(value):
            return [ContentPackError(file, "a slug is lowercase letters, digits and hyphens", name)]
        if kind == "line" and "\n" in value.strip():
            return [ContentPackError(file, "expected one line of text", name)]
        if spec.max_length and len(value) > spec.max_length:
            return [ContentPackError(file, f"longer than {spec.max_length} characters", name)]
        return _check_figures_cited(file, name, value) if spec.cited else []
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return [] if ok else [ContentPackError(file, "expected a whole number", name)]
    if kind == "date":
        return [] if isinstance(value, dt.date) else [ContentPackError(file, "expected a date (YYYY-MM-DD)", name)]
    if kind == "lines":
        if not isinstance(value, list) or not all(_is_text(v) and v.strip() for v in value):
            return [ContentPackError(file, "expected a list of non-empty texts", name)]
        return _check_figures_cited(file, name, value) if spec.cited else []
    if kind.startswith("codes:"):
        taxonomy_kind = kind.split(":", 1)[1]
        if not isinstance(value, list) or not all(_is_text(v) for v in value):
            return [ContentPackError(file, f"expected a list of {taxonomy_kind} codes (quote numbers)", name)]
        unknown = registry.validate_codes(taxonomy_kind, value)
        return (
            [ContentPackError(file, f"unknown {taxonomy_kind} code(s): {', '.join(unknown)}", name)] if unknown else []
        )
    if kind.startswith("code:"):
        taxonomy_kind = kind.split(":", 1)[1]
        if not _is_text(value) or registry.validate_codes(taxonomy_kind, [value]):
            return [ContentPackError(file, f"unknown {taxonomy_kind} code {value!r}", name)]
        return []
    if kind == "steps":
        if not isinstance(value, list) or not all(_is_text(v) and STEP_REFERENCE.match(v) for v in value):
            return [ContentPackError(file, 'expected a list of "stage/slug" references', name)]
        return []
    if kind == "sources":
        return _check_sources(file, name, value)
    if kind == "examples":
        return _check_items(file, name, value, {"title": True, "body": True})
    if kind == "results":
        return _check_items(file, name, value, {"text": True, "source": True})
    if kind == "quote":
        if not isinstance(value, dict):
            return [ContentPackError(file, "expected text, attribution, source", name)]
        return _check_items(file, name, [value], {"text": True, "attribution": True, "source": True})
    raise ValueError(f"unknown field kind {kind}")  # a programming error in a spec, not user input


def check_citations(file: str, data: dict[str, Any], source_count: int) -> list[ContentPackError]:  # noqa: C901
    """Every [src:N] and every ``source: N`` must point at an existing source."""
    errors: list[ContentPackError] = []

    def visit(value: Any, path: str) -> None:
        if isinstance(value, str):
            for match in CITATION.finditer(value):
                number = int(match.group(1))
                if not 1 <= number <= source_count:
                    errors.append(ContentPackError(file, f"cites source {number}, but there are {source_count}", path))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                visit(item, f"{path}[{i}]")
        elif isinstance(value, dict):
            for key, item in value.items():
                if key == "source" and not isinstance(item, bool):
                    if not isinstance(item, int) or not 1 <= item <= source_count:
                        errors.append(
                            ContentPackError(
                                file, f"source must be a number from 1 to {source_count}", f"{path}.source"
                            )
                        )
                else:
                    visit(item, f"{path}.{key}" if path else key)

    for key, value in data.items():
        if key != "sources":
            visit(value, key)
    return errors


def check_document(file: str, data: Any, fields: dict[str, FieldSpec], *, english: bool) -> list[ContentPackError]:
    """Check one parsed file against its kind's fields."""
    if not isinstance(data, dict):
        return [ContentPackError(file, "the file must be a mapping of field: value")]
    errors: list[ContentPackError] = []
    allowed = {name for name, spec in fields.items() if english or spec.translated}
    unknown = sorted(set(data) - set(fields))
    errors.extend(ContentPackError(file, "unknown field", name) for name in unknown)
    for name, spec in fields.items():
        if name not in allowed:
            continue
        if name not in data or data[name] is None:
            if spec.required:
                errors.append(ContentPackError(file, "required field is missing", name))
            continue
        errors.extend(check_field(file, name, spec, data[name]))
    return errors
