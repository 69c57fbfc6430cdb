"""Carbon of spend on the demo city, cross-checked by hand, and bad input counted as coverage gaps.

The three hand checks (demo city: seed 2026, 2,000 releases) are written out in docs/impact.md:

1. ocds-synth1-000000000/C-0, electricity (CPV 09310000 -> row 093: DEFRA SIC 35.1, 1.359 kg CO2e/GBP2022),
   EUR 13,174.71 signed 2023: x 0.86979 GBP/EUR (ECB 2023) = GBP 11,459.23 (2023) x ONS CPI 121.7 / 130.5
   = GBP2022 10,686.50 x 1.359 = 14,522.96 kg.
2. ocds-synth1-000000001/C-1, refuse collection (CPV 90511000 -> row 905: EPA NAICS 562111 0.988, 562212 0.988,
   mean 0.988 kg CO2e/USD2022), EUR 11,298.67 signed 2021: x 1.1827 USD/EUR = USD 13,362.94 (2021) x CPI-U
   292.655 / 270.970 = USD2022 14,432.34 x 0.988 = 14,259.15 kg.
3. ocds-synth1-000000047/C-47, medical consumables (CPV 33140000 -> row 331: NAICS 339112 0.156, 339113 0.140,
   mean 0.148), GBP 6,458.90 signed 2023: / 0.86979 GBP/EUR x 1.0813 USD/EUR = USD 8,029.53 (2023) x CPI-U
   292.655 / 304.702 = USD2022 7,712.07 x 0.148 = 1,141.39 kg.
"""

from __future__ import annotations

import pytest

from civicbuy.analytics.impact import carbon, factors
from civicbuy.analytics.impact.spend import SpendLine, normalise_cpv

HAND_CHECKS = {
    "ocds-synth1-000000000/C-0": ("cpv:093", 1.359, 13174.71 * 0.86979 * 121.7 / 130.5),
    "ocds-synth1-000000001/C-1": ("cpv:905", 0.988, 11298.67 * 1.1827 * 292.655 / 270.970),
    "ocds-synth1-000000047/C-47": ("cpv:331", 0.148, 6458.90 / 0.86979 * 1.0813 * 292.655 / 304.702),
}
HAND_KG = {
    "ocds-synth1-000000000/C-0": 14522.96,
    "ocds-synth1-000000001/C-1": 14259.15,
    "ocds-synth1-000000047/C-47": 1141.39,
}


def test_three_contracts_match_the_hand_calculation(demo_carbon: carbon.CarbonResult) -> None:
    by_id = {e.line.id: e for e in demo_carbon.estimates}
    for line_id, (key, factor, converted) in HAND_CHECKS.items():
        estimate = by_id[line_id]
        assert estimate.factor_key == key
        assert estimate.factor == factor
        assert estimate.converted_amount == pytest.approx(converted, rel=1e-9)
        assert estimate.kg == pytest.approx(converted * factor, rel=1e-9)
        assert estimate.kg == pytest.approx(HAND_KG[line_id], abs=0.01)


def test_ranges_bracket_the_central_estimate(demo_carbon: carbon.CarbonResult) -> None:
    summary = demo_carbon.summary()
    assert summary["total_tonnes_co2e_low"] < summary["total_tonnes_co2e"] < summary["total_tonnes_co2e_high"]
    for estimate in demo_carbon.covered:
        assert estimate.kg_low <= estimate.kg <= estimate.kg_high
    # the range is the source spread widened by 30% each side
    c0 = next(e for e in demo_carbon.estimates if e.line.id == "ocds-synth1-000000001/C-1")
    assert c0.kg_low == pytest.approx(c0.kg * 0.7)
    assert c0.kg_high == pytest.approx(c0.kg * 1.3)


def test_hot_spots_and_coverage(demo_carbon: carbon.CarbonResult) -> None:
    summary = demo_carbon.summary()
    divisions = summary["by_division"]
    assert divisions == sorted(divisions, key=lambda g: -g["tonnes_co2e"])
    assert sum(g["tonnes_co2e"] for g in divisions) == pytest.approx(summary["total_tonnes_co2e"], abs=0.05)
    assert summary["by_supplier"][0]["tonnes_co2e"] >= summary["by_supplier"][-1]["tonnes_co2e"]
    assert 0.9 <= summary["coverage"] <= 1
    assert summary["lines"] == len(demo_carbon.estimates)
    assert {f["cpv_prefix"] for f in summary["factors_used"]} >= {"71", "80", "093"}
    assert all(f["citation"] for f in summary["factors_used"])


