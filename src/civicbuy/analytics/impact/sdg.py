"""The SDG view of spend: spend per SDG target through a reviewable mapping, with indicator evidence per target.

The mapping (``data/sdg_mapping.yaml``) is data: CPV division -> SDG targets and themes, and indicator code ->
targets (e.g. ``diversity.sme_spend_share`` -> 8.3, ``sustainability.environmental_criteria_share`` -> 12.7).
Codes are the shared taxonomy's (:mod:`civicbuy.taxonomy.registry`); :func:`load_mapping` refuses unknown ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from civicbuy.analytics.impact.exceptions import ImpactError
from civicbuy.analytics.impact.sources import read_data
from civicbuy.taxonomy import registry

if TYPE_CHECKING:
    from collections.abc import Iterable

    from civicbuy.analytics.impact.carbon import LineEstimate


@dataclass(frozen=True)
class Entry:
    """The SDG targets and themes of one CPV division or indicator."""

    targets: tuple[str, ...]
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SdgMapping:
    """CPV division -> entry, indicator code -> entry."""

    divisions: dict[str, Entry]
    indicators: dict[str, Entry]


def _entries(data: Any, section: str, name: str) -> dict[str, Entry]:
    rows = data.get(section) or {}
    if not isinstance(rows, dict):
        raise ImpactError(f"{section} must be a mapping", path=name)
    entries = {}
    for key, row in rows.items():
        where = f"{name}, {section}/{key}"
        if not isinstance(row, dict):
            raise ImpactError("each entry needs targets (and may have themes)", path=where)
        targets = tuple(str(t) for t in row.get("targets") or [])
        themes = tuple(str(t) for t in row.get("themes") or [])
        unknown = registry.validate_codes("sdg", list(targets)) + registry.validate_codes("theme", list(themes))
        if unknown:
            raise ImpactError(f"codes not in the shared taxonomy: {', '.join(unknown)}", path=where)
        entries[str(key)] = Entry(targets, themes)
    return entries


def parse_mapping(data: Any, name: str = "sdg_mapping.yaml") -> SdgMapping:
    """Validate a mapping against the shared taxonomy."""
    if not isinstance(data, dict):
        raise ImpactError("an SDG mapping must have cpv_divisions and indicators", path=name)
    divisions = _entries(data, "cpv_divisions", name)
    unknown = registry.validate_codes("cpv_division", list(divisions))
    if unknown:
        raise ImpactError(f"unknown CPV divisions: {', '.join(unknown)}", path=name)
    return SdgMapping(divisions, _entries(data, "indicators", name))


def load_mapping(path: str | Path | None = None) -> SdgMapping:
    """Return the bundled mapping, or the one at ``path``."""
    if path is None:
        return parse_mapping(yaml.safe_load(read_data("sdg_mapping.yaml")))
    try:
        return parse_mapping(yaml.safe_load(Path(path).read_text(encoding="utf-8")), str(path))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        raise ImpactError(f"cannot be read as YAML ({' '.join(str(error).split())[:200]})", path=str(path)) from None


def _target_key(code: str) -> tuple[int, int, str]:
    goal, _, target = code.partition(".")
    return int(goal), int(target) if target.isdigit() else 100, target


def sdg_view(
    estimates: Iterable[LineEstimate],
    indicator_results: Iterable[dict[str, Any]] = (),
    mapping: SdgMapping | None = None,
    language: str = "en",
) -> dict[str, Any]:
    """Return spend (EUR) and indicator evidence per SDG target, plus the spend that no division maps.

    ``estimates`` are the carbon engine's lines (they carry the spend in EUR); ``indicator_results`` are rows of
    :func:`civicbuy.analytics.api.compute_indicators` (only ``level == "dataset"`` rows are used).
    """
    mapping = mapping or load_mapping()
    spend: dict[str, float] = defaultdict(float)
    lines: dict[str, int] = defaultdict(int)
    divisions: dict[str, set[str]] = defaultdict(set)
    themes: dict[str, float] = defaultdict(float)
    total = unmapped = 0.0
    unmapped_lines = 0
    for estimate in estimates:
        amount = estimate.spend_eur
        if amount is None or amount < 0:
            unmapped_lines += 1
            continue
        total += amount
        entry = mapping.divisions.get(estimate.division)
        if entry is None:
            unmapped += amount
            unmapped_lines += 1
            continue
        for target in entry.targets:
            spend[target] += amount
            lines[target] += 1
            divisions[target].add(estimate.division)
        for theme in entry.themes:
            themes[theme] += amount
    evidence: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in indicator_results:
        entry = mapping.indicators.get(str(row.get("indicator")))
        if entry is None or row.get("level") != "dataset":
            continue
        for target in entry.targets:
            evidence[target].append(
                {"indicator": row["indicator"], "value": row.get("value"), "reason": row.get("reason")}
            )
    targets = sorted(set(spend) | set(evidence), key=_target_key)
    return {
        "method": "spend of each contract counted towards every SDG target its CPV division maps to "
        "(CivicBuy's reviewable mapping); shares overlap and do not add up to 100%",
        "total_spend_eur": round(total, 2),
        "unmapped_spend_eur": round(unmapped, 2),
        "unmapped_lines": unmapped_lines,
        "targets": [
            {
                "target": target,
                "goal": target.split(".")[0],
                "label": registry.label("sdg", target, language),
                "goal_label": registry.label("sdg_goal", target.split(".")[0], language),
                "spend_eur": round(spend.get(target, 0.0), 2),
                "share_of_spend": round(spend.get(target, 0.0) / total, 4) if total else 0.0,
                "lines": lines.get(target, 0),
                "cpv_divisions": sorted(divisions.get(target, set())),
                "evidence": evidence.get(target, []),
            }
            for target in targets
        ],
        "themes": [
            {"theme": theme, "label": registry.label("theme", theme, language), "spend_eur": round(amount, 2)}
            for theme, amount in sorted(themes.items(), key=lambda kv: -kv[1])
        ],
    }
