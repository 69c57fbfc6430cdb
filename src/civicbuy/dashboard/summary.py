# ruff: noqa: S608 - SQL is built from indicator codes of the registry and quoted paths; values are parameters
"""The dashboard's figures: precomputed once at ingest, then queried per page with DuckDB.

At ingest, :func:`build` writes next to the engine's dataset:

- ``facts.parquet``: one row per contracting process (date, year, buyer, title, method, CPV division, value)
  with one 1/0/null column per process-level red flag, from the engine's results;
- ``indicators.parquet``: the engine's dataset- and buyer-level results, for all years (``slice = 'all'``) and
  for each year (``slice = '2023'``: the engine's indicators run on that year's processes), so trends and the
  period filter use the engine's own definitions;
- ``overview.json``: counts, period, spend, the data-review summary and the filter choices;
- ``charts/``: the charts of the unfiltered and per-year views, rendered to SVG.

Pages then read a few small aggregates from these files, so they stay fast on a million processes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import statistics
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import orjson
from django.conf import settings
from django.utils import translation

from civicbuy.analytics import api
from civicbuy.analytics.indicators.registry import all_indicators
from civicbuy.dashboard import after_response

logger = logging.getLogger(__name__)

FACTS = "facts.parquet"
INDICATORS = "indicators.parquet"
OVERVIEW = "overview.json"
#: Engine indicators over processes filtered by CPV division or method, computed on first use.
FILTERED = "filtered"
ALL = "all"
#: Trends and the period filter cover at most this many recent years (one engine run per year at ingest).
MAX_YEARS = 8
RESULTS = "results.parquet"
#: The charts of this many buyers (the busiest) are drawn at ingest; others are drawn on first view.
PRERENDER_BUYERS = 10
RENDER_THREADS = max(1, min(4, os.cpu_count() or 1))


def _q(path: Path) -> str:
    """Quote a path as a DuckDB string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def process_flags() -> list[str]:
    """Codes of the red flags computed per process (OCP R-numbers)."""
    return [declared.code for declared in all_indicators() if declared.levels == ("process",)]


def aggregate_indicators() -> list[str]:
    """Codes of the indicators computed per dataset and per buyer."""
    return [declared.code for declared in all_indicators() if "dataset" in declared.levels]


# --------------------------------------------------------------------------------------------- building


