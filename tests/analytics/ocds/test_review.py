"""Data review: jsonschema-rs finds the schema errors Python ``jsonschema`` finds; coverage is counted per field."""

import re
from collections import Counter
from datetime import datetime

import jsonschema
import orjson
import pytest

from civicbuy.analytics.indicators.registry import all_indicators
from civicbuy.analytics.ocds.codelists import CLOSED_CODELISTS
from civicbuy.analytics.ocds.compile import compile_releases
from civicbuy.analytics.ocds.exceptions import AnalyticsError, ProblemLog
from civicbuy.analytics.ocds.reader import read
from civicbuy.analytics.ocds.review import INDEX, FieldTrie, _SchemaChecker, review, values_at

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")


def _python_validator(schema: dict) -> jsonschema.Draft4Validator:
    """Python jsonschema, with the two formats it checks only when rfc3339-validator and rfc3987 are installed.

    Those packages are not installed here, so the two checks are spelled out (RFC 3339 date-time, RFC 3986 URI with
    a scheme): without them Python jsonschema silently skips every date-time and uri format.
    """
    checker = jsonschema.FormatChecker()

    @checker.checks("date-time")
    def date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if not RFC3339.match(value):
            return False
        datetime.fromisoformat(value.upper())  # month 13, day 32... raise ValueError
        return True

    @checker.checks("uri", raises=())
    def uri(value: object) -> bool:
        return not isinstance(value, str) or bool(URI.match(value))

    return jsonschema.Draft4Validator(schema, format_checker=checker)


def _sample_releases(samples, publisher_folders):
    for folder in publisher_folders:
        for file in sorted(folder.glob("*.json")):
            yield from read(file)
    yield from read(samples / "derived" / "compiled-releases.jsonl")


def test_schema_errors_equal_python_jsonschema_on_every_sample(samples, publisher_folders, release_schema):
    python = _python_validator(orjson.loads(release_schema.read_bytes()))
    checker = _SchemaChecker(str(release_schema))
    found, expected = ProblemLog(max_examples=0), Counter()
    checked = 0
    for release in _sample_releases(samples, publisher_folders):
        checker.check(release.data, found, release.where)
        for error in python.iter_errors(release.data):
            path = "/" + "/".join(str(part) for part in error.absolute_path)
            expected[f"schema:{error.validator}:{INDEX.sub('[]', path) if path != '/' else '/'}"] += 1
        checked += 1
    assert checked > 500
    assert {code: problem.count for code, problem in found.problems.items()} == dict(expected)
    assert any(code.startswith("schema:format:") for code in expected)  # the samples do exercise formats


def _reference_values(obj, path):
    """The definition of the values at a field path, spelled out plainly (``[]``: every entry of an array)."""
    nodes = [obj]
    for part in path.strip("/").split("/"):
        key = part.removesuffix("[]")
        found = [node[key] for node in nodes if isinstance(node, dict) and key in node]
        nodes = (
            [entry for value in found if isinstance(value, list) for entry in value] if part.endswith("[]") else found
        )
    return [node for node in nodes if node is not None and node not in ("", [], {})]


def test_values_and_field_trie_equal_the_definition_on_every_sample(samples, publisher_folders):
    fields = sorted({field for declared in all_indicators() for field in declared.inputs} | set(CLOSED_CODELISTS))
    trie = FieldTrie(fields)
    compared = 0
    for compiled in compile_releases(_sample_releases(samples, publisher_folders), ProblemLog()):
        for field in fields:
            assert values_at(compiled, field) == _reference_values(compiled, field), field
        assert trie.present(compiled) == {field for field in fields if _reference_values(compiled, field)}
        compared += 1
    assert compared > 200


def test_field_trie_on_odd_shapes():
    trie = FieldTrie(["/awards[]/suppliers[]/id", "/awards[]/date", "/tender/value/amount", "/tender/value"])
    assert trie.present({"awards": [{"suppliers": [{"id": 0}]}, "x", {"date": ""}]}) == {"/awards[]/suppliers[]/id"}
    assert trie.present({"awards": {"date": "2020"}, "tender": {"value": {}}}) == set()
    assert trie.present({"tender": {"value": {"amount": False}}}) == {"/tender/value", "/tender/value/amount"}


def test_review_reports_schema_errors_with_paths_and_examples(tmp_path, release_schema):
    path = tmp_path / "bad.jsonl"
    release = {"ocid": "ocds-213czf-1", "id": "1", "date": "2020-01-01", "tag": ["tender"], "initiationType": "x"}
    path.write_bytes(orjson.dumps(release) + b"\n" + orjson.dumps(release | {"tender": {"status": {"a": 1}}}))
    report = review(path, schema=str(release_schema))
    problems = {p["code"]: p for p in report["data_problems"]}
    assert problems["schema:format:/date"]["count"] == 2
    assert problems["schema:format:/date"]["examples"][0] == "line 1, ocds-213czf-1: /date"
    assert problems["schema:enum:/initiationType"]["count"] == 2
    assert problems["codelist:/tender/status"]["count"] == 1  # an object where a code belongs: counted, no crash


@pytest.mark.parametrize(
    ("content", "message"), [(b"{", "cannot read the release schema"), (b'{"type": 5}', "cannot use")]
)
def test_a_bad_schema_is_one_clear_line(tmp_path, compiled_jsonl, content, message):
    schema = tmp_path / "schema.json"
    schema.write_bytes(content)
    with pytest.raises(AnalyticsError) as error:
        review(compiled_jsonl, schema=str(schema))
    assert message in error.value.user_message()
    assert "\n" not in error.value.user_message()


def test_duplicate_release_ids_are_counted(tmp_path):
    release = {"ocid": "ocds-213czf-1", "id": "1", "date": "2020-01-01T00:00:00Z", "tag": ["tender"]}
    path = tmp_path / "duplicates.jsonl"
    lines = [release, release, release | {"date": "2020-01-02T00:00:00Z"}, release | {"id": "2"}]
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    problems = {p["code"]: p for p in review(path)["data_problems"]}
    assert problems["duplicate_release_id"]["message"] == "Releases repeating an (ocid, id) pair: 2"
