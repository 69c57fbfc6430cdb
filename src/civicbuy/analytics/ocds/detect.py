"""Detect which OCDS form a file is in, from its first bytes.

Forms (see https://standard.open-contracting.org/1.1/en/schema/ and ocdskit's ``detect-format``):
release package (``/releases``), record package (``/records``), a single release (``/ocid`` with ``/tag``),
a single record (``/ocid`` with ``/releases`` or ``/compiledRelease``), a compiled release (``/tag`` contains
``compiled``), JSON Lines of any of them, concatenated JSON, a JSON array, gzip-compressed, or standard input.
"""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import ijson
import orjson

from civicbuy.analytics.ocds.exceptions import InvalidJSONError, UnsupportedFormatError
from civicbuy.analytics.ocds.source import open_source

if TYPE_CHECKING:
    from pathlib import Path

    from civicbuy.analytics.ocds.source import Source

RELEASE_PACKAGE = "release package"
RECORD_PACKAGE = "record package"
RELEASE = "release"
RECORD = "record"
COMPILED_RELEASE = "compiled release"

#: Fields that only a release (not a package) has at the top level.
RELEASE_FIELDS = frozenset(
    {"tag", "date", "initiationType", "buyer", "tender", "awards", "contracts", "parties", "planning"}
)

#: The array a package holds its contents in.
PACKAGE_ARRAY = {RELEASE_PACKAGE: "releases", RECORD_PACKAGE: "records"}
#: ijson's event for the first token of a value, in the words of :func:`_json_type`.
_EVENT_TYPE = {
    "start_map": "an object",
    "string": "a string",
    "null": "the literal null",
    "boolean": "a boolean",
    "integer": "a number",
    "double": "a number",
    "number": "a number",
}

_UNPARSED = object()
FORM_TEXT = {"json": "", "jsonl": "JSON Lines of ", "concatenated": "concatenated JSON of ", "array": "JSON array of "}
PLURAL = {
    RELEASE_PACKAGE: "release packages",
    RECORD_PACKAGE: "record packages",
    RELEASE: "releases",
    RECORD: "records",
    COMPILED_RELEASE: "compiled releases",
}


@dataclass(frozen=True)
class Detection:
    """What a file is: ``kind`` of the first object, ``form`` of the file, and its encoding wrappers."""

    kind: str
    form: str  # "json" (one value), "jsonl", "concatenated", "array"
    gzip: bool = False
    bom: bool = False
    version: str | None = None
    #: Whether each line holds whole JSON values (read line by line with orjson); else stream with ijson.
    line_mode: bool = True

    @property
    def description(self) -> str:
        """Describe the detection in words, for ``civicbuy detect``."""
        text = self.kind if self.form == "json" else FORM_TEXT[self.form] + PLURAL[self.kind]
        if self.version:
            text += f" (OCDS {self.version})"
        if self.gzip:
            text += ", gzip-compressed"
        if self.bom:
            text += ", with a UTF-8 byte order mark"
        return text

    def as_dict(self) -> dict[str, Any]:
        """Return the detection and its description as a JSON-ready dict."""
        return {**asdict(self), "description": self.description}


def classify(obj: Any, *, name: str = "", line: int | None = None) -> str:
    """Return the OCDS kind of a parsed top-level object, or raise :class:`UnsupportedFormatError`."""
    if not isinstance(obj, dict):
        raise UnsupportedFormatError(
            f"expected a JSON object (an OCDS release, record or package), found {_json_type(obj)}",
            path=name,
            line=line,
        )
    return classify_keys(obj.keys(), obj.get("tag"), name=name, line=line)


def classify_keys(keys: Any, tag: Any = None, *, name: str = "", line: int | None = None) -> str:
    """Classify an object from its top-level keys (and its ``tag``, for compiled releases)."""
    if not isinstance(keys, (set, frozenset, type({}.keys()))):
        keys = set(keys)  # a dict's keys view already answers `in` and `&` without a copy
    if "records" in keys:
        return RECORD_PACKAGE
    if "ocid" in keys and keys & {"releases", "compiledRelease", "versionedRelease"}:
        return RECORD
    if "releases" in keys:
        return RELEASE_PACKAGE
    if "ocid" in keys or keys & RELEASE_FIELDS:
        if isinstance(tag, list) and "compiled" in tag:
            return COMPILED_RELEASE
        return RELEASE
    raise UnsupportedFormatError(
        "the JSON object is not an OCDS release, record or package (it has no ocid, releases or records field)",
        path=name,
        line=line,
    )


def package_array(
    obj: dict[str, Any], kind: str, *, name: str, line: int | None = None, byte: int | None = None
) -> list[Any]:
    """Return a package's ``/releases`` or ``/records`` array, or raise :class:`UnsupportedFormatError`.

    A package whose array is a string, an object or null holds no usable data; reading it as empty would let an
    ingest replace a good dataset with an empty one, so it is refused.
    """
    key = PACKAGE_ARRAY[kind]
    value = obj.get(key)
    if isinstance(value, list):
        return value
    raise not_an_array(key, _json_type(value), name=name, line=line, byte=byte)


