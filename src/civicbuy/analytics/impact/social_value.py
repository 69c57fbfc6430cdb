"""Social value: an open framework (themes, outcomes, measures with units), commitments and their delivery.

CivicBuy ships its own framework (``data/social_value.yaml``) with no proprietary proxy values; a money value is
attached only where an open source gives one, and the source is shown. Users with a licence for another framework
(e.g. National TOMs, which cannot be shipped) load their own file with :func:`load_framework`: the same YAML shape,
or a CSV with ``theme, outcome, measure_code, measure, unit`` and optional ``proxy_value, proxy_currency,
proxy_year, proxy_source``.

Commitments (what a supplier promised on a contract) and deliveries (what it reported, over the contract's life)
are summarised per supplier and theme: committed vs delivered quantity per measure, and money values where a
proxy exists (:func:`summarise`).
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from civicbuy.analytics.impact.exceptions import ImpactError
from civicbuy.analytics.impact.sources import read_data, sources

MAX_QUANTITY = 1e12


@dataclass(frozen=True)
class Proxy:
    """A money value per unit of a measure, from an open source (low and high where the source gives them)."""

    value: float
    currency: str
    price_year: int
    source: str
    low: float | None = None
    high: float | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the proxy with its citation."""
        cited = sources().get(self.source)
        return {
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "currency": self.currency,
            "price_year": self.price_year,
            "source": self.source,
            "citation": cited.citation() if cited else self.source,
            "note": self.note,
        }


@dataclass(frozen=True)
class Measure:
    """One measure: what is counted and in which unit."""

    code: str
    labels: dict[str, str]
    units: dict[str, str]
    theme: str
    outcome: str
    proxy: Proxy | None = None

    def label(self, language: str = "en") -> str:
        """Return the label in ``language`` (English when missing)."""
        return self.labels.get(language) or self.labels.get("en") or self.code

    def unit(self, language: str = "en") -> str:
        """Return the unit in ``language``."""
        return self.units.get(language) or self.units.get("en") or ""


@dataclass(frozen=True)
class Theme:
    """A theme of the framework, with its outcomes' labels and SDG targets."""

    code: str
    labels: dict[str, str]
    sdg_targets: tuple[str, ...] = ()
    outcomes: dict[str, dict[str, str]] = field(default_factory=dict)

    def label(self, language: str = "en") -> str:
        """Return the label in ``language``."""
        return self.labels.get(language) or self.labels.get("en") or self.code


@dataclass(frozen=True)
class Framework:
    """A social-value framework."""

    name: str
    themes: dict[str, Theme]
    measures: dict[str, Measure]
    licence: str = ""
    origin: str = "bundled"

    def as_dict(self, language: str = "en") -> dict[str, Any]:
        """Return the framework as JSON-ready data."""
        return {
            "name": self.name,
            "licence": self.licence,
            "origin": self.origin,
            "themes": [
                {
                    "code": theme.code,
                    "label": theme.label(language),
                    "sdg_targets": list(theme.sdg_targets),
                    "measures": [
                        {
                            "code": m.code,
                            "label": m.label(language),
                            "unit": m.unit(language),
                            "outcome": (theme.outcomes.get(m.outcome) or {}).get(language, m.outcome),
                            "proxy": m.proxy.as_dict() if m.proxy else None,
                        }
                        for m in self.measures.values()
                        if m.theme == theme.code
                    ],
                }
                for theme in self.themes.values()
            ],
        }


