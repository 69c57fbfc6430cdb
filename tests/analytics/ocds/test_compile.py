import json
import warnings
from collections import defaultdict

import orjson
import pytest
from ocdsmerge import Merger as OcdsMerger
from ocdsmerge.exceptions import DuplicateIdValueWarning

from civicbuy.analytics.ocds.compile import Merger, compile_releases
from civicbuy.analytics.ocds.exceptions import ProblemLog
from civicbuy.analytics.ocds.merge_rules import OCDS_11_MERGE_RULES, derive_merge_rules
from civicbuy.analytics.ocds.reader import Release, read
from civicbuy.analytics.ocds.upgrade import upgrade_release


def test_shipped_merge_rules_equal_the_official_schema(release_schema):
    derived = derive_merge_rules(json.loads(release_schema.read_text()))
    assert derived == OCDS_11_MERGE_RULES


def test_derived_rules_match_ocdsmerge(release_schema):
    from ocdsmerge.rules import get_merge_rules

    assert get_merge_rules(str(release_schema)) == OCDS_11_MERGE_RULES


def test_merger_equals_ocdsmerge_on_every_publisher(publisher_folders):
    reference = OcdsMerger(merge_rules=OCDS_11_MERGE_RULES)
    merger = Merger()
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


def test_duplicate_ids_are_counted():
    problems = ProblemLog()
    releases = [
        {
            "ocid": "ocds-x-1",
            "id": "1",
            "date": "2020-01-01T00:00:00Z",
            "awards": [{"id": "a", "x": 1}, {"id": "a", "y": 2}],
        }
    ]
    compiled = Merger(problems=problems).compile(releases)
    assert compiled["awards"] == [{"id": "a", "x": 1, "y": 2}]
    assert problems.problems["duplicate_id"].count == 1


def test_spill_to_disk_gives_the_same_result():
    releases = [
        Release(
            {
                "ocid": f"ocds-x-{i % 7}",
                "id": str(i),
                "date": f"2020-01-{i % 28 + 1:02d}T00:00:00Z",
                "tender": {"title": str(i)},
            },
            compiled=False,
            where="",
        )
        for i in range(50)
    ]
    problems = ProblemLog()
    in_memory = sorted(compile_releases(iter(releases), problems), key=lambda r: r["ocid"])
    from civicbuy.analytics.ocds import compile as module

    spilled = sorted(
        (
            module.Merger().compile(items)
            for _, items, _ in module.group_by_ocid(iter(releases), problems, spill_after=5)
        ),
        key=lambda r: r["ocid"],
    )
    assert in_memory == spilled


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
