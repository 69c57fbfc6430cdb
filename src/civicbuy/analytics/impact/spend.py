"""Spend lines: one per contract (or per award that has no contract), read from a dataset's flat Parquet tables.

A line carries what the impact estimates need and nothing is dropped here: a line with no amount, no CPV code or
an odd currency is still a line, so that :mod:`carbon` can count it as a coverage gap.

- Amount: ``/contracts/value`` (else ``/awards/value`` for an award without a contract).
- CPV code: the first CPV item of the contract, else of its award, else of the tender (``/…/items/classification``).
- Supplier: the first supplier of the contract's award (``/awards/suppliers``).
- Year (for exchange rates and prices): contract signature, else award date, else the release date.
- Description (only for the optional classifier, :mod:`classify`): the item descriptions of the contract, else of its
  award, else of the tender, else the contract's, award's or tender's title.

``cpv_source`` says where the code came from: ``published`` (the data), or ``classified`` (the optional offline
classifier placed the description in a division because no code was published). They are reported apart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq

if TYPE_CHECKING:
    from civicbuy.analytics.api import Dataset

CPV_LENGTH = 8
SKIPPED_STATUSES = {"cancelled", "unsuccessful"}


@dataclass(frozen=True)
class SpendLine:
    """One contract's (or award's) spend, as published."""

    id: str
    ocid: str
    title: str
    buyer: str
    supplier_id: str
    supplier_name: str
    cpv: str
    amount: float | None
    currency: str
    year: int | None
    kind: str = "contract"
    description: str = ""
    cpv_source: str = "published"
    classification_score: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the line as JSON-ready data."""
        return asdict(self)


def normalise_cpv(code: object) -> str:
    """Return the 8 digits of a CPV code ("45233140-2" -> "45233140"); "" when it is not CPV-shaped."""
    text = str(code or "").strip().split("-", 1)[0].replace(" ", "")
    return text if len(text) == CPV_LENGTH and text.isdigit() else ""


def _rows(dataset: Dataset, table: str, columns: list[str]) -> list[dict[str, Any]]:
    path = dataset.table_path(table)
    if not path.exists():
        return []
    return pq.read_table(path, columns=columns).to_pylist()


def _year(*moments: datetime | None) -> int | None:
    for moment in moments:
        if moment is not None:
            return moment.year
    return None


def _first_cpv(codes: list[str]) -> str:
    """Return the first code; "?" + raw text when it is present but not CPV-shaped (so it counts as unknown)."""
    for code in codes:
        normalised = normalise_cpv(code)
        return normalised or f"?{code}"
    return ""


def _items(dataset: Dataset) -> tuple[dict[tuple[str, str, int], list[str]], dict[tuple[str, str, int], list[str]]]:
    """Return the CPV codes and the item descriptions by (ocid, source, parent index)."""
    items: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    descriptions: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    for row in _rows(
        dataset,
        "items",
        ["ocid", "source", "parent_index", "description", "classification_scheme", "classification_id"],
    ):
        scheme = (row["classification_scheme"] or "").upper()
        parent = 0 if row["source"] == "tender" else int(row["parent_index"] or 0)
        if row["classification_id"] and scheme in {"CPV", ""}:
            items[(row["ocid"], row["source"], parent)].append(str(row["classification_id"]))
        if (row["description"] or "").strip():
            descriptions[(row["ocid"], row["source"], parent)].append(row["description"].strip())
    return items, descriptions


def spend_lines(dataset: Dataset) -> list[SpendLine]:
    """Return every contract (and uncontracted award) of ``dataset`` as a spend line."""
    processes = {row["ocid"]: row for row in _rows(dataset, "processes", ["ocid", "date", "buyer_name", "buyer_id"])}
    tenders = {row["ocid"]: row for row in _rows(dataset, "tenders", ["ocid", "title", "description"])}
    items, descriptions = _items(dataset)
    suppliers: dict[tuple[str, int], tuple[str, str]] = {}
    for row in _rows(dataset, "suppliers", ["ocid", "award_index", "supplier_id", "supplier_name"]):
        suppliers.setdefault((row["ocid"], row["award_index"]), (row["supplier_id"] or "", row["supplier_name"] or ""))
    awards = _rows(
        dataset,
        "awards",
        ["ocid", "award_index", "award_id", "title", "status", "date", "value_amount", "value_currency"],
    )
    award_by_id = {(row["ocid"], row["award_id"]): row for row in awards}
    contracts = _rows(
        dataset,
        "contracts",
        ["ocid", "contract_index", "contract_id", "award_id", "title", "status", "date_signed", "value_amount",
         "value_currency"],
    )  # fmt: skip
    contracted = {(row["ocid"], row["award_id"]) for row in contracts}
    lines: list[SpendLine] = []

    def line(
        ocid: str, kind: str, ident: str, row: dict[str, Any], award: dict[str, Any] | None, **extra: Any
    ) -> None:
        process = processes.get(ocid, {})
        award_index = award["award_index"] if award else None
        supplier = suppliers.get((ocid, award_index), ("", "")) if award_index is not None else ("", "")
        codes = items.get((ocid, kind, extra["index"]), [])
        if not codes and award_index is not None:
            codes = items.get((ocid, "award", award_index), [])
        codes = codes or items.get((ocid, "tender", 0), [])
        texts = descriptions.get((ocid, kind, extra["index"]), [])
        if not texts and award_index is not None:
            texts = descriptions.get((ocid, "award", award_index), [])
        tender = tenders.get(ocid) or {}
        texts = texts or descriptions.get((ocid, "tender", 0), [])
        texts = texts or [t for t in (row.get("title"), tender.get("title"), tender.get("description")) if t]
        lines.append(
            SpendLine(
                id=f"{ocid}/{ident}",
                ocid=ocid,
                title=row.get("title") or (tenders.get(ocid) or {}).get("title") or "",
                buyer=process.get("buyer_name") or process.get("buyer_id") or "",
                supplier_id=supplier[0],
                supplier_name=supplier[1],
                cpv=_first_cpv(codes),
                amount=row["value_amount"],
                currency=(row["value_currency"] or "").strip().upper(),
                year=_year(extra["date"], award["date"] if award else None, process.get("date")),
                kind=kind,
                description="; ".join(dict.fromkeys(texts))[:500],
            )
        )

    for row in contracts:
        if (row["status"] or "") in SKIPPED_STATUSES:
            continue
        award = award_by_id.get((row["ocid"], row["award_id"]))
        ident = row["contract_id"] or f"contract-{row['contract_index']}"
        line(row["ocid"], "contract", ident, row, award, index=row["contract_index"], date=row["date_signed"])
    for row in awards:
        if (row["ocid"], row["award_id"]) in contracted or (row["status"] or "") in SKIPPED_STATUSES:
            continue
        ident = row["award_id"] or f"award-{row['award_index']}"
        line(row["ocid"], "award", ident, row, row, index=row["award_index"], date=row["date"])
    return lines
