"""The maturity model file: the bundled model is complete, and broken files give clear errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import yaml

from civicbuy.assessment.model import (
    LEVELS,
    SPP_INDEX_COMPONENTS,
    Link,
    MaturityModel,
    ModelError,
    load_model,
    missing_links,
    model_from_data,
)
from civicbuy.taxonomy import registry

if TYPE_CHECKING:
    from pathlib import Path

REQUIRED_DIMENSIONS = [
    "strategy-leadership",
    "social-value",
    "environment",
    "supplier-diversity-local",
    "market-engagement-sme",
    "open-contracting-data",
    "digital-procurement",
    "contract-supplier-management",
    "innovation-ai",
    "emergency-preparedness",
    "people-skills-collaboration",
]

# The guide steps, topic guides and case studies that CivicBuy's content provides (issue 4's brief).
GUIDE_STEPS = {
    "plan": [
        "understand-the-need",
        "set-outcomes-and-priorities",
        "build-a-team-across-silos",
        "assess-risks-and-opportunities",
        "plan-the-budget-whole-life-cost",
        "publish-a-pipeline",
    ],
    "engage-market": [
        "research-the-market",
        "hold-early-market-engagement",
        "reach-under-represented-suppliers",
        "break-contracts-into-lots",
        "test-ideas-with-users-and-residents",
    ],
    "specify": [
        "write-outcome-based-specifications",
        "use-green-criteria-and-labels",
        "set-social-value-requirements",
        "build-in-accessibility-and-inclusion",
        "specify-ai-and-data-responsibly",
        "plan-for-end-of-life-and-e-waste",
    ],
    "tender": [
        "choose-the-procedure",
        "set-realistic-deadlines",
        "encourage-competition",
        "publish-openly-in-ocds",
        "make-bidding-simple-for-smes",
    ],
    "evaluate-award": [
        "set-award-criteria-and-weightings",
        "evaluate-whole-life-value",
        "check-abnormally-low-bids",
        "justify-direct-awards",
        "explain-the-decision",
        "manage-conflicts-of-interest",
    ],
    "manage-contract": [
        "set-up-contract-management",
        "track-social-value-delivery",
        "monitor-carbon-and-environment",
        "manage-changes-and-amendments",
        "pay-suppliers-on-time",
    ],
    "measure-learn": [
        "publish-open-data",
        "measure-performance-with-indicators",
        "report-impact-against-sdgs",
        "learn-and-share-lessons",
        "invite-civic-monitoring",
    ],
    "emergency": [
        "prepare-before-an-emergency",
        "use-fast-procedures-lawfully",
        "keep-value-for-money",
        "stay-transparent-in-a-crisis",
        "return-to-sustainable-buying",
    ],
}
TOPICS = [
    "social-value",
    "supplier-diversity",
    "sustainable-it",
    "inclusive-design",
    "buying-ai",
    "open-contracting",
    "digital-maturity",
    "working-across-silos",
]
CASES = [
    "new-zealand-maori-businesses",
    "dominican-republic-women-owned-businesses",
    "scotland-sustainable-it-e-waste",
    "jakarta-cities-for-women",
    "colombia-emergency-buying-covid",
    "ecuador-covid-procurement-reform",
    "uk-dvsa-ai-road-safety",
    "mexico-city-ecobici",
    "mexico-open-procurement-data",
    "norfolk-social-value-supplier-partners",
    "england-local-authority-digital-maturity",
    "uk-working-outside-silos",
    "ukraine-prozorro-dozorro",
    "paraguay-open-data-emergency",
    "kenya-agpo-set-aside",
    "preston-community-wealth-building",
    "oslo-zero-emission-construction",
    "korea-green-purchasing",
]
KNOWN_LINKS = (
    {f"{stage}/{slug}" for stage, slugs in GUIDE_STEPS.items() for slug in slugs}
    | {f"topics/{slug}" for slug in TOPICS}
    | {f"cases/{slug}" for slug in CASES}
)


# --------------------------------------------------------------------------------------------------
# The bundled model


def test_bundled_model_is_version_1_with_five_named_levels(model: MaturityModel) -> None:
    assert model.version == 1
    assert [level.number for level in model.levels] == list(LEVELS)
    for level in model.levels:
        for language in registry.LANGUAGES:
            assert level.name(language)
            assert level.summary(language)
    assert model.level(1).name("en") == "Starting out"
    assert model.level(5).name("es") == "Transformador"


def test_bundled_model_covers_every_required_dimension_in_order(model: MaturityModel) -> None:
    assert list(model.dimension_codes[: len(REQUIRED_DIMENSIONS)]) == REQUIRED_DIMENSIONS


@pytest.mark.parametrize("code", REQUIRED_DIMENSIONS)
def test_each_dimension_is_complete_in_both_languages(model: MaturityModel, code: str) -> None:
    dimension = model.dimension(code)
    assert 3 <= len(dimension.questions) <= 5
    assert dimension.themes
    assert dimension.sdg_targets
    assert not registry.validate_codes("theme", list(dimension.themes))
    assert not registry.validate_codes("sdg", list(dimension.sdg_targets))
    for language in registry.LANGUAGES:
        assert dimension.title(language)
        assert dimension.summary(language)
    for question in dimension.questions:
        assert question.id.startswith(f"{code}.")
        assert [option.level for option in question.options] == list(LEVELS)
        for language in registry.LANGUAGES:
            assert question.text(language)
            assert all(option.label(language) for option in question.options)
    assert sorted(dimension.actions) == [2, 3, 4, 5]
    for actions in dimension.actions.values():
        assert actions
        for action in actions:
            assert action.text("en")
            assert action.text("es")
            assert action.text("en") != action.text("es")
            assert action.links


def test_spanish_is_a_translation_not_a_copy(model: MaturityModel) -> None:
    for dimension in model.dimensions:
        assert dimension.title("es") != dimension.title("en")
        for question in dimension.questions:
            assert question.text("es") != question.text("en")


def test_every_link_points_to_a_known_guide_step_topic_or_case(model: MaturityModel) -> None:
    assert missing_links(model, KNOWN_LINKS) == []
    kinds = {link.kind for d in model.dimensions for acts in d.actions.values() for a in acts for link in a.links}
    assert kinds == {"step", "topic", "case"}


def test_question_ids_are_unique(model: MaturityModel) -> None:
    ids = [q.id for q in model.questions]
    assert len(ids) == len(set(ids))
    assert model.question("open-contracting-data.ocds-publication").text("en").startswith("Do you publish")


def test_model_mirrors_every_sdg_12_7_1_index_component(model: MaturityModel) -> None:
    covered = {q.spp_index for q in model.questions if q.spp_index}
    assert covered == set(SPP_INDEX_COMPONENTS)
    assert "unep-sdg-12-7-1" in {s.key for s in model.sources}


def test_evidence_hooks_name_analytics_indicators(model: MaturityModel) -> None:
    """Every evidence hook must name an indicator the engine computes, or the question never shows a figure."""
    from civicbuy.analytics.indicators.registry import all_indicators

    codes = {indicator.code for indicator in all_indicators()}
    hooks = {q.id: q.evidence for q in model.questions if q.evidence}
    assert {h for h in hooks.values() if h not in codes} == set()
    assert {"competition.single_bid_rate", "transparency.key_fields_share", "diversity.sme_spend_share"} <= set(
        hooks.values()
    )


def test_dimension_lookup_errors_are_key_errors(model: MaturityModel) -> None:
    with pytest.raises(KeyError):
        model.dimension("nope")
    with pytest.raises(KeyError):
        model.question("nope.nope")
    with pytest.raises(KeyError):
        model.questions[0].option(9)


# --------------------------------------------------------------------------------------------------
# Links


@pytest.mark.parametrize(
    ("value", "kind"),
    [("plan/understand-the-need", "step"), ("topics/social-value", "topic"), ("cases/kenya-agpo-set-aside", "case")],
)
def test_link_parse(value: str, kind: str) -> None:
    link = Link.parse(value)
    assert link.kind == kind
    assert link.path == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("planning/understand-the-need", "unknown section 'planning'"),
        ("plan/Understand_The_Need", "is not '<stage>/<slug>'"),
        ("understand-the-need", "is not '<stage>/<slug>'"),
        ("plan/", "is not '<stage>/<slug>'"),
    ],
)
def test_link_parse_rejects_bad_links(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Link.parse(value)


# --------------------------------------------------------------------------------------------------
# Broken model files: every problem named with file and YAML path


def problems_of(data: Any) -> list[str]:
    with pytest.raises(ModelError) as caught:
        model_from_data(data, "maturity-model.yaml")
    return caught.value.problems


def test_too_few_options_names_file_and_path(raw_model: dict[str, Any]) -> None:
    del raw_model["dimensions"][3]["questions"][1]["options"][4]
    assert problems_of(raw_model) == [
        "maturity-model.yaml: dimensions[3].questions[1].options: expected 5 options, got 4"
    ]


def test_options_out_of_order(raw_model: dict[str, Any]) -> None:
    options = raw_model["dimensions"][0]["questions"][0]["options"]
    options[0], options[1] = options[1], options[0]
    assert problems_of(raw_model) == [
        (
            "maturity-model.yaml: dimensions[0].questions[0].options[0].level: "
            "expected level 1 here (options run from level 1 to 5), got 2"
        ),
        (
            "maturity-model.yaml: dimensions[0].questions[0].options[1].level: "
            "expected level 2 here (options run from level 1 to 5), got 1"
        ),
    ]


def test_unknown_theme_and_sdg_codes_are_rejected(raw_model: dict[str, Any]) -> None:
    raw_model["dimensions"][2]["themes"].append("greenery")
    raw_model["dimensions"][2]["sdg_targets"].append("12.99")
    assert problems_of(raw_model) == [
        "maturity-model.yaml: dimensions[2].themes: unknown theme code 'greenery'",
        "maturity-model.yaml: dimensions[2].sdg_targets: unknown sdg code '12.99'",
    ]


def test_missing_translation(raw_model: dict[str, Any]) -> None:
    del raw_model["dimensions"][1]["questions"][2]["es"]
    del raw_model["levels"][4]["en"]["name"]
    assert problems_of(raw_model) == [
        "maturity-model.yaml: levels[4].en.name: missing (expected text)",
        "maturity-model.yaml: dimensions[1].questions[2].es: missing translation",
    ]


def test_missing_option_text(raw_model: dict[str, Any]) -> None:
    raw_model["dimensions"][0]["questions"][0]["options"][2]["es"] = ""
    assert problems_of(raw_model) == [
        "maturity-model.yaml: dimensions[0].questions[0].options[2].es: missing (expected text)"
    ]


def test_too_many_and_duplicate_questions(raw_model: dict[str, Any]) -> None:
    questions = raw_model["dimensions"][0]["questions"]
    questions.extend([questions[0], questions[1]])
    assert problems_of(raw_model) == [
        "maturity-model.yaml: dimensions[0].questions: expected 3 to 5 questions, got 6",
        "maturity-model.yaml: dimensions[0].questions[4].id: duplicate question id 'written-policy'",
        "maturity-model.yaml: dimensions[0].questions[5].id: duplicate question id 'senior-owner'",
    ]


def test_duplicate_dimension_code(raw_model: dict[str, Any]) -> None:
    raw_model["dimensions"][1]["code"] = "strategy-leadership"
    assert problems_of(raw_model) == [
        "maturity-model.yaml: dimensions[1].code: duplicate dimension code 'strategy-leadership'"
    ]


def test_unsupported_version(raw_model: dict[str, Any]) -> None:
    raw_model["version"] = 2
    assert problems_of(raw_model) == [
        "maturity-model.yaml: version: unsupported version 2 (this CivicBuy reads version 1)"
    ]


def test_missing_version_and_wrong_level_count(raw_model: dict[str, Any]) -> None:
    del raw_model["version"]
    raw_model["levels"].pop()
    assert problems_of(raw_model) == [
        "maturity-model.yaml: version: missing (expected a whole number)",
        "maturity-model.yaml: levels: expected 5 levels, got 4",
    ]


def test_bad_links_and_missing_actions(raw_model: dict[str, Any]) -> None:
    actions = raw_model["dimensions"][5]["actions"]
    actions[2][0]["links"] = ["guides/publish-open-data", "cases/Not A Slug"]
    del actions[5]
    actions[6] = actions[4]
    problems = problems_of(raw_model)
    assert problems == [
        "maturity-model.yaml: dimensions[5].actions: unexpected key 6 (actions are given for levels 2 to 5)",
        (
            "maturity-model.yaml: dimensions[5].actions[2][0].links[0]: link 'guides/publish-open-data' starts with "
            "unknown section 'guides' (expected one of plan, engage-market, specify, tender, evaluate-award, "
            "manage-contract, measure-learn, emergency, topics, cases)"
        ),
        (
            "maturity-model.yaml: dimensions[5].actions[2][0].links[1]: link 'cases/Not A Slug' is not "
            "'<stage>/<slug>', 'topics/<slug>' or 'cases/<slug>'"
        ),
        "maturity-model.yaml: dimensions[5].actions: missing actions for level 5",
    ]


def test_unknown_fields_and_bad_types(raw_model: dict[str, Any]) -> None:
    raw_model["dimensions"][0]["colour"] = "green"
    raw_model["dimensions"][0]["priority"] = "high"
    raw_model["dimensions"][0]["questions"][0]["evidence"] = "Single Bid Rate!"
    raw_model["dimensions"][0]["questions"][0]["spp_index"] = "G"
    raw_model["dimensions"][0]["sources"] = ["nowhere"]
    assert problems_of(raw_model) == [
        "maturity-model.yaml: dimensions[0]: unknown field(s) colour",
        "maturity-model.yaml: dimensions[0].priority: expected a whole number, got the text 'high'",
        "maturity-model.yaml: dimensions[0].sources[0]: unknown source key 'nowhere' (not in the top-level sources)",
        (
            "maturity-model.yaml: dimensions[0].questions[0].evidence: 'Single Bid Rate!' is not an indicator code "
            "(like 'competition.single_bid_rate' or 'R018')"
        ),
        "maturity-model.yaml: dimensions[0].questions[0].spp_index: 'G' is not an SDG 12.7.1 index component (A to F)",
    ]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (None, "maturity-model.yaml: empty model file"),
        (["a", "list"], "maturity-model.yaml: (top level): expected a mapping, got a list of 2"),
        ({"version": 1}, "maturity-model.yaml: levels: missing (expected a list)"),
        ({"version": 1, "levels": "five"}, "maturity-model.yaml: levels: expected a list, got the text 'five'"),
    ],
)
def test_wrong_shapes(data: Any, problem: str) -> None:
    assert problem in problems_of(data)


def test_every_problem_is_reported_at_once(raw_model: dict[str, Any]) -> None:
    for dimension in raw_model["dimensions"]:
        dimension["themes"] = ["nope"]
    assert len(problems_of(raw_model)) == len(raw_model["dimensions"])


# --------------------------------------------------------------------------------------------------
# Files on disk


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_load_model_from_a_file(tmp_path: Path, raw_model: dict[str, Any]) -> None:
    path = write(tmp_path / "city-model.yaml", yaml.safe_dump(raw_model, allow_unicode=True, sort_keys=False))
    assert load_model(path).dimension_codes[0] == "strategy-leadership"


def test_yaml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.yaml", "version: 1\nlevels: [1, 2\ndimensions: []\n")
    with pytest.raises(ModelError) as caught:
        load_model(path)
    (problem,) = caught.value.problems
    assert problem.startswith(f"{path}, line 3, column ")


def test_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "dup.yaml", "version: 1\nversion: 2\n")
    with pytest.raises(ModelError) as caught:
        load_model(path)
    assert caught.value.problems == [f"{path}, line 2, column 1: duplicate key 'version'"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as caught:
        load_model(tmp_path / "absent.yaml")
    assert caught.value.problems == [f"{tmp_path / 'absent.yaml'}: file not found"]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("version: 1\ntitle: Contratación\n".encode("latin-1"))
    with pytest.raises(ModelError, match="not UTF-8 text"):
        load_model(path)


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.yaml", "")
    with pytest.raises(ModelError) as caught:
        load_model(path)
    assert caught.value.problems == [f"{path}: empty model file"]
