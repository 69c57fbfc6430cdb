"""Scenarios: explicit, editable assumptions applied to the carbon baseline, and the difference they make.

Assumptions apply in the order written, each to the running result of the ones before it, on every estimated line
whose CPV code starts with one of the assumption's prefixes:

- ``gpp_uptake``: ``uptake`` of an EU GPP product group's spend is bought to the criteria, cutting emissions on it
  by ``reduction``: kg -> kg x (1 - uptake x reduction).
- ``substitution``: a ``share`` of matching spend is switched. With ``factor_multiplier`` m: kg -> kg x (1 - share
  + share x m). With ``to_cpv`` and ``spend_ratio`` r: the share's kg is replaced by r x the share's amount at the
  factor of ``to_cpv``.
- ``spend_shift``: a ``share`` of spend moves from ``from_prefix`` to ``to_prefix`` (same money, new factor).

Each assumption reports the change it made, so the scenario's difference against the baseline is exactly the sum
of what its assumptions imply.

Words in the data (a scenario's name, an assumption's ``label`` and ``note``, a product group's ``label``) are either
one text or a mapping of language to text (``{en: ..., es: ...}``); a scenario is read in one language, falling back
to English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from civicbuy.analytics.impact.carbon import kg_for
from civicbuy.analytics.impact.exceptions import ImpactError
from civicbuy.analytics.impact.sources import read_data

if TYPE_CHECKING:
    from civicbuy.analytics.impact.carbon import CarbonResult, LineEstimate

TYPES = ("gpp_uptake", "substitution", "spend_shift")


#: Words the engine adds to a scenario's own, by language.
WORDS: dict[str, dict[str, str]] = {
    "en": {"gpp": "EU GPP: {group}", "substitution": "Substitution", "shift": "Shift from CPV {source} to {target}"},
    "es": {
        "gpp": "CPE de la UE: {group}",
        "substitution": "Sustitución",
        "shift": "Cambio del CPV {source} al {target}",
    },
}


def text_in(value: Any, language: str) -> str:
    """Return ``value`` in ``language``: itself when it is one text, else its entry for the language or English."""
    if isinstance(value, dict):
        chosen = value.get(language) or value.get("en") or next((v for v in value.values() if v), "")
        return str(chosen or "")
    return "" if value is None else str(value)


def _words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


@dataclass(frozen=True)
class GppGroup:
    """An EU GPP product group and the CPV prefixes that find its spend."""

    code: str
    labels: dict[str, str]
    year: int
    cpv: tuple[str, ...]

    def label(self, language: str = "en") -> str:
        """Return the group's name in ``language`` (English when missing)."""
        return text_in(self.labels, language)


def gpp_label(group: GppGroup, language: str = "en") -> str:
    """Return the label of an uptake of ``group``'s criteria ("EU GPP: Furniture"), in ``language``."""
    return _words(language)["gpp"].format(group=group.label(language))


@cache
def gpp_groups() -> dict[str, GppGroup]:
    """Return the bundled EU GPP product groups (``data/gpp_groups.yaml``)."""
    data = yaml.safe_load(read_data("gpp_groups.yaml"))
    return {
        code: GppGroup(
            code,
            dict(row["label"]) if isinstance(row["label"], dict) else {"en": str(row["label"])},
            int(row["year"]),
            tuple(str(p) for p in row["cpv"]),
        )
        for code, row in data.items()
    }


