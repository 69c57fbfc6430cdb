"""Importing the official SDG and CPV lists at run time, from files the user provides.

CivicBuy ships short labels in its own words; the official wording (UN SDG targets, the full CPV 2008
vocabulary of 9,454 codes) is loaded from the publisher's file when a city wants it. Imported lists
are stored as JSON in ``<data dir>/taxonomy/`` and used for look-ups (e.g. a CPV code's official name).

Accepted layouts (CSV, UTF-8, header row; column names are matched case-insensitively):
- SDG targets: ``target`` plus ``title_en`` / ``title_es`` (or ``en`` / ``es``).
- CPV: ``code`` plus ``name_en`` / ``name_es`` (or ``en`` / ``es``), codes like ``03111000-2``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from pathlib import Path

CPV_CODE = re.compile(r"^(\d{8})(?:-\d)?$")
SDG_TARGET = re.compile(r"^\d{1,2}\.(?:\d{1,2}|[a-z])$")


class ImportProblemError(ValueError):
    """The file cannot be imported; the message names the file and the row."""


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportProblemError(f"{path}: not UTF-8 text (bad byte at position {error.start})") from None
    except OSError as error:
        raise ImportProblemError(f"{path}: cannot be read ({error.strerror})") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader]
    return header, rows


def _column(header: list[str], path: Path, *names: str) -> str:
    for name in names:
        if name in header:
            return name
    raise ImportProblemError(f"{path}: no column named {' or '.join(names)} (found: {', '.join(header)})")


def _write_atomically(target: Path, data: object) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        json.dump(data, stream, ensure_ascii=False)
        stream.flush()
        os.fsync(stream.fileno())
    Path(temporary).replace(target)


def import_sdg_targets(path: Path, data_dir: Path) -> int:
    """Import official SDG target titles; return how many were stored."""
    header, rows = _rows(path)
    code_column = _column(header, path, "target", "code")
    english = _column(header, path, "title_en", "en")
    spanish = next((c for c in ("title_es", "es") if c in header), None)
    targets: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows, start=2):
        code = row.get(code_column, "")
        if not SDG_TARGET.match(code):
            raise ImportProblemError(f"{path}: line {number}: {code!r} is not an SDG target code like 12.7")
        targets[code] = {"en": row[english], **({"es": row[spanish]} if spanish and row.get(spanish) else {})}
    if not targets:
        raise ImportProblemError(f"{path}: no rows")
    _write_atomically(data_dir / "taxonomy" / "sdg_targets.json", targets)
    return len(targets)


def import_cpv(path: Path, data_dir: Path) -> int:
    """Import the official CPV code list; return how many codes were stored."""
    header, rows = _rows(path)
    code_column = _column(header, path, "code")
    english = _column(header, path, "name_en", "en")
    spanish = next((c for c in ("name_es", "es") if c in header), None)
    codes: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows, start=2):
        match = CPV_CODE.match(row.get(code_column, ""))
        if not match:
            raise ImportProblemError(f"{path}: line {number}: {row.get(code_column)!r} is not a CPV code")
        codes[match.group(1)] = {"en": row[english], **({"es": row[spanish]} if spanish and row.get(spanish) else {})}
    if not codes:
        raise ImportProblemError(f"{path}: no rows")
    _write_atomically(data_dir / "taxonomy" / "cpv.json", codes)
    return len(codes)


def imported(data_dir: Path, name: str) -> dict[str, dict[str, str]]:
    """Return an imported list ("cpv" or "sdg_targets"), or an empty mapping when none was imported."""
    path = data_dir / "taxonomy" / f"{name}.json"
    if not path.exists():
        return {}
    loaded: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
    return loaded
