"""Bad input gives one clear line (file and position) or a counted warning; the dataset is never half-written."""

import gzip
import json
import zlib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from civicbuy.analytics import api
from civicbuy.analytics.cli_commands import register
from civicbuy.analytics.ocds.exceptions import (
    AnalyticsError,
    EmptyInputError,
    InputTooLargeError,
    InvalidJSONError,
    UnsupportedFormatError,
)

RELEASE = {
    "ocid": "ocds-213czf-1",
    "id": "1",
    "date": "2020-01-01T00:00:00Z",
    "tag": ["tender"],
    "tender": {"id": "t", "value": {"amount": 10, "currency": "EUR"}},
}


def _cli(*args: str) -> Result:
    group = click.Group()
    register(group)
    return CliRunner().invoke(group, list(args))


def _package(releases):
    return json.dumps({"uri": "x", "version": "1.1", "releases": releases}, indent=2).encode()


def _ingest_fails(path: Path, data_dir: Path, error: type[AnalyticsError]) -> AnalyticsError:
    good = data_dir / "good.json"
    good.write_bytes(_package([RELEASE]))
    before = api.ingest(good, data_dir / "city")
    with pytest.raises(error) as info:
        api.ingest(path, data_dir / "city")
    after = api.compute_indicators(data_dir / "city", store=False)
    assert (data_dir / "city").resolve() == before.path
    assert after.num_rows > 0
    versions = sorted(p.name for p in (data_dir / ".versions").iterdir())
    assert versions == [before.path.name], versions
    message = info.value.user_message()
    assert "\n" not in message
    assert str(path) in message or "<stdin>" in message
    return info.value


def test_truncated_package(tmp_path):
    path = tmp_path / "truncated.json"
    path.write_bytes(_package([RELEASE, RELEASE])[:-40])
    error = _ingest_fails(path, tmp_path, InvalidJSONError)
    assert error.byte is not None


def test_truncated_last_line_of_json_lines_is_a_counted_warning(tmp_path):
    path = tmp_path / "truncated.jsonl"
    line = json.dumps(RELEASE)
    path.write_text(line + "\n" + line.replace('"1"', '"2"')[:30])
    dataset = api.ingest(path, tmp_path / "city")
    warnings = {w["code"]: w for w in dataset.manifest["warnings"]}
    assert warnings["invalid_json"]["count"] == 1
    assert "line 2" in warnings["invalid_json"]["examples"][0]


@pytest.mark.parametrize("content", [b"42", b'"a string"', b"null", b"[1, 2, 3]", b'{"hello": "world"}'])
def test_wrong_top_level_type(tmp_path, content):
    path = tmp_path / "wrong.json"
    path.write_bytes(content)
    _ingest_fails(path, tmp_path, UnsupportedFormatError)


def test_non_utf8_bytes_in_a_package(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(_package([{**RELEASE, "tender": {"title": "PLACEHOLDER"}}]).replace(b"PLACEHOLDER", b"caf\xe9"))
    error = _ingest_fails(path, tmp_path, InvalidJSONError)
    assert "UTF-8" in error.message or "invalid JSON" in error.message


def test_non_utf8_line_in_json_lines_is_counted(tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(RELEASE).encode() + b"\n" + json.dumps(RELEASE).encode().replace(b"EUR", b"\xe9UR"))
    dataset = api.ingest(path, tmp_path / "city")
    assert {w["code"] for w in dataset.manifest["warnings"]} >= {"invalid_json"}


def test_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + _package([RELEASE]))
    assert api.detect(path).bom
    assert api.ingest(path, tmp_path / "city").manifest["processes"] == 1


def test_deep_nesting_is_refused_at_the_top_and_tolerated_inside_a_release(tmp_path):
    path = tmp_path / "deep.json"
    path.write_bytes(b"[" * 100 + b"]" * 100)
    _ingest_fails(path, tmp_path, UnsupportedFormatError)
    nested: dict = {}
    node = nested
    for _ in range(100):
        node["x"] = {}
        node = node["x"]
    inner = tmp_path / "inner.jsonl"
    inner.write_text(json.dumps({**RELEASE, "extension": nested}) + "\n")
    assert api.ingest(inner, tmp_path / "inner").manifest["processes"] == 1