def not_an_array(key: str, found: str, *, name: str, line: int | None = None, byte: int | None = None) -> Exception:
    """Return the error for a package whose ``key`` (``releases`` or ``records``) is not an array."""
    return UnsupportedFormatError(
        f"the package's /{key} is {found}, expected an array of {key}",
        path=name,
        line=line,
        byte=byte,
        hint=f"An OCDS {key[:-1]} package lists its {key} in a JSON array",
    )


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return f"the literal {orjson.dumps(value).decode()}"
    return "a number"


def detect_source(source: Source) -> Detection:
    """Detect the form of an opened source without consuming it (it only reads ``source.head``)."""
    source.require_data()
    head = source.head
    text = head.lstrip()
    first = text[:1]
    complete = source.head_complete
    segments = head.split(b"\n")
    if not complete:
        segments = segments[:-1]  # the last segment may be cut short
    parsed_lines = []
    for line in [segment for segment in segments if segment.strip()][:4]:
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            value = _UNPARSED
        parsed_lines.append(value if isinstance(value, (dict, list)) or len(segments) == 1 else _UNPARSED)
    values = [value for value in parsed_lines if value is not _UNPARSED]
    # JSON Lines: the first line is a whole value, or (a bad first line) at least two later lines are. One line
    # that parses alone after one that does not is the inside of a pretty-printed document: "[", " {", ..., "   []".
    if values and (parsed_lines[0] is not _UNPARSED or len(values) > 1):
        value = values[0]
        if isinstance(value, list):
            if not value:
                raise UnsupportedFormatError("the file is an empty JSON array", path=source.name)
            kind = classify(value[0], name=source.name, line=1)
            return Detection(kind, "array", source.gzip, source.had_bom, _version(value[0]), line_mode=True)
        kind = _classify_usable(value, name=source.name)
        form = "jsonl" if len(parsed_lines) > 1 else "json"
        return Detection(kind, form, source.gzip, source.had_bom, _version(value), line_mode=True)
    if first not in {b"{", b"["}:
        try:
            value = orjson.loads(text) if complete else _UNPARSED
        except orjson.JSONDecodeError as error:
            raise InvalidJSONError(f"invalid JSON: {error.msg}", path=source.name, line=error.lineno) from error
        if value is not _UNPARSED:
            raise UnsupportedFormatError(
                f"expected a JSON object or array at the top level, found {_json_type(value)}", path=source.name
            )
        raise InvalidJSONError("invalid JSON: the file does not start with { or [", path=source.name, line=1)
    return _detect_growing(source)


def _detect_growing(source: Source) -> Detection:
    """Scan the head with :func:`_detect_pretty`, reading further while it ends before the keys that decide."""
    while True:
        try:
            return _detect_pretty(source, source.head, complete=source.head_complete)
        except _HeadTooShort as short:
            if not source.grow_head():
                raise short.error from None


class _HeadTooShort(Exception):  # noqa: N818 - a signal to read further, not an error a user sees
    """The head ended before the keys that tell what the input is; ``error`` is what to say if it cannot grow."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _classify_usable(value: Any, *, name: str) -> str:
    """Classify the first line's value, refusing a package whose releases or records are not an array."""
    kind = classify(value, name=name, line=1)
    if kind in PACKAGE_ARRAY:
        package_array(value, kind, name=name, line=1)
    return kind


def _detect_pretty(  # noqa: C901, PLR0912 - one event loop over ijson events
    source: Source, head: bytes, *, complete: bool
) -> Detection:
    """Scan the top-level keys of the first (pretty-printed) object with ijson."""
    is_array = head.lstrip()[:1] == b"["
    base = "item" if is_array else ""
    keys: list[str] = []
    tag: list[str] = []
    version = None
    objects = 0
    array_prefixes = {f"{base}.{key}".lstrip("."): key for key in PACKAGE_ARRAY.values()}
    not_arrays: dict[str, str] = {}  # "releases" or "records" -> what it is instead of an array
    truncated = False
    tap = ChunkTap(io.BytesIO(head))
    try:
        for prefix, event, value in ijson.parse(tap, multiple_values=True):
            if prefix == base and event == "map_key":
                keys.append(value)
            elif prefix in array_prefixes and event in _EVENT_TYPE and objects == 0:
                not_arrays[array_prefixes[prefix]] = _EVENT_TYPE[event]
            elif prefix == f"{base}.tag.item".lstrip(".") and event == "string":
                tag.append(value)
            elif prefix == f"{base}.version".lstrip(".") and event == "string":
                version = value
            elif prefix == base and event == "end_map":
                objects += 1
                if is_array or objects > 1:
                    break
            elif prefix == "" and event == "start_map" and objects == 1 and not is_array:
                objects += 1
                break
            elif prefix == "item" and event != "start_map" and is_array and not keys and event != "map_key":
                raise UnsupportedFormatError(
                    "expected an array of OCDS objects, found an array of other values", path=source.name
                )
    except ijson.IncompleteJSONError as error:
        if complete:
            raise json_error(error, name=source.name, byte=tap.error_byte(error)) from error
        if not keys:
            raise _HeadTooShort(json_error(error, name=source.name, byte=tap.error_byte(error))) from error
        truncated = True
    except ijson.JSONError as error:
        raise json_error(error, name=source.name, byte=tap.error_byte(error)) from error
    kind = _classify_scanned(keys, tag, name=source.name, truncated=truncated)
    key = PACKAGE_ARRAY.get(kind)
    if key in not_arrays:
        raise not_an_array(key, not_arrays[key], name=source.name)
    if is_array:
        form = "array"
    elif objects > 1:
        form = "concatenated"
    else:
        form = "json"
    return Detection(kind, form, source.gzip, source.had_bom, version, line_mode=False)


