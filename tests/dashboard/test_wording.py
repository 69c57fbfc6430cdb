"""The dashboard in Spanish: the engine's English names, reasons, warnings and formats translated at the dashboard
layer, OCDS method labels, and numbers written the way the page's language writes them."""

from __future__ import annotations

from django.test import Client
from django.utils import translation

from civicbuy.analytics.indicators.registry import all_indicators
from civicbuy.dashboard import cards, wording
from civicbuy.dashboard.models import Dataset


def test_every_indicator_has_a_translatable_name_and_definition_matching_the_engine() -> None:
    with translation.override("en"):
        for declared in all_indicators():
            assert declared.code in wording.INDICATORS, declared.code
            assert wording.indicator_name(declared) == declared.name
            assert wording.indicator_definition(declared) == declared.definition
    with translation.override("es"):
        untranslated = [d.code for d in all_indicators() if wording.indicator_name(d) == d.name]
    assert untranslated == []


def test_engine_words_and_numbers_in_spanish() -> None:
    with translation.override("es"):
        assert cards.format_value(0.234, "percent") == "23 %"
        assert cards.format_value(12.25, "days").endswith(" días")
        assert cards.format_value(2.5, "number") == "2,5"
        assert cards.format_value(12345.0, "number") in ("12.345", "12\xa0345")
        assert wording.method_label("direct") == "Directo"
        assert wording.method_label("framework") == "framework"  # not in the codelist: shown as published
        assert wording.file_format("JSON Lines of compiled releases, gzip-compressed") == (
            "JSON Lines de entregas compiladas, comprimido con gzip"
        )
        assert wording.warning(
            "wrong_type:/tender/value/amount", "/tender/value/amount is not a number; stored as null"
        ) == ("/tender/value/amount no es un número; se guardó como nulo")
        assert wording.reason("no competitive process with a known number of bidders") == (
            "ningún proceso competitivo con un número conocido de oferentes"
        )
        assert wording.reason("something new the engine says") == "something new the engine says"
    with translation.override("en"):
        assert cards.format_value(12345.0, "number") == "12,345"
        assert cards.format_value(0.234, "percent") == "23%"


def test_the_spanish_dashboard_page(member_client: Client, ready_dataset: Dataset) -> None:
    page = member_client.get(f"/es/dashboard/{ready_dataset.pk}/").content.decode()
    assert "Tasa de oferta única" in page
    assert "Single-bid rate" not in page
    assert "Proporción de procesos competitivos" in page  # a definition
    assert '<option value="open">Abierto</option>' in page
    assert ">open<" not in page
    flagged = member_client.get(f"/es/dashboard/{ready_dataset.pk}/red-flags/").content.decode()
    assert "Plazo de presentación corto" in flagged
