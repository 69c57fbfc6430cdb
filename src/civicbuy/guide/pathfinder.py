"""The "Plan a purchase" pathfinder: a few answers in, a tailored plan out.

Pure functions over the rules in ``data/pathfinder.yaml`` (no database), so the plan for a given set of
answers is easy to test and to explain: the steps every purchase needs, plus steps added by value,
urgency and goals, listed in lifecycle order; EU green criteria for what is bought; social-value
outcomes for the chosen goals; and topic guides.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from civicbuy.taxonomy import registry

MIN_LABEL_WORD = 4  # shorter label words ("and", "of") would match almost anything


@cache
def rules() -> dict[str, Any]:
    """The pathfinder's rules (cached)."""
    text = resources.files("civicbuy.guide").joinpath("data", "pathfinder.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _fold(text: str) -> str:
    """Lower-case without accents, so "Ordenadores" and "ordenadóres" match the same keyword."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def divisions_for_words(words: str) -> list[str]:
    """CPV divisions whose keywords or labels appear in ``words`` (best match first)."""
    folded = f" {re.sub(r'[^a-z0-9 ]+', ' ', _fold(words))} "
    scores: dict[str, int] = {}
    for division, keywords in rules()["keywords"].items():
        for keyword in keywords:
            if f" {keyword} " in folded:
                scores[division] = scores.get(division, 0) + len(keyword)
    for code, term in registry.cpv_divisions().items():
        for language in registry.LANGUAGES:
            label_words = {w for w in re.split(r"[^a-z]+", _fold(term.label(language))) if len(w) > MIN_LABEL_WORD}
            hits = sum(1 for w in label_words if f" {w} " in folded)
            if hits:
                scores[code] = scores.get(code, 0) + 3 * hits
    return sorted(scores, key=lambda code: (-scores[code], code))


def choices(group: str, language: str) -> list[tuple[str, str]]:
    """(code, label) options of a question: value_bands, urgency or goals."""
    return [(row["code"], row[language]) for row in rules()[group]]


@dataclass
class Plan:
    """What the pathfinder recommends; step and topic references are resolved to pages by the view."""

    division: str
    steps: list[str]
    topics: list[str]
    themes: list[str]
    green_criteria: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    emergency_first: bool = False


def _lifecycle_position(reference: str) -> tuple[int, str]:
    stage = reference.split("/", 1)[0]
    term = registry.stages().get(stage)
    return (term.order if term else 99, reference)


def make_plan(*, division: str, value_band: str, urgency: str, goals: list[str], language: str) -> Plan:
    """Build the plan for validated answers (codes from :func:`choices` and the CPV division list)."""
    data = rules()
    bands = [row["code"] for row in data["value_bands"]]
    urgency_row = next(row for row in data["urgency"] if row["code"] == urgency)
    steps: list[str] = list(data["always"])
    if not urgency_row.get("replaces_value_steps"):
        for row in data["value_bands"][: bands.index(value_band) + 1]:
            steps.extend(row["steps"])
    topics: list[str] = []
    themes: list[str] = []
    outcomes: list[str] = []
    for row in data["goals"]:
        if row["code"] in goals:
            steps.extend(row["steps"])
            topics.extend(row["topics"])
            themes.extend(row["themes"])
            outcomes.extend(row["outcomes"][language])
    topics.extend(data["topics_by_division"].get(division, []))
    unique_steps = sorted(dict.fromkeys(steps), key=_lifecycle_position)
    emergency = list(urgency_row["steps"])
    if urgency_row.get("replaces_value_steps"):
        ordered = emergency + [s for s in unique_steps if s not in emergency]
    else:
        ordered = sorted(dict.fromkeys(unique_steps + emergency), key=_lifecycle_position)
    if urgency == "emergency":
        topics.append("emergency")
    criteria = [{"name": row[language], "year": row["year"]} for row in data["green_criteria"].get(division, [])]
    return Plan(
        division=division,
        steps=ordered,
        topics=list(dict.fromkeys(topics)),
        themes=list(dict.fromkeys(themes)),
        green_criteria=criteria,
        outcomes=outcomes,
        emergency_first=bool(urgency_row.get("replaces_value_steps")),
    )
