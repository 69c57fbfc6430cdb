"""Spend: value of active awards in the main currency, by buyer, CPV division, supplier and method.

Amounts are ``/awards[]/value/amount`` of awards with ``/awards[]/status`` active, only in the main currency
(configured, or the most frequent one); awards in other currencies are counted separately, never converted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from civicbuy.analytics.indicators.context import currency_label, shared_relation
from civicbuy.analytics.indicators.measures import sum_by_level
from civicbuy.analytics.indicators.registry import NEUTRAL, indicator

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from civicbuy.analytics.indicators.context import Context

#: Placeholder reason of :func:`awarded_value`, replaced by a text naming the main currency.
NO_VALUE = "no active award with a value in the main currency"


def active_awards(ctx: Context) -> ir.Table:
    """Active awards with buyer, method, CPV division, single supplier and the main currency."""
    awards = ctx["awards"]
    base = ctx.process_base()
    active = awards.filter(awards.status == "active")
    joined = active.join(base, active.ocid == base.ocid).select(
        active.ocid,
        active.value_amount,
        active.value_currency,
        active.supplier_id,
        active.suppliers_count,
        base.buyer_id,
        base.procurement_method,
        base.cpv_division,
    )
    return ctx.shared("active_awards", lambda: shared_relation(ctx.with_currency(joined)))


@indicator(
    code="spend.awarded_value",
    name="Awarded value (main currency)",
    definition="Sum of active award values in the main currency, by buyer, CPV division (first two digits of "
    "/tender/items[]/classification/id), supplier and procurement method.",
    source="OCDS /awards[]/value, /awards[]/status",
    inputs=("/awards[]/value/amount", "/awards[]/value/currency", "/awards[]/status"),
    applicability="Active awards with a value in the main currency.",
    direction=NEUTRAL,
    guide_step="plan/assess-risks-and-opportunities",
    family="spend",
    levels=("dataset", "buyer", "cpv_division", "supplier", "procurement_method"),
    themes=("value-for-money",),
    sdg_targets=("12.7",),
)
def awarded_value(ctx: Context) -> ir.Table:
    """Compute awarded value."""
    t = active_awards(ctx)
    amount = ibis.ifelse(t.value_currency == t.main_currency.fill_null(""), t.value_amount, None)
    sums = sum_by_level(
        t,
        amount,
        NO_VALUE,
        {
            "buyer": "buyer_id",
            "cpv_division": "cpv_division",
            "supplier": "supplier_id",
            "procurement_method": "procurement_method",
        },
    )
    # The reason names the main currency, a one-row relation: joined after aggregating, not before.
    named = ctx.with_currency(sums)
    reason = ibis.literal("no active award with a value in ") + currency_label(named.main_currency, "any currency")
    return named.select(
        "level", "id", "value", "flagged", reason=ibis.ifelse(named.reason == NO_VALUE, reason, named.reason)
    )


@indicator(
    code="spend.other_currency_awards",
    name="Awards in other currencies",
    definition="Number of active awards whose value is in another currency than the main one (not converted).",
    source="OCDS /awards[]/value/currency",
    inputs=("/awards[]/value/currency", "/awards[]/status"),
    applicability="Active awards with a value.",
    direction=NEUTRAL,
    guide_step="measure-learn/publish-open-data",
    family="spend",
    levels=("dataset", "buyer"),
    themes=("value-for-money",),
    sdg_targets=("12.7",),
)
def other_currency_awards(ctx: Context) -> ir.Table:
    """Count awards in other currencies."""
    t = active_awards(ctx)
    other = ibis.ifelse(t.value_currency.notnull() & (t.value_currency != t.main_currency.fill_null("")), 1.0, 0.0)
    return sum_by_level(t, other, "no active awards", {"buyer": "buyer_id"})
