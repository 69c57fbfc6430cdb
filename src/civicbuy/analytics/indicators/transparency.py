"""Transparency: completeness of key fields, tender documents published, contract amendments.

Key fields (OCDS paths): /buyer/id, /tender/procurementMethod, /tender/value/amount,
/tender/tenderPeriod/endDate, /tender/numberOfTenderers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from civicbuy.analytics.indicators.context import TRUE
from civicbuy.analytics.indicators.measures import mean_by_level, share_by_level
from civicbuy.analytics.indicators.registry import HIGHER_IS_BETTER, NEUTRAL, indicator

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from civicbuy.analytics.indicators.context import Context

COMMON = {
    "family": "transparency",
    "levels": ("dataset", "buyer"),
    "themes": ("transparency", "open-data"),
    "sdg_targets": ("12.7", "16.10"),
}


@indicator(
    code="transparency.key_fields_share",
    name="Key fields published",
    definition="Average share of five key fields published per process: /buyer/id, /tender/procurementMethod, "
    "/tender/value/amount, /tender/tenderPeriod/endDate, /tender/numberOfTenderers.",
    source="OCP 'OCDS data quality' guidance; Open Contracting Data Standard field paths",
    inputs=(
        "/buyer/id",
        "/tender/procurementMethod",
        "/tender/value/amount",
        "/tender/tenderPeriod/endDate",
        "/tender/numberOfTenderers",
    ),
    applicability="Every process.",
    direction=HIGHER_IS_BETTER,
    guide_step="measure-learn/publish-open-data",
    **COMMON,
)
def key_fields_share(ctx: Context) -> ir.Table:
    """Compute the key fields share."""
    t = ctx.process_base()
    present = [
        t.buyer_id.notnull(),
        t.procurement_method.notnull(),
        t.value_amount.notnull(),
        t.tender_period_end.notnull(),
        t.number_of_tenderers.notnull(),
    ]
    score = sum((ibis.ifelse(p, 1.0, 0.0) for p in present), ibis.literal(0.0)) / len(present)
    return mean_by_level(t, score, "no processes")


@indicator(
    code="transparency.tender_documents_share",
    name="Tender documents published",
    definition="Share of tenders that publish at least one document (/tender/documents).",
    source="OCDS /tender/documents; OECD MAPS 7(a)",
    inputs=("/tender/documents",),
    applicability="Processes with a tender.",
    direction=HIGHER_IS_BETTER,
    guide_step="measure-learn/publish-open-data",
    **COMMON,
)
def tender_documents_share(ctx: Context) -> ir.Table:
    """Compute the tender documents share."""
    t = ctx.process_base()
    return share_by_level(t, t.documents_count > 0, t.has_tender, "no process has a tender")


@indicator(
    code="transparency.contract_amendment_share",
    name="Contracts amended",
    definition="Share of contracts with at least one amendment (/contracts[]/amendments).",
    source="OCDS /contracts[]/amendments",
    inputs=("/contracts[]/amendments",),
    applicability="Contracts.",
    direction=NEUTRAL,
    guide_step="manage-contract/manage-changes-and-amendments",
    **COMMON,
)
def contract_amendment_share(ctx: Context) -> ir.Table:
    """Compute the share of amended contracts."""
    contracts = ctx["contracts"]
    processes = ctx["processes"]
    t = contracts.join(processes, contracts.ocid == processes.ocid).select(
        contracts.amendments_count, processes.buyer_id
    )
    return share_by_level(t, t.amendments_count > 0, TRUE, "no contracts")
