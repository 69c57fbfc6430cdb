"""Helpers for performance indicators: shares, means and sums at dataset and buyer level.

Performance indicators are measures, not red flags: ``flagged`` is always null; ``reason`` is empty when a value
could be computed and says why not otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from civicbuy.analytics.indicators.context import FALSE, result

if TYPE_CHECKING:
    from collections.abc import Callable

    import ibis.expr.types as ir

Metric = "Callable[[ir.Table], ir.Value]"


def _levels(table: ir.Table, metric: Callable[[ir.Table], ir.Value], empty: str, groups: dict[str, str]) -> ir.Table:
    overall = table.aggregate(value=metric(table))
    parts = [
        result(
            overall,
            level="dataset",
            id=ibis.literal("dataset"),
            value=overall.value,
            flagged=None,
            reason=ibis.ifelse(overall.value.isnull(), empty, ""),
        )
    ]
    for level, column in groups.items():
        keyed = table.filter(table[column].notnull())
        grouped = keyed.group_by(column).aggregate(value=metric(keyed))
        parts.append(
            result(
                grouped,
                level=level,
                id=grouped[column],
                value=grouped.value,
                flagged=None,
                reason=ibis.ifelse(grouped.value.isnull(), empty, ""),
            )
        )
    return ibis.union(*parts)


def share_by_level(
    table: ir.Table,
    hit: ir.BooleanValue,
    applicable: ir.BooleanValue,
    empty: str,
    *,
    groups: dict[str, str] | None = None,
    weight: ir.NumericValue | None = None,
) -> ir.Table:
    """Share of applicable rows (weighted by ``weight``) that are hits, for the dataset and each group."""
    weight_value = weight if weight is not None else ibis.literal(1.0)
    prepared = table.mutate(
        share_den=ibis.ifelse(applicable.fill_null(FALSE), weight_value, 0.0).cast("float64"),
        share_num=ibis.ifelse(applicable.fill_null(FALSE) & hit.fill_null(FALSE), weight_value, 0.0).cast("float64"),
    )

    def metric(t: ir.Table) -> ir.Value:
        den = t.share_den.sum()
        return ibis.ifelse(den > 0, t.share_num.sum() / den, None)

    return _levels(prepared, metric, empty, groups if groups is not None else {"buyer": "buyer_id"})


def mean_by_level(
    table: ir.Table, value: ir.NumericValue, empty: str, groups: dict[str, str] | None = None
) -> ir.Table:
    """Mean of non-null ``value`` for the dataset and each group."""
    prepared = table.mutate(measure_value=value.cast("float64"))
    return _levels(
        prepared, lambda t: t.measure_value.mean(), empty, groups if groups is not None else {"buyer": "buyer_id"}
    )


def sum_by_level(table: ir.Table, value: ir.NumericValue, empty: str, groups: dict[str, str]) -> ir.Table:
    """Sum of non-null ``value`` for the dataset and each group."""
    prepared = table.mutate(measure_value=value.cast("float64"))
    return _levels(prepared, lambda t: t.measure_value.sum(), empty, groups)