def _classify_scanned(keys: list[str], tag: list[str], *, name: str, truncated: bool) -> str:
    """Classify the top-level keys scanned; when the scan was cut short, ask for more instead of refusing."""
    try:
        return classify_keys(keys, tag, name=name)
    except UnsupportedFormatError as error:
        if truncated:  # the keys that decide may come after the head: a long `packages` list comes first
            raise _HeadTooShort(error) from error
        raise


def _version(obj: Any) -> str | None:
    if isinstance(obj, dict) and isinstance(obj.get("version"), str):
        return str(obj["version"])
    return None


def _ijson_message(error: Exception) -> str:
    """Return yajl's message without its ASCII-art pointer ("(right here) ------^")."""
    text = _error_text(error).split("(right here)")[0]
    return " ".join(text.split())[:200] or "unexpected end of data"


def _error_text(error: Exception) -> str:
    """Return an ijson error's text; yajl gives bytes (the input's own, perhaps not UTF-8), never shown raw."""
    argument = error.args[0] if error.args else ""
    if isinstance(argument, bytes):
        return argument.decode("utf-8", "replace")
    return str(argument)


def _pointed(error: Exception) -> tuple[str, int] | None:
    """Return yajl's context snippet and the column its ``^`` points at, when its message has them.

    yajl writes three lines: the message, up to 30 characters around the error, and a pointer line ending in ``^``.
    """
    lines = _error_text(error).split("\n")
    if len(lines) < 3 or "^" not in lines[2]:  # noqa: PLR2004 - message, snippet, pointer
        return None
    return lines[1], lines[2].index("^")


class ChunkTap:
    """A ``read`` for ijson that remembers the last chunks it handed out, to place yajl's errors exactly.

    One Python call per 64 KiB chunk (ijson's buffer size): nothing per release.
    """

    def __init__(self, stream: Any) -> None:
        self._read = stream.read
        self.position = 0  # bytes handed to the parser
        self._previous = b""
        self._last = b""

    def read(self, size: int = -1) -> bytes:
        """Read for ijson, keeping the chunk."""
        data: bytes = self._read(size)
        if data:
            self._previous, self._last = self._last, data
            self.position += len(data)
        return data

    def error_byte(self, error: Exception) -> int:
        """Return the byte offset of yajl's error: found from its context snippet, else the end of the data read."""
        window = self._previous + self._last
        start = self.position - len(window)
        if "invalid bytes in UTF8" in _error_text(error):
            first = len(self._previous) - min(len(self._previous), 3)  # a character may straddle the chunks
            try:
                window[first:].decode()
            except UnicodeDecodeError as bad:
                return start + first + bad.start
        pointed = _pointed(error)
        if pointed is not None:
            snippet, caret = pointed
            before, after = snippet[:caret].lstrip(" "), snippet[caret:]
            pattern = (before + after).encode("utf-8", "replace")
            found = window.replace(b"\n", b" ").replace(b"\r", b" ").find(pattern)
            if (before + after).strip() and "\ufffd" not in before + after and found >= 0:
                return start + found + len(before.encode())
        return self.position


def json_error(error: Exception, *, name: str, byte: int) -> InvalidJSONError:
    """Return the one-line error for an ijson error at ``byte``: not UTF-8, a number out of range, or invalid JSON."""
    text = _ijson_message(error)
    if "invalid bytes in UTF8" in text:
        return InvalidJSONError(
            "the file is not UTF-8 text (OCDS files must be UTF-8)", path=name, byte=byte, hint="Save it as UTF-8"
        )
    if "overflow" in text:
        pointed = _pointed(error)
        number = re.match(r"-?[0-9][0-9.eE+-]*", pointed[0][pointed[1] :]) if pointed else None
        return InvalidJSONError(
            f"the number {number.group() if number else ''} is out of range (an integer must fit 64 bits and"
            " a decimal number be within about ±1.8e308)",
            path=name,
            byte=byte,
            hint="Correct or remove that number",
        )
    return InvalidJSONError(f"invalid JSON: {text}", path=name, byte=byte)


def detect(path: str | Path) -> Detection:
    """Detect the OCDS form of the file at ``path`` (``-`` for standard input)."""
    with open_source(path) as source:
        return detect_source(source)