def _connect(dataset: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    for table in dataset.glob("*.parquet"):
        name = table.stem
        connection.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet({_q(table)})')
    return connection


def _build_facts(connection: duckdb.DuckDBPyConnection, target: Path) -> None:
    flags = process_flags()
    pivot = ",\n".join(
        f"max(CASE WHEN indicator = '{code}' THEN CAST(flagged AS TINYINT) END) AS \"{code}\"" for code in flags
    )
    values = ",\n".join(f"max(CASE WHEN indicator = '{code}' THEN value END) AS \"{code}_value\"" for code in flags)
    flagged_list = " || ".join(f"CASE WHEN f.\"{code}\" = 1 THEN '{code} ' ELSE '' END" for code in flags) or "''"
    flag_count = " + ".join(f'coalesce(f."{code}", 0)' for code in flags) or "0"
    flag_columns = ", ".join(f'f."{code}", f."{code}_value"' for code in flags)
    connection.execute(
        f"""
        COPY (
          WITH f AS (SELECT id AS ocid, {pivot}, {values} FROM results WHERE level = 'process' GROUP BY id)
          SELECT p.ocid, p.date, CAST(year(p.date) AS INTEGER) AS year,
                 coalesce(p.buyer_id, '') AS buyer_id, coalesce(p.buyer_name, p.buyer_id, '') AS buyer_name,
                 t.title, coalesce(t.procurement_method, '') AS method, coalesce(t.cpv_division, '') AS cpv,
                 t.value_amount AS value, t.value_currency AS currency,
                 trim({flagged_list}) AS flags, CAST({flag_count} AS INTEGER) AS flag_count, {flag_columns}
          FROM processes p LEFT JOIN tenders t USING (ocid) LEFT JOIN f USING (ocid)
          ORDER BY p.buyer_id, p.date
        ) TO {_q(target)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)
        """
    )


def _slice_dataset(source: Path, target: Path, year: int) -> None:
    """Write the flat tables of ``source`` restricted to the processes dated in ``year`` (same layout)."""
    _copy_processes(
        source,
        target,
        f"SELECT ocid FROM read_parquet({_q(source / 'processes.parquet')}) WHERE year(date) = ?",
        [year],
    )


def _copy_processes(source: Path, target: Path, ocids: str, parameters: list[Any]) -> int:
    """Write the flat tables of ``source`` restricted to the processes whose ``ocid`` the query ``ocids`` returns.

    Returns the number of processes kept.
    """
    target.mkdir(parents=True)
    connection = duckdb.connect()
    connection.execute("SET enable_progress_bar = false")
    connection.execute(f"CREATE TEMPORARY TABLE kept AS {ocids}", parameters)
    for table in source.glob("*.parquet"):
        if table.name == RESULTS:
            continue
        connection.execute(
            f"COPY (SELECT * FROM read_parquet({_q(table)}) WHERE ocid IN (SELECT ocid FROM kept)) "
            f"TO {_q(target / table.name)} (FORMAT parquet)"
        )
    shutil.copy(source / "manifest.json", target / "manifest.json")
    row = connection.execute("SELECT count(*) FROM kept").fetchone()
    connection.close()
    return int(row[0]) if row else 0


def _build_indicators(connection: duckdb.DuckDBPyConnection, dataset: Path, target: Path, years: list[int]) -> None:
    codes = aggregate_indicators()
    code_list = ", ".join(f"'{code}'" for code in codes)
    connection.execute(
        f"CREATE TABLE slices AS SELECT '{ALL}' AS slice, indicator, level, id, value, reason FROM results "
        f"WHERE level IN ('dataset', 'buyer') AND indicator IN ({code_list})"
    )
    with tempfile.TemporaryDirectory(prefix="civicbuy-slice-", dir=target.parent) as temporary:
        for year in years:
            folder = Path(temporary) / str(year)
            _slice_dataset(dataset, folder, year)
            connection.register("year_results", api.compute_indicators(folder, codes=codes, store=False))
            connection.execute(
                f"INSERT INTO slices SELECT '{year}', indicator, level, id, value, reason FROM year_results "
                "WHERE level IN ('dataset', 'buyer')"
            )
            connection.unregister("year_results")
            shutil.rmtree(folder, ignore_errors=True)
    connection.execute(
        f"COPY (SELECT * FROM slices ORDER BY slice, indicator, level, id) TO {_q(target)} (FORMAT parquet)"
    )


def _build_overview(connection: duckdb.DuckDBPyConnection, dataset: Path, facts: Path) -> dict[str, Any]:
    manifest = orjson.loads((dataset / "manifest.json").read_bytes())
    f = _q(facts)
    processes, buyers = connection.execute(
        f"SELECT count(*), count(DISTINCT buyer_id) FROM read_parquet({f})"
    ).fetchone() or (0, 0)
    suppliers_row = connection.execute("SELECT count(DISTINCT supplier_id) FROM suppliers").fetchone()
    spend_row = connection.execute(
        "SELECT value FROM results WHERE indicator = 'spend.awarded_value' AND level = 'dataset'"
    ).fetchone()
    currency_row = connection.execute(
        "SELECT value_currency FROM awards WHERE status = 'active' AND value_currency IS NOT NULL "
        "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    computable = []
    missing = []
    for declared in all_indicators():
        row = connection.execute(
            "SELECT count(value) FILTER (WHERE value IS NOT NULL OR flagged IS NOT NULL), "
            "any_value(reason) FILTER (WHERE reason IS NOT NULL AND reason <> '') FROM results WHERE indicator = ?",
            [declared.code],
        ).fetchone()
        if row and row[0]:
            computable.append(declared.code)
        else:
            missing.append(
                {"code": declared.code, "reason": (row[1] if row else None) or "", "inputs": list(declared.inputs)}
            )
    years = [
        row[0]
        for row in connection.execute(
            f"SELECT DISTINCT year FROM read_parquet({f}) WHERE year IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    buyer_rows = connection.execute(
        f"SELECT buyer_id, any_value(buyer_name), count(*) FROM read_parquet({f}) WHERE buyer_id <> '' "
        "GROUP BY 1 ORDER BY 2"
    ).fetchall()
    cpvs = [
        r[0]
        for r in connection.execute(
            f"SELECT DISTINCT cpv FROM read_parquet({f}) WHERE cpv <> '' ORDER BY 1"
        ).fetchall()
    ]
    methods = [
        r[0]
        for r in connection.execute(
            f"SELECT DISTINCT method FROM read_parquet({f}) WHERE method <> '' ORDER BY 1"
        ).fetchall()
    ]
    return {
        "processes": int(processes),
        "buyers": int(buyers),
        "suppliers": int(suppliers_row[0]) if suppliers_row else 0,
        "spend": float(spend_row[0]) if spend_row and spend_row[0] is not None else None,
        "currency": currency_row[0] if currency_row else "",
        "period": manifest.get("period", {}),
        "source": manifest.get("source", {}),
        "generated_at": manifest.get("generated_at"),
        "warnings": manifest.get("warnings", [])[:20],
        "computable": computable,
        "missing": missing,
        "indicator_count": len(computable) + len(missing),
        "years": years,
        "trend_years": years[-MAX_YEARS:],
        "buyer_choices": [{"id": r[0], "name": r[1], "processes": int(r[2])} for r in buyer_rows],
        "cpv_choices": cpvs,
        "method_choices": methods,
    }


def build(dataset: Path, target: Path) -> None:
    """Precompute the dashboard's figures for the engine dataset at ``dataset`` into ``target``."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    connection = _connect(dataset)
    _build_facts(connection, partial / FACTS)
    overview = _build_overview(connection, dataset, partial / FACTS)
    _build_indicators(connection, dataset, partial / INDICATORS, overview["trend_years"])
    (partial / OVERVIEW).write_bytes(orjson.dumps(overview, option=orjson.OPT_INDENT_2))
    connection.close()
    from civicbuy.dashboard import cards, charts

    summary = Summary(partial)
    biggest = sorted(overview["buyer_choices"], key=lambda b: -b["processes"])[:PRERENDER_BUYERS]
    variants = [Filters(year=year) for year in [None, *overview["trend_years"]]]
    variants += [Filters(buyer=b["id"]) for b in biggest]
    unique: dict[str, charts.Chart] = {}
    report_charts: list[charts.Chart] = []
    for code, _name in settings.LANGUAGES:  # the other languages' charts: the unfiltered view only
        with translation.override(code):
            for filters in variants if code == settings.LANGUAGE_CODE[:2] else variants[:1]:
                for card in cards.family_cards(summary, filters):
                    unique.update((chart.key, chart) for chart in card.charts)
                    if filters == variants[0] and code == settings.LANGUAGE_CODE[:2]:
                        report_charts.extend(card.charts)
    summary.close()
    # vl-convert draws in parallel threads (about twice as fast on two cores).
    with ThreadPoolExecutor(max_workers=RENDER_THREADS) as pool:
        list(pool.map(lambda chart: charts.render(chart, partial / charts.CACHE), unique.values()))
        # The PDF report's images of the unfiltered view (from those SVGs), so its first download is fast too.
        list(pool.map(lambda chart: charts.raster(chart, partial / charts.CACHE), report_charts))
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)


# --------------------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Filters:
    """The page's filters (all optional), as they appear in the URL."""

    year: int | None = None
    buyer: str | None = None
    cpv: str | None = None
    method: str | None = None

    @property
    def active(self) -> bool:
        """Return whether any filter is set."""
        return any(value not in (None, "") for value in (self.year, self.buyer, self.cpv, self.method))

    @property
    def only_period(self) -> bool:
        """Return whether the engine's per-year indicators can answer (no CPV or method filter)."""
        return not self.cpv and not self.method

    def where(self) -> tuple[str, list[Any]]:
        """Return a SQL condition on ``facts`` and its parameters."""
        clauses, parameters = ["TRUE"], []
        for column, value in (
            ("year", self.year),
            ("buyer_id", self.buyer),
            ("cpv", self.cpv),
            ("method", self.method),
        ):
            if value not in (None, ""):
                clauses.append(f"{column} = ?")
                parameters.append(value)
        return " AND ".join(clauses), parameters

    def as_query(self) -> dict[str, str]:
        """Return the filters as URL query parameters."""
        pairs = {"year": self.year, "buyer": self.buyer, "cpv": self.cpv, "method": self.method}
        return {key: str(value) for key, value in pairs.items() if value not in (None, "")}


@dataclass
class FlagRate:
    """One red flag over the filtered processes."""

    code: str
    applicable: int
    flagged: int

    @property
    def share(self) -> float | None:
        """Return the share of applicable processes flagged."""
        return self.flagged / self.applicable if self.applicable else None


@dataclass
class Summary:
    """The precomputed summary of one dataset, read on demand."""

    path: Path
    #: The engine's dataset the summary was built from (its flat tables; default: ``../data``).
    engine: Path | None = None
    overview: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        if self.engine is None:
            self.engine = self.path.parent / "data"
        self.overview = orjson.loads((self.path / OVERVIEW).read_bytes())
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._values: dict[str, dict[tuple[str, str, str], float | None]] = {}

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with ``facts`` and ``indicators`` views."""
        if self._connection is None:
            connection = duckdb.connect()
            connection.execute("SET enable_progress_bar = false")
            connection.execute(f"CREATE VIEW facts AS SELECT * FROM read_parquet({_q(self.path / FACTS)})")
            connection.execute(f"CREATE VIEW indicators AS SELECT * FROM read_parquet({_q(self.path / INDICATORS)})")
            self._connection = connection
        return self._connection

    def close(self) -> None:
        """Close the DuckDB connection."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def buyer_name(self, buyer_id: str) -> str:
        """Return the name of a buyer (its id when unknown)."""
        for choice in self.overview["buyer_choices"]:
            if choice["id"] == buyer_id:
                return str(choice["name"] or buyer_id)
        return buyer_id

    # Engine indicators (dataset and buyer level)

    def indicator_values(self, slice_name: str = ALL) -> dict[tuple[str, str, str], float | None]:
        """Map (indicator, level, id) to the value in one slice (``all`` or a year); read once per slice."""
        if slice_name not in self._values:
            rows = self.connection.execute(
                "SELECT indicator, level, id, value FROM indicators WHERE slice = ?", [slice_name]
            ).fetchall()
            self._values[slice_name] = {(r[0], r[1], r[2]): r[3] for r in rows}
        return self._values[slice_name]

    def engine_values(
        self, filters: Filters, *, wait: bool = True, then: Callable[[], None] | None = None
    ) -> dict[tuple[str, str, str], float | None] | None:
        """Map (indicator, level, id) to the engine's value over the filtered processes (any buyer).

        Without a CPV division or method filter, the values precomputed at ingest (all years, or the chosen
        year when it is one of the trend years). Otherwise the engine's own indicators computed on just the
        processes of that CPV division, method (and year), once, then kept beside the summary. That takes
        seconds, so with ``wait=False`` (pages) it runs in the background and None means "not ready yet"; ``then``
        runs in that background job once the values are stored (pages draw their charts there, so that the next
        view of the page finds them drawn instead of drawing them while it renders).
        """
        if filters.only_period:
            return self.indicator_values(self.year_slice(filters))
        return self._filtered_values(replace(filters, buyer=None), wait=wait, then=then)

    def year_slice(self, filters: Filters) -> str:
        """Return the precomputed slice that answers ``filters``' period (``all`` when the year has none)."""
        years = {str(year) for year in self.overview["trend_years"]}
        return str(filters.year) if filters.year and str(filters.year) in years else ALL

    def _filtered_values(
        self, filters: Filters, *, wait: bool, then: Callable[[], None] | None = None
    ) -> dict[tuple[str, str, str], float | None] | None:
        cache_key = "filtered:" + orjson.dumps(filters.as_query(), option=orjson.OPT_SORT_KEYS).decode()
        if cache_key in self._values:
            return self._values[cache_key]
        digest = hashlib.sha256(cache_key.encode()).hexdigest()[:24]
        cached = self.path / FILTERED / f"{digest}.parquet"
        assert self.engine is not None  # noqa: S101 - set in __post_init__
        if not cached.exists():
            if not wait:
                _compute_later(self.path, self.engine, filters, cached, then)
                return None
            _compute_filtered(self.path, self.engine, filters, cached)
        rows = self.connection.execute(
            f"SELECT indicator, level, id, value FROM read_parquet({_q(cached)})"
        ).fetchall()
        self._values[cache_key] = {(r[0], r[1], r[2]): r[3] for r in rows}
        return self._values[cache_key]

    def indicator_trend(self, codes: list[str], level: str, identifier: str) -> dict[str, dict[int, float | None]]:
        """Return each indicator's value by year (``level``/``identifier``: dataset/dataset or buyer/<id>)."""
        rows = self.connection.execute(
            "SELECT indicator, slice, value FROM indicators WHERE slice <> ? AND level = ? AND id = ? "
            "AND list_contains(?, indicator) ORDER BY slice",
            [ALL, level, identifier, codes],
        ).fetchall()
        trend: dict[str, dict[int, float | None]] = {code: {} for code in codes}
        for code, year, value in rows:
            trend[code][int(year)] = value
        return trend

    def reasons(self) -> dict[str, str]:
        """Return why each not-computable indicator could not be computed."""
        return {entry["code"]: entry["reason"] for entry in self.overview["missing"]}

    # Red flags (process level), filtered freely

    def flag_rates(self, filters: Filters) -> dict[str, FlagRate]:
        """Return each red flag's counts over the filtered processes."""
        codes = process_flags()
        where, parameters = filters.where()
        select = ", ".join(f'count("{c}"), coalesce(sum("{c}"), 0)' for c in codes)
        row = self.connection.execute(f"SELECT {select} FROM facts WHERE {where}", parameters).fetchone()
        row = row or tuple(0 for _ in range(2 * len(codes)))
        return {code: FlagRate(code, int(row[2 * i]), int(row[2 * i + 1])) for i, code in enumerate(codes)}

    def any_flag(self, filters: Filters, group: str | None = None) -> list[tuple[Any, int, int]]:
        """Return (group, processes with any flag applicable, processes flagged) for ``group`` (None: total)."""
        codes = process_flags()
        applicable = " OR ".join(f'"{c}" IS NOT NULL' for c in codes) or "FALSE"
        where, parameters = filters.where()
        key = group or "'all'"
        rows = self.connection.execute(
            f"SELECT {key}, count(*) FILTER (WHERE {applicable}), count(*) FILTER (WHERE flag_count > 0) "
            f"FROM facts WHERE {where} GROUP BY 1 ORDER BY 1",
            parameters,
        ).fetchall()
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    def counts(self, filters: Filters) -> dict[str, Any]:
        """Return processes, buyers, value and flagged processes over the filtered processes."""
        where, parameters = filters.where()
        row = self.connection.execute(
            f"SELECT count(*), count(DISTINCT buyer_id), count(*) FILTER (WHERE flag_count > 0) "
            f"FROM facts WHERE {where}",
            parameters,
        ).fetchone() or (0, 0, 0)
        return {"processes": int(row[0]), "buyers": int(row[1]), "flagged": int(row[2])}

    def buyers(self, filters: Filters) -> list[dict[str, Any]]:
        """Return one row per buyer: processes, flagged processes and tender value by currency."""
        where, parameters = filters.where()
        rows = self.connection.execute(
            f"SELECT buyer_id, any_value(buyer_name), count(*), count(*) FILTER (WHERE flag_count > 0), "
            f"sum(value) FILTER (WHERE currency = ?) FROM facts WHERE {where} AND buyer_id <> '' "
            "GROUP BY 1 ORDER BY 2",
            [self.overview["currency"], *parameters],
        ).fetchall()
        return [
            {"id": r[0], "name": r[1] or r[0], "processes": int(r[2]), "flagged": int(r[3]), "value": r[4]}
            for r in rows
        ]

    def flagged_processes(
        self, filters: Filters, code: str | None, offset: int, limit: int
    ) -> tuple[int, list[dict[str, Any]]]:
        """Return the number of flagged processes and one page of them (newest first)."""
        where, parameters = filters.where()
        condition = f'"{code}" = 1' if code in process_flags() else "flag_count > 0"
        total_row = self.connection.execute(
            f"SELECT count(*) FROM facts WHERE {where} AND {condition}",
            parameters,
        ).fetchone()
        rows = self.connection.execute(
            f"SELECT * FROM facts WHERE {where} AND {condition} ORDER BY date DESC NULLS LAST, ocid "
            f"LIMIT {int(limit)} OFFSET {int(offset)}",
            parameters,
        )
        names = [d[0] for d in rows.description]
        return int(total_row[0]) if total_row else 0, [dict(zip(names, r, strict=True)) for r in rows.fetchall()]

    def process(self, ocid: str) -> dict[str, Any] | None:
        """Return the facts row of one process."""
        cursor = self.connection.execute("SELECT * FROM facts WHERE ocid = ?", [ocid])
        names = [d[0] for d in cursor.description]
        row = cursor.fetchone()
        return dict(zip(names, row, strict=True)) if row else None

    def table_rows(self, sql: str, parameters: list[Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run a read-only query on the summary views; return column names and rows (for exports)."""
        cursor = self.connection.execute(sql, parameters)
        return [d[0] for d in cursor.description], cursor.fetchall()


def _compute_filtered(path: Path, engine: Path, filters: Filters, cached: Path) -> None:
    """Run the engine's aggregate indicators on the processes of ``filters``; write them to ``cached``."""
    where, parameters = filters.where()
    cached.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="civicbuy-filter-", dir=cached.parent) as temporary:
        folder = Path(temporary) / "data"
        kept = _copy_processes(
            engine.resolve(), folder, f"SELECT ocid FROM read_parquet({_q(path / FACTS)}) WHERE {where}", parameters
        )
        connection = duckdb.connect()
        if kept:
            connection.register("found", api.compute_indicators(folder, codes=aggregate_indicators(), store=False))
            select = "SELECT indicator, level, id, value FROM found WHERE level IN ('dataset', 'buyer')"
        else:
            select = (
                "SELECT ''::VARCHAR AS indicator, ''::VARCHAR AS level, ''::VARCHAR AS id, "
                "NULL::DOUBLE AS value LIMIT 0"
            )
        partial = Path(temporary) / "values.parquet"
        connection.execute(f"COPY ({select}) TO {_q(partial)} (FORMAT parquet)")
        connection.close()
        partial.replace(cached)


#: Filtered figures missing on disk are computed here, one at a time, while the page says they are coming.
_BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="filtered-figures")
_PENDING: set[str] = set()
_PENDING_LOCK = threading.Lock()


def _compute_later(
    path: Path, engine: Path, filters: Filters, cached: Path, then: Callable[[], None] | None = None
) -> None:
    def run() -> None:
        try:
            _compute_filtered(path, engine, filters, cached)
            if then is not None:
                then()
        except Exception:  # the page keeps saying "not ready" (or draws its charts itself); the log says why
            logger.exception("could not compute the figures for %s", filters.as_query())
        finally:
            with _PENDING_LOCK:
                _PENDING.discard(str(cached))

    with _PENDING_LOCK:
        if str(cached) in _PENDING:
            return
        _PENDING.add(str(cached))
    after_response.submit(_BACKGROUND, run)


def median(values: list[float | None] | list[float]) -> float | None:
    """Return the median of the values that are known."""
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def dumps(value: Any) -> str:
    """JSON text for templates (vega specs)."""
    return json.dumps(value, default=str)


def flag_rates_by(summary: Summary, filters: Filters, group: str) -> dict[str, dict[str, FlagRate]]:
    """Return each red flag's counts per value of ``group`` (``buyer_id`` or ``year``)."""
    codes = process_flags()
    where, parameters = filters.where()
    select = ", ".join(f'count("{c}"), coalesce(sum("{c}"), 0)' for c in codes)
    rows = summary.connection.execute(
        f"SELECT {group}, {select} FROM facts WHERE {where} GROUP BY 1",
        parameters,
    ).fetchall()
    return {
        str(row[0]): {code: FlagRate(code, int(row[1 + 2 * i]), int(row[2 + 2 * i])) for i, code in enumerate(codes)}
        for row in rows
    }
