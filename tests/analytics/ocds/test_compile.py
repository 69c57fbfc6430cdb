import json
import warnings
from collections import defaultdict

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ocdsmerge import Merger as OcdsMerger
from ocdsmerge.exceptions import DuplicateIdValueWarning

from civicbuy.analytics.ocds import compile as compile_module
from civicbuy.analytics.ocds.compile import compile_releases
from civicbuy.analytics.ocds.exceptions import ProblemLog
from civicbuy.analytics.ocds.merge_rules import OCDS_11_MERGE_RULES, derive_merge_rules
from civicbuy.analytics.ocds.reader import Release, read
from civicbuy.analytics.ocds.upgrade import upgrade_release
from tests.analytics.json_values import json_values


def test_shipped_merge_rules_equal_the_official_schema(release_schema):
    derived = derive_merge_rules(json.loads(release_schema.read_text()))
    assert derived == OCDS_11_MERGE_RULES


def test_derived_rules_match_ocdsmerge(release_schema):
    from ocdsmerge.rules import get_merge_rules

    assert get_merge_rules(str(release_schema)) == OCDS_11_MERGE_RULES


def _release(ocid, number, day, **fields):
    return Release(
        {"ocid": ocid, "id": str(number), "date": f"2020-01-{day:02d}T00:00:00Z", **fields},
        compiled=False,
        where=f"line {number}",
    )


def test_spilled_runs_give_the_same_result_as_the_memory_window(monkeypatch):
    # Same-date releases of a process must keep their input order when spilled (the last one wins the merge).
    releases = [_release(f"ocds-x-{i % 7}", i, i % 3 + 1, tender={"title": str(i)}) for i in range(60)]
    in_memory = list(compile_releases(iter(releases), ProblemLog()))
    monkeypatch.setattr(compile_module, "MAX_OPEN_RUNS", 3)  # force the cascade of run merges too
    grouper = compile_module.OcidGrouper(window_bytes=200)
    for release in releases:
        grouper.add(release.data["ocid"], release.data)
    assert len(grouper._runs) > 3  # the point: runs were written and merged
    grouper.close()
    spilled = list(compile_releases(iter(releases), ProblemLog(), window_bytes=200))
    assert sorted(spilled, key=lambda r: r["ocid"]) == sorted(in_memory, key=lambda r: r["ocid"])
    assert [r["ocid"] for r in spilled] == sorted(r["ocid"] for r in spilled)


def test_compile_in_memory_equals_spilled_and_ocdsmerge_on_every_publisher(concatenated_publishers):
    reference = OcdsMerger(merge_rules=OCDS_11_MERGE_RULES)
    for name, path in concatenated_publishers.items():
        in_memory = {c["ocid"]: c for c in compile_releases(read(path), ProblemLog())}
        spilled = {c["ocid"]: c for c in compile_releases(read(path), ProblemLog(), window_bytes=64 * 1024)}
        assert in_memory == spilled, name
        groups = defaultdict(list)
        for release in read(path):
            if not release.compiled:
                groups[release.data["ocid"]].append(upgrade_release(release.data))
        for ocid, releases in groups.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DuplicateIdValueWarning)
                ordered = sorted(releases, key=lambda r: r.get("date") or "")
                assert in_memory[ocid] == reference.create_compiled_release(ordered), (name, ocid)


def test_compiled_releases_pass_through_and_the_first_of_a_duplicate_is_kept():
    first = {"ocid": "ocds-x-1", "id": "a", "date": "2020-01-01T00:00:00Z", "tag": ["compiled"], "tender": {}}
    second = {**first, "date": "2021-01-01T00:00:00Z"}
    problems = ProblemLog()
    releases = [
        Release(first, compiled=True, where="line 1"),
        Release(second, compiled=True, where="line 2"),
        _release("ocds-x-1", 3, 5, tender={"title": "ignored"}),
        _release("ocds-x-2", 4, 5, tender={"title": "merged"}),
    ]
    compiled = list(compile_releases(iter(releases), problems))
    assert compiled[0] is first  # not copied, not merged
    assert [c["ocid"] for c in compiled] == ["ocds-x-1", "ocds-x-2"]
    assert compiled[1]["tender"] == {"title": "merged"}
    assert problems.problems["duplicate_compiled_release"].count == 1
    assert problems.problems["releases_of_compiled_process"].count == 1