def _line(**changes: object) -> SpendLine:
    base = {
        "id": "x/1", "ocid": "x", "title": "", "buyer": "", "supplier_id": "S1", "supplier_name": "S 1",
        "cpv": "45233140", "amount": 1000.0, "currency": "EUR", "year": 2022,
    }  # fmt: skip
    return SpendLine(**{**base, **changes})  # type: ignore[arg-type]


BAD_LINES = {
    "missing_cpv": _line(id="a", cpv=""),
    "unknown_cpv": _line(id="b", cpv="?XYZ"),
    "missing_amount": _line(id="c", amount=None),
    "unknown_currency": _line(id="d", currency="XBT"),
    "negative_amount": _line(id="e", amount=-500.0),
    "absurd_amount": _line(id="f", amount=9e12),
}


def test_bad_input_is_counted_as_coverage_gaps_never_dropped() -> None:
    lines = [_line(id="good"), *BAD_LINES.values(), _line(id="g", cpv="99000000"), _line(id="h", amount=float("nan"))]
    result = carbon.estimate(lines, factors.load_factors(), factors.load_conversion())
    assert len(result.estimates) == len(lines)
    assert len(result.covered) == 1
    gaps = {e.line.id: e.gap for e in result.estimates}
    for reason, line in BAD_LINES.items():
        assert gaps[line.id] == reason
    assert gaps["g"] == "unknown_cpv"  # division 99 does not exist
    assert gaps["h"] == "missing_amount"
    summary = result.summary()
    assert sum(g["lines"] for g in summary["gaps"]) == len(lines) - 1
    assert {g["reason"] for g in summary["gaps"]} == set(BAD_LINES)
    unknown = next(g for g in summary["gaps"] if g["reason"] == "unknown_currency")
    assert unknown["amounts_by_currency"] == {"XBT": 1000.0}
    # coverage: the good line (EUR 1,000) over all convertible, non-negative spend (good + missing/unknown CPV)
    assert result.coverage == pytest.approx(1000 / 4000)


def test_supplier_intensity_overrides_the_category() -> None:
    table = factors.load_factors()
    table.suppliers["S1"] = factors.SupplierFactor("S1", 0.01, 0.01, 0.01, "EUR", 2022, "Supplier report 2022")
    result = carbon.estimate([_line(), _line(id="y", supplier_id="S2")], table, factors.load_conversion())
    own, other = result.estimates
    assert own.factor_key == "supplier:S1"
    assert own.kg == pytest.approx(10.0)
    assert other.factor_key == "cpv:45233"
    # a supplier intensity also covers a line with no CPV code
    no_code = carbon.estimate([_line(cpv="")], table, factors.load_conversion())
    assert not no_code.estimates[0].gap


def test_years_outside_the_tables_use_the_nearest_and_say_so() -> None:
    result = carbon.estimate([_line(year=2031)], factors.load_factors(), factors.load_conversion())
    assert result.estimates[0].year_clamped
    assert result.summary()["years_outside_tables"] == 1


@pytest.mark.parametrize(
    ("code", "expected"),
    [("45233140-2", "45233140"), ("45233140", "45233140"), ("4523", ""), (None, ""), ("ABCDEFGH", "")],
)
def test_normalise_cpv(code: object, expected: str) -> None:
    assert normalise_cpv(code) == expected


def test_the_price_year_of_the_factors_is_stated(demo_carbon: carbon.CarbonResult) -> None:
    summary = demo_carbon.summary()
    stated = {(p["currency"], p["price_year"]): p["price_index"] for p in summary["price_years"]}
    used = {(f["currency"], f["price_year"]) for f in summary["factors_used"]}
    assert set(stated) == used == {("USD", 2022), ("GBP", 2022)}
    assert stated == {("USD", 2022): "bls", ("GBP", 2022): "ons"}


def test_every_conversion_table_is_cited(demo_carbon: carbon.CarbonResult) -> None:
    cited = {(s["kind"], s["currency"]): s for s in demo_carbon.summary()["conversion_sources"]}
    assert set(cited) == {
        ("exchange_rates", ""),
        ("price_index", "USD"),
        ("price_index", "GBP"),
        ("model_uncertainty", ""),
    }
    assert cited[("exchange_rates", "")]["citation"].startswith("European Central Bank")
    assert "CUUR0000SA0" in cited[("price_index", "USD")]["citation"]
    assert "D7BT" in cited[("price_index", "GBP")]["citation"]
