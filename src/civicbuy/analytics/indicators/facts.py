"""One row of facts per contracting process, shared by every process-level indicator.

Each process-level red flag and performance measure used to join the process table with its own aggregates of bids,
tenderers, awards and suppliers (~25 joins of the process table, the bid and award tables scanned again for each
indicator). Here every per-process aggregate is computed once, each from one pass over its table, and joined to the
process base once: :func:`process_facts`. Indicators read their columns from it; DuckDB materialises it once for
the whole suite (benchmarks/README.md, "Analytics engine").

Facts are counts (0, never null, when a process has no rows of a kind), minima and maxima (null when there are
none) and distinct counts. Definitions follow Cardinal as the indicators document them: bids are *submitted* unless
their status is ``invited`` or ``withdrawn`` (or missing), awards are *final* when active, cancelled or unsuccessful.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import ibis

from civicbuy.analytics.indicators.context import FINAL_AWARD_STATUSES, SUBMITTED_EXCLUDED, shared_relation

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from civicbuy.analytics.indicators.context import Context


#: Per-process aggregates joined to the process base in one statement (:func:`_join_facts`).
JOINS_PER_STEP = 3


def submitted(bids: ir.Table) -> ir.BooleanValue:
    """Return whether a bid is submitted (Cardinal: status pending, valid or disqualified; not invited/withdrawn)."""
    return bids.status.notnull() & ~bids.status.isin(SUBMITTED_EXCLUDED)


def _count(condition: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.ifelse(condition, 1, 0).sum()


def award_facts(ctx: Context) -> ir.Table:
    """Per process with awards: counts of active, non-final and multi-supplier active awards, and more.

    Also the single active supplier (``awards.supplier_id``) and the earliest active award date.
    """

    def build() -> ir.Table:
        awards = ctx["awards"]
        active = awards.status == "active"
        return awards.group_by("ocid").aggregate(
            active_awards=_count(active),
            open_awards=_count(awards.status.notnull() & ~awards.status.isin(FINAL_AWARD_STATUSES)),
            multi_supplier_awards=_count(active & (awards.suppliers_count > 1)),
            active_supplier=awards.supplier_id.max(where=active),
            award_date=awards.date.min(where=active),
        )

    return ctx.shared("award_facts", build)


def _bid_facts(ctx: Context) -> ir.Table:
    """Per process with bids: counts of bids, and the lowest submitted bids in the main currency."""
    bids = ctx.with_currency(ctx["bids"])
    priced = submitted(bids) & bids.value_amount.notnull()
    main = priced & (bids.value_currency == bids.main_currency.fill_null(""))
    return bids.group_by("ocid").aggregate(
        bids_n=bids.count(),
        status_bids=_count(bids.status.notnull()),
        priced_bids=_count(priced),
        lowest=bids.value_amount.min(where=main),
        lowest_disqualified=bids.value_amount.min(where=main & (bids.status == "disqualified")),
        valid_priced=_count(main & (bids.status == "valid")),
    )


def bid_tenderers(ctx: Context) -> ir.Table:
    """Every bid's tenderers (one row per bid and tenderer), with the bid's status, amount and date."""

    def build() -> ir.Table:
        bids = ctx["bids"]
        tenderers = ctx["bid_tenderers"]
        return bids.join(tenderers, [bids.ocid == tenderers.ocid, bids.bid_index == tenderers.bid_index]).select(
            bids.ocid,
            bids.bid_index,
            bids.status,
            bids.date,
            bids.value_amount,
            bids.value_currency,
            tenderers.tenderer_id,
        )

    return ctx.shared("bid_tenderers", build)


def _tenderer_facts(ctx: Context) -> ir.Table:
    """Per process with bid tenderers: distinct tenderers of submitted bids and of valid bids."""
    t = bid_tenderers(ctx)
    is_submitted = submitted(t)
    valid = (t.status == "valid") & t.tenderer_id.notnull()
    submitted_rows = _count(is_submitted)
    return t.group_by("ocid").aggregate(
        # null, not 0, when no submitted bid has tenderers (as the number of bidders is "unknown" then)
        bid_tenderers=ibis.ifelse(submitted_rows > 0, t.tenderer_id.nunique(where=is_submitted), None),
        valid_n=_count(valid),
        valid_tenderers=t.tenderer_id.nunique(where=valid),
        valid_tenderer=t.tenderer_id.max(where=valid),
    )


def active_suppliers(ctx: Context) -> ir.Table:
    """Distinct (process, supplier) pairs of active awards."""

    def build() -> ir.Table:
        awards = ctx["awards"]
        suppliers = ctx["suppliers"]
        active = awards.filter(awards.status == "active")
        joined = active.join(
            suppliers, [active.ocid == suppliers.ocid, active.award_index == suppliers.award_index]
        ).select(active.ocid, suppliers.supplier_id)
        return joined.filter(joined.supplier_id.notnull()).distinct()

    return ctx.shared("active_suppliers", build)


def process_facts(ctx: Context) -> ir.Table:
    """Return the process base (:meth:`Context.process_base`) with every per-process fact, one row per process.

    Columns added: ``bids_n``, ``status_bids``, ``priced_bids`` (counts), ``lowest``, ``lowest_disqualified``,
    ``valid_priced`` (submitted bids in the main currency), ``active_awards``, ``open_awards``,
    ``multi_supplier_awards`` (null without awards), ``active_supplier``, ``award_date``, ``signed`` (earliest
    contract signature), ``bid_tenderers``, ``valid_n``, ``valid_tenderers``, ``valid_tenderer``, ``winner_n``,
    ``winner`` (distinct suppliers of active awards and the largest), ``max_same`` (most tenderers sharing a price),
    ``disqualified`` (tenderers with disqualified bids other than the valid tenderer), ``dated`` and ``late``
    (winning valid bids with a date, and after the deadline), ``winner_bid`` and ``other_bid`` (lowest valid
    single-tenderer bids in the main currency of the single active supplier and of others).
    """
    return ctx.shared("process_facts", lambda: _build_process_facts(ctx))


def _build_process_facts(ctx: Context) -> ir.Table:
    base = ctx.process_base()
    bid_facts = _stored(ctx, "bids", _bid_facts(ctx))
    awards = award_facts(ctx)
    contracts = ctx["contracts"]
    signed = _stored(ctx, "signed", contracts.group_by("ocid").aggregate(signed=contracts.date_signed.min()))
    tenderer_facts = _stored(ctx, "tenderers", _tenderer_facts(ctx))
    winners = active_suppliers(ctx)
    winner_facts = winners.group_by("ocid").aggregate(
        winner_n=winners.supplier_id.nunique(), winner=winners.supplier_id.max()
    )
    t = bid_tenderers(ctx)
    # R028: the most different tenderers sharing one price among submitted, priced bids.
    priced = t.filter(submitted(t) & t.value_amount.notnull() & t.tenderer_id.notnull())
    per_price = priced.group_by(["ocid", "value_amount", "value_currency"]).aggregate(n=priced.tenderer_id.nunique())
    same = per_price.group_by("ocid").aggregate(max_same=per_price.n.max())
    # R035: tenderers with disqualified bids, other than the (single) tenderer with valid bids.
    disq = t.filter(t.status == "disqualified")
    disq = disq.left_join(tenderer_facts, disq.ocid == tenderer_facts.ocid).select(
        disq.ocid, disq.tenderer_id, tenderer_facts.valid_tenderer
    )
    disq = disq.filter(disq.tenderer_id.notnull() & (disq.tenderer_id != disq.valid_tenderer.fill_null("")))
    disq_facts = disq.group_by("ocid").aggregate(disqualified=disq.tenderer_id.nunique())
    # R030: valid bids of a supplier of an active award, with a date, and after the deadline.
    valid = t.filter((t.status == "valid") & t.tenderer_id.notnull())
    won = valid.join(winners, [valid.ocid == winners.ocid, valid.tenderer_id == winners.supplier_id]).select(
        valid.ocid, valid.date
    )
    ends = base.select("ocid", "tender_period_end")
    late = won.join(ends, won.ocid == ends.ocid).select(won.ocid, won.date, ends.tender_period_end)
    late_facts = late.group_by("ocid").aggregate(
        dated=_count(late.date.notnull()), late=_count(late.date > late.tender_period_end)
    )
    # R024/R058: lowest valid single-tenderer bids in the main currency, of the single active supplier and others.
    bids = ctx.with_currency(ctx["bids"])
    candidates = bids.filter(
        (bids.status == "valid")
        & (bids.tenderers_count == 1)
        & bids.tenderer_id.notnull()
        & bids.value_amount.notnull()
        & (bids.value_currency == bids.main_currency.fill_null(""))
    )
    candidates = candidates.join(awards, candidates.ocid == awards.ocid).select(
        candidates.ocid, candidates.tenderer_id, candidates.value_amount, awards.active_supplier
    )
    amounts = candidates.group_by("ocid").aggregate(
        winner_bid=candidates.value_amount.min(where=candidates.tenderer_id == candidates.active_supplier),
        other_bid=candidates.value_amount.min(where=candidates.tenderer_id != candidates.active_supplier),
    )
    parts = [
        bid_facts,
        awards,
        signed,
        tenderer_facts,
        _stored(ctx, "winners", winner_facts),
        _stored(ctx, "same_price", same),
        _stored(ctx, "disqualified", disq_facts),
        _stored(ctx, "late_bids", late_facts),
        _stored(ctx, "bid_amounts", amounts),
    ]
    # The main currency is joined here: joining it in an indicator would copy the chain of joins for that indicator.
    return shared_relation(ctx.with_currency(_join_facts(ctx, base, parts)))


def _stored(ctx: Context, name: str, facts: ir.Table) -> ir.Table:
    """Return the per-process aggregate ``facts`` as a shared relation (a table of its own in a staged run)."""
    return ctx.shared(f"facts_{name}", lambda: facts)


def _join_facts(ctx: Context, base: ir.Table, parts: list[ir.Table]) -> ir.Table:
    """Left-join every per-process aggregate in ``parts`` to ``base`` on ``ocid``, a few joins per shared step.

    Every join holds a hash table of up to one row per process, and the joins of one statement hold theirs at the
    same time: on 10,000,000 processes the nine in one statement needed more than 2 GB of DuckDB memory (and 150 s
    before failing). So the aggregates are joined :data:`JOINS_PER_STEP` at a time onto the processes' ``ocid``
    alone, each step a shared relation (a narrow table of its own in a staged run), and the last step joins the
    base: the wide base is copied once.
    """
    steps = [parts[start : start + JOINS_PER_STEP] for start in range(0, len(parts), JOINS_PER_STEP)]
    joined = base.select("ocid")
    for number, step in enumerate(steps[:-1], start=1):
        joined = ctx.shared(f"process_facts_{number}", partial(shared_relation, _left_join_all(joined, step)))
    return _left_join_all(base, [joined, *steps[-1]])


def _left_join_all(table: ir.Table, parts: list[ir.Table]) -> ir.Table:
    """Return ``table`` left-joined on ``ocid`` with each of ``parts``, keeping all their other columns."""
    for facts in parts:
        columns = [column for column in facts.columns if column != "ocid"]
        table = table.left_join(facts, table.ocid == facts.ocid).select(table, *(facts[column] for column in columns))
    return table