@dataclass(frozen=True)
class Assumption:
    """One editable assumption (see the module docstring for each type's fields)."""

    type: str
    label: str
    prefixes: tuple[str, ...]
    share: float
    reduction: float = 0.0
    factor_multiplier: float | None = None
    to_cpv: str = ""
    spend_ratio: float = 1.0
    note: str = ""
    product_group: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the assumption as JSON-ready data."""
        data: dict[str, Any] = {
            "type": self.type,
            "label": self.label,
            "cpv_prefixes": list(self.prefixes),
            "share": self.share,
            "note": self.note,
        }
        if self.type == "gpp_uptake":
            data |= {"product_group": self.product_group, "uptake": self.share, "reduction": self.reduction}
            del data["share"]
        elif self.factor_multiplier is not None:
            data["factor_multiplier"] = self.factor_multiplier
        else:
            data |= {"to_cpv": self.to_cpv, "spend_ratio": self.spend_ratio}
        return data


@dataclass(frozen=True)
class Scenario:
    """A named list of assumptions."""

    name: str
    assumptions: tuple[Assumption, ...]


def _share(row: dict[str, Any], key: str, where: str, *, upper: float = 1.0) -> float:
    value = row.get(key)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ImpactError(f"{key} must be a number, got {value!r}", path=where) from None
    if not 0 <= number <= upper:
        raise ImpactError(f"{key} must be between 0 and {upper:g}, got {number:g}", path=where)
    return number


def _prefixes(values: Any, where: str) -> tuple[str, ...]:
    items = [values] if isinstance(values, (str, int)) else list(values or [])
    prefixes = tuple(str(p).strip() for p in items)
    if not prefixes or not all(p.isdigit() and 2 <= len(p) <= 8 for p in prefixes):  # noqa: PLR2004 - CPV digits
        raise ImpactError(f"CPV prefixes must be 2 to 8 digits, got {values!r}", path=where)
    return prefixes


def parse_assumption(row: Any, where: str, language: str = "en") -> Assumption:
    """Validate one assumption mapping, its words in ``language``; raise :class:`ImpactError` naming ``where``."""
    if not isinstance(row, dict):
        raise ImpactError("an assumption must be a mapping with a type", path=where)
    kind = row.get("type")
    words = _words(language)
    note = text_in(row.get("note"), language)
    if kind == "gpp_uptake":
        group = gpp_groups().get(str(row.get("product_group")))
        if group is None:
            raise ImpactError(
                f"unknown product_group {row.get('product_group')!r}; use one of {', '.join(gpp_groups())}", path=where
            )
        return Assumption(
            "gpp_uptake", gpp_label(group, language), group.cpv, _share(row, "uptake", where),
            reduction=_share(row, "reduction", where), note=note, product_group=group.code,
        )  # fmt: skip
    if kind == "substitution":
        prefixes = _prefixes(row.get("cpv_prefixes"), where)
        label = text_in(row.get("label"), language) or words["substitution"]
        if row.get("factor_multiplier") is not None:
            multiplier = _share(row, "factor_multiplier", where, upper=10)
            return Assumption(
                "substitution", label, prefixes, _share(row, "share", where), factor_multiplier=multiplier, note=note
            )
        target = _prefixes(row.get("to_cpv"), where)[0]
        ratio = _share(row, "spend_ratio", where, upper=10) if "spend_ratio" in row else 1.0
        return Assumption(
            "substitution", label, prefixes, _share(row, "share", where), to_cpv=target, spend_ratio=ratio, note=note
        )
    if kind == "spend_shift":
        source = _prefixes(row.get("from_prefix"), where)
        target = _prefixes(row.get("to_prefix"), where)[0]
        label = text_in(row.get("label"), language) or words["shift"].format(source=source[0], target=target)
        return Assumption("spend_shift", label, source, _share(row, "share", where), to_cpv=target, note=note)
    raise ImpactError(f"unknown assumption type {kind!r}; use one of {', '.join(TYPES)}", path=where)


def parse_scenario(data: Any, name: str = "scenario", language: str = "en") -> Scenario:
    """Validate a scenario (``{name, assumptions: [...]}``), reading its words in ``language``."""
    if not isinstance(data, dict) or not isinstance(data.get("assumptions"), list):
        raise ImpactError("a scenario needs a list of assumptions", path=name)
    assumptions = tuple(
        parse_assumption(row, f"{name}, assumption {i}", language)
        for i, row in enumerate(data["assumptions"], start=1)
    )
    return Scenario(text_in(data.get("name"), language) or Path(name).stem, assumptions)


def load_scenario(path: str | Path | None = None, language: str = "en") -> Scenario:
    """Read a scenario YAML (or JSON) file in ``language``; without ``path``, the bundled example."""
    if path is None:
        data = yaml.safe_load(read_data("scenario_example.yaml"))
        return parse_scenario(data, "scenario_example.yaml", language)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ImpactError(f"cannot be read ({error.strerror})", path=str(path)) from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ImpactError(f"is not valid YAML ({' '.join(str(error).split())[:200]})", path=str(path)) from None
    return parse_scenario(data, str(path), language)


@dataclass
class _State:
    estimate: LineEstimate
    kg: float
    low: float
    high: float


@dataclass
class AssumptionEffect:
    """What one assumption changed: kg CO2e (negative is a cut) and the spend it touched."""

    assumption: Assumption
    kg: float = 0.0
    kg_low: float = 0.0
    kg_high: float = 0.0
    lines: int = 0
    spend_eur: float = 0.0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the effect as JSON-ready data."""
        return {
            "assumption": self.assumption.as_dict(),
            "change_tonnes_co2e": round(self.kg / 1000, 3),
            "change_tonnes_co2e_low": round(self.kg_low / 1000, 3),
            "change_tonnes_co2e_high": round(self.kg_high / 1000, 3),
            "lines": self.lines,
            "spend_eur": round(self.spend_eur, 2),
            "problems": self.problems,
        }


