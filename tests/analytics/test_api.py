"""The public API: the read warnings of a file given directly reach the caller."""

from civicbuy.analytics import api

TRUNCATED = (
    '{"ocid": "o1", "id": "1", "date": "2020-01-01T00:00:00Z", "tag": ["tender"]}\n{"ocid": "o2", "id": "1", "da'
)


def test_compute_indicators_on_a_file_counts_its_read_warnings(tmp_path):
    source = tmp_path / "truncated_line.jsonl"
    source.write_text(TRUNCATED)
    problems = api.ProblemLog()
    results = api.compute_indicators(source, indicators=["R003"], problems=problems)
    assert results.column("id").to_pylist() == ["o1"]
    assert [(p["code"], p["count"]) for p in problems.as_list()] == [("invalid_json", 1)]


def test_stream_indicators_counts_the_warnings_before_the_first_batch(tmp_path):
    source = tmp_path / "truncated_line.jsonl"
    source.write_text(TRUNCATED)
    problems = api.ProblemLog()
    batches = api.stream_indicators(source, indicators=["R003"], problems=problems)
    next(batches)
    assert problems.total() == 1
    batches.close()


def test_describe_warnings_names_the_file_the_count_and_the_first_places():
    warnings = [
        {
            "code": "invalid_json",
            "message": "Lines that are not valid JSON were skipped",
            "count": 1200,
            "examples": ["data.jsonl, line 2, byte 95: unexpected end of data", "data.jsonl, line 9, byte 400: x"],
        },
        {"code": "upgraded", "message": "Releases upgraded from OCDS 1.0 to 1.1: 5", "count": 1, "examples": []},
        {"code": "wrong_type:/tender", "message": "/tender is not an object", "count": 2, "examples": ["o1: 3"]},
    ]
    assert api.describe_warnings(warnings, "data.jsonl") == [
        (
            "data.jsonl: Lines that are not valid JSON were skipped: 1,200 "
            "(e.g. line 2, byte 95: unexpected end of data; line 9, byte 400: x)"
        ),
        "data.jsonl: Releases upgraded from OCDS 1.0 to 1.1: 5",
        "data.jsonl: /tender is not an object: 2 (e.g. o1: 3)",
    ]
    assert api.describe_warnings(
        [{"message": "Releases without an ocid were skipped", "count": 1, "examples": ["<stdin>, line 3"]}], "-"
    ) == ["<stdin>: Releases without an ocid were skipped: 1 (e.g. line 3)"]
