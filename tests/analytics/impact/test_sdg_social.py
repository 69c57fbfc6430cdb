"""The SDG view and the social-value framework."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from civicbuy.analytics.impact import carbon, sdg, social_value
from civicbuy.analytics.impact.exceptions import ImpactError
from civicbuy.analytics.impact.sources import read_data, sources
from civicbuy.taxonomy import registry


def test_mapping_uses_only_taxonomy_codes_and_covers_every_division() -> None:
    mapping = sdg.load_mapping()
    assert set(mapping.divisions) == set(registry.cpv_divisions())
    assert mapping.indicators["diversity.sme_spend_share"].targets == ("8.3",)
    assert "12.7" in mapping.indicators["sustainability.environmental_criteria_share"].targets


def test_unknown_codes_in_a_mapping_are_refused() -> None:
    data = yaml.safe_load(read_data("sdg_mapping.yaml"))
    data["cpv_divisions"]["09"]["targets"].append("99.9")
    with pytest.raises(ImpactError, match=r"not in the shared taxonomy: 99\.9"):
        sdg.parse_mapping(data)


def test_spend_and_evidence_per_target(demo_carbon: carbon.CarbonResult) -> None:
    results = [
        {"indicator": "diversity.sme_spend_share", "level": "dataset", "id": "", "value": 0.41},
        {"indicator": "diversity.sme_spend_share", "level": "buyer", "id": "b", "value": 0.9},
        {"indicator": "sustainability.environmental_criteria_share", "level": "dataset", "id": "", "value": 0.08},
    ]
    view = sdg.sdg_view(demo_carbon.estimates, results)
    targets = {t["target"]: t for t in view["targets"]}
    assert targets["8.3"]["evidence"] == [{"indicator": "diversity.sme_spend_share", "value": 0.41, "reason": None}]
    assert targets["12.7"]["evidence"][0]["value"] == 0.08
    energy = sum(e.spend_eur or 0.0 for e in demo_carbon.estimates if e.division == "09")
    assert targets["7.2"]["spend_eur"] == pytest.approx(energy, abs=0.01)
    assert view["total_spend_eur"] == pytest.approx(demo_carbon.spend_eur, abs=0.01)


def test_framework_is_open_and_cites_its_proxies() -> None:
    framework = social_value.load_framework()
    assert len(framework.themes) >= 5
    assert len(framework.measures) >= 10
    proxied = [m for m in framework.measures.values() if m.proxy]
    assert {m.code for m in proxied} == {"env.co2e_saved", "community.wellbys"}
    for measure in framework.measures.values():
        assert measure.unit("en")
        assert measure.unit("es")
        assert measure.label("es")
        if measure.proxy:
            assert measure.proxy.source in sources()
    for theme in framework.themes.values():
        assert not registry.validate_codes("sdg", list(theme.sdg_targets))


def test_users_own_framework_csv(tmp_path: Path) -> None:
    own = tmp_path / "toms.csv"
    own.write_text(
        "theme,outcome,measure_code,measure,unit,proxy_value,proxy_currency,proxy_year,proxy_source\n"
        "Jobs,More local jobs,NT1,Local people employed,FTE,1000,GBP,2023,Licensed TOMs 2023\n"
        "Growth,Local supply chain,NT18,Local spend,GBP,,,,\n",
        encoding="utf-8",
    )
    framework = social_value.load_framework(own)
    proxy = framework.measures["NT1"].proxy
    assert proxy is not None
    assert proxy.value == 1000
    assert framework.measures["NT18"].proxy is None
    assert "user's own" in framework.licence


def test_malformed_framework(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("themes:\n  - code: x\n    outcomes: [{code: y, measures: [{code: z}]}]\n", encoding="utf-8")
    with pytest.raises(ImpactError, match="needs a code and a unit"):
        social_value.load_framework(bad)


def test_committed_vs_delivered_per_supplier_and_theme() -> None:
    framework = social_value.load_framework()
    commitments = social_value.parse_commitments(
        "contract_id,supplier_id,supplier_name,measure,quantity,due_date\n"
        "C-1,S1,Acme,jobs.local_hires,10,2025-12-31\n"
        "C-1,S1,Acme,env.co2e_saved,100,\n"
        "C-2,S2,Beta,skills.training_hours,200,2025-06-30\n"
        "C-3,S3,Gamma,not.a.measure,5,\n"
        "C-4,S4,Delta,jobs.local_hires,-3,\n",
        framework,
    )
    assert len(commitments.rows) == 3
    assert [p.split(":")[0] for p in commitments.problems] == ["commitments.csv, line 5", "commitments.csv, line 6"]
    deliveries = social_value.parse_commitments(
        "contract_id,supplier_id,measure,quantity,date\n"
        "C-1,,jobs.local_hires,4,2025-03-01\nC-1,,jobs.local_hires,3,2025-09-01\nC-1,,env.co2e_saved,100,2025-10-01\n"
        "C-9,S9,skills.training_hours,8,2025-01-01\n",
        framework,
        deliveries=True,
    )
    summary = social_value.summarise(framework, commitments.rows, deliveries.rows)
    rows = {(r["supplier_id"], r["measure"]): r for r in summary["rows"]}
    hires = rows[("S1", "jobs.local_hires")]
    assert (hires["committed"], hires["delivered"], hires["delivered_share"]) == (10, 7, 0.7)
    carbon_row = rows[("S1", "env.co2e_saved")]
    assert carbon_row["delivered_value"]["value"] == 100 * 241
    assert carbon_row["delivered_value"]["source"]
    assert rows[("S9", "skills.training_hours")]["committed"] == 0
    assert summary["deliveries_without_commitment"] == 1
    themes = {t["theme"]: t for t in summary["by_theme"]}
    assert themes["environment"]["met"] == 1
    assert themes["jobs"]["met"] == 0


def test_a_delivery_counts_for_the_supplier_it_names() -> None:
    framework = social_value.load_framework()
    header = "contract_id,supplier_id,supplier_name,measure,quantity\n"
    commitments = social_value.parse_commitments(
        header + "C-50,A,Alpha Ltd,skills.training_hours,10\nC-50,B,Beta Ltd,skills.training_hours,10\n"
        "C-51,,Gamma Ltd,skills.training_hours,5\n",
        framework,
    )
    deliveries = social_value.parse_commitments(
        "contract_id,supplier_id,measure,quantity\n"
        "C-50,A,skills.training_hours,4\n"  # Alpha's, not the last supplier to commit on C-50
        "C-50,,skills.training_hours,1\n"  # two suppliers committed there: whose is it? not guessed
        "C-51,,skills.training_hours,2\n",  # one supplier (known by name) committed there: it is Gamma's
        framework,
        deliveries=True,
    )
    summary = social_value.summarise(framework, commitments.rows, deliveries.rows)
    delivered = {r["supplier_id"]: r["delivered"] for r in summary["rows"]}
    assert delivered == {"A": 4, "B": 0, "Gamma Ltd": 2, "": 1}
    assert summary["deliveries_without_commitment"] == 1


def test_commitment_rows_that_would_be_misread_are_refused_with_their_line() -> None:
    parsed = social_value.parse_commitments(
        " Contract_ID , Supplier_ID , supplier_name , Measure , Quantity \n"  # a spreadsheet's spaces and capitals
        "C-1,S1,Acme,jobs.local_hires,2.5\n"
        'C-2,S1,Acme,jobs.local_hires,"2,5"\n'
        'C-3,S1,Acme,jobs.local_hires,"2,500"\n'
        "C-4,S1,Acme,jobs.local_hires,1e400\n"
        "C-5,S1,Acme,jobs.local_hires,nan\n"
        "C-6,S1,Acme,jobs.local_hires,lots\n"
        "C-7,,,jobs.local_hires,1\n",
        social_value.load_framework(),
    )
    assert [(row.contract_id, row.quantity) for row in parsed.rows] == [("C-1", 2.5)]
    assert parsed.problems == [
        (
            "commitments.csv, line 3: quantity '2,5' has a comma: write decimals with a point and no thousands "
            "separators (2.5, 2500)"
        ),
        (
            "commitments.csv, line 4: quantity '2,500' has a comma: write decimals with a point and no thousands "
            "separators (2.5, 2500)"
        ),
        "commitments.csv, line 5: quantity '1e400' is out of range (from 0 to 1,000,000,000,000)",
        "commitments.csv, line 6: quantity 'nan' is out of range (from 0 to 1,000,000,000,000)",
        "commitments.csv, line 7: quantity 'lots' is not a number",
        "commitments.csv, line 8: supplier_id and supplier_name are both empty (who committed?)",
    ]


def test_commitments_with_a_wrong_header() -> None:
    with pytest.raises(ImpactError, match="needs the columns"):
        social_value.parse_commitments("a,b\n1,2\n", social_value.load_framework())
