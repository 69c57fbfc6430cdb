"""Scoring a self-assessment: answers to levels, department roll-up, targets and gaps.

The rules, in plain words (they are shown to users on the results page too):

- **Answers.** Each question is answered with one of its five options, which stands for a level 1-5,
  or left unanswered ("not sure yet"). Unanswered questions are excluded, never counted as level 1,
  so an honest "I don't know" does not drag a score down; the completion share shows how much of the
  picture is missing.
- **Dimension level** = the mean of the answered question levels, rounded *down* to a whole level.
  Rounding down is deliberate: a level is reached when the evidence supports it on average, not when
  one strong answer lifts a weak dimension (the LGA toolkit and the SDG 12.7.1 index both reward
  evidence, not aspiration). The unrounded mean is kept as ``score`` for charts.
- **Organisation roll-up** across departments: per dimension, the organisation's level is the median
  of the department levels, taking the lower middle value when the count is even; departments that
  did not answer the dimension are left out. The minimum, maximum and spread are shown beside it,
  because departments in one council can differ by several levels (LGA diagnostic, 2025).
- **Gaps** = target level minus current level, for dimensions that are below their target.
  Dimensions with no answers have no level, so no gap: they are listed as "not assessed" instead.

Pure Python: no Django. The web app, the CLI and the exports all call these functions.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from civicbuy.assessment.model import LEVELS, MaturityModel

MAX_NOTE_LENGTH = 2000
MAX_URL_LENGTH = 500
#: Raw answer values that mean "not answered" (a form's empty choice, or an explicit skip).
UNANSWERED_VALUES = frozenset({"", "skip", "unanswered", "not-sure"})
#: A benchmark shows a dimension's distribution only when at least this many organisations shared it,
#: so that no single organisation can be picked out.
MIN_BENCHMARK_GROUP = 5


class AnswerError(ValueError):
    """Answers or targets that do not fit the model; ``problems`` holds one clear line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Answer:
    """One answered (or deliberately skipped) question, with optional note and evidence link."""

    question_id: str
    level: int | None
    note: str = ""
    evidence_url: str = ""

    @property
    def answered(self) -> bool:
        """True when a level was chosen."""
        return self.level is not None


# --------------------------------------------------------------------------------------------------
# Parsing untrusted input (form posts, uploaded JSON)


def parse_answers(model: MaturityModel, raw: Mapping[str, Any]) -> dict[str, Answer]:
    """Check answers from an untrusted source against the model and return them by question id.

    ``raw`` maps a question id to either a level (``3`` or ``"3"``), an unanswered marker
    (``None``, ``""``, ``"skip"``), or a mapping ``{"level": ..., "note": ..., "evidence_url": ...}``.
    Unknown question ids, values that are not one of the question's options and levels outside
    1-5 are rejected: every problem is collected and raised together in one :class:`AnswerError`.
    """
    problems: list[str] = []
    answers: dict[str, Answer] = {}
    if not isinstance(raw, Mapping):
        raise AnswerError([f"answers must be a mapping of question id to answer, got {type(raw).__name__}"])
    for question_id, value in raw.items():
        key = str(question_id)
        try:
            question = model.question(key)
        except KeyError:
            problems.append(f"unknown question {key!r}")
            continue
        note, evidence_url, level_value = "", "", value
        if isinstance(value, Mapping):
            unknown = sorted(str(k) for k in set(value) - {"level", "note", "evidence_url"})
            if unknown:
                problems.append(f"answer to {key!r}: unknown field(s) {', '.join(unknown)}")
            level_value = value.get("level")
            note = _clean_text(value.get("note"), f"answer to {key!r}: note", MAX_NOTE_LENGTH, problems)
            evidence_url = _clean_url(value.get("evidence_url"), f"answer to {key!r}: evidence link", problems)
        level = _parse_level(level_value, f"answer to {key!r}", problems)
        if level is not None:
            try:
                question.option(level)
            except KeyError:
                problems.append(f"answer to {key!r}: level {level} is not one of this question's options")
                continue
        answers[key] = Answer(question_id=key, level=level, note=note, evidence_url=evidence_url)
    if problems:
        raise AnswerError(problems)
    return answers


#: What a level sent as text may look like (a sign, then at most three ASCII digits); the range is checked after.
_LEVEL_TEXT = re.compile(r"-?[0-9]{1,3}")


