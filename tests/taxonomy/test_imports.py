from __future__ import annotations

from pathlib import Path

import pytest

from civicbuy.taxonomy import imports


def test_import_official_cpv_list(shared_dir: Path, tmp_path: Path) -> None:
    count = imports.import_cpv(shared_dir / "data" / "reference" / "cpv2008_codes.csv", tmp_path)
    assert count == 9454
    codes = imports.imported(tmp_path, "cpv")
    assert codes["45000000"]["en"].lower().startswith("construction work")


def test_import_official_sdg_targets(shared_dir: Path, tmp_path: Path) -> None:
    count = imports.import_sdg_targets(shared_dir / "data" / "reference" / "sdg_targets.csv", tmp_path)
    assert count == 169
    targets = imports.imported(tmp_path, "sdg_targets")
    assert "procurement" in targets["12.7"]["en"].lower()
    assert targets["12.7"]["es"]


def test_bad_rows_name_the_line_and_nothing_is_written(tmp_path: Path) -> None:
    bad = tmp_path / "cpv.csv"
    bad.write_text("code,name_en\n03000000-1,Farming\nnot-a-code,Oops\n", encoding="utf-8")
    with pytest.raises(imports.ImportProblemError, match="line 3"):
        imports.import_cpv(bad, tmp_path / "data")
    assert imports.imported(tmp_path / "data", "cpv") == {}


def test_missing_column_and_bad_encoding(tmp_path: Path) -> None:
    wrong = tmp_path / "sdg.csv"
    wrong.write_text("goal,title\n12,x\n", encoding="utf-8")
    with pytest.raises(imports.ImportProblemError, match="no column named target"):
        imports.import_sdg_targets(wrong, tmp_path)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("code,name_en\n03000000-1,Agricultura y pesca \xf1\n".encode("latin-1"))
    with pytest.raises(imports.ImportProblemError, match="not UTF-8"):
        imports.import_cpv(latin, tmp_path)
