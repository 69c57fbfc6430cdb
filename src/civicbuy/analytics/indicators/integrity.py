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

from civicbuy.analytics.indicators.context import (
    FALSE,
    FINAL_AWARD_STATUSES,
    SUBMITTED_EXCLUDED,
    currency_label,
    days_between,
    result,
)
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


def submitted(bids: ir.Table) -> ir.BooleanValue:
    """Return whether a bid is submitted (Cardinal: status pending, valid or disqualified; not invited/withdrawn)."""
    return bids.status.notnull() & ~bids.status.isin(SUBMITTED_EXCLUDED)


def award_facts(ctx: Context) -> ir.Table:
    """Per process: number of active awards, whether all awards are final, the single active supplier."""
    awards = ctx["awards"]
    return awards.group_by("ocid").aggregate(
        active_awards=ibis.ifelse(awards.status == "active", 1, 0).sum(),
        open_awards=ibis.ifelse(awards.status.notnull() & ~awards.status.isin(FINAL_AWARD_STATUSES), 1, 0).sum(),
        multi_supplier_awards=ibis.ifelse((awards.status == "active") & (awards.suppliers_count > 1), 1, 0).sum(),
        active_supplier=awards.supplier_id.max(where=awards.status == "active"),
    )


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
    base = ctx.process_base()
    bids = ctx["bids"]
    tenderers = ctx["bid_tenderers"]
    priced = bids.filter(submitted(bids) & bids.value_amount.notnull())
    per_bid = priced.join(tenderers, [priced.ocid == tenderers.ocid, priced.bid_index == tenderers.bid_index]).select(
        priced.ocid, priced.value_amount, priced.value_currency, tenderers.tenderer_id
    )
    per_bid = per_bid.filter(per_bid.tenderer_id.notnull())
    per_price = per_bid.group_by(["ocid", "value_amount", "value_currency"]).aggregate(n=per_bid.tenderer_id.nunique())
    same = per_price.group_by("ocid").aggregate(max_same=per_price.n.max())
    counts = priced.group_by("ocid").aggregate(priced_bids=priced.count())
    any_bids = bids.group_by("ocid").aggregate(bids_n=bids.count())
    joined = base.left_join(any_bids, base.ocid == any_bids.ocid).select(base, any_bids.bids_n)
    joined = joined.left_join(counts, joined.ocid == counts.ocid).select(joined, counts.priced_bids)
    joined = joined.left_join(same, joined.ocid == same.ocid).select(joined, same.max_same)
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


def _valid_bid_tenderers(ctx: Context) -> ir.Table:
    bids = ctx["bids"]
    tenderers = ctx["bid_tenderers"]
    valid = bids.filter(bids.status == "valid")
    joined = valid.join(tenderers, [valid.ocid == tenderers.ocid, valid.bid_index == tenderers.bid_index])
    return joined.select(valid.ocid, valid.bid_index, valid.date, tenderers.tenderer_id).filter(
        lambda t: t.tenderer_id.notnull()
    )


