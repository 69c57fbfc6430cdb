"""Scenarios change the total by exactly what their assumptions imply."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicbuy.analytics.impact import carbon, scenarios
from civicbuy.analytics.impact.exceptions import ImpactError
from civicbuy.analytics.impact.factors import load_conversion


def _kg(result: carbon.CarbonResult, *prefixes: str) -> float:
    return sum(e.kg for e in result.covered if e.line.cpv.startswith(prefixes))


def test_gpp_uptake_cuts_exactly_uptake_times_reduction(demo_carbon: carbon.CarbonResult) -> None:
    scenario = scenarios.parse_scenario(
        {"assumptions": [{"type": "gpp_uptake", "product_group": "food_catering", "uptake": 0.5, "reduction": 0.2}]}
    )
    result = scenarios.run_scenario(demo_carbon, scenario)
    food = _kg(demo_carbon, *scenarios.gpp_groups()["food_catering"].cpv)
    assert food > 0
    assert result.change_kg == pytest.approx(-0.5 * 0.2 * food, rel=1e-12)
    assert result.scenario_kg == pytest.approx(demo_carbon.total_kg - 0.1 * food, rel=1e-12)


def test_renewable_electricity_substitution(demo_carbon: carbon.CarbonResult) -> None:
    scenario = scenarios.parse_scenario(
        {"assumptions": [{"type": "substitution", "cpv_prefixes": ["0931"], "share": 1.0, "factor_multiplier": 0.1}]}
    )
    power = _kg(demo_carbon, "0931")
    assert scenarios.run_scenario(demo_carbon, scenario).change_kg == pytest.approx(-0.9 * power, rel=1e-12)


def test_spend_shift_uses_the_other_categorys_factor(demo_carbon: carbon.CarbonResult) -> None:
    scenario = scenarios.parse_scenario(
        {"assumptions": [{"type": "spend_shift", "from_prefix": "601", "to_prefix": "602", "share": 0.1}]}
    )
    rail = demo_carbon.table.rows["602"]
    expected = 0.0
    for e in demo_carbon.covered:
        if e.line.cpv.startswith("601"):
            assert e.line.amount is not None
            assert e.line.year is not None
            moved, _ = load_conversion().convert(
                e.line.amount * 0.1, e.line.currency, e.line.year, rail.currency, rail.price_year
            )
            expected += moved * rail.factor - 0.1 * e.kg
    assert expected < 0  # rail is cleaner per unit of money than road
    assert scenarios.run_scenario(demo_carbon, scenario).change_kg == pytest.approx(expected, rel=1e-9)


def test_the_example_scenario_adds_up(demo_carbon: carbon.CarbonResult) -> None:
    result = scenarios.run_scenario(demo_carbon, scenarios.load_scenario())
    data = result.as_dict()
    assert len(data["assumptions"]) == 4
    assert sum(a["change_tonnes_co2e"] for a in data["assumptions"]) == pytest.approx(
        data["change_tonnes_co2e"], abs=0.01
    )
    assert data["scenario_tonnes_co2e"] == pytest.approx(
        data["baseline_tonnes_co2e"] + data["change_tonnes_co2e"], abs=0.01
    )
    assert data["change_tonnes_co2e"] < 0
    assert data["scenario_tonnes_co2e_low"] < data["scenario_tonnes_co2e"] < data["scenario_tonnes_co2e_high"]


@pytest.mark.parametrize(
    ("assumption", "message"),
    [
        ({"type": "gpp_uptake", "product_group": "nope", "uptake": 0.5, "reduction": 0.1}, "unknown product_group"),
        ({"type": "gpp_uptake", "product_group": "furniture", "uptake": 1.5, "reduction": 0.1}, "between 0 and 1"),
        ({"type": "substitution", "cpv_prefixes": ["x"], "share": 0.5, "factor_multiplier": 0.1}, "2 to 8 digits"),
        ({"type": "spend_shift", "from_prefix": "60", "to_prefix": "602", "share": "lots"}, "must be a number"),
        ({"type": "magic"}, "unknown assumption type"),
    ],
)
def test_bad_assumptions_say_which_and_why(assumption: dict[str, object], message: str) -> None:
    with pytest.raises(ImpactError, match=message) as caught:
        scenarios.parse_scenario({"assumptions": [{"note": "x"}, assumption][1:]}, "mine.yaml")
    assert "mine.yaml, assumption 1" in caught.value.user_message()


def test_unreadable_scenario_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("assumptions: [\n", encoding="utf-8")
    with pytest.raises(ImpactError, match="not valid YAML"):
        scenarios.load_scenario(bad)


def test_the_example_scenario_and_product_groups_read_in_spanish() -> None:
    english = scenarios.load_scenario()
    spanish = scenarios.load_scenario(language="es")
    assert spanish.name.startswith("Ejemplo")
    assert [a.label for a in spanish.assumptions][:2] == [
        "CPE de la UE: Alimentos, servicios de restauración y máquinas expendedoras",
        "Electricidad renovable",
    ]
    assert all(a.note and a.note != b.note for a, b in zip(spanish.assumptions, english.assumptions, strict=True))
    # the same figures in both languages: only the words change
    assert [a.as_dict() | {"label": "", "note": ""} for a in spanish.assumptions] == [
        a.as_dict() | {"label": "", "note": ""} for a in english.assumptions
    ]
    assert all(group.label("es") != group.label() for group in scenarios.gpp_groups().values())


def test_a_users_scenario_may_give_words_in_one_language_or_several(tmp_path: Path) -> None:
    file = tmp_path / "mine.yaml"
    file.write_text(
        "name: {en: Greener power, es: Energía más limpia}\n"
        "assumptions:\n"
        "  - {type: substitution, cpv_prefixes: ['0931'], share: 0.5, factor_multiplier: 0.2, note: only English}\n"
        "  - {type: spend_shift, from_prefix: '601', to_prefix: '602', share: 0.1}\n",
        encoding="utf-8",
    )
    spanish = scenarios.load_scenario(file, language="es")
    assert spanish.name == "Energía más limpia"
    assert [(a.label, a.note) for a in spanish.assumptions] == [
        ("Sustitución", "only English"),
        ("Cambio del CPV 601 al 602", ""),
    ]
    assert scenarios.load_scenario(file).assumptions[1].label == "Shift from CPV 601 to 602"