def test_large_single_line(tmp_path):
    path = tmp_path / "large.json"
    big = {**RELEASE, "tender": {**RELEASE["tender"], "description": "x" * (50 * 1024 * 1024)}}
    path.write_bytes(json.dumps({"uri": "u", "releases": [big, {**RELEASE, "ocid": "ocds-213czf-2"}]}).encode())
    assert api.detect(path).kind == "release package"
    assert api.ingest(path, tmp_path / "city").manifest["processes"] == 2


def test_strings_where_numbers_belong_are_counted(tmp_path):
    path = tmp_path / "strings.jsonl"
    rows = [
        {
            **RELEASE,
            "ocid": "ocds-213czf-1",
            "tender": {"value": {"amount": "1,5", "currency": "EUR"}, "numberOfTenderers": "2"},
        },
        {**RELEASE, "ocid": "ocds-213czf-2", "tender": {"value": {"amount": "1500.50", "currency": "EUR"}}},
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    dataset = api.ingest(path, tmp_path / "city")
    codes = {w["code"]: w["count"] for w in dataset.manifest["warnings"]}
    assert codes["wrong_type:/tender/value/amount"] == 1
    assert codes["number_as_string:/tender/value/amount"] == 1
    assert codes["number_as_string:/tender/numberOfTenderers"] == 1


@pytest.mark.parametrize("content", [b"", b"   \n\n  "])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.json"
    path.write_bytes(content)
    _ingest_fails(path, tmp_path, EmptyInputError)


def test_gzip_bomb(tmp_path):
    path = tmp_path / "bomb.json.gz"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    with path.open("wb") as out:
        out.write(compressor.compress(b'{"releases": ['))
        block = b" " * (1024 * 1024)
        for _ in range(400):
            out.write(compressor.compress(block))
        out.write(compressor.compress(b"]}"))
        out.write(compressor.flush())
    assert path.stat().st_size < 2 * 1024 * 1024
    error = _ingest_fails(path, tmp_path, InputTooLargeError)
    assert "gzip bomb" in error.message


def test_gzip_file_is_read(tmp_path):
    path = tmp_path / "releases.json.gz"
    path.write_bytes(gzip.compress(_package([RELEASE])))
    detection = api.detect(path)
    assert detection.gzip
    assert api.ingest(path, tmp_path / "city").manifest["processes"] == 1


def test_mixed_versions_are_upgraded_and_counted(tmp_path):
    old = {
        "ocid": "ocds-213czf-9",
        "id": "9",
        "date": "2015-01-01T00:00:00Z",
        "tag": ["award"],
        "buyer": {"name": "Old City", "identifier": {"scheme": "GB-COH", "id": "123"}},
        "awards": [
            {
                "id": "a",
                "status": "active",
                "suppliers": [{"name": "Firm", "identifier": {"scheme": "GB-COH", "id": "9"}}],
            }
        ],
    }
    path = tmp_path / "mixed.jsonl"
    path.write_text(json.dumps(RELEASE) + "\n" + json.dumps(old) + "\n")
    dataset = api.ingest(path, tmp_path / "city")
    assert dataset.manifest["processes"] == 2
    codes = {w["code"] for w in dataset.manifest["warnings"]}
    assert "upgraded" in codes
    compiled = {c["ocid"]: c for c in api.compile_releases(path)}
    assert compiled["ocds-213czf-9"]["buyer"] == {"id": "GB-COH-123", "name": "Old City"}
    roles = {p["id"]: p["roles"] for p in compiled["ocds-213czf-9"]["parties"]}
    assert roles == {"GB-COH-123": ["buyer"], "GB-COH-9": ["supplier"]}


def test_releases_without_ocid_or_date_are_counted(tmp_path):
    path = tmp_path / "missing.jsonl"
    no_ocid = {k: v for k, v in RELEASE.items() if k != "ocid"}
    no_date = {k: v for k, v in RELEASE.items() if k != "date"} | {"id": "2"}
    path.write_text("\n".join(json.dumps(r) for r in (RELEASE, no_ocid, no_date)) + "\n")
    dataset = api.ingest(path, tmp_path / "city")
    codes = {w["code"] for w in dataset.manifest["warnings"]}
    assert {"release_without_ocid", "release_without_date"} <= codes
    assert dataset.manifest["processes"] == 1


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("levels", [300, 10_000])
def test_deep_release_in_a_package_is_kept_or_counted_not_a_crash(tmp_path, levels):
    # orjson writes at most 254 levels: sizing such a release for the compile window crashed every command.
    deep = json.dumps({**RELEASE, "ocid": "ocds-213czf-deep"})[:-1] + f', "x": {_nested(levels)}}}'
    others = ",".join(json.dumps({**RELEASE, "ocid": f"ocds-213czf-{n}"}) for n in (1, 2))
    path = tmp_path / "deep.json"
    path.write_text('{"uri": "u", "releases": [\n' + others + ",\n" + deep + "\n]}")
    dataset = api.ingest(path, tmp_path / "city")
    warnings = {w["code"]: w for w in dataset.manifest["warnings"]}
    if levels <= 1024:  # kept, as in JSON Lines, where a line may hold up to 1,024 levels
        assert dataset.manifest["processes"] == 3
        assert "too_deep" not in warnings
    else:
        assert dataset.manifest["processes"] == 2
        assert warnings["too_deep"]["count"] == 1
    result = _cli("review", str(path))
    assert result.exit_code == 0, result.output
    assert "unexpected problem" not in result.output


@pytest.mark.parametrize(
    ("package", "found"),
    [
        ({"releases": "abc"}, "/releases is a string"),
        ({"releases": {"a": 1}}, "/releases is an object"),
        ({"version": "1.1", "releases": None}, "/releases is the literal null"),
        ({"records": "x"}, "/records is a string"),
    ],
)
@pytest.mark.parametrize("indent", [None, 2])
def test_package_array_that_is_not_an_array_is_refused(tmp_path, package, found, indent):
    # Read as empty, it let an ingest replace a good dataset with an empty one.
    path = tmp_path / "not_array.json"
    path.write_text(json.dumps(package, indent=indent))
    error = _ingest_fails(path, tmp_path, UnsupportedFormatError)
    assert found in error.user_message()
    result = _cli("review", str(path))
    assert result.exit_code == 1
    assert found in result.output


def test_latin1_package_says_not_utf8_at_the_first_bad_byte(tmp_path):
    path = tmp_path / "latin1.json"
    data = _package([{**RELEASE, "tender": {"title": "PLACEHOLDER"}}]).replace(b"PLACEHOLDER", b"caf\xe9")
    path.write_bytes(data)
    error = _ingest_fails(path, tmp_path, InvalidJSONError)
    assert error.byte == data.index(b"\xe9")
    assert "not UTF-8 text" in error.message
    assert "b'" not in error.user_message()


@pytest.mark.parametrize(("encoding", "name"), [("utf-16", "UTF-16"), ("utf-16-be", None), ("utf-32", "UTF-32")])
def test_utf16_and_utf32_byte_order_marks_are_named(tmp_path, encoding, name):
    path = tmp_path / "wide.json"
    text = json.dumps({"releases": [RELEASE]})
    path.write_bytes(("\ufeff" if encoding.endswith("be") else "").join(["", text]).encode(encoding))
    error = _ingest_fails(path, tmp_path, InvalidJSONError)
    assert f"{name or 'UTF-16'} text" in error.message
    assert "surrogates" not in error.message


def test_invalid_json_late_in_a_big_package_reports_its_true_byte(tmp_path):
    # The byte used to be the bytes buffered so far (1 MiB steps, or the file size).
    releases = [{**RELEASE, "ocid": f"ocds-213czf-{n}", "tender": {"title": "x" * 200}} for n in range(12_000)]
    data = _package(releases)
    at = data.index(b'"title"', len(data) * 2 // 3)
    path = tmp_path / "nan.json"
    path.write_bytes(data[:at] + b'"title": NaN, "t2"' + data[at + 7 :])
    error = _ingest_fails(path, tmp_path, InvalidJSONError)
    assert abs(error.byte - (at + len(b'"title": '))) <= 1  # yajl points at or just after the bad character


@pytest.mark.parametrize("number", [b"1e400", b"100000000000000000000000000000"])
def test_number_out_of_range_is_named_with_its_byte(tmp_path, number):
    path = tmp_path / "huge.json"
    data = _package([{**RELEASE, "tender": {"value": {"amount": 12345, "currency": "EUR"}}}])
    path.write_bytes(data.replace(b"12345", number))
    error = _ingest_fails(path, tmp_path, InvalidJSONError)
    assert number.decode() in error.message
    assert "invalid JSON" not in error.message
    assert error.byte == data.index(b"12345")
