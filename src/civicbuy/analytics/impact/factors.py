"""Emission factors: CivicBuy's curated table by CPV code, imports of official files, supplier intensities.

The bundled table (``data/factors.csv``) gives, per CPV prefix (division, group, class...), a spend-based factor
derived from a named source factor: the mean of the US EPA v1.3 "with margins" factors of the NAICS codes chosen
for that CPV prefix (or the DEFRA factor of a SIC code where EPA has none, e.g. electricity), with the codes, their
figures, the unit, currency and price year stated on the row. The most specific (longest) matching prefix wins.

:func:`import_factors` reads the official EPA or DEFRA file (to refresh the figures behind the same mapping) or a
user's own CSV: rows keyed by ``cpv_prefix`` replace or add category factors; rows keyed by ``supplier_id`` are
supplier-specific intensities, which override the category factor for that supplier's contracts.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from civicbuy.analytics.impact.exceptions import ImpactError
from civicbuy.analytics.impact.sources import read_data, sources

FIELDS = (
    "cpv_prefix",
    "label",
    "factor",
    "low",
    "high",
    "unit",
    "currency",
    "price_year",
    "price_basis",
    "source",
    "source_codes",
    "source_figures",
    "method",
    "note",
)
SUPPLIER_FIELDS = ("supplier_id", "factor", "low", "high", "currency", "price_year", "source", "note")
EPA_CODE = "2017 NAICS Code"
EPA_FACTOR = "Supply Chain Emission Factors with Margins"
DEFRA_CODE = "sic_code"
DEFRA_FACTOR = "ghg_kgco2e_per_gbp"
MAX_FACTOR = 100.0  # kg CO2e per unit of money: anything above is a typo, not a factor


@dataclass(frozen=True)
class FactorRow:
    """A category factor: kg CO2e per unit of ``currency`` at ``price_year`` prices, for a CPV prefix."""

    cpv_prefix: str
    label: str
    factor: float
    low: float
    high: float
    unit: str
    currency: str
    price_year: int
    source: str
    source_codes: tuple[str, ...] = ()
    source_figures: tuple[float, ...] = ()
    method: str = ""
    note: str = ""
    price_basis: str = "purchaser"

    def as_dict(self) -> dict[str, Any]:
        """Return the row as JSON-ready data, with its source's citation."""
        data = asdict(self)
        data["source_codes"] = list(self.source_codes)
        data["source_figures"] = list(self.source_figures)
        cited = sources().get(self.source)
        data["citation"] = cited.citation() if cited else self.source
        return data


@dataclass(frozen=True)
class SupplierFactor:
    """A supplier's own intensity (e.g. its reported emissions / revenue), kg CO2e per unit of money."""

    supplier_id: str
    factor: float
    low: float
    high: float
    currency: str
    price_year: int
    source: str
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the intensity as JSON-ready data."""
        return asdict(self)


@dataclass
class FactorTable:
    """Category factors by CPV prefix, supplier intensities by supplier id, and the problems met loading them."""

    rows: dict[str, FactorRow]
    suppliers: dict[str, SupplierFactor] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    origin: str = "bundled"

    def match(self, cpv: str) -> FactorRow | None:
        """Return the row of the longest prefix of the 8-digit ``cpv`` code (None when no row matches)."""
        for length in range(min(len(cpv), 8), 1, -1):
            row = self.rows.get(cpv[:length])
            if row is not None:
                return row
        return None

    def supplier(self, supplier_id: str) -> SupplierFactor | None:
        """Return the supplier's own intensity, if one was imported."""
        return self.suppliers.get(supplier_id) if supplier_id else None