def _labels(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {"en": str(value or "")}


def _proxy(data: Any, where: str) -> Proxy | None:
    if not data:
        return None
    try:
        return Proxy(
            value=float(data["value"]),
            currency=str(data["currency"]).upper(),
            price_year=int(data["price_year"]),
            source=str(data["source"]),
            low=float(data["low"]) if data.get("low") is not None else None,
            high=float(data["high"]) if data.get("high") is not None else None,
            note=str(data.get("note") or ""),
        )
    except (KeyError, TypeError, ValueError):
        raise ImpactError("a proxy needs value, currency, price_year and source", path=where) from None


def parse_framework(data: Any, name: str = "framework") -> Framework:
    """Validate a framework in CivicBuy's YAML shape."""
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        raise ImpactError("a framework needs a list of themes", path=name)
    themes: dict[str, Theme] = {}
    measures: dict[str, Measure] = {}
    for t_index, theme in enumerate(data["themes"], start=1):
        where = f"{name}, theme {t_index}"
        if not isinstance(theme, dict) or not theme.get("code"):
            raise ImpactError("each theme needs a code", path=where)
        outcomes: dict[str, dict[str, str]] = {}
        for o_index, outcome in enumerate(theme.get("outcomes") or [], start=1):
            o_where = f"{where}, outcome {o_index}"
            if not isinstance(outcome, dict) or not outcome.get("code"):
                raise ImpactError("each outcome needs a code", path=o_where)
            outcomes[str(outcome["code"])] = _labels(outcome.get("label"))
            for m_index, measure in enumerate(outcome.get("measures") or [], start=1):
                m_where = f"{o_where}, measure {m_index}"
                if not isinstance(measure, dict) or not measure.get("code") or not measure.get("unit"):
                    raise ImpactError("each measure needs a code and a unit", path=m_where)
                code = str(measure["code"])
                if code in measures:
                    raise ImpactError(f"measure {code} appears twice", path=m_where)
                measures[code] = Measure(
                    code, _labels(measure.get("label") or code), _labels(measure["unit"]), str(theme["code"]),
                    str(outcome["code"]), _proxy(measure.get("proxy"), m_where),
                )  # fmt: skip
        themes[str(theme["code"])] = Theme(
            str(theme["code"]), _labels(theme.get("label") or theme["code"]),
            tuple(str(t) for t in theme.get("sdg_targets") or []), outcomes,
        )  # fmt: skip
    if not measures:
        raise ImpactError("the framework has no measures", path=name)
    return Framework(str(data.get("name") or Path(name).stem), themes, measures, str(data.get("licence") or ""), name)


def _framework_from_csv(text: str, name: str) -> Framework:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    required = {"theme", "measure_code", "unit"}
    if not required <= set(reader.fieldnames or []):
        raise ImpactError(f"a framework CSV needs the columns {', '.join(sorted(required))}", path=name)
    themes: dict[str, dict[str, Any]] = {}
    for record in reader:
        theme = themes.setdefault(record["theme"], {"code": record["theme"], "label": record["theme"], "outcomes": {}})
        outcome_code = record.get("outcome") or record["theme"]
        outcome = theme["outcomes"].setdefault(
            outcome_code, {"code": outcome_code, "label": outcome_code, "measures": []}
        )
        proxy = None
        if record.get("proxy_value"):
            proxy = {
                "value": record["proxy_value"],
                "currency": record.get("proxy_currency"),
                "price_year": record.get("proxy_year"),
                "source": record.get("proxy_source"),
            }
        outcome["measures"].append(
            {"code": record["measure_code"], "label": record.get("measure") or record["measure_code"],
             "unit": record["unit"], "proxy": proxy}
        )  # fmt: skip
    data = {
        "name": Path(name).stem,
        "licence": "user's own file (not shipped with CivicBuy)",
        "themes": [{**theme, "outcomes": list(theme["outcomes"].values())} for theme in themes.values()],
    }
    try:
        return parse_framework(data, name)
    except ImpactError as error:
        raise ImpactError(f"{error.message} (line {reader.line_num})", path=name) from None


def load_framework(path: str | Path | None = None) -> Framework:
    """Return the bundled framework, or a user's own (YAML in CivicBuy's shape, or CSV) at ``path``."""
    if path is None:
        return parse_framework(yaml.safe_load(read_data("social_value.yaml")), "social_value.yaml")
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ImpactError(f"cannot be read ({error})", path=name) from None
    if name.lower().endswith(".csv"):
        return _framework_from_csv(text, name)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ImpactError(f"is not valid YAML ({' '.join(str(error).split())[:200]})", path=name) from None
    framework = parse_framework(data, name)
    return Framework(
        framework.name, framework.themes, framework.measures, framework.licence or "user's own file", name
    )


@dataclass(frozen=True)
class Commitment:
    """What a supplier committed to deliver on a contract, for one measure."""

    contract_id: str
    supplier_id: str
    supplier_name: str
    measure: str
    quantity: float
    due: date | None = None


@dataclass(frozen=True)
class Delivery:
    """What a supplier reported delivering on a contract, for one measure, on a date."""

    contract_id: str
    supplier_id: str
    measure: str
    quantity: float
    date: date | None = None


@dataclass
class Parsed:
    """Rows read from a CSV file and the rows refused, each with its line and reason."""

    rows: list[Any] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _quantity(text: str | None) -> float:
    """Read a quantity written with a decimal point and no thousands separators.

    A comma is refused rather than guessed at: "2,5" is two and a half in Spanish and "2,500" two thousand five
    hundred in English, and reading either the wrong way would change a figure tenfold or more without a word.
    """
    raw = str(text or "").strip()
    if "," in raw:
        raise ValueError(
            f"quantity {raw!r} has a comma: write decimals with a point and no thousands separators (2.5, 2500)"
        )
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"quantity {raw!r} is not a number") from None
    if not (math.isfinite(value) and 0 <= value <= MAX_QUANTITY):
        raise ValueError(f"quantity {raw!r} is out of range (from 0 to {MAX_QUANTITY:,.0f})")
    return value


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text.strip()) if text and text.strip() else None


