"""Flatten compiled releases into rows of the declared flat tables (:mod:`civicbuy.analytics.store.schemas`).

Wrong types never stop a file: a string where OCDS expects a number (``/tender/value/amount``: "1,5"), an object
where it expects an array, or an unparsable date is counted in the :class:`ProblemLog` with its JSON path and the
``ocid``, and stored as null. Plain numeric strings ("1500.50") are converted and counted too.

This is the per-release loop of every ingest, so the install compiles it with mypyc (``setup.py``); the source
stays plain typed Python and runs as it is where no extension was built. The getters are called as methods
(``self.text(...)``): binding them to local names would help the interpreter but turns compiled calls back into
Python calls (benchmarks/README.md, "The merger compiled with mypyc").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from civicbuy.analytics.store.schemas import TABLES

if TYPE_CHECKING:
    from civicbuy.analytics.ocds.exceptions import ProblemLog

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


@lru_cache(maxsize=65536)
def parse_timestamp(value: str) -> tuple[int | None, str | None]:
    """Parse an OCDS date-time (RFC 3339) to microseconds since the epoch; return ``(micros, problem_code)``."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None, "invalid_date"
    problem = None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
        problem = "date_without_timezone"
    try:
        return (parsed - EPOCH) // MICROSECOND, problem
    except OverflowError:
        return None, "invalid_date"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else 0


def _join(values: Any) -> str | None:
    if isinstance(values, list):
        parts = [str(value) for value in values if isinstance(value, (str, int))]
        return ",".join(parts) if parts else None
    if isinstance(values, str):
        return values
    return None