def _active_suppliers(ctx: Context) -> ir.Table:
    awards = ctx["awards"]
    suppliers = ctx["suppliers"]
    active = awards.filter(awards.status == "active")
    joined = active.join(suppliers, [active.ocid == suppliers.ocid, active.award_index == suppliers.award_index])
    return joined.select(active.ocid, suppliers.supplier_id).filter(lambda t: t.supplier_id.notnull()).distinct()


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
    base = ctx.process_base()
    valid = _valid_bid_tenderers(ctx)
    winners = _active_suppliers(ctx)
    won = valid.join(winners, [valid.ocid == winners.ocid, valid.tenderer_id == winners.supplier_id]).select(
        valid.ocid, valid.date
    )
    ends = base.select("ocid", "tender_period_end")
    late = won.join(ends, won.ocid == ends.ocid).select(won.ocid, won.date, ends.tender_period_end)
    late_counts = late.group_by("ocid").aggregate(
        dated=ibis.ifelse(late.date.notnull(), 1, 0).sum(),
        late=ibis.ifelse(late.date > late.tender_period_end, 1, 0).sum(),
    )
    has_valid = valid.group_by("ocid").aggregate(valid_n=valid.count())
    has_winner = winners.group_by("ocid").aggregate(winners_n=winners.count())
    j = base.left_join(has_valid, base.ocid == has_valid.ocid).select(base, has_valid.valid_n)
    j = j.left_join(has_winner, j.ocid == has_winner.ocid).select(j, has_winner.winners_n)
    j = j.left_join(late_counts, j.ocid == late_counts.ocid).select(j, late_counts.dated, late_counts.late)
    reason = _reason(
        [
            *_common_reasons(j),
            (j.tender_period_end.isnull(), "no submission deadline (/tender/tenderPeriod/endDate)"),
            (j.valid_n.isnull(), "no valid bids with a tenderer (/bids/details[]/status is never valid)"),
            (j.winners_n.isnull(), "no active award with a supplier (/awards[]/status, /awards[]/suppliers)"),
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
    base = ctx.process_base()
    bids = ctx["bids"]
    tenderers = ctx["bid_tenderers"]
    valid = _valid_bid_tenderers(ctx)
    valid_facts = valid.group_by("ocid").aggregate(
        valid_tenderers=valid.tenderer_id.nunique(), valid_tenderer=valid.tenderer_id.max()
    )
    winners = _active_suppliers(ctx)
    winner_facts = winners.group_by("ocid").aggregate(
        winner_n=winners.supplier_id.nunique(), winner=winners.supplier_id.max()
    )
    disq = bids.filter(bids.status == "disqualified")
    disq = disq.join(tenderers, [disq.ocid == tenderers.ocid, disq.bid_index == tenderers.bid_index]).select(
        disq.ocid, tenderers.tenderer_id
    )
    disq = disq.left_join(valid_facts, disq.ocid == valid_facts.ocid).select(
        disq.ocid, disq.tenderer_id, valid_facts.valid_tenderer
    )
    disq = disq.filter(disq.tenderer_id.notnull() & (disq.tenderer_id != disq.valid_tenderer.fill_null("")))
    disq_facts = disq.group_by("ocid").aggregate(disqualified=disq.tenderer_id.nunique())
    with_status = bids.filter(bids.status.notnull())
    any_bids = with_status.group_by("ocid").aggregate(bids_n=with_status.count())
    awards = award_facts(ctx)
    j = base.left_join(any_bids, base.ocid == any_bids.ocid).select(base, any_bids.bids_n)
    j = j.left_join(awards, j.ocid == awards.ocid).select(j, awards.active_awards, awards.open_awards)
    j = j.left_join(valid_facts, j.ocid == valid_facts.ocid).select(
        j, valid_facts.valid_tenderers, valid_facts.valid_tenderer
    )
    j = j.left_join(winner_facts, j.ocid == winner_facts.ocid).select(j, winner_facts.winner_n, winner_facts.winner)
    j = j.left_join(disq_facts, j.ocid == disq_facts.ocid).select(j, disq_facts.disqualified)
    reason = _reason(
        [
            (j.status.fill_null("") == "cancelled", CANCELLED),
            (j.bids_n.isnull(), "no bids with a status (/bids/details[]/status)"),
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
    base = ctx.process_base()
    bids = ctx["bids"]
    with_currency = ctx.with_currency(bids)
    priced = with_currency.filter(
        submitted(with_currency)
        & with_currency.value_amount.notnull()
        & (with_currency.value_currency == with_currency.main_currency.fill_null(""))
    )
    facts = priced.group_by("ocid").aggregate(
        lowest=priced.value_amount.min(),
        lowest_disqualified=priced.value_amount.min(where=priced.status == "disqualified"),
        valid_priced=ibis.ifelse(priced.status == "valid", 1, 0).sum(),
    )
    any_bids = bids.group_by("ocid").aggregate(bids_n=bids.count())
    awards = award_facts(ctx)
    j = base.left_join(any_bids, base.ocid == any_bids.ocid).select(base, any_bids.bids_n)
    j = j.left_join(awards, j.ocid == awards.ocid).select(j, awards.active_awards)
    j = j.left_join(facts, j.ocid == facts.ocid).select(j, facts.lowest, facts.lowest_disqualified, facts.valid_priced)
    j = ctx.with_currency(j)
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
