"""Integrity red flags defined by outliers across the dataset (Cardinal's quartile fences).

Fences use Tukey's rule on the R-8 quartiles that Cardinal computes (``Q1 - 1.5 IQR`` low, ``Q3 + 1.5 IQR`` high);
a fixed ``threshold`` setting replaces the fence. As Cardinal does, when Q1, Q3 and the IQR are all 0 the flag is
skipped (it would flag three quarters of cases); CivicBuy reports those rows with ``flagged: null`` and the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from civicbuy.analytics.indicators.context import currency_label, lower_fence, result, shared_relation, upper_fence
from civicbuy.analytics.indicators.facts import award_facts, process_facts, submitted
from civicbuy.analytics.indicators.integrity import CANCELLED, NO_BIDS, PROCESS_FLAG, RED_FLAG
from civicbuy.analytics.indicators.registry import HIGHER_IS_BETTER, HIGHER_IS_WORSE, indicator

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from civicbuy.analytics.indicators.context import Context

ALL_ZERO = "the quartiles and the interquartile range are all 0, so the fence is undefined (Cardinal skips this)"


def with_fence(
    ctx: Context, table: ir.Table, values: ir.Table, column: str, setting: str, *, low: bool, empty: str
) -> ir.Table:
    """Add the fence of ``values[column]`` to every row of ``table``: columns ``fence`` and ``fence_undefined``.

    A threshold setting wins over the quartiles. ``fence_undefined`` is empty when the fence is defined, else why
    not: ``empty`` without values, or :data:`ALL_ZERO`.
    """
    if ctx.settings[setting] is not None:
        return table.mutate(
            fence=ibis.literal(float(ctx.settings[setting]), type="float64"),
            fence_undefined=ibis.literal("", type="string"),
        )
    q = ctx.quartiles(values, column)
    row = q.select(
        fence=lower_fence(q.q1, q.q3) if low else upper_fence(q.q1, q.q3),
        fence_undefined=ibis.cases(
            (q.q1.isnull() | q.q3.isnull(), empty),
            ((q.q1 == 0) & (q.q3 == 0), ALL_ZERO),
            else_="",
        ),
    )
    return table.cross_join(row)


def second_lowest_bid_ratios(ctx: Context) -> ir.Table:
    """Per process: (second-lowest valid bid - winning bid) / winning bid, or the reason it is missing.

    Cardinal's conditions: awards are final, exactly one active award, made to one supplier; valid bids with one
    tenderer and an amount in the main currency; the winner's lowest valid bid; the lowest bid won.
    """
    j = process_facts(ctx)
    no_winner_bid = ibis.literal("no valid bid of the winner with an amount in ") + currency_label(j.main_currency)
    reason = ibis.cases(
        (j.status.fill_null("") == "cancelled", CANCELLED),
        (j.bids_n.isnull(), NO_BIDS),
        (j.active_awards.isnull(), "no awards (/awards)"),
        (j.open_awards > 0, "an award is pending or has a non-final status (/awards[]/status)"),
        (j.active_awards != 1, "not exactly one active award (lots are needed to compare bids)"),
        (j.multi_supplier_awards > 0, "the active award has several suppliers"),
        (j.winner_bid.isnull(), no_winner_bid),
        (j.other_bid.isnull(), "no other valid bid with an amount in the main currency"),
        (j.winner_bid == 0, "the winning bid is 0"),
        (j.other_bid < j.winner_bid, "the lowest bid did not win, so the award criteria are not price-only"),
        else_="",
    )
    ratio = ibis.ifelse(reason == "", (j.other_bid - j.winner_bid) / j.winner_bid, None)
    return j.select("ocid", ratio=ratio.cast("float64"), reason=reason)


def _ratio_flag(ctx: Context, setting: str, *, low: bool) -> ir.Table:
    ratios = second_lowest_bid_ratios(ctx)
    t = with_fence(ctx, ratios, ratios, "ratio", setting, low=low, empty="no ratios")
    compared = t.ratio <= t.fence if low else t.ratio >= t.fence
    return result(
        t,
        level="process",
        id=t.ocid,
        value=t.ratio,
        flagged=ibis.ifelse((t.reason == "") & (t.fence_undefined == ""), compared, None),
        reason=ibis.ifelse(t.reason == "", t.fence_undefined, t.reason),
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
    definition="The difference between the second-lowest valid bid and the winning bid, relative to the winning "
    "bid, is at or below the lower fence Q1 - 1.5 IQR of all processes. Value: the difference as a decimal.",
    source="OCP red flag R024 (Cardinal R024)",
    inputs=_BID_INPUTS,
    applicability="Price-only awards: one active award to one supplier, final awards, two or more valid bids in the "
    "main currency, the lowest bid won.",
    guide_step="evaluate-award/manage-conflicts-of-interest",
    **PROCESS_FLAG,
)
def r024(ctx: Context) -> ir.Table:
    """Compute R024 for every process."""
    return _ratio_flag(ctx, "R024.threshold", low=True)


@indicator(
    code="R058",
    name="Heavily discounted bid",
    definition="The difference between the second-lowest valid bid and the winning bid, relative to the winning "
    "bid, is at or above the upper fence Q3 + 1.5 IQR of all processes. Value: the difference as a decimal.",
    source="OCP red flag R058 (Cardinal R058; Akerlof 1970)",
    inputs=_BID_INPUTS,
    applicability="As R024.",
    guide_step="evaluate-award/check-abnormally-low-bids",
    **PROCESS_FLAG,
)
def r058(ctx: Context) -> ir.Table:
    """Compute R058 for every process."""
    return _ratio_flag(ctx, "R058.threshold", low=False)


def _eligible_bids(ctx: Context) -> ir.Table:
    """Submitted bids with their tenderer in processes that are not cancelled, with buyer and procuring entity.

    Shared: R025 reads it, and R038 three times (per buyer, procuring entity and tenderer); built once per suite.
    """
    return ctx.shared("eligible_bids", lambda: _build_eligible_bids(ctx))


def _build_eligible_bids(ctx: Context) -> ir.Table:
    bids = ctx["bids"]
    tenderers = ctx["bid_tenderers"]
    base = ctx.process_base()
    sub = bids.filter(submitted(bids))
    sub = (
        sub.join(base, sub.ocid == base.ocid)
        .filter(base.status.fill_null("") != "cancelled")
        .select(sub.ocid, sub.bid_index, sub.status, base.buyer_id, base.procuring_entity_id)
    )
    joined = sub.left_join(tenderers, [sub.ocid == tenderers.ocid, sub.bid_index == tenderers.bid_index])
    return shared_relation(
        joined.select(
            sub.ocid, sub.bid_index, sub.status, sub.buyer_id, sub.procuring_entity_id, tenderers.tenderer_id
        )
    )


@indicator(
    code="R025",
    name="Excessive unsuccessful bids",
    definition="A top tenderer (valid bids at or above the 75th percentile) wins a share of its valid bids at or "
    "below the lower fence Q1 - 1.5 IQR of all tenderers' win ratios. Value: winning bids / valid bids.",
    source="OCP red flag R025 (Cardinal R025)",
    inputs=_BID_INPUTS,
    applicability="Tenderers with valid bids in processes with final awards, at most one active award, single "
    "suppliers and single-tenderer bids.",
    direction=HIGHER_IS_BETTER,
    guide_step="evaluate-award/manage-conflicts-of-interest",
    levels=("tenderer",),
    **RED_FLAG,
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
    top = ctx.quantiles(per, "valid_bids", {"top": float(ctx.settings["R025.percentile"]) / 100})
    t = with_fence(ctx, per.cross_join(top), per, "ratio", "R025.threshold", low=True, empty="no valid bids")
    flagged = (t.valid_bids >= t.top) & (t.ratio <= t.fence)
    return result(
        t,
        level="tenderer",
        id=t.tenderer_id,
        value=t.ratio,
        flagged=ibis.ifelse(t.fence_undefined == "", flagged, None),
        reason=t.fence_undefined,
    )


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
    t = with_fence(
        ctx, per, per.filter(size >= minimum), "ratio", "R038.threshold", low=False, empty="no eligible values"
    )
    size = t.processes if by_process else t.submitted_bids
    what = "contracting processes with submitted bids" if by_process else "submitted bids"
    small = f"fewer than {minimum} {what}"
    return result(
        t,
        level=level,
        id=t[key],
        value=t.ratio,
        flagged=ibis.ifelse((size >= minimum) & (t.fence_undefined == ""), t.ratio >= t.fence, None),
        reason=ibis.ifelse(size < minimum, small, t.fence_undefined),
    )


@indicator(
    code="R038",
    name="Excessive disqualified bids",
    definition="The share of submitted bids that are disqualified, per buyer, procuring entity or tenderer, is at "
    "or above the upper fence Q3 + 1.5 IQR. Value: disqualified bids / submitted bids.",
    source="OCP red flag R038 (Cardinal R038)",
    inputs=("/bids/details[]/status", "/bids/details[]/tenderers[]/id", "/buyer/id", "/tender/procuringEntity/id"),
    applicability="Buyers and procuring entities with at least 2 processes with bids; tenderers with at least 2 "
    "submitted bids.",
    direction=HIGHER_IS_WORSE,
    guide_step="evaluate-award/explain-the-decision",
    levels=("buyer", "procuring_entity", "tenderer"),
    **RED_FLAG,
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
    definition="The number of distinct first-level item classifications (first 2 digits of /awards[]/items[]/"
    "classification/id) supplied by a tenderer across active awards is at or above the upper fence "
    "Q3 + 1.5 IQR. Value: the variety.",
    source="OCP red flag R048 (Cardinal R048; Instituto de Estudios Anticorrupción & OCP 2021, component C1B)",
    inputs=("/awards[]/items[]/classification/id", "/awards[]/suppliers[]/id", "/awards[]/status"),
    applicability="Suppliers of active single-supplier awards with classified items, seen in at least 20 processes.",
    direction=HIGHER_IS_WORSE,
    guide_step="evaluate-award/manage-conflicts-of-interest",
    levels=("tenderer",),
    **RED_FLAG,
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
    t = with_fence(
        ctx,
        per,
        per.filter(per.processes >= minimum),
        "variety",
        "R048.threshold",
        low=False,
        empty="no classified items",
    )
    eligible = t.processes >= minimum
    return result(
        t,
        level="tenderer",
        id=t.supplier_id,
        value=t.variety,
        flagged=ibis.ifelse(eligible & (t.fence_undefined == ""), t.variety >= t.fence, None),
        reason=ibis.ifelse(eligible, t.fence_undefined, small),
    )