class Flattener:
    """Accumulate flat rows for every table; :meth:`take` returns them as Arrow tables and starts afresh."""

    def __init__(self, problems: ProblemLog) -> None:
        self.problems = problems
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in TABLES}
        self.buffered = 0
        self.ocid = ""

    # Typed getters: each counts a problem (with the JSON path) when the value has the wrong type.

    def _wrong(self, path: str, value: Any, expected: str) -> None:
        self.problems.add(
            f"wrong_type:{path}",
            f"{path} is not {expected}; stored as null",
            f"{self.ocid}: {str(value)[:60]!r}",
        )

    def text(self, value: Any, path: str) -> str | None:
        """Return a string (identifiers may be integers in OCDS)."""
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        self._wrong(path, value, "a string")
        return None

    def number(self, value: Any, path: str) -> float | None:
        """Return a float; numeric strings are converted and counted."""
        if value is None:
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                self._wrong(path, value, "a number")
                return None
            self.problems.add(
                f"number_as_string:{path}",
                f"{path} is a string holding a number; converted",
                f"{self.ocid}: {value[:60]!r}",
            )
            return number
        self._wrong(path, value, "a number")
        return None

    def integer(self, value: Any, path: str) -> int | None:
        """Return an integer (``numberOfTenderers``)."""
        number = self.number(value, path)
        if number is None:
            return None
        if not number.is_integer():
            self._wrong(path, value, "an integer")
            return None
        return int(number)

    def timestamp(self, value: Any, path: str) -> int | None:
        """Return microseconds since the epoch (UTC) for an OCDS date-time."""
        if value is None:
            return None
        if not isinstance(value, str):
            self._wrong(path, value, "a date-time string")
            return None
        micros, problem = parse_timestamp(value)
        if problem == "invalid_date":
            self._wrong(path, value, "an RFC 3339 date-time")
        elif problem:
            self.problems.add(f"{problem}:{path}", f"{path} has no time zone; read as UTC", f"{self.ocid}: {value}")
        return micros

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        """Return an object, or an empty one (counted) when the value is of another type."""
        if isinstance(value, dict):
            return value
        if value is not None:
            self._wrong(path, value, "an object")
        return {}

    def array(self, value: Any, path: str) -> list[Any]:
        """Return an array, or an empty one (counted) when the value is of another type."""
        if isinstance(value, list):
            return value
        if value is not None:
            self._wrong(path, value, "an array")
        return []

    def money(self, value: Any, path: str) -> tuple[float | None, str | None]:
        """Return ``(amount, currency)`` of an OCDS ``Value`` object."""
        value = self.obj(value, path)
        return self.number(value.get("amount"), f"{path}/amount"), self.text(value.get("currency"), f"{path}/currency")

    def add(self, release: dict[str, Any]) -> None:
        """Add the rows of one compiled release."""
        ocid = self.ocid = str(release.get("ocid"))
        rows = self.rows
        buyer = self.obj(release.get("buyer"), "/buyer")
        tender = self.obj(release.get("tender"), "/tender")
        planning = self.obj(release.get("planning"), "/planning")
        budget_amount, budget_currency = self.money(
            self.obj(planning.get("budget"), "/planning/budget").get("amount"), "/planning/budget/amount"
        )
        procuring_entity = self.obj(tender.get("procuringEntity"), "/tender/procuringEntity")
        bids = self.array(self.obj(release.get("bids"), "/bids").get("details"), "/bids/details")
        awards = self.array(release.get("awards"), "/awards")
        contracts = self.array(release.get("contracts"), "/contracts")
        parties = self.array(release.get("parties"), "/parties")
        rows["processes"].append(
            (
                ocid,
                self.text(release.get("id"), "/id"),
                self.timestamp(release.get("date"), "/date"),
                _join(release.get("tag")),
                self.text(release.get("initiationType"), "/initiationType"),
                self.text(release.get("language"), "/language"),
                self.text(buyer.get("id"), "/buyer/id"),
                self.text(buyer.get("name"), "/buyer/name"),
                self.text(procuring_entity.get("id"), "/tender/procuringEntity/id"),
                self.text(procuring_entity.get("name"), "/tender/procuringEntity/name"),
                self.text(planning.get("rationale"), "/planning/rationale"),
                budget_amount,
                budget_currency,
                bool(tender),
                len(parties),
                len(bids),
                len(awards),
                len(contracts),
                _count(release.get("relatedProcesses")),
            )
        )
        if tender:
            self._tender(ocid, tender)
        for raw_party in parties:
            party = self.obj(raw_party, "/parties[]")
            identifier = self.obj(party.get("identifier"), "/parties[]/identifier")
            address = self.obj(party.get("address"), "/parties[]/address")
            details = self.obj(party.get("details"), "/parties[]/details")
            classifications = [
                f"{c.get('scheme')}:{c.get('id')}"
                for c in _list(details.get("classifications"))
                if isinstance(c, dict)
            ]
            rows["parties"].append(
                (
                    ocid,
                    self.text(party.get("id"), "/parties[]/id"),
                    self.text(party.get("name"), "/parties[]/name"),
                    _join(party.get("roles")),
                    self.text(details.get("scale"), "/parties[]/details/scale"),
                    self.text(identifier.get("scheme"), "/parties[]/identifier/scheme"),
                    self.text(identifier.get("id"), "/parties[]/identifier/id"),
                    self.text(address.get("locality"), "/parties[]/address/locality"),
                    self.text(address.get("region"), "/parties[]/address/region"),
                    self.text(address.get("postalCode"), "/parties[]/address/postalCode"),
                    self.text(address.get("countryName"), "/parties[]/address/countryName"),
                    "|".join(classifications) or None,
                )
            )
        for index, raw_bid in enumerate(bids):
            bid = self.obj(raw_bid, "/bids/details[]")
            tenderers = [
                self.obj(t, "/bids/details[]/tenderers[]")
                for t in self.array(bid.get("tenderers"), "/bids/details[]/tenderers")
            ]
            amount, currency = self.money(bid.get("value"), "/bids/details[]/value")
            first = self.text(tenderers[0].get("id"), "/bids/details[]/tenderers[]/id") if tenderers else None
            rows["bids"].append(
                (
                    ocid,
                    index,
                    self.text(bid.get("id"), "/bids/details[]/id"),
                    self.text(bid.get("status"), "/bids/details[]/status"),
                    self.timestamp(bid.get("date"), "/bids/details[]/date"),
                    amount,
                    currency,
                    len(tenderers),
                    first,
                    _join(bid.get("relatedLots")),
                )
            )
            for tenderer in tenderers:
                rows["bid_tenderers"].append(
                    (
                        ocid,
                        index,
                        self.text(tenderer.get("id"), "/bids/details[]/tenderers[]/id"),
                        self.text(tenderer.get("name"), "/bids/details[]/tenderers[]/name"),
                    )
                )
        for index, raw_award in enumerate(awards):
            award = self.obj(raw_award, "/awards[]")
            suppliers = [
                self.obj(s, "/awards[]/suppliers[]") for s in self.array(award.get("suppliers"), "/awards[]/suppliers")
            ]
            amount, currency = self.money(award.get("value"), "/awards[]/value")
            award_id = self.text(award.get("id"), "/awards[]/id")
            rows["awards"].append(
                (
                    ocid,
                    index,
                    award_id,
                    self.text(award.get("title"), "/awards[]/title"),
                    self.text(award.get("status"), "/awards[]/status"),
                    self.timestamp(award.get("date"), "/awards[]/date"),
                    amount,
                    currency,
                    len(suppliers),
                    self.text(suppliers[0].get("id"), "/awards[]/suppliers[]/id") if suppliers else None,
                    _join(award.get("relatedLots")),
                    _count(award.get("documents")),
                )
            )
            for supplier in suppliers:
                rows["suppliers"].append(
                    (
                        ocid,
                        index,
                        award_id,
                        self.text(supplier.get("id"), "/awards[]/suppliers[]/id"),
                        self.text(supplier.get("name"), "/awards[]/suppliers[]/name"),
                    )
                )
            self._items(ocid, "award", index, award.get("items"), "/awards[]/items")
        for index, raw_contract in enumerate(contracts):
            contract = self.obj(raw_contract, "/contracts[]")
            amount, currency = self.money(contract.get("value"), "/contracts[]/value")
            period = self.obj(contract.get("period"), "/contracts[]/period")
            implementation = self.obj(contract.get("implementation"), "/contracts[]/implementation")
            transactions = self.array(implementation.get("transactions"), "/contracts[]/implementation/transactions")
            rows["contracts"].append(
                (
                    ocid,
                    index,
                    self.text(contract.get("id"), "/contracts[]/id"),
                    self.text(contract.get("awardID"), "/contracts[]/awardID"),
                    self.text(contract.get("title"), "/contracts[]/title"),
                    self.text(contract.get("status"), "/contracts[]/status"),
                    self.timestamp(contract.get("dateSigned"), "/contracts[]/dateSigned"),
                    self.timestamp(period.get("startDate"), "/contracts[]/period/startDate"),
                    self.timestamp(period.get("endDate"), "/contracts[]/period/endDate"),
                    amount,
                    currency,
                    _count(contract.get("documents")),
                    _count(contract.get("amendments")),
                    len(transactions),
                )
            )
            self._items(ocid, "contract", index, contract.get("items"), "/contracts[]/items")
            for raw_transaction in transactions:
                transaction = self.obj(raw_transaction, "/contracts[]/implementation/transactions[]")
                path = "/contracts[]/implementation/transactions[]"
                t_amount, t_currency = self.money(transaction.get("value"), f"{path}/value")
                rows["transactions"].append(
                    (
                        ocid,
                        index,
                        self.text(transaction.get("id"), f"{path}/id"),
                        self.timestamp(transaction.get("date"), f"{path}/date"),
                        t_amount,
                        t_currency,
                        self.text(self.obj(transaction.get("payer"), f"{path}/payer").get("id"), f"{path}/payer/id"),
                        self.text(self.obj(transaction.get("payee"), f"{path}/payee").get("id"), f"{path}/payee/id"),
                    )
                )
        self.buffered += 1

    def _tender(self, ocid: str, tender: dict[str, Any]) -> None:
        tender_period = self.obj(tender.get("tenderPeriod"), "/tender/tenderPeriod")
        award_period = self.obj(tender.get("awardPeriod"), "/tender/awardPeriod")
        amount, currency = self.money(tender.get("value"), "/tender/value")
        items = self.array(tender.get("items"), "/tender/items")
        lots = self.array(tender.get("lots"), "/tender/lots")
        goals = _goals(tender.get("sustainability"))
        for raw_lot in lots:
            lot = self.obj(raw_lot, "/tender/lots[]")
            lot_amount, lot_currency = self.money(lot.get("value"), "/tender/lots[]/value")
            lot_goals = _goals(lot.get("sustainability"))
            goals.extend(lot_goals)
            self.rows["lots"].append(
                (
                    ocid,
                    self.text(lot.get("id"), "/tender/lots[]/id"),
                    self.text(lot.get("title"), "/tender/lots[]/title"),
                    self.text(lot.get("status"), "/tender/lots[]/status"),
                    lot_amount,
                    lot_currency,
                    ",".join(lot_goals) or None,
                )
            )
        divisions = self._items(ocid, "tender", 0, items, "/tender/items")
        self.rows["tenders"].append(
            (
                ocid,
                self.text(tender.get("id"), "/tender/id"),
                self.text(tender.get("title"), "/tender/title"),
                self.text(tender.get("description"), "/tender/description"),
                self.text(tender.get("status"), "/tender/status"),
                self.text(tender.get("procurementMethod"), "/tender/procurementMethod"),
                self.text(tender.get("procurementMethodDetails"), "/tender/procurementMethodDetails"),
                self.text(tender.get("procurementMethodRationale"), "/tender/procurementMethodRationale"),
                self.text(tender.get("mainProcurementCategory"), "/tender/mainProcurementCategory"),
                self.text(tender.get("awardCriteria"), "/tender/awardCriteria"),
                self.text(tender.get("awardCriteriaDetails"), "/tender/awardCriteriaDetails"),
                _join(tender.get("submissionMethod")),
                self.text(tender.get("eligibilityCriteria"), "/tender/eligibilityCriteria"),
                amount,
                currency,
                self.timestamp(tender_period.get("startDate"), "/tender/tenderPeriod/startDate"),
                self.timestamp(tender_period.get("endDate"), "/tender/tenderPeriod/endDate"),
                self.timestamp(award_period.get("startDate"), "/tender/awardPeriod/startDate"),
                self.timestamp(award_period.get("endDate"), "/tender/awardPeriod/endDate"),
                self.integer(tender.get("numberOfTenderers"), "/tender/numberOfTenderers"),
                _count(tender.get("tenderers")),
                _count(tender.get("documents")),
                _count(tender.get("amendments")),
                len(items),
                len(lots),
                ",".join(goals) or None,
                divisions[0] if divisions else None,
            )
        )

    def _items(self, ocid: str, source: str, parent: int, items: Any, path: str) -> list[str]:
        """Add item rows; return the CPV divisions (first two digits) found, in order."""
        divisions: list[str] = []
        for raw_item in self.array(items, path):
            item = self.obj(raw_item, f"{path}[]")
            classification = self.obj(item.get("classification"), f"{path}[]/classification")
            scheme = self.text(classification.get("scheme"), f"{path}[]/classification/scheme")
            code = self.text(classification.get("id"), f"{path}[]/classification/id")
            unit_value = self.obj(self.obj(item.get("unit"), f"{path}[]/unit").get("value"), f"{path}[]/unit/value")
            if code and scheme and scheme.upper() == "CPV" and len(code) >= 2:  # noqa: PLR2004
                divisions.append(code[:2])
            self.rows["items"].append(
                (
                    ocid,
                    source,
                    parent,
                    self.text(item.get("id"), f"{path}[]/id"),
                    self.text(item.get("description"), f"{path}[]/description"),
                    scheme,
                    code,
                    self.number(item.get("quantity"), f"{path}[]/quantity"),
                    self.number(unit_value.get("amount"), f"{path}[]/unit/value/amount"),
                    self.text(unit_value.get("currency"), f"{path}[]/unit/value/currency"),
                )
            )
        return divisions

    def take(self) -> dict[str, pa.Table]:
        """Return the buffered rows as Arrow tables with the declared schemas, and clear the buffers.

        The row tuples are converted in one call per table, as a struct array (timestamps as int64 microseconds, then
        cast): measured about 10 times faster than one array per column from ``zip(*rows)``, and converting Python
        integers straight to a timestamp type was 50 times slower than to int64.
        """
        tables = {}
        for name, schema in TABLES.items():
            batch = pa.RecordBatch.from_struct_array(pa.array(self.rows[name], type=_ROW_TYPES[name]))
            columns = [batch.column(index).cast(field.type) for index, field in enumerate(schema)]
            tables[name] = pa.Table.from_arrays(columns, schema=schema)
            self.rows[name] = []
        self.buffered = 0
        return tables


def _row_type(schema: pa.Schema) -> pa.StructType:
    """Return the struct type the rows of ``schema`` are converted with (timestamps as int64)."""
    return pa.struct([(f.name, pa.int64() if pa.types.is_timestamp(f.type) else f.type) for f in schema])


_ROW_TYPES = {name: _row_type(schema) for name, schema in TABLES.items()}


def _goals(value: Any) -> list[str]:
    """Return ``goal`` codes of the OCDS sustainability extension (``/tender/sustainability[]/goal``)."""
    return [entry["goal"] for entry in _list(value) if isinstance(entry, dict) and isinstance(entry.get("goal"), str)]
