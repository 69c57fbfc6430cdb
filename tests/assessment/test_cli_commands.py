"""`civicbuy assessment validate FILE`: one OK line, or one clear line per problem and no traceback."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click
import pytest
import yaml
from click.testing import CliRunner

from civicbuy.assessment.cli_commands import pack_links, register
from civicbuy.assessment.model import default_model_path

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def cli() -> click.Group:
    @click.group()
    def group() -> None:
        """Stand-in for the civicbuy group."""

    register(group)
    return group


def run(cli: click.Group, *args: str) -> Any:
    return CliRunner().invoke(cli, ["assessment", "validate", *args])


def test_bundled_model_is_ok(cli: click.Group) -> None:
    result = run(cli, str(default_model_path()))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith(f"OK: {default_model_path()} (version 1): 11 dimensions, ")


def test_broken_model_prints_one_line_per_problem(cli: click.Group, tmp_path: Path, raw_model: dict[str, Any]) -> None:
    del raw_model["dimensions"][3]["questions"][1]["options"][4]
    raw_model["dimensions"][0]["themes"] = ["nope"]
    path = tmp_path / "maturity-model.yaml"
    path.write_text(yaml.safe_dump(raw_model, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = run(cli, str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"Error: {path}: dimensions[0].themes: unknown theme code 'nope'",
        f"Error: {path}: dimensions[3].questions[1].options: expected 5 options, got 4",
        f"Error: 2 problem(s) in {path}",
    ]
    assert "Traceback" not in result.output


def test_yaml_syntax_error(cli: click.Group, tmp_path: Path) -> None:
    path = tmp_path / "model.yaml"
    path.write_text("version: 1\n  levels: oops: [\n", encoding="utf-8")
    result = run(cli, str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(f"Error: {path}, line 2, column ")
    assert "Traceback" not in result.output


def test_missing_file(cli: click.Group, tmp_path: Path) -> None:
    result = run(cli, str(tmp_path / "absent.yaml"))
    assert result.exit_code == 1
    assert f"Error: {tmp_path / 'absent.yaml'}: file not found" in result.stderr


def test_links_are_checked_against_a_content_pack(cli: click.Group, tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    (pack / "guide" / "steps" / "plan").mkdir(parents=True)
    (pack / "guide" / "topics").mkdir(parents=True)
    (pack / "cases").mkdir()
    (pack / "guide" / "steps" / "plan" / "publish-a-pipeline.en.yaml").write_text("slug: publish-a-pipeline\n")
    (pack / "guide" / "topics" / "social-value.en.yaml").write_text("slug: social-value\n")
    (pack / "cases" / "mexico-city-ecobici.en.yaml").write_text("slug: mexico-city-ecobici\n")
    assert pack_links(pack) == {"plan/publish-a-pipeline", "topics/social-value", "cases/mexico-city-ecobici"}
    result = run(cli, str(default_model_path()), "--links-from", str(pack))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"Error: {default_model_path()}: link 'plan/understand-the-need' has no page in {pack}" in lines
    assert not any("plan/publish-a-pipeline'" in line for line in lines)
    assert lines[-1].endswith("point to pages that do not exist")


def test_empty_content_pack_is_an_error(cli: click.Group, tmp_path: Path) -> None:
    result = run(cli, str(default_model_path()), "--links-from", str(tmp_path))
    assert result.exit_code == 1
    assert "no guide steps, topic guides or case studies found" in result.stderr
