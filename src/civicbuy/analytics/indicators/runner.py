"""Run indicators on a dataset with an Ibis backend and return one result table.

Result columns (the CLI's JSON Lines contract, ARCHITECTURE.md): ``indicator``, ``level``, ``id``, ``value``,
``flagged``, ``reason``; sorted by indicator, level and id so that backends can be compared row by row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis
import pyarrow as pa

from civicbuy.analytics.indicators.context import Context
from civicbuy.analytics.indicators.registry import all_indicators
from civicbuy.analytics.store.backends import connect, load_tables

if TYPE_CHECKING:
    from collections.abc import Iterable

    from civicbuy.analytics.settings import Settings
    from civicbuy.analytics.store.dataset import Dataset

RESULT_SCHEMA = pa.schema(
    [
        ("indicator", pa.string()),
        ("level", pa.string()),
        ("id", pa.string()),
        ("value", pa.float64()),
        ("flagged", pa.bool_()),
        ("reason", pa.string()),
    ]
)


def run_indicators(
    dataset: Dataset, settings: Settings, *, backend: str = "duckdb", codes: Iterable[str] | None = None
) -> pa.Table:
    """Compute the selected (default: all) indicators on ``dataset`` and return the sorted results."""
    connection = connect(backend)
    tables = load_tables(connection, dataset)
    context = Context(connection, tables, settings)
    wanted = set(codes) if codes else None
    parts = []
    for declared in all_indicators():
        if wanted is not None and declared.code not in wanted:
            continue
        assert declared.compute is not None  # noqa: S101 - registered with a function
        expression = declared.compute(context)
        parts.append(expression.mutate(indicator=ibis.literal(declared.code, type="string")))
    if not parts:
        return RESULT_SCHEMA.empty_table()
    union = ibis.union(*parts) if len(parts) > 1 else parts[0]
    union = union.select(*RESULT_SCHEMA.names).order_by(["indicator", "level", "id"])
    table = connection.to_pyarrow(union)
    return table.cast(RESULT_SCHEMA)