@dataclass(frozen=True)
class Conversion:
    """Exchange rates (units per EUR by year) and price indices by currency, from ``data/conversion.yaml``."""

    rates: dict[str, dict[int, float]]
    indices: dict[str, dict[int, float]]
    sources: dict[str, str]
    model_uncertainty: float
    absurd_amount_eur: float

    def knows(self, currency: str) -> bool:
        """Return whether ``currency`` can be converted."""
        return currency in self.rates

    @staticmethod
    def _nearest(table: dict[int, float], year: int) -> tuple[float, bool]:
        if year in table:
            return table[year], False
        nearest = min(table, key=lambda known: (abs(known - year), -known))
        return table[nearest], True

    def rate(self, currency: str, year: int) -> tuple[float, bool]:
        """Return (units of ``currency`` per EUR in ``year``, whether the nearest year was used)."""
        return self._nearest(self.rates[currency], year)

    def to_eur(self, amount: float, currency: str, year: int) -> float:
        """Return ``amount`` in EUR at the year's average rate."""
        rate, _ = self.rate(currency, year)
        return amount / rate

    def convert(self, amount: float, currency: str, year: int, target: str, price_year: int) -> tuple[float, bool]:
        """Return ``amount`` (``currency``, ``year``) in ``target`` money at ``price_year`` prices.

        The second value says whether a year outside the tables was replaced by the nearest one.
        """
        source_rate, clamped_a = self.rate(currency, year)
        if target in self.indices:
            target_rate, clamped_b = self.rate(target, year)
            in_target = amount / source_rate * target_rate
            index_then, clamped_c = self._nearest(self.indices[target], year)
            index_factor, clamped_d = self._nearest(self.indices[target], price_year)
            return in_target * index_factor / index_then, clamped_a or clamped_b or clamped_c or clamped_d
        usd_then, clamped_b = self.rate("USD", year)
        usd_later, clamped_c = self.rate("USD", price_year)
        target_later, clamped_d = self.rate(target, price_year)
        in_usd = amount / source_rate * usd_then
        index_then, clamped_e = self._nearest(self.indices["USD"], year)
        index_later, clamped_f = self._nearest(self.indices["USD"], price_year)
        in_usd_later = in_usd * index_later / index_then
        clamped = clamped_a or clamped_b or clamped_c or clamped_d or clamped_e or clamped_f
        return in_usd_later / usd_later * target_later, clamped

    def as_dict(self) -> dict[str, Any]:
        """Return the conversion tables as JSON-ready data."""
        return {
            "exchange_rates": {c: {str(y): v for y, v in t.items()} for c, t in self.rates.items()},
            "price_indices": {c: {str(y): v for y, v in t.items()} for c, t in self.indices.items()},
            "sources": self.sources,
            "model_uncertainty": self.model_uncertainty,
            "absurd_amount_eur": self.absurd_amount_eur,
        }


@cache
def load_conversion() -> Conversion:
    """Return the bundled currency and price-year conversion (``data/conversion.yaml``)."""
    data = yaml.safe_load(read_data("conversion.yaml"))
    rates_data = dict(data["exchange_rates"])
    rates_source = rates_data.pop("source")
    rates = {currency: {int(y): float(v) for y, v in table.items()} for currency, table in rates_data.items()}
    indices = {c: {int(y): float(v) for y, v in t["values"].items()} for c, t in data["price_indices"].items()}
    cited = {"exchange_rates": rates_source} | {
        f"price_index_{c}": t["source"] for c, t in data["price_indices"].items()
    }
    uncertainty = data["model_uncertainty"]
    cited["model_uncertainty"] = uncertainty["source"]
    return Conversion(rates, indices, cited, float(uncertainty["share"]), float(data["absurd_amount_eur"]))


def _number(text: str, what: str, where: str) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ImpactError(f"{what} {text!r} is not a number", path=where) from None
    if not math.isfinite(value):
        raise ImpactError(f"{what} {text!r} is not a finite number", path=where)
    return value


