import json
import resource
import signal
import subprocess
import sys
from collections.abc import Callable

import click
import pytest
from click.testing import CliRunner

from civicbuy.analytics import api
from civicbuy.analytics.cli_commands import register


@pytest.fixture
def cli():
    group = click.Group()
    register(group)
    return group


def test_indicators_jsonl_contract(cli, compiled_jsonl):
    result = CliRunner().invoke(cli, ["indicators", str(compiled_jsonl), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]  # the read warnings go to stderr
    assert all(list(row) == ["indicator", "level", "id", "value", "flagged", "reason"] for row in rows)
    assert sum(1 for r in rows if r["indicator"] == "R018" and r["flagged"]) == 4


def test_indicators_csv_and_json(cli, compiled_jsonl):
    csv_output = (
        CliRunner().invoke(cli, ["indicators", str(compiled_jsonl), "--format", "csv", "--indicator", "R003"]).stdout
    )
    assert csv_output.splitlines()[0] == "indicator,level,id,value,flagged,reason"
    assert len(csv_output.splitlines()) == 144
    rows = json.loads(
        CliRunner().invoke(cli, ["indicators", str(compiled_jsonl), "--format", "json", "--indicator", "R018"]).stdout
    )
    assert len(rows) == 143


def test_settings_file_in_cardinal_format(cli, compiled_jsonl, tmp_path):
    settings = tmp_path / "settings.ini"
    settings.write_text("[R003]\nthreshold = 1\n")
    result = CliRunner().invoke(
        cli, ["indicators", str(compiled_jsonl), "--settings", str(settings), "--indicator", "R003"]
    )
    flagged = [json.loads(line) for line in result.stdout.splitlines() if json.loads(line)["flagged"]]
    assert 0 < len(flagged) < 34


def test_detect_and_review(cli, compiled_jsonl, release_schema):
    assert CliRunner().invoke(cli, ["detect", str(compiled_jsonl)]).output.strip() == "JSON Lines of compiled releases"
    text = CliRunner().invoke(cli, ["review", str(compiled_jsonl)]).output
    assert "R018" in text
    assert "present for" in text
    report = json.loads(
        CliRunner()
        .invoke(cli, ["review", str(compiled_jsonl), "--format", "json", "--schema", str(release_schema)])
        .output
    )
    assert report["processes"] == 143
    assert report["schema_checked"]
    assert any(p["code"].startswith("schema:") for p in report["data_problems"])


def test_ingest_and_generate(cli, tmp_path):
    output = tmp_path / "synthetic.jsonl.gz"
    assert CliRunner().invoke(cli, ["generate", "--releases", "50", "--seed", "3", str(output)]).exit_code == 0
    result = CliRunner().invoke(
        cli, ["ingest", str(output), "--dataset", "demo", "--data-dir", str(tmp_path / "data")]
    )
    assert result.exit_code == 0, result.output
    assert "50 contracting processes" in result.output


def test_errors_are_one_line(cli, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"releases": [{"ocid": ')
    result = CliRunner().invoke(cli, ["indicators", str(path)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert str(path) in result.output
    assert "byte" in result.output


RUN = "import click, sys; from civicbuy.analytics.cli_commands import register; g = click.Group(); register(g); g(sys.argv[1:])"


def test_subprocess_reads_standard_input(compiled_jsonl):
    process = subprocess.run(
        [sys.executable, "-c", RUN, "indicators", "-", "--indicator", "R018"],
        input=compiled_jsonl.read_bytes(),
        capture_output=True,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    rows = [json.loads(line) for line in process.stdout.splitlines()]
    assert sum(1 for r in rows if r["flagged"]) == 4


def test_subprocess_error_has_no_traceback(tmp_path):
    path = tmp_path / "empty.json"
    path.write_bytes(b"")
    process = subprocess.run(
        [sys.executable, "-c", RUN, "detect", str(path)], capture_output=True, text=True, check=False
    )
    assert process.returncode == 1
    assert process.stderr.strip() == f"Error: {path}: the file is empty (no JSON data)"
    assert "Traceback" not in process.stderr


def _file_size_limit(limit: int) -> Callable[[], None]:
    """A child process that may write files of at most ``limit`` bytes: writing more fails with EFBIG, as on a
    full disk (SIGXFSZ ignored, so the write returns the error instead of killing the process)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_during_ingest_is_one_plain_line_and_keeps_the_previous_dataset(cli, compiled_jsonl, tmp_path):
    data = tmp_path / "data"
    before = api.ingest(compiled_jsonl, data / "city")
    bigger = tmp_path / "bigger.jsonl"
    assert CliRunner().invoke(cli, ["generate", "--releases", "3000", "--seed", "5", str(bigger)]).exit_code == 0
    process = subprocess.run(
        [sys.executable, "-c", RUN, "ingest", str(bigger), "--dataset", "city", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_file_size_limit(64 * 1024),
    )
    assert process.returncode == 1
    assert process.stderr.strip() == (
        f"Error: {data}: there is no space left to write the dataset (the disk, a quota or a file-size limit is "
        "full); the previous version is unchanged. Free some space, then run the ingest again"
    )
    assert (data / "city").resolve() == before.path
    assert api.compute_indicators(data / "city", store=False).num_rows > 0
    assert [p.name for p in (data / ".versions").iterdir()] == [before.path.name]  # no half-written version


def test_indicators_out_of_duckdb_memory_is_one_line(cli, compiled_jsonl, monkeypatch):
    monkeypatch.setenv("CIVICBUY_DUCKDB_MEMORY_LIMIT", "1MB")
    result = CliRunner().invoke(cli, ["indicators", str(compiled_jsonl), "--format", "jsonl"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ")
    assert "CIVICBUY_DUCKDB_MEMORY_LIMIT higher" in result.output


TRUNCATED = (
    '{"ocid": "o1", "id": "1", "date": "2020-01-01T00:00:00Z", "tag": ["tender"]}\n{"ocid": "o2", "id": "1", "da'
)


@pytest.mark.parametrize("output", ["jsonl", "csv", "json"])
def test_indicators_count_the_lines_skipped_on_standard_error_and_keep_standard_output_clean(cli, tmp_path, output):
    source = tmp_path / "truncated_line.jsonl"
    source.write_text(TRUNCATED)
    result = CliRunner().invoke(cli, ["indicators", str(source), "--only", "R003", "--format", output])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"Warning: {source}: Lines that are not valid JSON were skipped: 1 "
        "(e.g. line 2, byte 106: unexpected end of data)\n"
    )
    if output == "jsonl":
        assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["o1"]
    elif output == "json":
        assert [row["id"] for row in json.loads(result.stdout)] == ["o1"]
    else:
        assert result.stdout.splitlines()[1].startswith("R003,process,o1,")


def test_indicators_on_a_clean_file_or_a_dataset_print_no_warning(cli, tmp_path):
    from civicbuy.analytics.synthetic import write_jsonl

    clean = tmp_path / "clean.jsonl"
    write_jsonl(clean, 20, seed=1)
    source = tmp_path / "truncated_line.jsonl"
    source.write_text(TRUNCATED)
    dataset = api.ingest(source, tmp_path / "data" / "city")  # its warnings were counted when it was ingested
    for target in (clean, dataset.path):
        result = CliRunner().invoke(cli, ["indicators", str(target), "--only", "R003"])
        assert result.exit_code == 0, result.output
        assert result.stderr == ""
