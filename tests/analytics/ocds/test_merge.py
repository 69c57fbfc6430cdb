"""The merger, as the install built it (a mypyc extension) and as plain Python, against ocdsmerge and each other."""

import warnings
from collections import defaultdict
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ocdsmerge import Merger as OcdsMerger
from ocdsmerge.exceptions import DuplicateIdValueWarning

from civicbuy.analytics.ocds import merge as installed
from civicbuy.analytics.ocds.exceptions import ProblemLog
from civicbuy.analytics.ocds.merge_rules import OCDS_11_MERGE_RULES
from civicbuy.analytics.ocds.reader import read
from civicbuy.analytics.ocds.upgrade import upgrade_release
from tests.analytics.json_values import json_values
from tests.native import interpreted

INTERPRETED = interpreted(installed)
IMPLEMENTATIONS = pytest.mark.parametrize("module", [installed, INTERPRETED], ids=["installed", "interpreted"])


@IMPLEMENTATIONS
def test_merger_equals_ocdsmerge_on_every_publisher(module, publisher_folders):
    reference = OcdsMerger(merge_rules=OCDS_11_MERGE_RULES)
    merger = module.Merger()
    compared = 0
    for folder in publisher_folders:
        groups = defaultdict(list)
        for file in sorted(folder.glob("*.json")):
            for release in read(file):
                if not release.compiled:
                    groups[release.data["ocid"]].append(upgrade_release(release.data))
        for releases in groups.values():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DuplicateIdValueWarning)
                expected = reference.create_compiled_release(orjson.loads(orjson.dumps(releases)))
            assert merger.compile(orjson.loads(orjson.dumps(releases))) == expected
            compared += 1
    assert compared > 200


@IMPLEMENTATIONS
def test_duplicate_ids_are_counted(module):
    problems = ProblemLog()
    releases = [
        {
            "ocid": "ocds-x-1",
            "id": "1",
            "date": "2020-01-01T00:00:00Z",
            "awards": [{"id": "a", "x": 1}, {"id": "a", "y": 2}],
        }
    ]
    compiled = module.Merger(problems=problems).compile(releases)
    assert compiled["awards"] == [{"id": "a", "x": 1, "y": 2}]
    assert problems.problems["duplicate_id"].count == 1
    assert problems.problems["duplicate_id"].examples == ["awards id 'a'"]


@IMPLEMENTATIONS
@pytest.mark.parametrize(
    ("identity", "merged"),
    [
        ({"a": None, "b": 1}, {"b": 1}),  # a null clears a field: nothing to keep
        ([{"c": None}, {"d": 2}], [{}, {"d": 2}]),  # objects without ids are appended, as in ocdsmerge
        ([{"id": "e"}, 3], [{"id": "e"}, 3]),  # not all objects: taken whole
    ],
)
def test_an_object_or_array_id_is_copied_not_merged_into_itself(module, identity, merged):
    # Invalid OCDS, but hostile input must neither crash the merge nor make it loop.
    releases = [{"ocid": "ocds-x-1", "date": "2020-01-01", "awards": [{"id": identity, "title": "t"}]}]
    compiled = module.Merger().compile(orjson.loads(orjson.dumps(releases)))
    [award] = compiled["awards"]
    assert award["title"] == "t"
    assert award["id"] == merged
    assert releases[0]["awards"][0]["id"] == identity  # the source release is untouched


# Keys that meet merge rules (omitted, whole-list, identified arrays) and keys that meet none.
_VALUES = json_values(
    ["id", "tag", "date", "awards", "items", "tender", "title", "value", "x", "additionalClassifications"],
    max_leaves=12,
)
_RELEASES = st.lists(
    st.fixed_dictionaries(
        {"ocid": st.just("ocds-x-1"), "date": st.sampled_from(["2020-01-01", "2020-02-01", "2020-03-01"])},
        optional={"awards": _VALUES, "tender": _VALUES, "tag": _VALUES, "x": _VALUES},
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(_RELEASES)
def test_the_extension_and_the_source_merge_anything_alike(releases: list[dict[str, Any]]):
    results = []
    for module in (installed, INTERPRETED):
        problems = ProblemLog()
        compiled = module.Merger(problems=problems).compile(orjson.loads(orjson.dumps(releases)))
        results.append((compiled, problems.as_list()))
    assert results[0] == results[1]
