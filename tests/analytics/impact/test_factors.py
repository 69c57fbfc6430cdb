"""The bundled factor table: every row sourced, consistent with the official EPA and DEFRA files, importable."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path

import pytest

from civicbuy.analytics.impact import factors
from civicbuy.analytics.impact.exceptions import ImpactError
from civicbuy.analytics.impact.sources import sources
from civicbuy.taxonomy import registry

EPA_FILE = "SupplyChainGHGEmissionFactors_v1.3.0_NAICS_CO2e_USD2022.csv"
DEFRA_FILE = "defra_uk_carbon_footprint_spend_factors_by_SIC_2022.csv"


def test_every_factor_row_has_a_cited_source_and_its_codes() -> None:
    table = factors.load_factors()
    assert len(table.rows) >= 45
    for row in table.rows.values():
        source = sources()[row.source]  # KeyError = a row citing an unknown source
        assert source.title
        assert source.publisher
        assert source.url.startswith("https://")
        assert source.year
        assert row.source_codes, row.cpv_prefix
        assert len(row.source_codes) == len(row.source_figures)
        assert row.unit
        assert row.currency in {"USD", "GBP"}
        assert row.price_year == 2022
        assert row.method
        assert 0 < row.low <= row.factor <= row.high


def test_every_cpv_division_has_a_factor() -> None:
    table = factors.load_factors()
    for division in registry.cpv_divisions():
        assert table.match(f"{division}000000") is not None, division


def test_longest_prefix_wins() -> None:
    table = factors.load_factors()

    def prefix(code: str) -> str:
        row = table.match(code)
        return row.cpv_prefix if row else ""

    assert prefix("44111200") == "441112"  # cement, not construction materials
    assert prefix("45233140") == "45233"
    assert prefix("45000000") == "45"
    assert table.match("99999999") is None


def test_prefixes_are_real_cpv_codes(reference: Path) -> None:
    with (reference / "cpv2008_codes.csv").open(encoding="utf-8") as handle:
        codes = {row["code8"] for row in csv.DictReader(handle)}
    for prefix in factors.load_factors().rows:
        assert prefix.ljust(8, "0") in codes, prefix


def test_factors_agree_with_the_official_epa_file(reference: Path) -> None:
    with (reference / EPA_FILE).open(encoding="utf-8") as handle:
        official = {
            r["2017 NAICS Code"]: float(r["Supply Chain Emission Factors with Margins"])
            for r in csv.DictReader(handle)
        }
    rows = [row for row in factors.load_factors().rows.values() if row.source == "epa"]
    assert len(rows) > 70
    for row in rows:
        figures = [official[code] for code in row.source_codes]
        assert list(row.source_figures) == pytest.approx(figures, abs=5e-4), row.cpv_prefix
        assert row.factor == pytest.approx(statistics.fmean(figures), abs=5.01e-4), row.cpv_prefix  # 3 decimals
        assert (row.low, row.high) == pytest.approx((min(figures), max(figures)), abs=5e-4)


def test_factors_agree_with_the_official_defra_file(reference: Path) -> None:
    with (reference / DEFRA_FILE).open(encoding="utf-8") as handle:
        official = {r["sic_code"]: float(r["ghg_kgco2e_per_gbp"]) for r in csv.DictReader(handle)}
    rows = [row for row in factors.load_factors().rows.values() if row.source == "defra"]
    assert rows
    for row in rows:
        assert row.factor == pytest.approx(statistics.fmean(official[c] for c in row.source_codes), abs=5.01e-4)


def test_importing_the_official_epa_file_reproduces_the_table(reference: Path) -> None:
    imported = factors.import_factors(reference / EPA_FILE)
    bundled = factors.load_factors()
    assert not imported.problems
    for prefix, row in imported.rows.items():
        assert row.factor == pytest.approx(bundled.rows[prefix].factor, abs=1e-9)


def test_importing_a_changed_epa_file_updates_the_figures(reference: Path, tmp_path: Path) -> None:
    text = (reference / EPA_FILE).read_text(encoding="utf-8")
    changed = tmp_path / "epa.csv"
    rows = list(csv.DictReader(text.splitlines()))
    for row in rows:
        if row["2017 NAICS Code"] == "237310":
            row["Supply Chain Emission Factors with Margins"] = "0.5"
    with changed.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    table = factors.load_factors(changed)
    assert table.rows["45233"].factor == 0.5


def test_own_factor_file_with_supplier_intensities(tmp_path: Path) -> None:
    own = tmp_path / "mine.csv"
    own.write_text(
        "cpv_prefix,supplier_id,label,factor,low,high,currency,price_year,source\n"
        "72,,IT services (city study),0.05,0.04,0.06,EUR,2023,City IT carbon study 2024\n"
        ",GB-COH-10001494,,0.02,0.015,0.03,EUR,2023,Supplier's verified 2023 report\n",
        encoding="utf-8",
    )
    table = factors.load_factors(own)
    assert table.rows["72"].factor == 0.05
    assert table.rows["72"].currency == "EUR"
    assert table.suppliers["GB-COH-10001494"].factor == 0.02


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("cpv_prefix,factor,currency,price_year,source\n72,abc,USD,2022,x\n", "line 2: factor 'abc' is not a number"),
        ("cpv_prefix,factor,currency,price_year,source\n7,0.1,USD,2022,x\n", "must be 2 to 8 digits"),
        ("cpv_prefix,factor,currency,price_year,source\n72,0.1,USD,2022,\n", "every factor needs a source"),
        ("cpv_prefix,factor,currency,price_year,source\n72,-1,USD,2022,x\n", "must satisfy"),
        ("name,value\na,1\n", "needs the columns"),
        ("cpv_prefix,factor,currency,price_year,source\n", "no usable factor rows"),
    ],
)
def test_malformed_factor_files_say_what_and_where(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ImpactError, match=message) as caught:
        factors.import_factors(bad)
    assert str(bad) in caught.value.user_message()


def test_not_utf8_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "latin.csv"
    bad.write_bytes("cpv_prefix,factor\n72,0,1 \xe9\n".encode("latin-1"))
    with pytest.raises(ImpactError, match="UTF-8"):
        factors.import_factors(bad)


def test_written_table_reads_back(tmp_path: Path) -> None:
    table = factors.load_factors()
    target = tmp_path / "impact" / "factors.csv"
    factors.write_factors(table, target)
    again = factors.parse_factor_csv(target.read_text(encoding="utf-8"))
    assert again.rows == table.rows


def test_conversion_states_its_sources() -> None:
    conversion = factors.load_conversion()
    for source in conversion.sources.values():
        assert source in sources()
    amount, clamped = conversion.convert(100, "EUR", 2022, "USD", 2022)
    assert amount == pytest.approx(105.30)
    assert not clamped
    amount, clamped = conversion.convert(100, "EUR", 2030, "USD", 2022)
    assert clamped


def test_every_factor_currency_has_rates_and_a_price_index_for_its_price_year() -> None:
    """A factor's money must be reachable directly: a rate and a price index for its currency and price year."""
    conversion = factors.load_conversion()
    for row in factors.load_factors().rows.values():
        assert row.currency in conversion.indices, row.cpv_prefix
        assert row.price_year in conversion.rates[row.currency], row.cpv_prefix
        assert row.price_year in conversion.indices[row.currency], row.cpv_prefix
    for currency, table in conversion.rates.items():
        assert set(table) == set(conversion.rates["EUR"]), currency


def test_the_documented_conversion_table_is_the_one_used() -> None:
    """docs/impact.md prints the rates and indices with their sources; they must be the figures in use."""
    docs = (Path(__file__).resolve().parents[3] / "docs" / "impact.md").read_text(encoding="utf-8")
    conversion = factors.load_conversion()
    rows = [line.strip().split("|")[1:-1] for line in docs.splitlines() if line.strip().startswith("| 20")]
    assert {int(cells[0]) for cells in rows} == set(conversion.rates["EUR"])
    for cells in rows:
        year, usd, gbp, cpi_u, uk_cpi = (cell.strip() for cell in cells)
        assert float(usd) == conversion.rates["USD"][int(year)]
        assert float(gbp) == conversion.rates["GBP"][int(year)]
        assert float(cpi_u) == conversion.indices["USD"][int(year)]
        assert float(uk_cpi) == conversion.indices["GBP"][int(year)]
