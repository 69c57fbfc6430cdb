"""What every indicator computation receives: the flat tables as Ibis tables, the settings and shared helpers.

Every helper returns an Ibis expression, never a value read from the data: the whole suite is one expression whose
SQL depends only on the settings and the declared table schemas (:mod:`civicbuy.analytics.store.schemas`), so it is
compiled once and reused on any dataset (:mod:`.runner`). Data-derived values (the main currency, Cardinal's
quartile fences) are one-row relations that indicators cross-join.

Quartiles follow statrs' order statistics as Cardinal does (the R-8 estimator, ``h = (n + 1/3) tau + 1/3``), computed
in the query with the same float64 operations, so results are the same on DuckDB and Spark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

if TYPE_CHECKING:
    from collections.abc import Callable

    from civicbuy.analytics.settings import Settings

RESULT_COLUMNS = ("level", "id", "value", "flagged", "reason")
FALSE = ibis.literal(value=False)
TRUE = ibis.literal(value=True)
SUBMITTED_EXCLUDED = ("invited", "withdrawn")
FINAL_AWARD_STATUSES = ("active", "cancelled", "unsuccessful")
#: Column added by :meth:`Context.with_currency`.
MAIN_CURRENCY = "main_currency"
#: Prefix of the table a shared relation is stored in when a context is staged (:meth:`Context.shared`).
STAGE_PREFIX = "shared_"
ONE_THIRD = 1 / 3


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
    """Tables, settings and helpers for indicator computations.

    ``tables`` may be unbound (``ibis.table(schema, name=...)``, to compile SQL once) or bound to a backend.

    A *staged* context does not put shared relations inside the indicators' expressions: each one is recorded in
    :attr:`stages` (in the order they must be computed: a relation's own shared inputs come before it) and the
    indicators read an unbound table of the same schema named ``shared_<key>``. The runner stores each stage as a
    table before running the indicators one by one, so no query holds more than one step in memory.
    """

    def __init__(self, tables: dict[str, ir.Table], settings: Settings, *, staged: bool = False) -> None:
        self.tables = tables
        self.settings = settings
        self.staged = staged
        #: Staged shared relations by table name, in dependency order (only when ``staged``).
        self.stages: dict[str, ir.Table] = {}
        self._shared: dict[str, ir.Table] = {}

    def __getitem__(self, name: str) -> ir.Table:
        return self.tables[name]

    def shared(self, key: str, build: Callable[[], ir.Table]) -> ir.Table:
        """Return the relation built by ``build`` once per context, so that every indicator reads the same one."""
        if key not in self._shared:
            relation = build()
            if self.staged:
                name = STAGE_PREFIX + key
                self.stages[name] = relation
                relation = ibis.table(relation.schema(), name=name)
            self._shared[key] = relation
        return self._shared[key]

    def with_currency(self, table: ir.Table) -> ir.Table:
        """Add a ``main_currency`` column: the configured currency, else the data's main currency (may be null).

        The data's main currency is the most frequent currency of valid bids, else of active awards, else of
        tenders. Cardinal uses the first currency it meets in the file; a most-frequent rule gives the same answer
        on single-currency data and does not depend on row order (which differs between backends).
        """
        if self.settings["currency"]:
            return table.mutate(**{MAIN_CURRENCY: ibis.literal(str(self.settings["currency"]), type="string")})
        return table.cross_join(self.shared("currency_row", self._currency_row))

    def _currency_row(self) -> ir.Table:
        candidates = []
        for name, status in (("bids", "valid"), ("awards", "active"), ("tenders", None)):
            t = self.tables[name]
            if status is not None:
                t = t.filter(t.status == status)
            t = t.filter(t.value_currency.notnull())
            counts = t.group_by("value_currency").aggregate(n=t.count())
            top = counts.order_by([ibis.desc("n"), "value_currency"]).limit(1)
            candidates.append(top.value_currency.as_scalar())
        return ibis.coalesce(*candidates).cast("string").name(MAIN_CURRENCY).as_table()

    def process_base(self) -> ir.Table:
        """Return one row per process with buyer, procuring entity and the tender's fields (null without tender).

        Free texts are left out (:meth:`process_texts` has them): this relation is read by most indicators and
        staged as a table, and on 10,000,000 processes titles and descriptions would be most of its size.
        ``has_method_rationale`` says whether /tender/procurementMethodRationale has more than blanks.
        """
        return self.shared("process_base", self._process_base)

    def _with_tender(self) -> tuple[ir.Table, ir.Table, ir.Table]:
        """Return processes left-joined with their tender, and the two tables to select columns by."""
        processes = self.tables["processes"]
        tenders = self.tables["tenders"]
        return processes.left_join(tenders, processes.ocid == tenders.ocid), processes, tenders

    def _process_base(self) -> ir.Table:
        joined, processes, tenders = self._with_tender()
        return shared_relation(
            joined.select(
                processes.ocid,
                processes.buyer_id,
                processes.procuring_entity_id,
                processes.has_tender,
                tenders.status,
                tenders.procurement_method,
                tenders.procurement_method_details,
                has_method_rationale=tenders.procurement_method_rationale.fill_null("").strip() != "",
                number_of_tenderers=tenders.number_of_tenderers,
                tenderers_count=tenders.tenderers_count,
                tender_period_start=tenders.tender_period_start,
                tender_period_end=tenders.tender_period_end,
                documents_count=tenders.documents_count,
                value_amount=tenders.value_amount,
                value_currency=tenders.value_currency,
                cpv_division=tenders.cpv_division,
            )
        )

    def process_texts(self) -> ir.Table:
        """Return one row per process with buyer, ``has_tender`` and the free texts keyword rules read.

        Not shared: only relations that are themselves shared (matched once for several indicators) read it.
        """
        joined, processes, tenders = self._with_tender()
        return joined.select(
            processes.ocid,
            processes.buyer_id,
            processes.has_tender,
            processes.planning_rationale,
            tenders.procurement_method_rationale,
            tenders.procurement_method_details,
            tenders.title,
            tenders.description,
            tenders.award_criteria_details,
            tenders.eligibility_criteria,
            tenders.sustainability_goals,
        )

    def quantiles(self, values: ir.Table, column: str, taus: dict[str, float]) -> ir.Table:
        """Return one row with, per name in ``taus``, the R-8 quantile of ``values[column]`` (null without values).

        statrs ``Data::quantile`` (as Cardinal uses): with ``n`` sorted values and ``h = (n + 1/3) tau + 1/3``, the
        minimum when ``h < 1`` or ``tau == 0``, the maximum when ``h >= n`` or ``tau == 1``, else ``v[hf-1] + (h -
        hf) (v[hf] - v[hf-1])`` (0-based, ``hf = floor(h)``).
        """
        data = values.filter(values[column].notnull()).select(v=values[column].cast("float64"))
        stats = data.aggregate(n=data.count(), lowest=data.v.min(), highest=data.v.max())
        ranked = data.mutate(r=ibis.row_number().over(order_by=data.v)).cross_join(stats)
        picks = {}
        for name, tau in taus.items():
            hf = _r8_h(ranked.n, tau).floor().cast("int64")
            picks[f"{name}_a"] = ranked.v.max(where=ranked.r == hf - 1)
            picks[f"{name}_b"] = ranked.v.max(where=ranked.r == hf)
        picked = ranked.aggregate(**picks).cross_join(stats)
        out = {}
        for name, tau in taus.items():
            h = _r8_h(picked.n, tau)
            hf = h.floor().cast("int64")
            a, b = picked[f"{name}_a"], picked[f"{name}_b"]
            branches: list[tuple[ir.BooleanValue, ir.Value]] = [(picked.n == 0, ibis.null("float64"))]
            branches.append((TRUE if tau == 0 else hf <= 0, picked.lowest))
            branches.append((TRUE if tau == 1 else hf >= picked.n, picked.highest))
            out[name] = ibis.cases(*branches, else_=a + (h - hf.cast("float64")) * (b - a)).cast("float64")
        return picked.select(**out)

    def quartiles(self, values: ir.Table, column: str) -> ir.Table:
        """Return one row ``(q1, q3)`` of a column (nulls when there are no values)."""
        return self.quantiles(values, column, {"q1": 0.25, "q3": 0.75})


def shared_relation(table: ir.Table) -> ir.Table:
    """Return ``table`` as one relation that several indicators read, computed once by the engine.

    Ibis folds a selection from a join into a copy of the join: every indicator selecting its columns from a shared
    join would repeat the join (on 200,000 processes the suite ran 69 hash joins; with shared relations, 35).
    Behind a filter that is always true the join is one node, which Ibis compiles to one common table expression
    that DuckDB computes once.
    """
    return table.filter(TRUE)


def currency_label(currency: ir.StringValue, missing: str = "the main currency") -> ir.StringValue:
    """Return the currency for a reason text, or ``missing`` when there is none."""
    return ibis.ifelse(currency.fill_null("") == "", missing, currency)


def _r8_h(n: ir.IntegerValue, tau: float) -> ir.FloatingValue:
    """Return ``h = (n + 1/3) tau + 1/3`` in float64, in the order statrs computes it."""
    third = ibis.literal(ONE_THIRD, type="float64")
    return (n.cast("float64") + third) * ibis.literal(float(tau), type="float64") + third


def lower_fence(q1: ir.FloatingValue, q3: ir.FloatingValue) -> ir.FloatingValue:
    """Return Q1 - 1.5 IQR (Cardinal's lower fence)."""
    return q1 - 1.5 * (q3 - q1)


def upper_fence(q1: ir.FloatingValue, q3: ir.FloatingValue) -> ir.FloatingValue:
    """Return Q3 + 1.5 IQR (Cardinal's upper fence)."""
    return q3 + 1.5 * (q3 - q1)


def days_between(start: ir.TimestampValue, end: ir.TimestampValue) -> ir.NumericValue:
    """Return whole days from ``start`` to ``end``, truncated toward zero (chrono's ``num_days``)."""
    seconds = end.epoch_seconds() - start.epoch_seconds()
    days = seconds.cast("float64") / 86400
    return ibis.ifelse(days >= 0, days.floor(), days.ceil()).cast("int64")


#: Characters with a meaning in regular expressions (RE2 on DuckDB, java.util.regex on Spark).
_REGEX_SPECIAL = frozenset("\\.^$|?*+()[]{}")


def _literal_pattern(keyword: str) -> str:
    """Return a regular expression matching ``keyword`` literally (escaping the same way for RE2 and Java)."""
    return "".join(f"\\{char}" if char in _REGEX_SPECIAL else char for char in keyword)


def text_contains_any(columns: list[ir.StringValue], keywords: list[str]) -> ir.BooleanValue:
    """Return whether any column contains any keyword (case-insensitive substring).

    One regular expression per column (``kw1|kw2|...``, each keyword matched literally) instead of one substring
    test per keyword: the same answer, one pass over each text.
    """
    if not keywords:
        return FALSE
    pattern = "|".join(_literal_pattern(keyword.lower()) for keyword in keywords)
    condition: ir.BooleanValue = FALSE
    for column in columns:
        condition = condition | column.lower().re_search(pattern).fill_null(FALSE)
    return condition
