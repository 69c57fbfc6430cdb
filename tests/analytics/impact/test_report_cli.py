"""The report and ``civicbuy impact`` (on a click group of our own, as the lead's CLI registers it)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from civicbuy.analytics import api
from civicbuy.analytics.impact import report
from civicbuy.analytics.impact.cli_commands import register
from civicbuy.analytics.impact.sources import read_data


@pytest.fixture
def cli() -> click.Group:
    group = click.Group("civicbuy")
    register(group)
    return group


@pytest.fixture(scope="module")
def demo_report(demo_dataset: api.Dataset) -> dict:
    return report.build_report(demo_dataset, report.Inputs(indicators=[]))


def test_report_sections(demo_report: dict) -> None:
    assert set(demo_report) >= {"carbon", "sdg", "social_value", "scenario", "sources", "dataset"}
    assert demo_report["dataset"]["name"] == "demo"
    assert demo_report["carbon"]["total_tonnes_co2e"] > 0
    json.dumps(demo_report)  # JSON-ready


def test_cli_json_on_a_dataset_directory(cli: click.Group, demo_dataset: api.Dataset, tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(read_data("scenario_example.yaml"), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["impact", str(demo_dataset.path), "--format", "json", "--scenario", str(scenario)],
        env={"CIVICBUY_DATA_DIR": str(tmp_path)},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["scenario"]["change_tonnes_co2e"] < 0
    assert data["sdg"]["targets"]


def test_cli_text_on_an_ocds_file(cli: click.Group, tmp_path: Path) -> None:
    from civicbuy.analytics.synthetic import write_jsonl

    source = tmp_path / "small.jsonl"
    write_jsonl(source, 50, seed=3)
    result = CliRunner().invoke(
        cli, ["impact", str(source), "--format", "text", "--no-indicators"], env={"CIVICBUY_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 0, result.output
    assert "t CO2e (range" in result.output
    assert "coverage:" in result.output


def test_cli_factor_import_is_used_by_later_reports(
    cli: click.Group, demo_dataset: api.Dataset, tmp_path: Path
) -> None:
    own = tmp_path / "mine.csv"
    own.write_text("cpv_prefix,factor,currency,price_year,source\n71,5.0,EUR,2022,Test\n", encoding="utf-8")
    env = {"CIVICBUY_DATA_DIR": str(tmp_path / "data")}
    imported = CliRunner().invoke(cli, ["impact", "factors", "import", str(own)], env=env)
    assert imported.exit_code == 0, imported.output
    assert (tmp_path / "data" / "impact" / "factors.csv").exists()
    listed = CliRunner().invoke(cli, ["impact", "factors", "list"], env=env)
    assert "\n71,71,5.0,5.0,5.0," in listed.output
    result = CliRunner().invoke(cli, ["impact", str(demo_dataset.path), "--no-indicators"], env=env)
    data = json.loads(result.output)
    row = next(f for f in data["carbon"]["factors_used"] if f["cpv_prefix"] == "71")
    assert row["factor"] == 5.0
    assert row["source"] == "Test"


def test_cli_errors_are_one_line(cli: click.Group, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("cpv_prefix,factor,currency,price_year,source\n72,abc,USD,2022,x\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["impact", "factors", "import", str(bad)], env={"CIVICBUY_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "line 2" in result.output
    assert "Traceback" not in result.output
    missing = CliRunner().invoke(cli, ["impact", str(tmp_path / "nope.json")])
    assert missing.exit_code == 1
    assert "Error:" in missing.output


def test_engine_never_imports_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys, civicbuy.analytics.impact.report, civicbuy.analytics.impact.cli_commands; "
        "sys.exit(1 if 'django' in sys.modules else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_an_ocds_file_is_named_and_its_skipped_lines_are_reported(cli: click.Group, tmp_path: Path) -> None:
    source = tmp_path / "truncated_line.jsonl"
    source.write_text(
        '{"ocid": "o1", "id": "1", "date": "2020-01-01T00:00:00Z", "tag": ["tender"]}\n{"ocid": "o2", "id": "1", "da'
    )
    result = CliRunner().invoke(
        cli, ["impact", str(source), "--no-indicators"], env={"CIVICBUY_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["dataset"]["name"] == "truncated_line.jsonl"
    assert data["problems"] == [
        f"{source}: Lines that are not valid JSON were skipped: 1 (e.g. line 2, byte 106: unexpected end of data)"
    ]
    text = CliRunner().invoke(
        cli, ["impact", str(source), "--no-indicators", "--format", "text"], env={"CIVICBUY_DATA_DIR": str(tmp_path)}
    )
    assert text.stdout.startswith("Impact of truncated_line.jsonl (1 contracting processes)")
    assert "  problem: " + data["problems"][0] in text.stdout


def test_a_dataset_keeps_its_name_and_adds_no_read_problems(demo_report: dict) -> None:
    assert demo_report["dataset"]["name"] == "demo"
    assert demo_report["problems"] == []
