"""The `civicbuy` command as a user runs it: a real process, one-line errors, no traceback."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.processes import CIVICBUY, sqlite_env


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = sqlite_env(data_dir)
    return subprocess.run([CIVICBUY, *args], capture_output=True, text=True, env=env, check=False, timeout=300)


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = run("--help", data_dir=tmp_path)
    assert result.returncode == 0
    for command in ("serve", "setup", "content", "taxonomy", "manage"):
        assert f"  {command}" in result.stdout


def test_content_load_of_a_broken_pack_exits_non_zero_with_file_and_field(
    tmp_path: Path, prepared_site: Callable[[Path], Path]
) -> None:
    pack = tmp_path / "pack"
    (pack / "site").mkdir(parents=True)
    (pack / "site" / "home.en.yaml").write_text("slug: home\ntitle: [broken\n", encoding="utf-8")
    (pack / "site" / "home.es.yaml").write_text("slug: home\ntitle: Inicio\n", encoding="utf-8")
    site = prepared_site(tmp_path / "site")  # a migrated site with the bundled content
    result = run("content", "load", str(pack), data_dir=site)
    assert result.returncode == 1
    assert "site/home.en.yaml: is not valid YAML at line 3, column 1" in result.stderr
    assert "nothing was loaded" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_content_load_of_a_missing_folder(tmp_path: Path) -> None:
    result = run("content", "load", str(tmp_path / "nowhere"), data_dir=tmp_path)
    assert result.returncode == 1
    assert "is not a folder" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", ["stage", "theme", "sdg", "cpv_division", "region"])
def test_taxonomy_show(kind: str, tmp_path: Path) -> None:
    result = run("taxonomy", "show", kind, "--language", "es", data_dir=tmp_path)
    assert result.returncode == 0
    assert result.stdout.count("\n") >= 5


def test_taxonomy_import_reports_bad_files_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name_en\nXX,Nope\n", encoding="utf-8")
    result = run("taxonomy", "import", "cpv", str(bad), data_dir=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "line 2" in result.stderr