def _factor_row(record: dict[str, str], where: str) -> FactorRow:
    prefix = (record.get("cpv_prefix") or "").strip().replace("-", "")
    if not prefix.isdigit() or not 2 <= len(prefix) <= 8:  # noqa: PLR2004 - CPV has 8 digits, divisions 2
        raise ImpactError(f"cpv_prefix {prefix!r} must be 2 to 8 digits of a CPV code", path=where)
    factor = _number(record.get("factor", ""), "factor", where)
    low = _number(record.get("low") or str(factor), "low", where)
    high = _number(record.get("high") or str(factor), "high", where)
    if not 0 <= low <= factor <= high <= MAX_FACTOR:
        raise ImpactError(
            f"factor {factor} must satisfy 0 <= low ({low}) <= factor <= high ({high}) <= 100", path=where
        )
    currency = (record.get("currency") or "").strip().upper()
    if len(currency) != 3:  # noqa: PLR2004 - ISO 4217
        raise ImpactError(f"currency {currency!r} must be an ISO 4217 code such as USD", path=where)
    source = (record.get("source") or "").strip()
    if not source:
        raise ImpactError("every factor needs a source", path=where)
    codes = tuple(code for code in (record.get("source_codes") or "").split(";") if code)
    figures = tuple(float(figure) for figure in (record.get("source_figures") or "").split(";") if figure)
    return FactorRow(
        cpv_prefix=prefix,
        label=(record.get("label") or "").strip() or prefix,
        factor=factor,
        low=low,
        high=high,
        unit=(record.get("unit") or f"kg CO2e per {currency}").strip(),
        currency=currency,
        price_year=int(_number(record.get("price_year", ""), "price_year", where)),
        price_basis=(record.get("price_basis") or "purchaser").strip(),
        source=source,
        source_codes=codes,
        source_figures=figures,
        method=(record.get("method") or "").strip(),
        note=(record.get("note") or "").strip(),
    )


def _supplier_row(record: dict[str, str], where: str) -> SupplierFactor:
    supplier_id = (record.get("supplier_id") or "").strip()
    factor = _number(record.get("factor", ""), "factor", where)
    low = _number(record.get("low") or str(factor), "low", where)
    high = _number(record.get("high") or str(factor), "high", where)
    if not 0 <= low <= factor <= high <= MAX_FACTOR:
        raise ImpactError(f"factor {factor} must satisfy 0 <= low <= factor <= high <= 100", path=where)
    currency = (record.get("currency") or "").strip().upper()
    source = (record.get("source") or "").strip()
    if len(currency) != 3 or not source:  # noqa: PLR2004 - ISO 4217
        raise ImpactError("a supplier intensity needs an ISO 4217 currency and a source", path=where)
    return SupplierFactor(
        supplier_id=supplier_id,
        factor=factor,
        low=low,
        high=high,
        currency=currency,
        price_year=int(_number(record.get("price_year", ""), "price_year", where)),
        source=source,
        note=(record.get("note") or "").strip(),
    )


