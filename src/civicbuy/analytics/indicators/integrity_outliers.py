"""Integrity red flags defined by outliers across the dataset (Cardinal's quartile fences).

Fences use Tukey's rule on the R-8 quartiles that Cardinal computes (``Q1 - 1.5 IQR`` low, ``Q3 + 1.5 IQR`` high);
a fixed ``threshold`` setting replaces the fence. As Cardinal does, when Q1, Q3 and the IQR are all 0 the flag is
skipped (it would flag three quarters of cases); CivicBuy reports those rows with ``flagged: null`` and the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from civicbuy.analytics.indicators.context import lower_fence, result, upper_fence
from civicbuy.analytics.indicators.integrity import (
    CANCELLED,
    INTEGRITY,
    NO_BIDS,
    SDG_INTEGRITY,
    award_facts,
    submitted,
)
from civicbuy.analytics.indicators.registry import HIGHER_IS_BETTER, HIGHER_IS_WORSE, indicator

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from civicbuy.analytics.indicators.context import Context

ALL_ZERO = "the quartiles and the interquartile range are all 0, so the fence is undefined (Cardinal skips this)"


def _fence(ctx: Context, values: ir.Table, column: str, setting: str, *, low: bool) -> float | str | None:
    """Return the fence for ``column`` (a threshold setting wins), ``None`` without data, or ``ALL_ZERO``."""
    if ctx.settings[setting] is not None:
        return float(ctx.settings[setting])
    quartiles = ctx.fences(values, column)
    if quartiles is None:
        return None
    q1, q3 = quartiles
    if q1 == 0 and q3 == 0:
        return ALL_ZERO
    return lower_fence(q1, q3) if low else upper_fence(q1, q3)


def second_lowest_bid_ratios(ctx: Context) -> ir.Table:
    """Per process: (second-lowest valid bid - winning bid) / winning bid, or the reason it is missing.

    Cardinal's conditions: awards are final, exactly one active award, made to one supplier; valid bids with one
    tenderer and an amount in the main currency; the winner's lowest valid bid; the lowest bid won.
    """
    base = ctx.process_base()
    bids = ctx["bids"]
    currency = ctx.main_currency or ""
    awards = award_facts(ctx)
    valid = bids.filter(
        (bids.status == "valid")
        & (bids.tenderers_count == 1)
        & bids.tenderer_id.notnull()
        & bids.value_amount.notnull()
        & (bids.value_currency == currency)
    )
    valid = valid.join(awards, valid.ocid == awards.ocid).select(
        valid.ocid, valid.tenderer_id, valid.value_amount, awards.active_supplier
    )
    amounts = valid.group_by("ocid").aggregate(
        winner=valid.value_amount.min(where=valid.tenderer_id == valid.active_supplier),
        other=valid.value_amount.min(where=valid.tenderer_id != valid.active_supplier),
    )
    any_bids = bids.group_by("ocid").aggregate(bids_n=bids.count())
    j = base.left_join(any_bids, base.ocid == any_bids.ocid).select(base, any_bids.bids_n)
    j = j.left_join(awards, j.ocid == awards.ocid).select(
        j, awards.active_awards, awards.open_awards, awards.multi_supplier_awards, awards.active_supplier
    )
    j = j.left_join(amounts, j.ocid == amounts.ocid).select(j, amounts.winner, amounts.other)
    reason = ibis.cases(
        (j.status.fill_null("") == "cancelled", CANCELLED),
        (j.bids_n.isnull(), NO_BIDS),
        (j.active_awards.isnull(), "no awards (/awards)"),
        (j.open_awards > 0, "an award is pending or has a non-final status (/awards[]/status)"),
        (j.active_awards != 1, "not exactly one active award (lots are needed to compare bids)"),
        (j.multi_supplier_awards > 0, "the active award has several suppliers"),
        (j.winner.isnull(), f"no valid bid of the winner with an amount in {currency or 'the main currency'}"),
        (j.other.isnull(), "no other valid bid with an amount in the main currency"),
        (j.winner == 0, "the winning bid is 0"),
        (j.other < j.winner, "the lowest bid did not win, so the award criteria are not price-only"),
        else_="",
    )
    ratio = ibis.ifelse(reason == "", (j.other - j.winner) / j.winner, None)
    return j.select("ocid", ratio=ratio.cast("float64"), reason=reason)


def _ratio_flag(ctx: Context, setting: str, *, low: bool) -> ir.Table:
    ratios = second_lowest_bid_ratios(ctx)
    fence = _fence(ctx, ratios, "ratio", setting, low=low)
    if fence is None or isinstance(fence, str):
        reason = ibis.ifelse(ratios.reason == "", fence or "no ratios", ratios.reason)
        return result(ratios, level="process", id=ratios.ocid, value=ratios.ratio, flagged=None, reason=reason)
    flagged = ratios.ratio <= fence if low else ratios.ratio >= fence
    return result(
        ratios,
        level="process",
        id=ratios.ocid,
        value=ratios.ratio,
        flagged=ibis.ifelse(ratios.reason == "", flagged, None),
        reason=ratios.reason,
    )


_BID_INPUTS = (
    "/bids/details[]/value/amount",
    "/bids/details[]/value/currency",
    "/bids/details[]/status",
    "/bids/details[]/tenderers[]/id",
    "/awards[]/status",
    "/awards[]/suppliers[]/id",
)


@indicator(
    code="R024",
    name="Price close to winning bid",
    family="integrity",
    definition="The difference between the second-lowest valid bid and the winning bid, relative to the winning "
    "bid, is at or below the lower fence Q1 - 1.5 IQR of all processes. Value: the difference as a decimal.",
    source="OCP red flag R024 (Cardinal R024)",
    inputs=_BID_INPUTS,
    applicability="Price-only awards: one active award to one supplier, final awards, two or more valid bids in the "
    "main currency, the lowest bid won.",
    direction=HIGHER_IS_WORSE,
    guide_step="evaluate-award/manage-conflicts-of-interest",
    levels=("process",),
    themes=INTEGRITY,
    sdg_targets=SDG_INTEGRITY,
)
def r024(ctx: Context) -> ir.Table:
    """Compute R024 for every process."""
    return _ratio_flag(ctx, "R024.threshold", low=True)


@indicator(
    code="R058",
    name="Heavily discounted bid",
    family="integrity",
    definition="The difference between the second-lowest valid bid and the winning bid, relative to the winning "
    "bid, is at or above the upper fence Q3 + 1.5 IQR of all processes. Value: the difference as a decimal.",
    source="OCP red flag R058 (Cardinal R058; Akerlof 1970)",
    inputs=_BID_INPUTS,
    applicability="As R024.",
    direction=HIGHER_IS_WORSE,
    guide_step="evaluate-award/check-abnormally-low-bids",
    levels=("process",),
    themes=INTEGRITY,
    sdg_targets=SDG_INTEGRITY,
)
def r058(ctx: Context) -> ir.Table:
    """Compute R058 for every process."""
    return _ratio_flag(ctx, "R058.threshold", low=False)


def _eligible_bids(ctx: Context) -> ir.Table:
    """Submitted bids with their tenderer in processes that are not cancelled, with buyer and procuring entity."""
    bids = ctx["bids"]
    tenderers = ctx["bid_tenderers"]
    base = ctx.process_base()
    sub = bids.filter(submitted(bids))
    sub = (
        sub.join(base, sub.ocid == base.ocid)
        .filter(base.status.fill_null("") != "cancelled")
        .select(sub.ocid, sub.bid_index, sub.status, base.buyer_id, base.procuring_entity_id)
    )
    return sub.left_join(tenderers, [sub.ocid == tenderers.ocid, sub.bid_index == tenderers.bid_index]).select(
        sub.ocid, sub.bid_index, sub.status, sub.buyer_id, sub.procuring_entity_id, tenderers.tenderer_id
    )


@indicator(
    code="R025",
    name="Excessive unsuccessful bids",
    family="integrity",
    definition="A top tenderer (valid bids at or above the 75th percentile) wins a share of its valid bids at or "
    "below the lower fence Q1 - 1.5 IQR of all tenderers' win ratios. Value: winning bids / valid bids.",
    source="OCP red flag R025 (Cardinal R025)",
    inputs=_BID_INPUTS,
    applicability="Tenderers with valid bids in processes with final awards, at most one active award, single "
    "suppliers and single-tenderer bids.",
    direction=HIGHER_IS_BETTER,
    guide_step="evaluate-award/manage-conflicts-of-interest",
    levels=("tenderer",),
    themes=INTEGRITY,
    sdg_targets=SDG_INTEGRITY,
)
def r025(ctx: Context) -> ir.Table:
    """Compute R025 for every tenderer with valid bids."""
    bids = ctx["bids"]
    awards = award_facts(ctx)
    multi = bids.group_by("ocid").aggregate(multi=ibis.ifelse(bids.tenderers_count > 1, 1, 0).sum())
    eligible = (
        awards.join(multi, awards.ocid == multi.ocid)
        .filter(
            (awards.open_awards == 0)
            & (awards.active_awards <= 1)
            & (awards.multi_supplier_awards == 0)
            & (multi.multi == 0)
        )
        .select(awards.ocid, awards.active_supplier)
    )
    pool = _eligible_bids(ctx)
    valid = pool.filter((pool.status == "valid") & pool.tenderer_id.notnull())
    valid = valid.join(eligible, valid.ocid == eligible.ocid).select(valid.tenderer_id, eligible.active_supplier)
    per = valid.group_by("tenderer_id").aggregate(
        valid_bids=valid.count(),
        wins=ibis.ifelse(valid.tenderer_id == valid.active_supplier, 1, 0).sum(),
    )
    per = per.mutate(ratio=per.wins.cast("float64") / per.valid_bids)
    top = ctx.quantile(per, "valid_bids", float(ctx.settings["R025.percentile"]) / 100)
    fence = _fence(ctx, per, "ratio", "R025.threshold", low=True)
    if top is None or fence is None or isinstance(fence, str):
        return result(
            per,
            level="tenderer",
            id=per.tenderer_id,
            value=per.ratio,
            flagged=None,
            reason=fence if isinstance(fence, str) else "no valid bids",
        )
    flagged = (per.valid_bids >= top) & (per.ratio <= fence)
    return result(per, level="tenderer", id=per.tenderer_id, value=per.ratio, flagged=flagged, reason="")


def _disqualified_ratio(
    ctx: Context, pool: ir.Table, key: str, level: str, minimum: int, *, by_process: bool
) -> ir.Table:
    pool = pool.filter(pool[key].notnull())
    per = pool.group_by(key).aggregate(
        submitted_bids=pool.count(),
        disqualified=ibis.ifelse(pool.status == "disqualified", 1, 0).sum(),
        processes=pool.ocid.nunique(),
    )
    per = per.mutate(ratio=per.disqualified.cast("float64") / per.submitted_bids)
    size = per.processes if by_process else per.submitted_bids
    eligible = per.filter(size >= minimum)
    fence = _fence(ctx, eligible, "ratio", "R038.threshold", low=False)
    what = "contracting processes with submitted bids" if by_process else "submitted bids"
    small = f"fewer than {minimum} {what}"
    if fence is None or isinstance(fence, str):
        reason = ibis.ifelse(size < minimum, small, fence or "no eligible values")
        return result(per, level=level, id=per[key], value=per.ratio, flagged=None, reason=reason)
    return result(
        per,
        level=level,
        id=per[key],
        value=per.ratio,
        flagged=ibis.ifelse(size >= minimum, per.ratio >= fence, None),
        reason=ibis.ifelse(size >= minimum, "", small),
    )


@indicator(
    code="R038",
    name="Excessive disqualified bids",
    family="integrity",
    definition="The share of submitted bids that are disqualified, per buyer, procuring entity or tenderer, is at "
    "or above the upper fence Q3 + 1.5 IQR. Value: disqualified bids / submitted bids.",
    source="OCP red flag R038 (Cardinal R038)",
    inputs=("/bids/details[]/status", "/bids/details[]/tenderers[]/id", "/buyer/id", "/tender/procuringEntity/id"),
    applicability="Buyers and procuring entities with at least 2 processes with bids; tenderers with at least 2 "
    "submitted bids.",
    direction=HIGHER_IS_WORSE,
    guide_step="evaluate-award/explain-the-decision",
    levels=("buyer", "procuring_entity", "tenderer"),
    themes=INTEGRITY,
    sdg_targets=SDG_INTEGRITY,
)
def r038(ctx: Context) -> ir.Table:
    """Compute R038 for buyers, procuring entities and tenderers."""
    pool = _eligible_bids(ctx)
    per_bid = pool.select("ocid", "bid_index", "status", "buyer_id", "procuring_entity_id").distinct()
    processes = int(ctx.settings["R038.minimum_contracting_processes"])
    bids_min = int(ctx.settings["R038.minimum_submitted_bids"])
    return ibis.union(
        _disqualified_ratio(ctx, per_bid, "buyer_id", "buyer", processes, by_process=True),
        _disqualified_ratio(ctx, per_bid, "procuring_entity_id", "procuring_entity", processes, by_process=True),
        _disqualified_ratio(ctx, pool, "tenderer_id", "tenderer", bids_min, by_process=False),
    )


@indicator(
    code="R048",
    name="Heterogeneous supplier",
    family="integrity",
    definition="The number of distinct first-level item classifications (first 2 digits of /awards[]/items[]/"
    "classification/id) supplied by a tenderer across active awards is at or above the upper fence "
    "Q3 + 1.5 IQR. Value: the variety.",
    source="OCP red flag R048 (Cardinal R048; Instituto de Estudios Anticorrupción & OCP 2021, component C1B)",
    inputs=("/awards[]/items[]/classification/id", "/awards[]/suppliers[]/id", "/awards[]/status"),
    applicability="Suppliers of active single-supplier awards with classified items, seen in at least 20 processes.",
    direction=HIGHER_IS_WORSE,
    guide_step="evaluate-award/manage-conflicts-of-interest",
    levels=("tenderer",),
    themes=INTEGRITY,
    sdg_targets=SDG_INTEGRITY,
)
def r048(ctx: Context) -> ir.Table:
    """Compute R048 for every supplier of active single-supplier awards."""
    awards = ctx["awards"]
    items = ctx["items"]
    base = ctx.process_base()
    digits = int(ctx.settings["R048.digits"])
    active = awards.filter((awards.status == "active") & (awards.suppliers_count == 1) & awards.supplier_id.notnull())
    active = (
        active.join(base, active.ocid == base.ocid)
        .filter(base.status.fill_null("") != "cancelled")
        .select(active.ocid, active.award_index, active.supplier_id)
    )
    award_items = items.filter((items.source == "award") & items.classification_id.notnull())
    joined = active.join(
        award_items, [active.ocid == award_items.ocid, active.award_index == award_items.parent_index]
    )
    joined = joined.select(active.ocid, active.supplier_id, category=award_items.classification_id.substr(0, digits))
    per = joined.group_by("supplier_id").aggregate(
        variety=joined.category.nunique().cast("float64"), processes=joined.ocid.nunique()
    )
    minimum = int(ctx.settings["R048.minimum_contracting_processes"])
    small = f"supplier in fewer than {minimum} contracting processes"
    fence = _fence(ctx, per.filter(per.processes >= minimum), "variety", "R048.threshold", low=False)
    if fence is None or isinstance(fence, str):
        reason = ibis.ifelse(per.processes < minimum, small, fence or "no classified items")
        return result(per, level="tenderer", id=per.supplier_id, value=per.variety, flagged=None, reason=reason)
    eligible = per.processes >= minimum
    return result(
        per,
        level="tenderer",
        id=per.supplier_id,
        value=per.variety,
        flagged=ibis.ifelse(eligible, per.variety >= fence, None),
        reason=ibis.ifelse(eligible, "", small),
    )
