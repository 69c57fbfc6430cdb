"""Scoring: answers to levels per dimension, roll-up across departments, gaps, roadmap, tampering."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicbuy.assessment.roadmap import build_roadmap
from civicbuy.assessment.scoring import (
    Answer,
    AnswerError,
    AssessmentResult,
    Measurement,
    dimension_level,
    evidence_for,
    gaps,
    level_distribution,
    not_assessed,
    parse_answers,
    parse_targets,
    progress,
    roll_up,
    score,
    strengths,
)

from .test_model import REQUIRED_DIMENSIONS

if TYPE_CHECKING:
    from civicbuy.assessment.model import MaturityModel


def answers_for(model: MaturityModel, code: str, levels: list[int | None]) -> dict[str, Answer]:
    questions = model.dimension(code).questions
    return {q.id: Answer(q.id, level) for q, level in zip(questions, levels, strict=False)}


def uniform(model: MaturityModel, level: int) -> dict[str, Answer]:
    return {q.id: Answer(q.id, level) for q in model.questions}


def result_with(model: MaturityModel, levels: dict[str, int | None]) -> AssessmentResult:
    """A result where every question of each dimension in ``levels`` is answered at that level."""
    answers: dict[str, Answer] = {}
    for code, level in levels.items():
        if level is not None:
            answers.update(answers_for(model, code, [level] * len(model.dimension(code).questions)))
    return score(model, answers)


# --------------------------------------------------------------------------------------------------
# Per dimension


@pytest.mark.parametrize("code", REQUIRED_DIMENSIONS)
@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_every_question_at_one_level_scores_that_level(model: MaturityModel, code: str, level: int) -> None:
    total = len(model.dimension(code).questions)
    result = score(model, answers_for(model, code, [level] * total))
    dimension_score = result.scores[code]
    assert dimension_score.level == level
    assert dimension_score.score == level
    assert dimension_score.completion == 1.0
    others = [s for c, s in result.scores.items() if c != code]
    assert all(s.level is None and s.answered == 0 for s in others)


@pytest.mark.parametrize("code", REQUIRED_DIMENSIONS)
def test_level_is_floor_of_mean_of_answered_questions(model: MaturityModel, code: str) -> None:
    # 5, 5, 1 -> mean 3.67 -> level 3 (rounded down: one weak answer holds the dimension back)
    result = score(model, answers_for(model, code, [5, 5, 1]))
    assert result.scores[code].level == 3
    assert result.scores[code].score == pytest.approx(3.67)


@pytest.mark.parametrize("code", REQUIRED_DIMENSIONS)
def test_unanswered_questions_are_excluded_not_counted_as_one(model: MaturityModel, code: str) -> None:
    result = score(model, answers_for(model, code, [4, None, 4]))
    dimension_score = result.scores[code]
    assert dimension_score.level == 4
    assert dimension_score.answered == 2
    assert dimension_score.completion == pytest.approx(2 / len(model.dimension(code).questions))


def test_dimension_with_no_answers_has_no_level(model: MaturityModel) -> None:
    result = score(model, {})
    assert all(s.level is None and s.score is None for s in result.scores.values())
    assert result.completion == 0.0
    assert result.total == len(model.questions)
    assert list(result.scores) == list(model.dimension_codes)


@pytest.mark.parametrize(
    ("levels", "expected"),
    [([1], 1), ([2, 3], 2), ([3, 4, 4], 3), ([4, 4, 5, 5], 4), ([5, 5, 5], 5), ([1, 5], 3), ([2, 2, 3], 2)],
)
def test_dimension_level_rule(levels: list[int], expected: int) -> None:
    assert dimension_level(levels)[0] == expected


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=5))
def test_dimension_level_stays_within_the_answers(levels: list[int]) -> None:
    level, mean = dimension_level(levels)
    assert level is not None
    assert mean is not None
    assert min(levels) <= level <= max(levels)
    assert level <= mean < level + 1


def test_whole_assessment_completion(model: MaturityModel) -> None:
    answers = uniform(model, 3)
    first = model.questions[0].id
    answers[first] = Answer(first, None)
    result = score(model, answers)
    assert result.answered == len(model.questions) - 1
    assert 0.9 < result.completion < 1.0
    assert set(result.levels.values()) == {3}


# --------------------------------------------------------------------------------------------------
# Untrusted answers: tampered posts and uploads are rejected with clear messages


def test_parse_answers_accepts_levels_strings_skips_and_notes(model: MaturityModel) -> None:
    q1, q2, q3, q4 = (q.id for q in model.questions[:4])
    answers = parse_answers(
        model,
        {
            q1: 3,
            q2: "4",
            q3: "",
            q4: {"level": 2, "note": "  Draft strategy with cabinet  ", "evidence_url": "https://example.org/s.pdf"},
        },
    )
    assert answers[q1].level == 3
    assert answers[q2].level == 4
    assert answers[q3].level is None
    assert not answers[q3].answered
    assert answers[q4] == Answer(q4, 2, "Draft strategy with cabinet", "https://example.org/s.pdf")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "maybe",
            "answer to 'strategy-leadership.written-policy': 'maybe' is not one of the options (choose a level from 1 to 5)",
        ),
        (7, "answer to 'strategy-leadership.written-policy': level 7 is out of range (levels run from 1 to 5)"),
        ("0", "answer to 'strategy-leadership.written-policy': level 0 is out of range (levels run from 1 to 5)"),
        (-1, "answer to 'strategy-leadership.written-policy': level -1 is out of range (levels run from 1 to 5)"),
        (
            2.5,
            "answer to 'strategy-leadership.written-policy': 2.5 is not one of the options (choose a level from 1 to 5)",
        ),
        (
            True,
            "answer to 'strategy-leadership.written-policy': True is not one of the options (choose a level from 1 to 5)",
        ),
        *(
            (
                text,
                f"answer to 'strategy-leadership.written-policy': {text!r} is not one of the options (choose a level from 1 to 5)",
            )
            for text in ("--3", "\u00b2", "\u0663", "9" * 5000, "+3", "3 3")
        ),
        (
            [3],
            "answer to 'strategy-leadership.written-policy': [3] is not one of the options (choose a level from 1 to 5)",
        ),
    ],
)
def test_tampered_answer_values_are_rejected(model: MaturityModel, value: Any, message: str) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answers(model, {"strategy-leadership.written-policy": value})
    assert caught.value.problems == [message]


def test_unknown_question_id_is_rejected(model: MaturityModel) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answers(model, {"strategy-leadership.drop-table": 3, "../../etc/passwd": 1})
    assert caught.value.problems == [
        "unknown question 'strategy-leadership.drop-table'",
        "unknown question '../../etc/passwd'",
    ]


def test_tampered_notes_and_links_are_rejected(model: MaturityModel) -> None:
    q = model.questions[0].id
    raw = {q: {"level": 3, "note": "x" * 2001, "evidence_url": "javascript:alert(1)", "score": 5}}
    with pytest.raises(AnswerError) as caught:
        parse_answers(model, raw)
    assert caught.value.problems == [
        f"answer to {q!r}: unknown field(s) score",
        f"answer to {q!r}: note: too long (2001 characters; the limit is 2000)",
        f"answer to {q!r}: evidence link: 'javascript:alert(1)' is not a web address starting with https:// or http://",
    ]


def test_every_problem_is_reported_together(model: MaturityModel) -> None:
    q1, q2 = model.questions[0].id, model.questions[1].id
    with pytest.raises(AnswerError) as caught:
        parse_answers(model, {q1: 9, q2: "x", "nope": 1})
    assert len(caught.value.problems) == 3


def test_answers_must_be_a_mapping(model: MaturityModel) -> None:
    with pytest.raises(AnswerError, match="answers must be a mapping"):
        parse_answers(model, [1, 2, 3])  # type: ignore[arg-type]


def test_parse_targets(model: MaturityModel) -> None:
    assert parse_targets(model, {"social-value": "4", "environment": 3, "innovation-ai": ""}) == {
        "social-value": 4,
        "environment": 3,
    }
    with pytest.raises(AnswerError) as caught:
        parse_targets(model, {"social-value": 6, "gardening": 3})
    assert caught.value.problems == [
        "target for 'social-value': level 6 is out of range (levels run from 1 to 5)",
        "unknown dimension 'gardening'",
    ]


# --------------------------------------------------------------------------------------------------
# Roll-up across departments


def test_roll_up_takes_the_median_with_min_max_spread(model: MaturityModel) -> None:
    departments = {
        "Housing": result_with(model, {"social-value": 1, "environment": 2}),
        "Transport": result_with(model, {"social-value": 4, "environment": 2}),
        "IT": result_with(model, {"social-value": 5, "environment": None}),
    }
    rolled = roll_up(model, departments)
    social = rolled["social-value"]
    assert (social.level, social.minimum, social.maximum, social.spread) == (4, 1, 5, 4)
    assert social.department_levels == {"Housing": 1, "Transport": 4, "IT": 5}
    assert social.departments_assessed == 3
    environment = rolled["environment"]
    assert (environment.level, environment.minimum, environment.maximum, environment.spread) == (2, 2, 2, 0)
    assert environment.departments_assessed == 2
    assert environment.department_levels["IT"] is None
    nobody = rolled["innovation-ai"]
    assert (nobody.level, nobody.minimum, nobody.maximum, nobody.spread) == (None, None, None, None)
    assert list(rolled) == list(model.dimension_codes)


def test_roll_up_with_even_count_takes_the_lower_middle(model: MaturityModel) -> None:
    departments = {
        name: result_with(model, {"open-contracting-data": level})
        for name, level in zip("ABCD", [1, 2, 4, 5], strict=True)
    }
    rolled = roll_up(model, departments)["open-contracting-data"]
    assert rolled.level == 2
    assert rolled.spread == 4


def test_roll_up_of_one_department_is_that_department(model: MaturityModel) -> None:
    result = result_with(model, dict.fromkeys(model.dimension_codes, 3))
    rolled = roll_up(model, {"Whole council": result})
    assert {code: r.level for code, r in rolled.items()} == result.levels


def test_roll_up_of_no_departments(model: MaturityModel) -> None:
    assert all(r.level is None for r in roll_up(model, {}).values())


# --------------------------------------------------------------------------------------------------
# Gaps, strengths, progress


def test_gaps_are_ordered_by_size_then_priority(model: MaturityModel) -> None:
    levels: dict[str, int | None] = {
        "strategy-leadership": 2,  # priority 1
        "social-value": 1,  # priority 5
        "environment": 3,  # priority 6
        "people-skills-collaboration": 3,  # priority 2
        "innovation-ai": 4,  # at target
        "digital-procurement": None,  # not assessed
    }
    targets = {
        "strategy-leadership": 4,
        "social-value": 3,
        "environment": 4,
        "people-skills-collaboration": 4,
        "innovation-ai": 4,
        "digital-procurement": 5,
    }
    found = gaps(model, levels, targets)
    assert [(g.code, g.size) for g in found] == [
        ("strategy-leadership", 2),
        ("social-value", 2),
        ("people-skills-collaboration", 1),
        ("environment", 1),
    ]
    assert "digital-procurement" in not_assessed(model, levels)


def test_no_targets_no_gaps(model: MaturityModel) -> None:
    assert gaps(model, dict.fromkeys(model.dimension_codes, 1), {}) == []


def test_strengths(model: MaturityModel) -> None:
    levels: dict[str, int | None] = {"social-value": 5, "environment": 3, "innovation-ai": 4, "digital-procurement": 2}
    assert strengths(model, levels) == ["social-value", "innovation-ai"]
    assert strengths(model, levels, {"environment": 3, "innovation-ai": 5}) == ["social-value", "environment"]


def test_progress_between_assessments(model: MaturityModel) -> None:
    before = {"social-value": 2, "environment": 3, "innovation-ai": None}
    after = {"social-value": 3, "environment": 3, "innovation-ai": 2}
    change = progress(model, before, after)
    assert change["social-value"] == 1
    assert change["environment"] == 0
    assert change["innovation-ai"] is None


# --------------------------------------------------------------------------------------------------
# Roadmap


def test_roadmap_lists_next_level_actions_with_links_in_priority_order(model: MaturityModel) -> None:
    levels = {"social-value": 1, "open-contracting-data": 2, "strategy-leadership": 3, "environment": 5}
    targets = {"social-value": 3, "open-contracting-data": 4, "strategy-leadership": 4, "environment": 4}
    roadmap = build_roadmap(model, levels, targets)
    assert [(item.dimension.code, item.current, item.target, item.gap) for item in roadmap] == [
        ("open-contracting-data", 2, 4, 2),  # gap 2, priority 3
        ("social-value", 1, 3, 2),  # gap 2, priority 5
        ("strategy-leadership", 3, 4, 1),
    ]
    first = roadmap[0]
    assert [step.level for step in first.steps] == [3, 4]
    assert first.next_step.actions == model.dimension("open-contracting-data").actions[3]
    paths = [link.path for link in first.next_step.links]
    assert "tender/publish-openly-in-ocds" in paths
    assert len(paths) == len(set(paths))
    assert all(step.actions for item in roadmap for step in item.steps)


def test_roadmap_is_empty_when_targets_are_met(model: MaturityModel) -> None:
    assert build_roadmap(model, dict.fromkeys(model.dimension_codes, 3), dict.fromkeys(model.dimension_codes, 3)) == []


# --------------------------------------------------------------------------------------------------
# Peer benchmark and evidence hook


def test_level_distribution_hides_small_groups(model: MaturityModel) -> None:
    shared = [{"social-value": level, "environment": 2 if i < 3 else None} for i, level in enumerate([1, 2, 2, 3, 5])]
    distribution = level_distribution(model, shared)
    assert distribution["social-value"] == {1: 1, 2: 2, 3: 1, 4: 0, 5: 1}
    assert distribution["environment"] is None  # only 3 organisations: too few to show
    assert distribution["innovation-ai"] is None


def test_evidence_for_shows_measured_indicators_beside_questions(model: MaturityModel) -> None:
    measured = {
        "competition.single_bid_rate": Measurement("competition.single_bid_rate", 0.18, "share", "demo", "2026-10-31")
    }
    evidence = evidence_for(model, measured.get)
    assert list(evidence) == ["market-engagement-sme.single-bid-rate"]
    assert evidence["market-engagement-sme.single-bid-rate"].value == 0.18
    assert evidence_for(model, lambda _code: None) == {}
