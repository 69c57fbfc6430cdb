"""Carbon of spend, spend-based (GHG Protocol Scope 3, category 1 "purchased goods and services"): spend x factor.

For each spend line: convert the amount to the factor's currency and price year (:class:`factors.Conversion`),
multiply by the factor of the longest matching CPV prefix (or the supplier's own intensity, which wins), and give
a range: the low and high source figures, each widened by the stated model uncertainty. Totals add the lows and
the highs (errors are assumed to move together, the cautious reading).

Lines that cannot be estimated are never dropped: each is counted under a coverage gap with its reason, and
coverage is the share of spend (in EUR) that has a usable category.

When the optional classifier gave a line its division from the description (``cpv_source == "classified"``), the
estimate is made the same way but its spend and emissions are reported apart (``coverage_by_source``, and the
``classified_*`` figures of each division): a classified code is never counted as a published one.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from civicbuy.analytics.impact.sources import sources
from civicbuy.taxonomy import registry

if TYPE_CHECKING:
    from collections.abc import Iterable

    from civicbuy.analytics.impact.factors import Conversion, FactorRow, FactorTable, SupplierFactor
    from civicbuy.analytics.impact.spend import SpendLine

GAP_REASONS = {
    "missing_cpv": "No CPV code on the contract, award or tender items",
    "unknown_cpv": "CPV code not recognised (malformed or not in a known division)",
    "no_factor": "No emission factor for the CPV code",
    "missing_amount": "No amount",
    "unknown_currency": "Currency missing or not in the conversion table",
    "negative_amount": "Negative amount",
    "absurd_amount": "Amount too large to be a real contract",
}
TOP = 10


@dataclass(frozen=True)
class LineEstimate:
    """The estimate for one spend line (``gap`` names the reason when there is none)."""

    line: SpendLine
    spend_eur: float | None
    kg: float = 0.0
    kg_low: float = 0.0
    kg_high: float = 0.0
    factor: float | None = None
    factor_unit: str = ""
    factor_source: str = ""
    factor_key: str = ""
    converted_amount: float | None = None
    year_clamped: bool = False
    gap: str = ""

    @property
    def division(self) -> str:
        """Return the CPV division ("" when the line has no usable code)."""
        return self.line.cpv[:2] if self.line.cpv and self.line.cpv[0] != "?" else ""

    def as_dict(self) -> dict[str, Any]:
        """Return the estimate as JSON-ready data."""
        return {
            **self.line.as_dict(),
            "spend_eur": _round(self.spend_eur),
            "kg_co2e": _round(self.kg),
            "kg_co2e_low": _round(self.kg_low),
            "kg_co2e_high": _round(self.kg_high),
            "factor": self.factor,
            "factor_unit": self.factor_unit,
            "factor_source": self.factor_source,
            "factor_key": self.factor_key,
            "converted_amount": _round(self.converted_amount),
            "year_clamped": self.year_clamped,
            "gap": self.gap,
        }


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


@dataclass
class Group:
    """Totals of one CPV division or supplier."""

    key: str
    label: str
    spend_eur: float = 0.0
    kg: float = 0.0
    kg_low: float = 0.0
    kg_high: float = 0.0
    lines: int = 0
    classified_spend_eur: float = 0.0
    classified_kg: float = 0.0
    classified_lines: int = 0

    def add(self, estimate: LineEstimate) -> None:
        """Add one estimated line."""
        self.spend_eur += estimate.spend_eur or 0.0
        self.kg += estimate.kg
        self.kg_low += estimate.kg_low
        self.kg_high += estimate.kg_high
        self.lines += 1
        if estimate.line.cpv_source == "classified":
            self.classified_spend_eur += estimate.spend_eur or 0.0
            self.classified_kg += estimate.kg
            self.classified_lines += 1

    def as_dict(self, total_kg: float) -> dict[str, Any]:
        """Return the group as JSON-ready data, with its share of the total."""
        return {
            "key": self.key,
            "label": self.label,
            "spend_eur": round(self.spend_eur, 2),
            "tonnes_co2e": round(self.kg / 1000, 3),
            "tonnes_co2e_low": round(self.kg_low / 1000, 3),
            "tonnes_co2e_high": round(self.kg_high / 1000, 3),
            "share_of_emissions": round(self.kg / total_kg, 4) if total_kg else 0.0,
            "lines": self.lines,
            "classified_spend_eur": round(self.classified_spend_eur, 2),
            "classified_tonnes_co2e": round(self.classified_kg / 1000, 3),
            "classified_lines": self.classified_lines,
        }


@dataclass
class CarbonResult:
    """Every line's estimate, with totals, hot spots and coverage."""

    estimates: list[LineEstimate]
    table: FactorTable
    conversion: Conversion
    gaps: Counter[str] = field(default_factory=Counter)
    gap_spend: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def covered(self) -> list[LineEstimate]:
        """Return the lines with an estimate."""
        return [e for e in self.estimates if not e.gap]

    @property
    def total_kg(self) -> float:
        """Return the central total, kg CO2e."""
        return sum(e.kg for e in self.estimates)

    @property
    def total_kg_low(self) -> float:
        """Return the low end of the total, kg CO2e."""
        return sum(e.kg_low for e in self.estimates)

    @property
    def total_kg_high(self) -> float:
        """Return the high end of the total, kg CO2e."""
        return sum(e.kg_high for e in self.estimates)

    @property
    def spend_eur(self) -> float:
        """Return all spend that could be converted to EUR (covered or not)."""
        return sum(e.spend_eur for e in self.estimates if e.spend_eur is not None and e.spend_eur >= 0)

    @property
    def covered_spend_eur(self) -> float:
        """Return the spend with an estimate, EUR."""
        return sum(e.spend_eur or 0.0 for e in self.covered)

    @property
    def coverage(self) -> float:
        """Return the share of convertible spend that has a usable category (0 when there is no spend)."""
        total = self.spend_eur
        return self.covered_spend_eur / total if total else 0.0

    def conversion_sources(self) -> list[dict[str, str]]:
        """Return the citation of each conversion table (exchange rates, each price index, the model uncertainty)."""
        cited = sources()
        out = []
        for use, source in self.conversion.sources.items():
            kind, _, currency = use.partition("_index_") if use.startswith("price_index_") else (use, "", "")
            out.append(
                {
                    "kind": "price_index" if currency else kind,
                    "currency": currency,
                    "source": source,
                    "citation": cited[source].citation() if source in cited else source,
                }
            )
        return out

    def price_years(self) -> list[dict[str, Any]]:
        """Return the money each used factor is expressed in (currency, price year) and its price index's source.

        Spend is converted to that currency at the ECB annual average rate of the spend's year, then to the price
        year with the currency's consumer price index (docs/impact.md, "Conversion").
        """
        pairs = {self._money(e.factor_key) for e in self.covered}
        return [
            {
                "currency": currency,
                "price_year": year,
                "price_index": self.conversion.sources.get(f"price_index_{currency}"),
            }
            for currency, year in sorted(pair for pair in pairs if pair[0])
        ]

    def _money(self, key: str) -> tuple[str, int]:
        if key.startswith("supplier:"):
            supplier = self.table.suppliers.get(key.removeprefix("supplier:"))
            return (supplier.currency, supplier.price_year) if supplier else ("", 0)
        row = self.table.rows.get(key.removeprefix("cpv:"))
        return (row.currency, row.price_year) if row else ("", 0)

    def coverage_by_source(self) -> dict[str, dict[str, Any]]:
        """Return spend, emissions and share of spend estimated from published codes and from classified ones."""
        total = self.spend_eur
        out: dict[str, dict[str, Any]] = {}
        for source in ("published", "classified"):
            lines = [e for e in self.covered if e.line.cpv_source == source]
            spend = sum(e.spend_eur or 0.0 for e in lines)
            out[source] = {
                "lines": len(lines),
                "spend_eur": round(spend, 2),
                "share_of_spend": round(spend / total, 4) if total else 0.0,
                "tonnes_co2e": round(sum(e.kg for e in lines) / 1000, 3),
            }
        out["classified"]["label"] = "classified from item descriptions, not published"
        return out

    def by_division(self, language: str = "en") -> list[Group]:
        """Return emissions per CPV division, largest first."""
        groups: dict[str, Group] = {}
        for estimate in self.covered:
            key = estimate.division
            if key not in groups:
                groups[key] = Group(key, registry.label("cpv_division", key, language))
            groups[key].add(estimate)
        return sorted(groups.values(), key=lambda g: -g.kg)

    def by_supplier(self) -> list[Group]:
        """Return emissions per supplier, largest first (lines with no supplier under "")."""
        groups: dict[str, Group] = {}
        for estimate in self.covered:
            key = estimate.line.supplier_id
            if key not in groups:
                groups[key] = Group(key, estimate.line.supplier_name or key or "(no supplier named)")
            groups[key].add(estimate)
        return sorted(groups.values(), key=lambda g: -g.kg)

    def summary(self, language: str = "en", top: int = TOP) -> dict[str, Any]:
        """Return the carbon section of the report as JSON-ready data."""
        total = self.total_kg
        used = sorted({e.factor_key for e in self.covered})
        clamped = sum(1 for e in self.covered if e.year_clamped)
        return {
            "method": "spend-based (GHG Protocol Scope 3, category 1): spend converted to the factor's currency "
            "and price year x kg CO2e per unit of money; ranges from the source figures widened by "
            f"{self.conversion.model_uncertainty:.0%} on each side",
            "total_tonnes_co2e": round(total / 1000, 3),
            "total_tonnes_co2e_low": round(self.total_kg_low / 1000, 3),
            "total_tonnes_co2e_high": round(self.total_kg_high / 1000, 3),
            "spend_eur": round(self.spend_eur, 2),
            "covered_spend_eur": round(self.covered_spend_eur, 2),
            "coverage": round(self.coverage, 4),
            "coverage_percent": round(self.coverage * 100, 1),
            "coverage_by_source": self.coverage_by_source(),
            "lines": len(self.estimates),
            "covered_lines": len(self.covered),
            "years_outside_tables": clamped,
            "gaps": [
                {
                    "reason": reason,
                    "description": GAP_REASONS[reason],
                    "lines": count,
                    "amounts_by_currency": {c: round(a, 2) for c, a in sorted(self.gap_spend.get(reason, {}).items())},
                }
                for reason, count in sorted(self.gaps.items(), key=lambda kv: -kv[1])
            ],
            "by_division": [g.as_dict(total) for g in self.by_division(language)],
            "by_supplier": [g.as_dict(total) for g in self.by_supplier()[:top]],
            "factors_used": [
                row.as_dict() for key in used if (row := self.table.rows.get(key.removeprefix("cpv:"))) is not None
            ],
            "supplier_factors_used": [
                s.as_dict() for key in used if (s := self.table.suppliers.get(key.removeprefix("supplier:")))
            ],
            "price_years": self.price_years(),
            "conversion": self.conversion.as_dict(),
            "conversion_sources": self.conversion_sources(),
            "factor_problems": list(self.table.problems),
        }