def parse_commitments(
    text: str, framework: Framework, name: str = "commitments.csv", *, deliveries: bool = False
) -> Parsed:
    """Parse a commitments CSV (``contract_id, supplier_id, supplier_name, measure, quantity, due_date``).

    With ``deliveries``, a deliveries CSV (``contract_id, supplier_id, measure, quantity, date``). Bad rows are
    refused with their line and reason in ``problems``, never silently dropped; a wrong header raises.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    # Spreadsheets write "contract_id, measure" and "Measure": the columns are found whatever the spaces or case.
    reader.fieldnames = [header.strip().lower() for header in reader.fieldnames or []]
    required = {"contract_id", "measure", "quantity"}
    if not required <= set(reader.fieldnames):
        raise ImpactError(f"needs the columns {', '.join(sorted(required))}", path=name)
    parsed = Parsed()
    for record in reader:
        where = f"{name}, line {reader.line_num}"
        measure = (record.get("measure") or "").strip()
        contract = (record.get("contract_id") or "").strip()
        if not contract or measure not in framework.measures:
            reason = "contract_id is empty" if not contract else f"unknown measure {measure!r}"
            parsed.problems.append(f"{where}: {reason}")
            continue
        supplier = (record.get("supplier_id") or "").strip()
        supplier_name = (record.get("supplier_name") or "").strip()
        if not deliveries and not (supplier or supplier_name):
            parsed.problems.append(f"{where}: supplier_id and supplier_name are both empty (who committed?)")
            continue
        try:
            quantity = _quantity(record.get("quantity"))
            if deliveries:
                parsed.rows.append(Delivery(contract, supplier, measure, quantity, _date(record.get("date"))))
            else:
                parsed.rows.append(
                    Commitment(contract, supplier, supplier_name, measure, quantity,
                               _date(record.get("due_date")))
                )  # fmt: skip
        except ValueError as error:
            parsed.problems.append(f"{where}: {error}")
    return parsed


def _money(measure: Measure, quantity: float) -> dict[str, Any] | None:
    if measure.proxy is None:
        return None
    proxy = measure.proxy
    return {
        "value": round(quantity * proxy.value, 2),
        "low": round(quantity * proxy.low, 2) if proxy.low is not None else None,
        "high": round(quantity * proxy.high, 2) if proxy.high is not None else None,
        "currency": proxy.currency,
        "price_year": proxy.price_year,
        "source": proxy.source,
    }


def summarise(
    framework: Framework,
    commitments: list[Commitment],
    deliveries: list[Delivery],
    language: str = "en",
) -> dict[str, Any]:
    """Return committed vs delivered per supplier, theme and measure (quantities in the measure's unit).

    A delivery counts for the supplier that committed on the same contract and measure: the one it names, or,
    when it names none, the only one that committed there. Any other delivery (no such commitment, or several
    suppliers and none named) counts for the supplier it names and is reported as delivered beyond commitments
    (never dropped).
    """
    names: dict[str, str] = {}
    suppliers_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    committed: dict[tuple[str, str], float] = defaultdict(float)
    delivered: dict[tuple[str, str], float] = defaultdict(float)
    for c in commitments:
        key = c.supplier_id or c.supplier_name  # a supplier without an identifier is known by its name
        committed[(key, c.measure)] += c.quantity
        suppliers_of[(c.contract_id, c.measure)].add(key)
        names.setdefault(key, c.supplier_name or key)
    unmatched = 0
    for d in deliveries:
        committing = suppliers_of.get((d.contract_id, d.measure), set())
        supplier = d.supplier_id
        if not supplier and len(committing) == 1:
            (supplier,) = committing
        if supplier not in committing:
            unmatched += 1
        delivered[(supplier, d.measure)] += d.quantity
        names.setdefault(supplier, supplier)
    rows: list[dict[str, Any]] = []
    for supplier, measure_code in sorted(set(committed) | set(delivered)):
        measure = framework.measures[measure_code]
        promised, done = committed.get((supplier, measure_code), 0.0), delivered.get((supplier, measure_code), 0.0)
        theme = framework.themes[measure.theme]
        rows.append(
            {
                "supplier_id": supplier,
                "supplier_name": names.get(supplier, supplier),
                "theme": theme.code,
                "theme_label": theme.label(language),
                "measure": measure_code,
                "measure_label": measure.label(language),
                "unit": measure.unit(language),
                "committed": round(promised, 3),
                "delivered": round(done, 3),
                "delivered_share": round(done / promised, 4) if promised else None,
                "committed_value": _money(measure, promised),
                "delivered_value": _money(measure, done),
            }
        )
    by_theme: dict[str, dict[str, Any]] = {}
    for row in rows:
        theme_row = by_theme.setdefault(
            row["theme"], {"theme": row["theme"], "label": row["theme_label"], "measures": 0, "met": 0}
        )
        theme_row["measures"] += 1
        theme_row["met"] += int(row["delivered_share"] is not None and row["delivered_share"] >= 1)
    return {
        "framework": framework.name,
        "commitments": len(commitments),
        "deliveries": len(deliveries),
        "deliveries_without_commitment": unmatched,
        "rows": rows,
        "by_theme": list(by_theme.values()),
    }
