"""Declared Arrow schemas of the flat tables (never inferred: STACK.md records how DuckDB's inference drops fields).

One row per contracting process in ``processes`` and ``tenders``; one row per object in the others, keyed by
``ocid`` and the position of the parent object (``*_index``) so that tables join even when ``id`` values repeat.
Monetary amounts always travel with their currency (``*_amount`` + ``*_currency``), following OCDS ``Value``.
"""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")
S = pa.string()
F = pa.float64()
I32 = pa.int32()
I64 = pa.int64()
B = pa.bool_()

PROCESSES = pa.schema(
    [
        ("ocid", S),
        ("release_id", S),
        ("date", TS),
        ("tag", S),
        ("initiation_type", S),
        ("language", S),
        ("buyer_id", S),
        ("buyer_name", S),
        ("procuring_entity_id", S),
        ("procuring_entity_name", S),
        ("planning_rationale", S),
        ("budget_amount", F),
        ("budget_currency", S),
        ("has_tender", B),
        ("parties_count", I32),
        ("bids_count", I32),
        ("awards_count", I32),
        ("contracts_count", I32),
        ("related_processes_count", I32),
    ]
)

TENDERS = pa.schema(
    [
        ("ocid", S),
        ("tender_id", S),
        ("title", S),
        ("description", S),
        ("status", S),
        ("procurement_method", S),
        ("procurement_method_details", S),
        ("procurement_method_rationale", S),
        ("main_procurement_category", S),
        ("award_criteria", S),
        ("award_criteria_details", S),
        ("submission_method", S),
        ("eligibility_criteria", S),
        ("value_amount", F),
        ("value_currency", S),
        ("tender_period_start", TS),
        ("tender_period_end", TS),
        ("award_period_start", TS),
        ("award_period_end", TS),
        ("number_of_tenderers", I64),
        ("tenderers_count", I32),
        ("documents_count", I32),
        ("amendments_count", I32),
        ("items_count", I32),
        ("lots_count", I32),
        ("sustainability_goals", S),
        ("cpv_division", S),
    ]
)

PARTIES = pa.schema(
    [
        ("ocid", S),
        ("party_id", S),
        ("name", S),
        ("roles", S),
        ("scale", S),
        ("identifier_scheme", S),
        ("identifier_id", S),
        ("locality", S),
        ("region", S),
        ("postal_code", S),
        ("country_name", S),
        ("classifications", S),
    ]
)

LOTS = pa.schema(
    [
        ("ocid", S),
        ("lot_id", S),
        ("title", S),
        ("status", S),
        ("value_amount", F),
        ("value_currency", S),
        ("sustainability_goals", S),
    ]
)

BIDS = pa.schema(
    [
        ("ocid", S),
        ("bid_index", I32),
        ("bid_id", S),
        ("status", S),
        ("date", TS),
        ("value_amount", F),
        ("value_currency", S),
        ("tenderers_count", I32),
        ("tenderer_id", S),
        ("related_lots", S),
    ]
)

BID_TENDERERS = pa.schema([("ocid", S), ("bid_index", I32), ("tenderer_id", S), ("tenderer_name", S)])

AWARDS = pa.schema(
    [
        ("ocid", S),
        ("award_index", I32),
        ("award_id", S),
        ("title", S),
        ("status", S),
        ("date", TS),
        ("value_amount", F),
        ("value_currency", S),
        ("suppliers_count", I32),
        ("supplier_id", S),
        ("related_lots", S),
        ("documents_count", I32),
    ]
)

SUPPLIERS = pa.schema([("ocid", S), ("award_index", I32), ("award_id", S), ("supplier_id", S), ("supplier_name", S)])

CONTRACTS = pa.schema(
    [
        ("ocid", S),
        ("contract_index", I32),
        ("contract_id", S),
        ("award_id", S),
        ("title", S),
        ("status", S),
        ("date_signed", TS),
        ("period_start", TS),
        ("period_end", TS),
        ("value_amount", F),
        ("value_currency", S),
        ("documents_count", I32),
        ("amendments_count", I32),
        ("transactions_count", I32),
    ]
)

ITEMS = pa.schema(
    [
        ("ocid", S),
        ("source", S),  # "tender", "award" or "contract"
        ("parent_index", I32),
        ("item_id", S),
        ("description", S),
        ("classification_scheme", S),
        ("classification_id", S),
        ("quantity", F),
        ("unit_value_amount", F),
        ("unit_value_currency", S),
    ]
)

TRANSACTIONS = pa.schema(
    [
        ("ocid", S),
        ("contract_index", I32),
        ("transaction_id", S),
        ("date", TS),
        ("value_amount", F),
        ("value_currency", S),
        ("payer_id", S),
        ("payee_id", S),
    ]
)

#: Every flat table, by name, in writing order.
TABLES: dict[str, pa.Schema] = {
    "processes": PROCESSES,
    "tenders": TENDERS,
    "parties": PARTIES,
    "lots": LOTS,
    "bids": BIDS,
    "bid_tenderers": BID_TENDERERS,
    "awards": AWARDS,
    "suppliers": SUPPLIERS,
    "contracts": CONTRACTS,
    "items": ITEMS,
    "transactions": TRANSACTIONS,
}
