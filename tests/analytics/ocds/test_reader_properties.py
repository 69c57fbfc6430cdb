"""Property tests: whatever the form, the reader yields exactly the releases that were written."""

import gzip
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicbuy.analytics import api
from civicbuy.analytics.ocds import source as source_module

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
scalar = st.one_of(st.none(), st.booleans(), st.integers(-(10**9), 10**9), text)
extra = st.recursive(
    scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=8
)
release = st.fixed_dictionaries(
    {
        "ocid": text.map(lambda s: "ocds-abc123-" + s),
        "id": text,
        "date": st.just("2020-01-01T00:00:00Z"),
        "tag": st.just(["tender"]),
    },
    optional={"tender": st.dictionaries(text, extra, max_size=4), "extension": extra},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    releases=st.lists(release, min_size=1, max_size=6),
    form=st.sampled_from(["package", "jsonl", "array", "concatenated"]),
    compress=st.booleans(),
)
def test_reader_round_trip(tmp_path, releases, form, compress):
    if form == "package":
        content = json.dumps({"uri": "u", "releases": releases}, indent=1)
    elif form == "jsonl":
        content = "".join(json.dumps(r) + "\n" for r in releases)
    elif form == "array":
        content = json.dumps(releases, indent=1)
    else:
        content = "".join(json.dumps(r, indent=1) for r in releases)
    data = content.encode()
    path = tmp_path / "input.json"
    path.write_bytes(gzip.compress(data) if compress else data)
    assert [r.data for r in api.read(path)] == releases


piece = st.sampled_from([b"\n", b"\r\n", b" ", b"\t", b"{}", b'{"a": 1}', b"  [1]", b"x"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(piece, max_size=40), buffer=st.sampled_from([4, 7, 1024 * 1024]))
def test_lines_skips_blank_lines_and_keeps_numbers_and_offsets(tmp_path, monkeypatch, pieces, buffer):
    # Blank lines are skipped a buffer at a time; small buffers make runs of blank lines cross buffer ends.
    monkeypatch.setattr(source_module, "CHUNK", buffer)
    data = b"".join(pieces)
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b"{}\n" + data)
    expected = []
    offset = 0
    for number, line in enumerate(io.BytesIO(b"{}\n" + data), 1):
        if line.strip():
            expected.append((number, offset, line))
        offset += len(line)
    with source_module.open_source(path) as source:
        assert list(source.lines()) == expected
