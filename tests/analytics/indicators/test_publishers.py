"""Indicators run on every sample publisher folder and give a result or a reason for every process."""

from collections import Counter

import pytest

from civicbuy.analytics import api

FOLDERS = [
    "armenia-armeps/releases",
    "colombia-ccce/records",
    "colombia-ccce/releases",
    "mexico-apf/package",
    "mexico-apf/records",
    "mexico-cdmx/releases",
    "mexico-jalisco/records",
    "mexico-jalisco/releases",
    "moldova-mtender/releases",
    "nigeria-bpp/releases",
    "paraguay-dncp/package",
    "paraguay-dncp/records",
    "paraguay-dncp/releases",
    "uk-contracts-finder/records",
    "uk-contracts-finder/releases",
    "ukraine-prozorro/releases",
]


def test_the_list_covers_every_folder(concatenated_publishers):
    assert sorted(concatenated_publishers) == FOLDERS


@pytest.mark.parametrize("folder", FOLDERS)
def test_indicators_on_publisher(folder, concatenated_publishers, tmp_path):
    dataset = api.ingest(concatenated_publishers[folder], tmp_path / "data" / "sample")
    processes = dataset.manifest["processes"]
    assert processes > 0
    results = api.compute_indicators(dataset).to_pylist()
    per_flag = Counter(r["indicator"] for r in results if r["level"] == "process" and r["indicator"] == "R003")
    assert per_flag["R003"] == processes
    for row in results:
        assert row["flagged"] in (True, False, None)
        if row["flagged"] is None and row["indicator"].startswith("R"):
            assert row["reason"]
    assert api.load_results(dataset).num_rows == len(results)
