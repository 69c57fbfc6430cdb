"""CivicBuy gives Cardinal 0.0.8's answers on derived/compiled-releases.jsonl (README of the samples)."""

from collections import Counter

import pytest

from civicbuy.analytics import api
from civicbuy.analytics.indicators.registry import all_indicators


@pytest.fixture(scope="module")
def results(compiled_jsonl):
    return api.compute_indicators(compiled_jsonl).to_pylist()


def test_r003_flags_34_processes_and_r018_flags_4(results):
    flagged = Counter(row["indicator"] for row in results if row["flagged"] is True)
    assert flagged == {"R003": 34, "R018": 4}


def test_every_process_gets_a_row_for_every_process_flag(results):
    process_flags = {d.code for d in all_indicators() if d.is_red_flag and d.levels == ("process",)}
    per_flag = Counter(row["indicator"] for row in results if row["level"] == "process")
    assert {code: per_flag[code] for code in process_flags} == dict.fromkeys(process_flags, 143)


def test_null_results_say_why(results):
    for row in results:
        if row["flagged"] is None and row["indicator"].startswith("R"):
            assert row["reason"], row
        if row["flagged"] is not None:
            assert row["reason"] == "", row


def test_cancelled_processes_are_excluded_with_a_reason(results):
    cancelled = [r for r in results if r["indicator"] == "R003" and "cancelled" in r["reason"]]
    assert len(cancelled) == 4
    assert all(r["flagged"] is None and r["value"] is None for r in cancelled)
