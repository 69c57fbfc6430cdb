"""Domain errors of the OCDS engine, each carrying the file and position it is about.

The CLI and the web app turn an :class:`AnalyticsError` into one line with :meth:`AnalyticsError.user_message`;
no traceback reaches a user (ARCHITECTURE.md, "Errors").
"""

from __future__ import annotations

import errno
from dataclasses import dataclass, field
from pathlib import Path


class AnalyticsError(Exception):
    """Base class: something about the input, settings or dataset that the user can fix."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        byte: int | None = None,
        json_path: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.byte = byte
        self.json_path = json_path
        self.hint = hint

    def user_message(self) -> str:
        """Return one line: ``file, line N (byte B), at /json/path: message. hint``."""
        where = []
        if self.path:
            where.append(self.path)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.byte is not None:
            where.append(f"byte {self.byte}")
        if self.json_path:
            where.append(f"at {self.json_path}")
        prefix = ", ".join(where)
        text = f"{prefix}: {self.message}" if prefix else self.message
        if self.hint:
            text = f"{text}. {self.hint}"
        return " ".join(text.split())

    def __str__(self) -> str:
        return self.user_message()


class InvalidJSONError(AnalyticsError):
    """The bytes are not JSON (truncated, malformed, not UTF-8)."""


class EmptyInputError(AnalyticsError):
    """The file has no data at all."""


class UnsupportedFormatError(AnalyticsError):
    """The JSON is valid but is not any OCDS form (wrong top-level type, unknown object)."""


class InputTooLargeError(AnalyticsError):
    """A compressed input expands beyond the configured limit (a gzip bomb, or a file too big to be sane)."""


class SettingsError(AnalyticsError):
    """A settings file or option is wrong."""


class DatasetError(AnalyticsError):
    """A dataset directory is missing, locked or unreadable."""


class StorageFullError(DatasetError):
    """The disk (or a quota or file-size limit) filled up while a dataset was written; the previous one is intact."""


class StorageNotWritableError(DatasetError):
    """The dataset folder is read-only or not writable by CivicBuy; the previous dataset is intact."""


#: errno values meaning "no room to write": the disk, a quota, or a file-size limit (RLIMIT_FSIZE gives EFBIG).
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
_DENIED = frozenset({errno.EACCES, errno.EPERM})


def storage_error(error: OSError, folder: Path) -> DatasetError | None:
    """Return the plain error for a failure to write under ``folder``, or None when ``error`` is something else.

    A full disk and a read-only folder are the operator's to fix, not the data's; saying so in those words
    replaces ``OSError: [Errno 27] Error writing bytes to file ...``. Permission errors count only when they name
    a path under ``folder`` (reading the input can fail with the same errno).
    """
    where = str(folder)
    if error.errno in _FULL:
        return StorageFullError(
            "there is no space left to write the dataset (the disk, a quota or a file-size limit is full); "
            "the previous version is unchanged",
            path=where,
            hint="Free some space, then run the ingest again",
        )
    named = str(error.filename or "")
    if error.errno == errno.EROFS or (error.errno in _DENIED and named.startswith(where)):
        return StorageNotWritableError(
            "the dataset folder cannot be written (it is read-only or CivicBuy may not write there); "
            "the previous version is unchanged",
            path=where,
            hint="Make the folder writable, then run the ingest again",
        )
    return None


class QueryMemoryError(AnalyticsError):
    """The indicator query needed more memory than DuckDB may use (``CIVICBUY_DUCKDB_MEMORY_LIMIT``)."""


class BackendUnavailableError(AnalyticsError):
    """The requested Ibis backend (for example ``spark``) is not installed."""


@dataclass
class Problem:
    """One kind of data problem: how often it happened and a few examples with positions."""

    code: str
    message: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


class ProblemLog:
    """Counted, non-fatal problems ("warnings"), grouped by code, with up to ``max_examples`` examples each.

    Wrong types, releases without ``ocid`` and unparsable lines in JSON Lines are counted here instead of
    stopping the whole file (issue 5, "Bad input").
    """

    def __init__(self, max_examples: int = 3) -> None:
        self.max_examples = max_examples
        self.problems: dict[str, Problem] = {}

    def add(self, code: str, message: str, example: str | None = None) -> None:
        """Count one occurrence of problem ``code``."""
        problem = self.problems.get(code)
        if problem is None:
            problem = self.problems[code] = Problem(code, message)
        problem.count += 1
        if example is not None and len(problem.examples) < self.max_examples:
            problem.examples.append(example)

    def merge(self, other: ProblemLog) -> None:
        """Add the problems counted in ``other`` after this log's own (examples keep the first ones, in order).

        Merging the logs of consecutive parts of a file in order gives what one log over the whole file would hold.
        """
        for code, problem in other.problems.items():
            mine = self.problems.get(code)
            if mine is None:
                mine = self.problems[code] = Problem(code, problem.message)
            mine.count += problem.count
            room = self.max_examples - len(mine.examples)
            if room > 0:
                mine.examples.extend(problem.examples[:room])

    def total(self) -> int:
        """Return the number of problems counted."""
        return sum(problem.count for problem in self.problems.values())

    def as_list(self) -> list[dict[str, object]]:
        """Return the problems as JSON-ready dicts, most frequent first."""
        ordered = sorted(self.problems.values(), key=lambda p: (-p.count, p.code))
        return [{"code": p.code, "message": p.message, "count": p.count, "examples": p.examples} for p in ordered]

    def __bool__(self) -> bool:
        return bool(self.problems)