def _gap_reason(line: SpendLine, table: FactorTable, conversion: Conversion) -> str:  # noqa: PLR0911 - one reason each
    if line.amount is None or not math.isfinite(line.amount):
        return "missing_amount"
    if not line.currency or not conversion.knows(line.currency):
        return "unknown_currency"
    if line.amount < 0:
        return "negative_amount"
    if conversion.to_eur(line.amount, line.currency, line.year or _latest(conversion)) > conversion.absurd_amount_eur:
        return "absurd_amount"
    if table.supplier(line.supplier_id):
        return ""
    if not line.cpv:
        return "missing_cpv"
    if line.cpv.startswith("?") or line.cpv[:2] not in registry.cpv_divisions():
        return "unknown_cpv"
    if table.match(line.cpv) is None:
        return "no_factor"
    return ""


def _latest(conversion: Conversion) -> int:
    return max(conversion.rates["EUR"])


def kg_for(
    amount: float, currency: str, year: int, factor: FactorRow | SupplierFactor, conversion: Conversion
) -> tuple[float, float, float, float, bool]:
    """Return (converted amount, kg central, kg low, kg high, year clamped) for spending ``amount`` at ``factor``."""
    converted, clamped = conversion.convert(amount, currency, year, factor.currency, factor.price_year)
    widen = conversion.model_uncertainty
    return (
        converted,
        converted * factor.factor,
        converted * factor.low * (1 - widen),
        converted * factor.high * (1 + widen),
        clamped,
    )


