"""What every indicator computation receives: the flat tables as Ibis tables, the settings and shared helpers.

Helpers compute Cardinal's quartile fences (statrs' order statistics, the R-8 estimator:
``h = (n + 1/3) tau + 1/3``) from Ibis queries, so results are the same on DuckDB and Spark.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

    from civicbuy.analytics.settings import Settings

RESULT_COLUMNS = ("level", "id", "value", "flagged", "reason")
FALSE = ibis.literal(value=False)
TRUE = ibis.literal(value=True)
SUBMITTED_EXCLUDED = ("invited", "withdrawn")
FINAL_AWARD_STATUSES = ("active", "cancelled", "unsuccessful")


def result(
    table: ir.Table,
    *,
    level: str,
    id: ir.Value,  # noqa: A002 - the contract's field name
    value: ir.Value | None,
    flagged: ir.Value | None,
    reason: ir.Value | str,
) -> ir.Table:
    """Select the result columns with fixed types: level, id, value (float64), flagged (boolean), reason."""
    return table.select(
        level=ibis.literal(level, type="string"),
        id=id.cast("string"),
        value=(value if value is not None else ibis.null()).cast("float64"),
        flagged=(flagged if flagged is not None else ibis.null()).cast("boolean"),
        reason=(ibis.literal(reason) if isinstance(reason, str) else reason).cast("string"),
    )


class Context:
    """Tables, settings and helpers for indicator computations."""

    def __init__(self, connection: BaseBackend, tables: dict[str, ir.Table], settings: Settings) -> None:
        self.connection = connection
        self.tables = tables
        self.settings = settings

    def __getitem__(self, name: str) -> ir.Table:
        return self.tables[name]

    def scalar(self, expression: ir.Scalar) -> Any:
        """Execute a scalar expression and return a Python value (``None`` for null/NaN)."""
        value = self.connection.to_pyarrow(expression).as_py()
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return value

    @cached_property
    def main_currency(self) -> str | None:
        """Return the configured currency, else the most frequent currency of valid bids, awards, then tenders.

        Cardinal uses the first currency it meets in the file; a most-frequent rule gives the same answer on
        single-currency data and does not depend on row order (which differs between backends).
        """
        if self.settings["currency"]:
            return str(self.settings["currency"])
        for table, status in (("bids", "valid"), ("awards", "active"), ("tenders", None)):
            t = self.tables[table]
            if status is not None:
                t = t.filter(t.status == status)
            t = t.filter(t.value_currency.notnull())
            counts = t.group_by("value_currency").aggregate(n=t.count())
            top = counts.order_by([ibis.desc("n"), "value_currency"]).limit(1)
            rows = self.connection.to_pyarrow(top)
            if rows.num_rows:
                return str(rows.column("value_currency")[0].as_py())
        return None

    def process_base(self) -> ir.Table:
        """Return one row per process with buyer, procuring entity and the tender's fields (null without tender)."""
        processes = self.tables["processes"]
        tenders = self.tables["tenders"]
        joined = processes.left_join(tenders, processes.ocid == tenders.ocid)
        return joined.select(
            processes.ocid,
            processes.buyer_id,
            processes.procuring_entity_id,
            processes.has_tender,
            processes.planning_rationale,
            tenders.status,
            tenders.procurement_method,
            tenders.procurement_method_details,
            tenders.procurement_method_rationale,
            tenders.title,
            tenders.description,
            tenders.award_criteria_details,
            tenders.eligibility_criteria,
            tenders.number_of_tenderers,
            tenders.tenderers_count,
            tenders.tender_period_start,
            tenders.tender_period_end,
            tenders.documents_count,
            tenders.value_amount,
            tenders.value_currency,
            tenders.sustainability_goals,
            tenders.cpv_division,
        )

    def quantile(self, values: ir.Table, column: str, tau: float) -> float | None:
        """Return the R-8 quantile (statrs ``Data::quantile``, as Cardinal uses) of ``values[column]``."""
        data = values.filter(values[column].notnull()).select(v=values[column].cast("float64"))
        n = int(self.scalar(data.count()) or 0)
        if n == 0:
            return None
        h = (n + 1 / 3) * tau + 1 / 3
        hf = int(h)
        if hf <= 0 or tau == 0:
            return float(self.scalar(data.v.min()))
        if hf >= n or tau == 1:
            return float(self.scalar(data.v.max()))
        ranked = data.mutate(r=ibis.row_number().over(order_by=data.v))
        picked = self.connection.to_pyarrow(ranked.filter(ranked.r.isin([hf - 1, hf])).order_by("r"))
        a, b = (float(x) for x in picked.column("v").to_pylist())
        return a + (h - hf) * (b - a)

    def fences(self, values: ir.Table, column: str) -> tuple[float, float] | None:
        """Return ``(q1, q3)`` of a column, or ``None`` when there are no values."""
        q1 = self.quantile(values, column, 0.25)
        q3 = self.quantile(values, column, 0.75)
        if q1 is None or q3 is None:
            return None
        return q1, q3


def lower_fence(q1: float, q3: float) -> float:
    """Return Q1 - 1.5 IQR (Cardinal's lower fence)."""
    return q1 - 1.5 * (q3 - q1)


def upper_fence(q1: float, q3: float) -> float:
    """Return Q3 + 1.5 IQR (Cardinal's upper fence)."""
    return q3 + 1.5 * (q3 - q1)


def days_between(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.NumericValue:
    """Return whole days from ``start`` to ``end``, truncated toward zero (chrono's ``num_days``)."""
    seconds = end.epoch_seconds() - start.epoch_seconds()
    days = seconds.cast("float64") / 86400
    return ibis.ifelse(days >= 0, days.floor(), days.ceil()).cast("int64")


def text_contains_any(columns: list[ir.StringValue], keywords: list[str]) -> ir.BooleanValue:
    """Return whether any column contains any keyword (case-insensitive substring)."""
    condition: ir.BooleanValue = FALSE
    for column in columns:
        lowered = column.lower()
        for keyword in keywords:
            condition = condition | lowered.contains(keyword.lower()).fill_null(FALSE)
    return condition
