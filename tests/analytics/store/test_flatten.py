"""Flattening compiled releases into the declared Arrow tables."""

from datetime import UTC, datetime

from civicbuy.analytics.ocds.exceptions import ProblemLog
from civicbuy.analytics.store.flatten import Flattener
from civicbuy.analytics.store.schemas import TABLES

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
