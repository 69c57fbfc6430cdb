from __future__ import annotations

import pycountry
import pytest

from civicbuy.taxonomy import registry

REQUIRED_TARGETS = ["12.7", "5.5", "8.3", "8.5", "9.1", "10.2", "11.2", "11.6", "11.7", "12.5", "13.2", "16.5", "16.6",
                    "16.10", "17.17"]  # fmt: skip


def test_seven_lifecycle_stages_in_order_plus_the_emergency_track() -> None:
    stages = sorted(registry.stages().values(), key=lambda t: t.order)
    assert [t.code for t in stages] == [
        "plan", "engage-market", "specify", "tender", "evaluate-award", "manage-contract", "measure-learn", "emergency",
    ]  # fmt: skip


@pytest.mark.parametrize("code", REQUIRED_TARGETS)
def test_procurement_sdg_targets_are_present_in_both_languages(code: str) -> None:
    term = registry.term("sdg", code)
    assert term.label("en")
    assert term.label("es")
    assert term.label("es") != term.label("en")
    assert term.parent == code.split(".", maxsplit=1)[0]


def test_all_45_cpv_divisions() -> None:
    divisions = registry.cpv_divisions()
    assert len(divisions) == 45
    assert all(len(code) == 2 and code.isdigit() for code in divisions)


def test_every_country_has_a_region_and_a_spanish_name() -> None:
    countries = registry.countries()
    assert len(countries) == len(pycountry.countries)
    assert all(term.parent for term in countries.values())
    assert registry.label("country", "MX", "es") == "México"
    assert registry.region_of("NZ") == "oceania"
    assert registry.region_of("no") == "europe-northern-america"


def test_unknown_codes_are_reported_not_guessed() -> None:
    assert registry.validate_codes("theme", ["social-value", "made-up"]) == ["made-up"]
    with pytest.raises(registry.UnknownTermError, match=r"unknown sdg code '99\.9'"):
        registry.term("sdg", "99.9")
    with pytest.raises(registry.UnknownTermError, match="taxonomy kind"):
        registry.vocabulary("colour")


def test_sdg_targets_sort_numerically() -> None:
    codes = list(registry.sdg_targets())
    assert codes.index("5.5") < codes.index("5.b") < codes.index("10.2") < codes.index("16.10")


def test_labels_are_whole_sentences_not_cut_at_commas() -> None:
    """YAML flow mappings split unquoted text at commas; every label must survive intact."""
    assert registry.label("cpv_division", "09") == "Fuels, electricity and other energy"
    assert registry.label("sdg", "11.6") == "Less environmental harm from cities (air, waste)"
    assert registry.label("sdg_goal", "9") == "Industry, innovation and infrastructure"
    for kind in ("stage", "theme", "sdg", "sdg_goal", "cpv_division", "region"):
        for term in registry.vocabulary(kind).values():
            assert set(term.labels) == {"en", "es"}, (kind, term.code, term.labels)
            assert all(isinstance(text, str) and text for text in term.labels.values()), (kind, term.code)
    plan = registry.term("stage", "plan")
    assert plan.summary("en").endswith("how to pay for them.")


def _before(labels: list[str], first: str, second: str) -> bool:
    return labels.index(first) < labels.index(second)


def test_country_choices_sort_as_a_spanish_reader_expects() -> None:
    """Accents and case do not move a name: "Bélgica" before "Bután", "Islas Äland" among the A's of "Islas"."""
    labels = [label for _, label in registry.choices("country", "es")]
    assert _before(labels, "Bélgica", "Bután")
    assert _before(labels, "Antártida", "Antigua y Barbuda")
    assert _before(labels, "Líbano", "Luxemburgo")
    assert _before(labels, "México", "Mozambique")
    assert _before(labels, "Islas Äland", "Islas Bermudas")


def test_country_choices_sort_accented_english_names_in_place() -> None:
    labels = [label for _, label in registry.choices("country", "en")]
    assert _before(labels, "Afghanistan", "Åland Islands")
    assert _before(labels, "Åland Islands", "Albania")
    assert _before(labels, "Qatar", "Réunion")
    assert _before(labels, "Réunion", "Romania")
    assert labels[-1] == "Zimbabwe"


def test_collation_key_keeps_spanish_n_tilde_after_n() -> None:
    names = ["Ñandú", "Nube", "Oro", "nzz", "Ábaco", "azul"]
    assert sorted(names, key=lambda name: registry.collation_key(name, "es")) == [
        "Ábaco", "azul", "Nube", "nzz", "Ñandú", "Oro",
    ]  # fmt: skip
    assert sorted(names, key=lambda name: registry.collation_key(name, "en")) == [
        "Ábaco", "azul", "Ñandú", "Nube", "nzz", "Oro",
    ]  # fmt: skip