def estimate_line(line: SpendLine, table: FactorTable, conversion: Conversion) -> LineEstimate:
    """Return the estimate of one line, or a gap with its reason."""
    reason = _gap_reason(line, table, conversion)
    spend_eur = None
    if line.amount is not None and math.isfinite(line.amount) and line.currency and conversion.knows(line.currency):
        spend_eur = conversion.to_eur(line.amount, line.currency, line.year or _latest(conversion))
    if reason:
        return LineEstimate(line, spend_eur if reason != "absurd_amount" else None, gap=reason)
    assert line.amount is not None  # noqa: S101 - checked by _gap_reason
    supplier = table.supplier(line.supplier_id)
    factor: FactorRow | SupplierFactor
    if supplier is not None:
        factor, key = supplier, f"supplier:{supplier.supplier_id}"
        unit = f"kg CO2e per {supplier.currency} ({supplier.price_year})"
    else:
        row = table.match(line.cpv)
        assert row is not None  # noqa: S101 - checked by _gap_reason
        factor, key, unit = row, f"cpv:{row.cpv_prefix}", row.unit
    converted, kg, low, high, clamped = kg_for(
        line.amount, line.currency, line.year or _latest(conversion), factor, conversion
    )
    return LineEstimate(
        line,
        spend_eur,
        kg=kg,
        kg_low=low,
        kg_high=high,
        factor=factor.factor,
        factor_unit=unit,
        factor_source=factor.source,
        factor_key=key,
        converted_amount=converted,
        year_clamped=clamped,
    )


def estimate(lines: Iterable[SpendLine], table: FactorTable, conversion: Conversion) -> CarbonResult:
    """Estimate every line; count the ones that cannot be estimated by reason (and their amounts by currency)."""
    estimates = [estimate_line(line, table, conversion) for line in lines]
    gaps: Counter[str] = Counter()
    gap_spend: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for item in estimates:
        if item.gap:
            gaps[item.gap] += 1
            if item.line.amount is not None:
                gap_spend[item.gap][item.line.currency or "(none)"] += item.line.amount
    return CarbonResult(estimates, table, conversion, gaps, {k: dict(v) for k, v in gap_spend.items()})
