"""One contracting process in readable form, from the engine's flat tables (the compiled release, flattened).

Reads only the rows of one ``ocid`` from each table; DuckDB skips the Parquet row groups that cannot hold it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

#: Sections of the page: (table, title key); the titles are translated in the template.
SECTIONS = ("tenders", "parties", "items", "bids", "awards", "suppliers", "contracts", "transactions")
HIDDEN = {"ocid"}


def compiled_release(dataset: Path, ocid: str) -> dict[str, list[list[tuple[str, Any]]]]:
    """Return each flat table's rows for ``ocid`` (``processes`` first) as (field, value) pairs, without empty ones."""
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    result: dict[str, list[list[tuple[str, Any]]]] = {}
    try:
        for table in ("processes", *SECTIONS):
            path = dataset / f"{table}.parquet"
            if not path.exists():
                continue
            cursor = connection.execute("SELECT * FROM read_parquet(?) WHERE ocid = ?", [str(path), ocid])
            names = [d[0] for d in cursor.description]
            rows = [
                [(k, v) for k, v in zip(names, row, strict=True) if k not in HIDDEN and v not in (None, "")]
                for row in cursor.fetchall()
            ]
            if rows:
                result[table] = rows
    finally:
        connection.close()
    return result
