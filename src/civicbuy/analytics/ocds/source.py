"""Open an input for reading: a path or ``-`` (standard input), plain or gzip, with a UTF-8 BOM skipped.

Every reader in :mod:`civicbuy.analytics.ocds` goes through :func:`open_source`, so gzip detection (by magic bytes,
not by file name), the expansion limit against gzip bombs and the 1 MiB head read for detection live in one place.
Parsers that need byte positions count what they read (:class:`~civicbuy.analytics.ocds.detect.ChunkTap`).
"""

from __future__ import annotations

import io
import sys
import zlib
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol, Self, cast

from civicbuy.analytics.ocds.exceptions import (
    AnalyticsError,
    EmptyInputError,
    InputTooLargeError,
    InvalidJSONError,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import TracebackType

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
#: Byte order marks of the other Unicode encodings (UTF-32 first: its little-endian mark starts like UTF-16's).
OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
#: A gzip member may expand at most this many times its compressed size ...
MAX_EXPANSION_RATIO = 1000
#: ... once it has produced more than this many bytes (small files are never "bombs").
EXPANSION_FLOOR = 256 * 1024 * 1024
CHUNK = 1024 * 1024
HEAD_SIZE = 1024 * 1024
#: How far detection may read (:meth:`Source.grow_head`) to find a package's releases or records: OCDS does not fix
#: the order of a package's keys, and a long ``packages`` or ``extensions`` list may come first.
MAX_HEAD_SIZE = 64 * 1024 * 1024


class _GzipGuard(io.RawIOBase):
    """Decompress a gzip stream while refusing to expand beyond the ratio limit (a "gzip bomb")."""

    def __init__(self, raw: IO[bytes], name: str, max_ratio: int, floor: int) -> None:
        self._raw = raw
        self._name = name
        self._max_ratio = max_ratio
        self._floor = floor
        self._decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._pending = b""
        self.compressed = 0
        self.expanded = 0
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending and not self._eof:
            chunk = self._raw.read(64 * 1024)
            if not chunk:
                self._pending = self._decompressor.flush()
                self._eof = True
                break
            self.compressed += len(chunk)
            data = self._decompressor.decompress(chunk, CHUNK)
            while self._decompressor.unused_data and self._decompressor.eof:
                # Concatenated gzip members (as written by `cat a.gz b.gz`).
                rest = self._decompressor.unused_data
                self._decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
                data += self._decompressor.decompress(rest, CHUNK)
            while self._decompressor.unconsumed_tail:
                data += self._decompressor.decompress(self._decompressor.unconsumed_tail, CHUNK)
                self._check(len(data))
            self._pending = data
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        self.expanded += size
        self._check(0)
        return size

    def _check(self, extra: int) -> None:
        expanded = self.expanded + extra
        if expanded > self._floor and expanded > self._max_ratio * max(self.compressed, 1):
            raise InputTooLargeError(
                f"gzip data expands more than {self._max_ratio} times its compressed size (a gzip bomb?);"
                " refusing to read further",
                path=self._name,
                byte=self.compressed,
            )


class _Stream(Protocol):
    """What the layers below need from a binary stream (files, ``sys.stdin.buffer`` and io readers all have both)."""

    def read(self, size: int = -1, /) -> bytes: ...

    def readinto(self, buffer: bytearray | memoryview, /) -> int | None: ...


class _Prefixed(io.RawIOBase):
    """A raw stream that first returns ``prefix`` and then the rest of ``raw`` (to peek at standard input)."""

    def __init__(self, prefix: bytes, raw: IO[bytes]) -> None:
        self._prefix = prefix
        self._raw = cast("_Stream", raw)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._prefix:
            size = min(len(buffer), len(self._prefix))
            buffer[:size] = self._prefix[:size]
            self._prefix = self._prefix[size:]
            return size
        return self._raw.readinto(buffer) or 0  # straight into the caller's buffer: no copy


#: First bytes of a line that may be blank (JSON whitespace).
_WHITESPACE = frozenset(b" \t\r\n")


def _skip_blank_run(stream: io.BufferedReader) -> tuple[int, int]:
    """Consume the whole blank lines at the stream's position; return ``(bytes, newlines)`` consumed.

    Works on what the buffer already holds (``peek``), so a run of blank lines costs a few C calls per megabyte.
    """
    skipped = newlines = 0
    while True:
        buffered = stream.peek(CHUNK)
        if not buffered:
            return skipped, newlines
        blank = len(buffered) - len(buffered.lstrip(b" \t\r\n"))
        end = buffered.rfind(b"\n", 0, blank) + 1  # only whole lines: a line's own leading spaces stay
        if not end:
            return skipped, newlines
        stream.read(end)
        skipped += end
        newlines += buffered.count(b"\n", 0, end)
        if end < len(buffered):
            return skipped, newlines


def _read_fully(stream: IO[bytes], size: int) -> bytes:
    parts = []
    remaining = size
    while remaining > 0:
        data = stream.read(remaining)
        if not data:
            break
        parts.append(data)
        remaining -= len(data)
    return b"".join(parts)


def source_name(path: str | Path) -> str:
    """Return what errors and warnings call the input at ``path``: the path, or ``<stdin>`` for ``-``."""
    return "<stdin>" if str(path) == "-" else str(path)


class Source:
    """An opened input: ``stream`` yields the decoded bytes (no BOM), ``name`` is what errors call it."""

    def __init__(
        self,
        path: str | Path,
        *,
        max_ratio: int = MAX_EXPANSION_RATIO,
        expansion_floor: int = EXPANSION_FLOOR,
    ) -> None:
        self.name = source_name(path)
        self.gzip = False
        self.had_bom = False
        if str(path) == "-":
            raw: IO[bytes] = sys.stdin.buffer
            self._owned: IO[bytes] | None = None
        else:
            try:
                raw = self._owned = Path(path).open("rb")  # noqa: SIM115 - closed in close()
            except OSError as error:
                raise AnalyticsError(f"cannot open file: {error.strerror}", path=self.name) from error
        magic = raw.read(2)
        base: IO[bytes] = io.BufferedReader(_Prefixed(magic, raw), CHUNK)
        if magic == GZIP_MAGIC:
            self.gzip = True
            self._guard: _GzipGuard | None = _GzipGuard(base, self.name, max_ratio, expansion_floor)
            base = io.BufferedReader(self._guard, CHUNK)
        else:
            self._guard = None
        try:
            head = _read_fully(base, HEAD_SIZE)
        except (OSError, EOFError, zlib.error) as error:
            self.close()  # a refused file is closed at once, not when the error is collected
            raise AnalyticsError(f"cannot decompress gzip data: {error}", path=self.name) from error
        except BaseException:  # the gzip-bomb guard, Ctrl-C
            self.close()
            raise
        for bom, encoding in OTHER_BOMS:
            if head.startswith(bom):
                self.close()
                raise InvalidJSONError(
                    f"the file is {encoding} text (it starts with a {encoding} byte order mark);"
                    " OCDS files must be UTF-8",
                    path=self.name,
                    byte=0,
                    hint="Save it as UTF-8",
                )
        if head.startswith(UTF8_BOM):
            head = head[3:]
            self.had_bom = True
        self._base = base
        #: The first bytes of the data (1 MiB, more after :meth:`grow_head`), for format detection.
        self.head = head
        #: Whether :attr:`head` holds the whole input.
        self.head_complete = len(head) < HEAD_SIZE
        self._restart()

    def _restart(self) -> None:
        """Make :attr:`stream` read :attr:`head`, then the rest of the input."""
        self.stream: io.BufferedReader = io.BufferedReader(_Prefixed(self.head, self._base), CHUNK)

    def grow_head(self, limit: int = MAX_HEAD_SIZE) -> bool:
        """Read as much again into :attr:`head` (up to ``limit`` bytes in all); return whether it grew.

        Only before anything is read from :attr:`stream`, which starts again at the first byte of the grown head.
        """
        wanted = min(len(self.head), limit - len(self.head))
        if self.head_complete or wanted <= 0:
            return False
        try:
            more = _read_fully(self._base, wanted)
        except (OSError, EOFError, zlib.error) as error:
            raise AnalyticsError(f"cannot decompress gzip data: {error}", path=self.name) from error
        self.head += more
        self.head_complete = len(more) < wanted
        self._restart()
        return bool(more)

    def require_data(self) -> None:
        """Raise :class:`EmptyInputError` if the input holds nothing but whitespace."""
        if not self.head.strip():
            raise EmptyInputError("the file is empty (no JSON data)", path=self.name)

    def lines(self) -> Iterator[tuple[int, int, bytes]]:
        """Yield ``(line_number, byte_offset, line)`` for every line that is not blank (the newline is kept).

        Blank lines are skipped here, a buffer at a time: one at a time, through the JSON parser's error path,
        they cost about 3.6 µs each, so a 1 MB gzip of newlines held a command for minutes. A line is tested only
        when its first byte is whitespace, so the normal path pays one index per line.
        """
        stream = self.stream
        offset = 0
        number = 0
        for line in stream:
            number += 1
            if line[0] in _WHITESPACE and not line.strip():
                offset += len(line)
                skipped, newlines = _skip_blank_run(stream)
                offset += skipped
                number += newlines
                continue
            yield number, offset, line
            offset += len(line)

    def close(self) -> None:
        """Close the file if this source opened it."""
        if self._owned is not None:
            self._owned.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_source(path: str | Path, **limits: int) -> Source:
    """Open ``path`` (or ``-`` for standard input) for reading; see :class:`Source`."""
    return Source(path, **limits)


def is_gzip_file(path: Path) -> bool:
    """Return whether the file starts with the gzip magic bytes."""
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


__all__ = ["Source", "is_gzip_file", "open_source"]
