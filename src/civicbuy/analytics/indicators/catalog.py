"""Every indicator's declaration as data (``catalog.json``), for code that must not import Ibis.

Loading the declarations from the registry imports every indicator's Ibis computation (~0.4 s, most of what
``civicbuy review`` would otherwise spend before reading a byte). The data review needs only each indicator's code,
name and inputs, so it reads this file instead. The file is generated from the registry and a test fails when the
two differ; regenerate it after changing a declaration with::

    python -m civicbuy.analytics.indicators.catalog
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import orjson

CATALOG = Path(__file__).with_name("catalog.json")


@dataclass(frozen=True)
class Declared:
    """What the data review needs of one indicator."""

    code: str
    name: str
    inputs: tuple[str, ...]


@cache
def declared() -> tuple[Declared, ...]:
    """Return every indicator's code, name and inputs, sorted by code, from ``catalog.json``."""
    entries = orjson.loads(CATALOG.read_bytes())
    return tuple(Declared(entry["code"], entry["name"], tuple(entry["inputs"])) for entry in entries)


def generate() -> bytes:
    """Return the contents ``catalog.json`` must have: every registered declaration (imports Ibis)."""
    from civicbuy.analytics.indicators.registry import all_indicators

    return orjson.dumps([entry.as_dict() for entry in all_indicators()], option=orjson.OPT_INDENT_2) + b"\n"


if __name__ == "__main__":
    CATALOG.write_bytes(generate())
