"""Flattening compiled releases into the declared Arrow tables."""

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from civicbuy.analytics.ocds.compile import compile_releases
from civicbuy.analytics.ocds.exceptions import ProblemLog
from civicbuy.analytics.ocds.reader import read
from civicbuy.analytics.store import flatten
from civicbuy.analytics.store.flatten import Flattener
from civicbuy.analytics.store.schemas import TABLES
from tests.analytics.json_values import json_values
from tests.native import interpreted

INTERPRETED = interpreted(flatten)

RELEASE = {
    "ocid": "ocds-x-1",
    "id": "1",
    "date": "2024-03-01T10:30:00.123456Z",
    "buyer": {"id": "B1"},
    "tender": {
        "id": "T1",
        "tenderPeriod": {"startDate": "2024-03-01T00:00:00+02:00", "endDate": "not a date"},
        "numberOfTenderers": 2,
        "value": {"amount": "1500.50", "currency": "EUR"},
    },
    "bids": {"details": [{"id": "b1", "status": "valid", "tenderers": [{"id": "S1"}], "value": {"amount": 10}}]},
}


def test_take_returns_the_declared_schemas_with_typed_values():
    problems = ProblemLog()
    flattener = Flattener(problems)
    flattener.add(RELEASE)
    flattener.add({"ocid": "ocds-x-2"})
    tables = flattener.take()
    assert {name: table.schema for name, table in tables.items()} == TABLES
    processes = tables["processes"].to_pylist()
    assert processes[0]["date"] == datetime(2024, 3, 1, 10, 30, 0, 123456, tzinfo=UTC)
    assert processes[1]["date"] is None
    assert processes[1]["has_tender"] is False
    tender = tables["tenders"].to_pylist()[0]
    assert tender["tender_period_start"] == datetime(2024, 2, 29, 22, 0, tzinfo=UTC)
    assert tender["tender_period_end"] is None
    assert tender["value_amount"] == 1500.5
    assert tender["number_of_tenderers"] == 2
    assert tables["bids"].to_pylist()[0]["tenderer_id"] == "S1"
    assert tables["lots"].num_rows == 0
    codes = {problem["code"] for problem in problems.as_list()}
    assert {"wrong_type:/tender/tenderPeriod/endDate", "number_as_string:/tender/value/amount"} <= codes
    assert flattener.buffered == 0
    assert all(table.num_rows == 0 for table in flattener.take().values())


# OCDS field names at any depth, with values of every JSON type: the shapes a publisher can get wrong.
_FIELDS = [
    "id", "ocid", "date", "tag", "buyer", "tender", "awards", "contracts", "parties", "bids", "items", "value",
    "amount", "currency", "suppliers", "tenderers", "procurementMethod", "numberOfTenderers", "tenderPeriod",
    "startDate", "endDate", "documents", "classification", "scheme", "roles", "details", "implementation",
    "transactions", "lots", "status", "name", "identifier", "address", "planning", "relatedLots", "amendments",
    "awardPeriod", "dateSigned", "period", "quantity", "procurementMethodRationale", "awardCriteria", "scale",
]  # fmt: skip
_RELEASES = st.lists(
    st.dictionaries(st.sampled_from(_FIELDS), json_values(_FIELDS, max_leaves=25), max_size=10), min_size=1, max_size=3
)


@settings(max_examples=300, deadline=None)
@given(_RELEASES)
def test_any_shape_of_release_is_flattened_into_the_declared_tables_alike_built_or_not(releases):
    results = []
    for module in (flatten, INTERPRETED):
        problems = ProblemLog()
        flattener = module.Flattener(problems)
        for index, release in enumerate(releases):
            flattener.add({**release, "ocid": f"ocds-x-{index}"})
        tables = flattener.take()
        for name, table in tables.items():
            assert table.schema.equals(TABLES[name]), name
        assert tables["processes"].num_rows == len(releases)
        results.append(({name: table.to_pylist() for name, table in tables.items()}, problems.as_list()))
    assert results[0] == results[1]


def test_the_built_and_interpreted_flatteners_agree_on_every_sample_publisher(concatenated_publishers):
    compared = 0
    for name, path in concatenated_publishers.items():
        results = []
        for module in (flatten, INTERPRETED):
            problems = ProblemLog()
            flattener = module.Flattener(problems)
            for compiled in compile_releases(read(path, problems), problems):
                flattener.add(compiled)
            results.append(({table: rows.to_pylist() for table, rows in flattener.take().items()}, problems.as_list()))
        assert results[0] == results[1], name
        compared += len(results[0][0]["processes"])
    assert compared > 200
