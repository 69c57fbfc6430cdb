import gzip
import json

import pytest

from civicbuy.analytics import api


@pytest.fixture
def release(samples):
    return json.loads((samples / "armenia-armeps/releases/6.json").read_text())["releases"][0]


def test_samples(samples):
    assert api.detect(samples / "armenia-armeps/releases/6.json").description == "release package (OCDS 1.1)"
    assert api.detect(samples / "mexico-jalisco/records/ocds-xs1qbl-02-0070-00-2017.json").kind == "record package"
    assert api.detect(samples / "derived/compiled-releases.jsonl").description == "JSON Lines of compiled releases"


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ("release", "release"),
        ("record", "record"),
        ("jsonl", "JSON Lines of releases"),
        ("jsonl-records", "JSON Lines of records"),
        ("concatenated", "concatenated JSON of releases"),
        ("array", "JSON array of releases"),
        ("record-package", "record package"),
    ],
)
def test_forms(tmp_path, release, shape, expected):
    record = {"ocid": release["ocid"], "releases": [release]}
    content = {
        "release": json.dumps(release, indent=2),
        "record": json.dumps(record, indent=2),
        "jsonl": json.dumps(release) + "\n" + json.dumps(release) + "\n",
        "jsonl-records": json.dumps(record) + "\n" + json.dumps(record) + "\n",
        "concatenated": json.dumps(release, indent=2) + json.dumps(release, indent=2),
        "array": json.dumps([release, release], indent=2),
        "record-package": json.dumps({"uri": "u", "records": [record]}, indent=2),
    }[shape]
    path = tmp_path / "data.json.gz"
    path.write_bytes(gzip.compress(content.encode()))
    detection = api.detect(path)
    assert detection.description.startswith(expected)
    assert detection.gzip
    assert sum(1 for _ in api.read(path)) == (2 if shape in {"jsonl", "jsonl-records", "concatenated", "array"} else 1)


@pytest.mark.parametrize("inner", [[[]], [{}]])
def test_a_line_that_parses_alone_inside_a_pretty_printed_document_is_not_json_lines(tmp_path, inner):
    """Found by the reader's property test: "{", ' "tender": {', '  "": [', "   []" was read as an empty array."""
    release = {"tender": {"": inner}, "id": "1", "ocid": "ocds-abc123-1"}
    path = tmp_path / "pretty.json"
    path.write_text(json.dumps(release, indent=1))
    assert api.detect(path).kind == "release"
    assert [read.data for read in api.read(path)] == [release]


def test_json_lines_with_a_bad_first_line_are_still_json_lines(tmp_path, release):
    path = tmp_path / "lines.jsonl"
    path.write_text("{not json\n" + json.dumps(release) + "\n" + json.dumps(release) + "\n")
    assert api.detect(path).description.startswith("JSON Lines of releases")


@pytest.mark.parametrize("gzipped", [False, True])
@pytest.mark.parametrize(
    "shape", [("release package", "extensions", "releases"), ("record package", "packages", "records")]
)
def test_a_package_with_megabytes_of_metadata_before_its_releases(tmp_path, release, gzipped, shape):
    """OCDS does not fix the order of a package's keys: a long list may come before releases or records."""
    kind, metadata_key, items_key = shape
    urls = [f"https://example.org/ocds/package-{i:06d}.json" for i in range(60_000)]  # about 3 MB
    items = [release] if items_key == "releases" else [{"ocid": release["ocid"], "releases": [release]}]
    package = {"uri": "https://example.org/p.json", "version": "1.1", metadata_key: urls, items_key: items}
    data = json.dumps(package, indent=2).encode()
    assert data.index(items_key.encode()) > 2 * 1024 * 1024
    path = tmp_path / ("package.json.gz" if gzipped else "package.json")
    path.write_bytes(gzip.compress(data) if gzipped else data)
    assert api.detect(path).kind == kind
    dataset = api.ingest(path, tmp_path / "city")
    assert dataset.manifest["processes"] == 1