@pytest.mark.parametrize("missing", ["ocid", "date"])
def test_releases_without_ocid_or_date_are_counted(missing):
    problems = ProblemLog()
    releases = [
        Release({"ocid": "ocds-x-1", "id": "1", "date": "2020-01-01T00:00:00Z"}, compiled=False, where="line 1"),
        Release({"ocid": "ocds-x-1", "id": "2", "date": "2020-01-02T00:00:00Z"}, compiled=False, where="line 2"),
    ]
    del releases[1].data[missing]
    compiled = list(compile_releases(iter(releases), problems))
    assert len(compiled) == 1
    code = "release_without_ocid" if missing == "ocid" else "release_without_date"
    assert problems.problems[code].count == 1


# Releases of OCDS 1.0 and 1.1 shapes with values of every JSON type where objects belong: what the upgrade and the
# merge meet in a publisher's worst file.
_ANY = json_values(["id", "name", "amount", "value", "roles", "tenderers"], max_leaves=10)
_ORGANIZATION = st.dictionaries(st.sampled_from(["id", "name", "identifier", "address"]), _ANY, max_size=3) | _ANY
_TRANSACTION = st.dictionaries(
    st.sampled_from(["id", "amount", "value", "providerOrganization", "receiverOrganization"]), _ANY, max_size=4
)
_ANY_RELEASE = st.fixed_dictionaries(
    {
        "ocid": st.sampled_from(["ocds-x-a", "ocds-x-b"]),
        "date": st.sampled_from(["2020-01-01", "2021-01-01", None, 5]),
    },
    optional={
        "buyer": _ORGANIZATION,
        "tender": st.fixed_dictionaries(
            {}, optional={"procuringEntity": _ORGANIZATION, "tenderers": st.lists(_ORGANIZATION, max_size=3) | _ANY}
        )
        | _ANY,
        "awards": st.lists(
            st.fixed_dictionaries({}, optional={"id": _ANY, "suppliers": st.lists(_ORGANIZATION, max_size=3) | _ANY})
            | _ANY,
            max_size=3,
        )
        | _ANY,
        "contracts": st.lists(
            st.fixed_dictionaries(
                {},
                optional={
                    "id": _ANY,
                    "implementation": st.fixed_dictionaries(
                        {}, optional={"transactions": st.lists(_TRANSACTION, max_size=3) | _ANY}
                    ),
                },
            ),
            max_size=2,
        )
        | _ANY,
        "parties": _ANY,
        "id": _ANY,
        "tag": _ANY,
    },
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_ANY_RELEASE, min_size=1, max_size=5))
def test_releases_of_any_shape_are_compiled_alike_in_memory_and_spilled(releases):
    results = []
    for window in (64 * 1024 * 1024, 100):
        problems = ProblemLog()
        items = [
            Release(orjson.loads(orjson.dumps(r)), compiled=False, where=f"line {i}") for i, r in enumerate(releases)
        ]
        compiled = sorted(compile_releases(iter(items), problems, window_bytes=window), key=lambda c: c["ocid"])
        assert [c["ocid"] for c in compiled] == sorted({r["ocid"] for r in releases})
        results.append(compiled)
    assert results[0] == results[1]


def test_releases_deeper_than_orjson_writes_are_spilled_and_read_back():
    # orjson refuses to write more than 254 levels; a spilled run must still hold the release, byte for byte.
    deep: list = []
    node = deep
    for _ in range(600):
        node.append([])
        node = node[0]
    releases = [_release(f"ocds-a-{n % 3}", n, n + 1, x=deep if n == 7 else n) for n in range(8)]
    problems = ProblemLog()
    spilled = sorted(compile_releases(iter(releases), problems, window_bytes=200), key=lambda c: c["ocid"])
    in_memory = sorted(compile_releases(iter(releases), ProblemLog()), key=lambda c: c["ocid"])
    assert spilled == in_memory
    assert spilled[1]["x"] == deep
    assert not problems