def _parse_level(value: Any, where: str, problems: list[str]) -> int | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in UNANSWERED_VALUES):
        return None
    if isinstance(value, bool):
        problems.append(f"{where}: {value!r} is not one of the options (choose a level from 1 to 5)")
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        # ASCII digits only, and few of them: str.isdigit() also accepts "²", and int() refuses 4,300+ digits.
        if not _LEVEL_TEXT.fullmatch(text):
            problems.append(f"{where}: {value!r} is not one of the options (choose a level from 1 to 5)")
            return None
        value = int(text)
    if not isinstance(value, int):
        problems.append(f"{where}: {value!r} is not one of the options (choose a level from 1 to 5)")
        return None
    if value not in LEVELS:
        problems.append(f"{where}: level {value} is out of range (levels run from {LEVELS[0]} to {LEVELS[-1]})")
        return None
    return value


def _clean_text(value: Any, where: str, limit: int, problems: list[str]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(f"{where}: expected text")
        return ""
    text = value.strip()
    if len(text) > limit:
        problems.append(f"{where}: too long ({len(text)} characters; the limit is {limit})")
        return ""
    return text


def _clean_url(value: Any, where: str, problems: list[str]) -> str:
    text = _clean_text(value, where, MAX_URL_LENGTH, problems)
    if text and not text.lower().startswith(("https://", "http://")):
        problems.append(f"{where}: {text!r} is not a web address starting with https:// or http://")
        return ""
    return text


def parse_targets(model: MaturityModel, raw: Mapping[str, Any]) -> dict[str, int]:
    """Check target levels per dimension from an untrusted source; empty values mean "no target"."""
    problems: list[str] = []
    targets: dict[str, int] = {}
    if not isinstance(raw, Mapping):
        raise AnswerError([f"targets must be a mapping of dimension code to level, got {type(raw).__name__}"])
    codes = set(model.dimension_codes)
    for code, value in raw.items():
        key = str(code)
        if key not in codes:
            problems.append(f"unknown dimension {key!r}")
            continue
        level = _parse_level(value, f"target for {key!r}", problems)
        if level is not None:
            targets[key] = level
    if problems:
        raise AnswerError(problems)
    return targets


# --------------------------------------------------------------------------------------------------
# One assessment


@dataclass(frozen=True)
class DimensionScore:
    """Where one department (or organisation) stands on one dimension."""

    code: str
    level: int | None  # floor of the mean of answered levels; None when nothing was answered
    score: float | None  # the unrounded mean, for charts
    answered: int
    total: int

    @property
    def completion(self) -> float:
        """Share of the dimension's questions answered, 0.0 to 1.0."""
        return self.answered / self.total if self.total else 0.0


@dataclass(frozen=True)
class AssessmentResult:
    """Scores for every dimension of the model, in model order."""

    scores: dict[str, DimensionScore]

    @property
    def answered(self) -> int:
        """Number of questions answered."""
        return sum(s.answered for s in self.scores.values())

    @property
    def total(self) -> int:
        """Number of questions in the model."""
        return sum(s.total for s in self.scores.values())

    @property
    def completion(self) -> float:
        """Share of all questions answered, 0.0 to 1.0."""
        return self.answered / self.total if self.total else 0.0

    @property
    def levels(self) -> dict[str, int | None]:
        """Level per dimension code (None when not assessed)."""
        return {code: s.level for code, s in self.scores.items()}


def dimension_level(levels: Iterable[int]) -> tuple[int | None, float | None]:
    """Return (level, mean) for the answered levels of one dimension: level = floor(mean)."""
    values = list(levels)
    if not values:
        return None, None
    mean = statistics.fmean(values)
    return math.floor(mean + 1e-9), round(mean, 2)


def score(model: MaturityModel, answers: Mapping[str, Answer]) -> AssessmentResult:
    """Score answers (already checked by :func:`parse_answers`) against the model, dimension by dimension."""
    scores: dict[str, DimensionScore] = {}
    for dimension in model.dimensions:
        chosen = [
            answer.level
            for question in dimension.questions
            if (answer := answers.get(question.id)) is not None and answer.level is not None
        ]
        level, mean = dimension_level(chosen)
        scores[dimension.code] = DimensionScore(
            code=dimension.code, level=level, score=mean, answered=len(chosen), total=len(dimension.questions)
        )
    return AssessmentResult(scores=scores)


# --------------------------------------------------------------------------------------------------
# Roll-up across departments


@dataclass(frozen=True)
class RolledUpScore:
    """The organisation's level on one dimension, with how far its departments differ."""

    code: str
    level: int | None  # lower median of department levels
    minimum: int | None
    maximum: int | None
    department_levels: dict[str, int | None] = field(default_factory=dict)

    @property
    def spread(self) -> int | None:
        """Maximum minus minimum department level (0 when all agree; None when nobody answered)."""
        if self.minimum is None or self.maximum is None:
            return None
        return self.maximum - self.minimum

    @property
    def departments_assessed(self) -> int:
        """Number of departments with a level on this dimension."""
        return sum(1 for level in self.department_levels.values() if level is not None)


def roll_up(model: MaturityModel, departments: Mapping[str, AssessmentResult]) -> dict[str, RolledUpScore]:
    """Combine department results into the organisation's level per dimension (lower median, min, max)."""
    result: dict[str, RolledUpScore] = {}
    for code in model.dimension_codes:
        per_department = {name: r.scores[code].level if code in r.scores else None for name, r in departments.items()}
        levels = sorted(level for level in per_department.values() if level is not None)
        result[code] = RolledUpScore(
            code=code,
            level=statistics.median_low(levels) if levels else None,
            minimum=levels[0] if levels else None,
            maximum=levels[-1] if levels else None,
            department_levels=per_department,
        )
    return result


# --------------------------------------------------------------------------------------------------
# Targets, gaps, strengths, progress


@dataclass(frozen=True)
class Gap:
    """A dimension below the target the user set for it."""

    code: str
    current: int
    target: int

    @property
    def size(self) -> int:
        """How many levels separate the current level from the target."""
        return self.target - self.current


def gaps(model: MaturityModel, levels: Mapping[str, int | None], targets: Mapping[str, int]) -> list[Gap]:
    """Return the dimensions below target, largest gap first, then by dimension priority and model order."""
    found = [
        Gap(code=code, current=current, target=targets[code])
        for code in model.dimension_codes
        if code in targets and (current := levels.get(code)) is not None and current < targets[code]
    ]
    order = {d.code: (d.priority, i) for i, d in enumerate(model.dimensions)}
    return sorted(found, key=lambda gap: (-gap.size, *order[gap.code]))


def not_assessed(model: MaturityModel, levels: Mapping[str, int | None]) -> list[str]:
    """Dimension codes with no level yet (nothing answered), in model order."""
    return [code for code in model.dimension_codes if levels.get(code) is None]


def strengths(
    model: MaturityModel, levels: Mapping[str, int | None], targets: Mapping[str, int] | None = None
) -> list[str]:
    """Dimensions that meet their target, or reach "Leading" (level 4) where no target is set; best first."""
    targets = targets or {}
    strong_level = 4
    found = [
        code
        for code in model.dimension_codes
        if (level := levels.get(code)) is not None
        and (level >= targets[code] if code in targets else level >= strong_level)
    ]
    return sorted(found, key=lambda code: -(levels[code] or 0))


def progress(
    model: MaturityModel, before: Mapping[str, int | None], after: Mapping[str, int | None]
) -> dict[str, int | None]:
    """Change in level per dimension between two assessments (None when either is not assessed)."""
    changes: dict[str, int | None] = {}
    for code in model.dimension_codes:
        old, new = before.get(code), after.get(code)
        changes[code] = None if old is None or new is None else new - old
    return changes


# --------------------------------------------------------------------------------------------------
# Anonymised peer benchmark (opt-in; never a league table)


def level_distribution(
    model: MaturityModel, shared: Iterable[Mapping[str, int | None]], minimum_group: int = MIN_BENCHMARK_GROUP
) -> dict[str, dict[int, int] | None]:
    """Count organisations at each level per dimension, from levels that organisations chose to share.

    Returns None for a dimension that fewer than ``minimum_group`` organisations assessed, so that a
    small group cannot reveal one organisation's level. No names go in, none come out.
    """
    counts: dict[str, dict[int, int]] = {code: dict.fromkeys(LEVELS, 0) for code in model.dimension_codes}
    for levels in shared:
        for code in model.dimension_codes:
            level = levels.get(code)
            if level in LEVELS:
                counts[code][level] += 1
    return {code: (c if sum(c.values()) >= minimum_group else None) for code, c in counts.items()}


# --------------------------------------------------------------------------------------------------
# Evidence hook: measured indicators beside the answers


@dataclass(frozen=True)
class Measurement:
    """A figure measured from the city's own procurement data, shown beside a question as evidence."""

    indicator: str
    value: float | None
    unit: str = ""  # "share" (0..1), "days", "count", ...
    dataset: str = ""
    as_of: str = ""  # ISO date of the data


#: Given an indicator code such as ``competition.single_bid_rate``, return its measured value or None.
EvidenceLookup = Callable[[str], Measurement | None]


def evidence_for(model: MaturityModel, lookup: EvidenceLookup) -> dict[str, Measurement]:
    """Return the measured evidence per question id, for questions whose indicator the lookup can answer.

    The analytics engine supplies ``lookup``; until a city has uploaded data, callers pass a lookup that
    returns None and the questionnaire simply shows no figures.
    """
    found: dict[str, Measurement] = {}
    for question in model.questions:
        if question.evidence and (measurement := lookup(question.evidence)) is not None:
            found[question.id] = measurement
    return found