@dataclass
class ScenarioResult:
    """Baseline, scenario totals and each assumption's effect."""

    scenario: Scenario
    baseline_kg: float
    baseline_low: float
    baseline_high: float
    effects: list[AssumptionEffect]

    @property
    def change_kg(self) -> float:
        """Return the scenario minus the baseline, kg CO2e (the sum of the effects)."""
        return sum(effect.kg for effect in self.effects)

    @property
    def scenario_kg(self) -> float:
        """Return the scenario's total, kg CO2e."""
        return self.baseline_kg + self.change_kg

    def as_dict(self) -> dict[str, Any]:
        """Return the scenario section of the report as JSON-ready data."""
        low = self.baseline_low + sum(e.kg_low for e in self.effects)
        high = self.baseline_high + sum(e.kg_high for e in self.effects)
        return {
            "name": self.scenario.name,
            "baseline_tonnes_co2e": round(self.baseline_kg / 1000, 3),
            "scenario_tonnes_co2e": round(self.scenario_kg / 1000, 3),
            "scenario_tonnes_co2e_low": round(low / 1000, 3),
            "scenario_tonnes_co2e_high": round(high / 1000, 3),
            "change_tonnes_co2e": round(self.change_kg / 1000, 3),
            "change_share": round(self.change_kg / self.baseline_kg, 4) if self.baseline_kg else 0.0,
            "assumptions": [effect.as_dict() for effect in self.effects],
        }


def _matches(cpv: str, prefixes: tuple[str, ...]) -> bool:
    return bool(cpv) and cpv[0] != "?" and cpv.startswith(prefixes)


def _apply(assumption: Assumption, state: _State, carbon: CarbonResult, effect: AssumptionEffect) -> None:
    line = state.estimate.line
    before = (state.kg, state.low, state.high)
    share = assumption.share
    if assumption.type == "gpp_uptake":
        keep = 1 - share * assumption.reduction
        state.kg, state.low, state.high = state.kg * keep, state.low * keep, state.high * keep
    elif assumption.factor_multiplier is not None:
        keep = 1 - share + share * assumption.factor_multiplier
        state.kg, state.low, state.high = state.kg * keep, state.low * keep, state.high * keep
    else:
        row = carbon.table.match(assumption.to_cpv)
        if row is None:
            message = f"no factor for CPV {assumption.to_cpv}: assumption skipped"
            if message not in effect.problems:
                effect.problems.append(message)
            return
        assert line.amount is not None  # noqa: S101 - only estimated lines reach here
        moved = line.amount * share * assumption.spend_ratio
        _, kg, low, high, _ = kg_for(moved, line.currency, line.year or 0, row, carbon.conversion)
        state.kg = state.kg * (1 - share) + kg
        state.low = state.low * (1 - share) + low
        state.high = state.high * (1 - share) + high
    effect.kg += state.kg - before[0]
    effect.kg_low += state.low - before[1]
    effect.kg_high += state.high - before[2]
    effect.lines += 1
    effect.spend_eur += (state.estimate.spend_eur or 0.0) * share


def run_scenario(carbon: CarbonResult, scenario: Scenario) -> ScenarioResult:
    """Apply ``scenario`` to the estimated lines of ``carbon``; return the baseline and each assumption's effect."""
    states = [_State(e, e.kg, e.kg_low, e.kg_high) for e in carbon.covered]
    effects = []
    for assumption in scenario.assumptions:
        effect = AssumptionEffect(assumption)
        for state in states:
            if _matches(state.estimate.line.cpv, assumption.prefixes):
                _apply(assumption, state, carbon, effect)
        effects.append(effect)
    return ScenarioResult(scenario, carbon.total_kg, carbon.total_kg_low, carbon.total_kg_high, effects)
