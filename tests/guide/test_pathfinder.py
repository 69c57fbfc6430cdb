from __future__ import annotations

import pytest
from django.test import Client

from civicbuy.guide import pathfinder


@pytest.mark.parametrize(
    ("words", "division"),
    [
        ("electric buses", "34"),
        ("Ordenadores portátiles", "30"),
        ("school meals", "55"),
        ("frutas y verduras frescas", "15"),
        ("comedores escolares", "55"),
        ("street cleaning and waste", "90"),
        ("renovation of a school building", "45"),
    ],
)
def test_plain_words_find_the_cpv_division(words: str, division: str) -> None:
    assert pathfinder.divisions_for_words(words)[0] == division


def test_unknown_words_find_nothing() -> None:
    assert pathfinder.divisions_for_words("qwerty zzz") == []


def test_plan_grows_with_value_and_goals_and_stays_in_lifecycle_order() -> None:
    small = pathfinder.make_plan(division="30", value_band="small", urgency="normal", goals=[], language="en")
    large = pathfinder.make_plan(
        division="30", value_band="major", urgency="normal", goals=["carbon", "local-jobs"], language="en"
    )
    assert set(small.steps) < set(large.steps)
    assert "specify/use-green-criteria-and-labels" in large.steps
    assert "specify/set-social-value-requirements" in large.steps
    stages = [step.split("/")[0] for step in large.steps]
    order = ["plan", "engage-market", "specify", "tender", "evaluate-award", "manage-contract", "measure-learn"]
    assert stages == sorted(stages, key=order.index)
    assert large.green_criteria[0]["name"] == "Computers, monitors, tablets and smartphones"
    assert "sustainable-it" in large.topics
    assert large.outcomes


def test_emergency_plan_puts_the_emergency_track_first_in_spanish() -> None:
    plan = pathfinder.make_plan(division="33", value_band="major", urgency="emergency", goals=[], language="es")
    assert plan.emergency_first
    assert plan.steps[0] == "emergency/use-fast-procedures-lawfully"
    assert "plan/assess-risks-and-opportunities" not in plan.steps  # value steps give way in an emergency
    assert "emergency" in plan.topics


def test_every_step_the_rules_name_exists_in_the_bundled_guide() -> None:
    from civicbuy.content.packs import bundled_pack

    steps_dir = bundled_pack() / "guide" / "steps"
    existing = {f"{p.parent.name}/{p.name.removesuffix('.en.yaml')}" for p in steps_dir.glob("*/*.en.yaml")}
    rules = pathfinder.rules()
    named = set(rules["always"])
    for group in ("value_bands", "urgency", "goals"):
        for row in rules[group]:
            named.update(row["steps"])
    assert named <= existing, sorted(named - existing)


@pytest.mark.django_db
def test_pathfinder_view_shows_a_plan_and_is_shareable(client: Client) -> None:
    query = {"what": "electric buses", "value": "large", "urgency": "normal", "goals": ["carbon", "inclusion"]}
    html = client.get("/en/guide/plan-a-purchase/", query).content.decode()
    assert "Your purchase plan" in html
    assert "Road transport (vehicles and mobility services)" in html
    assert "/en/guide/specify/use-green-criteria-and-labels/" in html
    assert "/en/guide/topics/inclusive-design/" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"value": "large", "urgency": "normal"},  # nothing about what is bought
        {"what": "qwerty", "value": "large", "urgency": "normal"},  # words that match no category
        {"division": "99", "value": "large", "urgency": "normal"},  # tampered category
        {"division": "30", "value": "gigantic", "urgency": "normal"},  # tampered value band
        {"division": "30", "value": "large", "urgency": "normal", "goals": ["<script>"]},  # tampered goal
    ],
)
def test_malformed_answers_get_a_clear_message(client: Client, query: dict[str, object]) -> None:
    response = client.get("/en/guide/plan-a-purchase/", query)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "<script>" not in html  # the tampered value is escaped in the message


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{"utm_source": "newsletter"}, {"page": "abc"}, {"utm_source": "x", "lang": "es"}])
def test_unrelated_query_parameters_open_the_empty_questionnaire(client: Client, query: dict[str, str]) -> None:
    """Campaign links (utm_source=...) carry parameters that are not answers: no errors before the user answers."""
    response = client.get("/en/guide/plan-a-purchase/", query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" not in html
    assert "This field is required" not in html
    assert "Your purchase plan" not in html


@pytest.mark.django_db
def test_answers_with_a_campaign_parameter_still_make_a_plan(client: Client) -> None:
    query = {"utm_source": "newsletter", "division": "30", "value": "small", "urgency": "normal"}
    response = client.get("/en/guide/plan-a-purchase/", query)
    assert response.status_code == 200
    assert "Your purchase plan" in response.content.decode()


def test_outcomes_are_whole_sentences() -> None:
    for row in pathfinder.rules()["goals"]:
        assert len(row["outcomes"]["en"]) == len(row["outcomes"]["es"]), row["code"]
        assert all(text[0].isupper() for text in row["outcomes"]["en"]), row["code"]