def _read_csv(text: str, name: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        records = [(reader.line_num, dict(record)) for record in reader]
    except csv.Error as error:
        raise ImpactError(f"not a readable CSV file ({error})", path=name, line=reader.line_num) from None
    return [h.strip() for h in (reader.fieldnames or [])], records


def parse_factor_csv(text: str, name: str = "factors.csv", *, strict: bool = True) -> FactorTable:
    """Parse a CivicBuy factor CSV (category rows by ``cpv_prefix`` and/or supplier rows by ``supplier_id``).

    With ``strict`` a bad row raises :class:`ImpactError`; otherwise it is skipped and listed in ``problems``.
    """
    header, records = _read_csv(text, name)
    if "factor" not in header or not ({"cpv_prefix", "supplier_id"} & set(header)):
        raise ImpactError(
            "needs the columns factor, currency, price_year, source and cpv_prefix or supplier_id", path=name
        )
    table = FactorTable(rows={}, origin=name)
    for line, record in records:
        where = f"{name}, line {line}"
        try:
            if (record.get("supplier_id") or "").strip():
                supplier = _supplier_row(record, where)
                table.suppliers[supplier.supplier_id] = supplier
            else:
                row = _factor_row(record, where)
                table.rows[row.cpv_prefix] = row
        except ImpactError as error:
            if strict:
                raise
            table.problems.append(error.user_message())
    return table


@cache
def _bundled() -> FactorTable:
    return parse_factor_csv(read_data("factors.csv"), "factors.csv")


def load_factors(path: str | Path | None = None) -> FactorTable:
    """Return the bundled table, overlaid with the factor file at ``path`` when given (its rows win)."""
    bundled = _bundled()
    table = FactorTable(rows=dict(bundled.rows), suppliers=dict(bundled.suppliers), origin="bundled")
    if path is not None:
        overlay = import_factors(path)
        table = merge(table, overlay)
    return table


def merge(base: FactorTable, overlay: FactorTable) -> FactorTable:
    """Return ``base`` with ``overlay``'s category rows and supplier intensities replacing or adding to it."""
    return FactorTable(
        rows={**base.rows, **overlay.rows},
        suppliers={**base.suppliers, **overlay.suppliers},
        problems=[*base.problems, *overlay.problems],
        origin=f"{base.origin} + {overlay.origin}",
    )


def _official_figures(
    records: list[tuple[int, dict[str, str]]], code: str, factor: str, name: str
) -> dict[str, float]:
    figures: dict[str, float] = {}
    for line, record in records:
        key = (record.get(code) or "").strip()
        if key:
            figures[key] = _number(record.get(factor, ""), factor, f"{name}, line {line}")
    return figures


def _refresh(source: str, figures: dict[str, float], name: str) -> FactorTable:
    """Recompute the bundled rows of ``source`` from the official ``figures`` (same CPV-to-code mapping)."""
    table = FactorTable(rows={}, origin=name)
    for prefix, row in _bundled().rows.items():
        if row.source != source:
            continue
        missing = [code for code in row.source_codes if code not in figures]
        if missing:
            table.problems.append(f"{name}: no factor for {', '.join(missing)} (CPV {prefix}); bundled row kept")
            continue
        values = tuple(round(figures[code], 3) for code in row.source_codes)
        mean = round(statistics.fmean(values), 3)
        table.rows[prefix] = replace(row, factor=mean, low=min(values), high=max(values), source_figures=values)
    return table


def import_factors(path: str | Path) -> FactorTable:
    """Read an official EPA v1.3 or DEFRA file, or a user's own factor CSV, into a table to overlay.

    The official files refresh the figures behind CivicBuy's CPV mapping; a user's file adds or replaces
    category rows and supplier intensities. A malformed file raises :class:`ImpactError` naming the line.
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImpactError("is not a UTF-8 CSV file (save it as CSV UTF-8)", path=name) from None
    except OSError as error:
        raise ImpactError(f"cannot be read ({error.strerror})", path=name) from None
    header, records = _read_csv(text, name)
    if EPA_CODE in header and EPA_FACTOR in header:
        table = _refresh("epa", _official_figures(records, EPA_CODE, EPA_FACTOR, name), name)
    elif DEFRA_CODE in header and DEFRA_FACTOR in header:
        table = _refresh("defra", _official_figures(records, DEFRA_CODE, DEFRA_FACTOR, name), name)
    else:
        table = parse_factor_csv(text, name)
    if not table.rows and not table.suppliers:
        raise ImpactError("holds no usable factor rows", path=name)
    return table


def write_factors(table: FactorTable, path: str | Path) -> None:
    """Write ``table`` as a CivicBuy factor CSV (category rows, then supplier rows) that :func:`load_factors` reads."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*FIELDS, "supplier_id"])
    for row in sorted(table.rows.values(), key=lambda r: r.cpv_prefix):
        writer.writerow(
            [
                row.cpv_prefix, row.label, row.factor, row.low, row.high, row.unit, row.currency, row.price_year,
                row.price_basis, row.source, ";".join(row.source_codes),
                ";".join(f"{f:.3f}" for f in row.source_figures), row.method, row.note, "",
            ]
        )  # fmt: skip
    for supplier in sorted(table.suppliers.values(), key=lambda s: s.supplier_id):
        writer.writerow(
            [
                "", "", supplier.factor, supplier.low, supplier.high, "", supplier.currency, supplier.price_year,
                "", supplier.source, "", "", "", supplier.note, supplier.supplier_id,
            ]
        )  # fmt: skip
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_text(out.getvalue(), encoding="utf-8")
    partial.replace(target)


def imported_factors_path(data_dir: str | Path | None = None) -> Path:
    """Where ``civicbuy impact factors import`` keeps the effective table (``<data dir>/impact/factors.csv``)."""
    import os

    return Path(data_dir or os.environ.get("CIVICBUY_DATA_DIR") or "var") / "impact" / "factors.csv"


def effective_factors(data_dir: str | Path | None = None, extra: str | Path | None = None) -> FactorTable:
    """Return the bundled table, overlaid with the imported one (if any), then with ``extra`` (if given)."""
    table = load_factors()
    imported = imported_factors_path(data_dir)
    if imported.exists():
        table = merge(table, parse_factor_csv(imported.read_text(encoding="utf-8"), str(imported), strict=False))
    if extra is not None:
        table = merge(table, import_factors(extra))
    return table
