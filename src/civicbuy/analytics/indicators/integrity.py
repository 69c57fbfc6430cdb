"""Integrity red flags about one contracting process, with OCP's numbers and OCDS Cardinal's definitions.

Definitions and defaults follow Cardinal (https://cardinal.readthedocs.io/en/latest/cli/indicators/): a process
whose ``/tender/status`` is ``cancelled`` is excluded from every red flag; bids count as *submitted* unless their
``/bids/details[]/status`` is ``invited`` or ``withdrawn``; awards are *final* when no ``/awards[]/status`` is
``pending`` (or any value other than active, cancelled and unsuccessful). Unlike Cardinal, every process gets a row:
``flagged`` is true or false when the flag applies, or null with the reason it does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from civicbuy.analytics.indicators.context import FALSE, currency_label, days_between, result
from civicbuy.analytics.indicators.facts import process_facts
from civicbuy.analytics.indicators.registry import HIGHER_IS_WORSE, indicator

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from civicbuy.analytics.indicators.context import Context

NO_TENDER = "no tender (/tender is missing)"
CANCELLED = "tender cancelled (/tender/status is cancelled; Cardinal excludes cancelled processes)"
NO_BIDS = "no bids (/bids/details is missing)"
SAME_PRICE_TENDERERS = 2
INTEGRITY = ("integrity", "competition")
SDG_INTEGRITY = ("16.5", "12.7")
#: What every integrity red flag declares alike (family, themes, SDG targets); process-level flags add the rest.
RED_FLAG = {"family": "integrity", "themes": INTEGRITY, "sdg_targets": SDG_INTEGRITY}
PROCESS_FLAG = {**RED_FLAG, "direction": HIGHER_IS_WORSE, "levels": ("process",)}


def _common_reasons(base: ir.Table) -> list[tuple[ir.BooleanValue, str]]:
    return [
        (~base.has_tender.fill_null(FALSE), NO_TENDER),
        (base.status.fill_null("") == "cancelled", CANCELLED),
    ]


def _reason(branches: list[tuple[ir.BooleanValue, str | ir.StringValue]]) -> ir.StringValue:
    return ibis.cases(*branches, else_="")


@indicator(
    code="R003",
    name="Short submission period",
    definition="The tender period (/tender/tenderPeriod/endDate - startDate, in whole days) is shorter than the "
    "threshold (default 15 days). Value: the period in days.",
    source="OCP red flag R003 (Cardinal R003; Fazekas et al. 2016)",
    inputs=("/tender/tenderPeriod/startDate", "/tender/tenderPeriod/endDate", "/tender/procurementMethod"),
    applicability="Processes with a tender and both tender period dates; optionally only the configured methods.",
    guide_step="tender/set-realistic-deadlines",
    **PROCESS_FLAG,
)
def r003(ctx: Context) -> ir.Table:
    """Compute R003 for every process."""
    base = ctx.process_base()
    threshold = int(ctx.settings["R003.threshold"])
    methods = list(ctx.settings["R003.procurement_methods"])
    branches = _common_reasons(base)
    if methods:
        branches.append(
            (
                ~base.procurement_method.isin(methods).fill_null(FALSE),
                f"procurement method is not one of {', '.join(methods)} (/tender/procurementMethod)",
            )
        )
    branches.append(
        (
            base.tender_period_start.isnull() | base.tender_period_end.isnull(),
            "tender period start or end date missing or not a date (/tender/tenderPeriod)",
        )
    )
    reason = _reason(branches)
    days = days_between(base.tender_period_start, base.tender_period_end)
    applicable = reason == ""
    return result(
        base,
        level="process",
        id=base.ocid,
        value=ibis.ifelse(applicable, days, None),
        flagged=ibis.ifelse(applicable, days < threshold, None),
        reason=reason,
    )


@indicator(
    code="R018",
    name="Single bid received",
    definition="Only one tenderer submitted a bid (/tender/numberOfTenderers is 1) in a competitive procedure "
    "(/tender/procurementMethod is open or selective). Value: the number of tenderers.",
    source="OCP red flag R018 (Cardinal R018; Fazekas, Tóth & King 2016, 'single bidder')",
    inputs=("/tender/numberOfTenderers", "/tender/procurementMethod"),
    applicability="Competitive processes (open or selective by default) that publish /tender/numberOfTenderers.",
    guide_step="tender/encourage-competition",
    **PROCESS_FLAG,
)
def r018(ctx: Context) -> ir.Table:
    """Compute R018 for every process."""
    base = ctx.process_base()
    methods = list(ctx.settings["R018.procurement_methods"])
    reason = _reason(
        [
            *_common_reasons(base),
            (
                ~base.procurement_method.isin(methods).fill_null(FALSE),
                f"not a competitive procedure (/tender/procurementMethod is not {' or '.join(methods)})",
            ),
            (base.number_of_tenderers.isnull(), "number of tenderers not published (/tender/numberOfTenderers)"),
        ]
    )
    applicable = reason == ""
    return result(
        base,
        level="process",
        id=base.ocid,
        value=ibis.ifelse(applicable, base.number_of_tenderers, None),
        flagged=ibis.ifelse(applicable, base.number_of_tenderers == 1, None),
        reason=reason,
    )


@indicator(
    code="R028",
    name="Identical bid prices",
    definition="Different tenderers submitted bids with the same price (/bids/details[]/value). Value: the largest "
    "number of different tenderers sharing one price.",
    source="OCP red flag R028 (Cardinal R028; Fazekas & Tóth 2016; European Commission 2017)",
    inputs=(
        "/bids/details[]/value/amount",
        "/bids/details[]/value/currency",
        "/bids/details[]/tenderers[]/id",
        "/bids/details[]/status",
    ),
    applicability="Processes with at least two submitted bids with a price; not fixed-price procedures.",
    guide_step="evaluate-award/manage-conflicts-of-interest",
    **PROCESS_FLAG,
)
def r028(ctx: Context) -> ir.Table:
    """Compute R028 for every process."""
    joined = process_facts(ctx)
    fixed = list(ctx.settings["fixed_price_procurement_methods"])
    branches = [(joined.status.fill_null("") == "cancelled", CANCELLED), (joined.bids_n.isnull(), NO_BIDS)]
    if fixed:
        branches.append(
            (
                joined.procurement_method_details.isin(fixed).fill_null(FALSE),
                "prices are set by the buyer (fixed-price procurementMethodDetails)",
            )
        )
    branches.append(
        (
            joined.priced_bids.fill_null(0) < 2,  # noqa: PLR2004
            "fewer than two submitted bids with a price (/bids/details[]/value)",
        )
    )
    reason = _reason(branches)
    applicable = reason == ""
    max_same = joined.max_same.fill_null(0)
    return result(
        joined,
        level="process",
        id=joined.ocid,
        value=ibis.ifelse(applicable, max_same, None),
        flagged=ibis.ifelse(applicable, max_same >= SAME_PRICE_TENDERERS, None),
        reason=reason,
    )


@indicator(
    code="R030",
    name="Late bid won",
    definition="A valid bid received after the submission deadline (/bids/details[]/date after "
    "/tender/tenderPeriod/endDate) was submitted by the supplier of an active award. Value: 1 or 0.",
    source="OCP red flag R030 (Cardinal R030; Fazekas & Kocsis 2016)",
    inputs=(
        "/bids/details[]/date",
        "/bids/details[]/status",
        "/tender/tenderPeriod/endDate",
        "/awards[]/suppliers[]/id",
        "/awards[]/status",
    ),
    applicability="Processes with a submission deadline, valid bids with dates and an active award.",
    guide_step="tender/set-realistic-deadlines",
    **PROCESS_FLAG,
)
def r030(ctx: Context) -> ir.Table:
    """Compute R030 for every process."""
    j = process_facts(ctx)
    reason = _reason(
        [
            *_common_reasons(j),
            (j.tender_period_end.isnull(), "no submission deadline (/tender/tenderPeriod/endDate)"),
            (j.valid_n.fill_null(0) == 0, "no valid bids with a tenderer (/bids/details[]/status is never valid)"),
            (j.winner_n.fill_null(0) == 0, "no active award with a supplier (/awards[]/status, /awards[]/suppliers)"),
            (j.dated.fill_null(0) == 0, "the winning bids have no date (/bids/details[]/date)"),
        ]
    )
    applicable = reason == ""
    flagged = j.late.fill_null(0) > 0
    return result(
        j,
        level="process",
        id=j.ocid,
        value=ibis.ifelse(applicable, flagged.cast("int64"), None),
        flagged=ibis.ifelse(applicable, flagged, None),
        reason=reason,
    )


@indicator(
    code="R035",
    name="All except winning bid disqualified",
    definition="Exactly one tenderer submitted valid bids, it is the supplier of every active award, and at least "
    "the threshold (default 1) of other tenderers had bids disqualified. Value: the number of tenderers with "
    "disqualified bids.",
    source="OCP red flag R035 (Cardinal R035; European Commission 2017; IACRC)",
    inputs=(
        "/bids/details[]/status",
        "/bids/details[]/tenderers[]/id",
        "/awards[]/status",
        "/awards[]/suppliers[]/id",
    ),
    applicability="Processes with bids and final awards (no pending award) including an active award.",
    guide_step="evaluate-award/explain-the-decision",
    **PROCESS_FLAG,
)
def r035(ctx: Context) -> ir.Table:
    """Compute R035 for every process."""
    j = process_facts(ctx)
    reason = _reason(
        [
            (j.status.fill_null("") == "cancelled", CANCELLED),
            (j.status_bids.fill_null(0) == 0, "no bids with a status (/bids/details[]/status)"),
            (j.open_awards.fill_null(0) > 0, "an award is pending or has a non-final status (/awards[]/status)"),
            (j.active_awards.fill_null(0) == 0, "no active award (/awards[]/status)"),
        ]
    )
    applicable = reason == ""
    count = j.disqualified.fill_null(0)
    condition = (
        (j.valid_tenderers.fill_null(0) == 1)
        & (j.winner_n.fill_null(0) == 1)
        & (j.winner == j.valid_tenderer).fill_null(FALSE)
        & (count >= int(ctx.settings["R035.threshold"]))
    )
    return result(
        j,
        level="process",
        id=j.ocid,
        value=ibis.ifelse(applicable, count, None),
        flagged=ibis.ifelse(applicable, condition, None),
        reason=reason,
    )


@indicator(
    code="R036",
    name="Lowest bid disqualified",
    definition="There is an active award and the lowest submitted bid (/bids/details[]/value, main currency) is "
    "disqualified. Value: 1 or 0.",
    source="OCP red flag R036 (Cardinal R036; World Bank, Warning Signs of Fraud and Corruption in Procurement)",
    inputs=("/bids/details[]/value/amount", "/bids/details[]/status", "/awards[]/status"),
    applicability="Processes with an active award and at least one valid bid with an amount in the main currency.",
    guide_step="evaluate-award/explain-the-decision",
    **PROCESS_FLAG,
)
def r036(ctx: Context) -> ir.Table:
    """Compute R036 for every process."""
    j = process_facts(ctx)
    no_valid = ibis.literal("no valid bid with an amount in ") + currency_label(j.main_currency)
    reason = _reason(
        [
            (j.status.fill_null("") == "cancelled", CANCELLED),
            (j.bids_n.isnull(), NO_BIDS),
            (j.active_awards.fill_null(0) == 0, "no active award (/awards[]/status)"),
            (j.valid_priced.fill_null(0) == 0, no_valid),
        ]
    )
    applicable = reason == ""
    flagged = (j.lowest_disqualified == j.lowest).fill_null(FALSE)
    return result(
        j,
        level="process",
        id=j.ocid,
        value=ibis.ifelse(applicable, flagged.cast("int64"), None),
        flagged=ibis.ifelse(applicable, flagged, None),
        reason=reason,
    )
