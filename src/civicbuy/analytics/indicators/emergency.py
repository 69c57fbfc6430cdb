"""Emergency buying: share and value of processes marked as emergency procurement.

A process is an emergency purchase when configurable keywords (default: COVID-19, emergency, disaster, ...) appear
in /tender/procurementMethodRationale, /tender/procurementMethodDetails, /planning/rationale, /tender/title or
/tender/description.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from civicbuy.analytics.indicators.context import TRUE, shared_relation, text_contains_any
from civicbuy.analytics.indicators.measures import share_by_level
from civicbuy.analytics.indicators.registry import NEUTRAL, indicator

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from civicbuy.analytics.indicators.context import Context

INPUTS = (
    "/tender/procurementMethodRationale",
    "/tender/procurementMethodDetails",
    "/planning/rationale",
    "/tender/title",
    "/tender/description",
)
COMMON = {
    "family": "emergency",
    "levels": ("dataset", "buyer"),
    "themes": ("emergency", "integrity"),
    "sdg_targets": ("16.5", "11.5"),
    "inputs": INPUTS,
    "direction": NEUTRAL,
}


def emergency_processes(ctx: Context) -> ir.Table:
    """Return the process base with an ``is_emergency`` column (matched once for both indicators and levels)."""
    return ctx.shared("emergency_processes", lambda: _emergency_processes(ctx))


def _emergency_processes(ctx: Context) -> ir.Table:
    t = ctx.process_texts()
    texts = [
        t.procurement_method_rationale,
        t.procurement_method_details,
        t.planning_rationale,
        t.title,
        t.description,
    ]
    keywords = list(ctx.settings["emergency.keywords"])
    return shared_relation(t.select("ocid", "buyer_id", is_emergency=text_contains_any(texts, keywords)))


@indicator(
    code="emergency.process_share",
    name="Emergency purchases",
    definition="Share of processes marked as emergency buying by keywords in their rationale or description.",
    source="OCP 'Emergency procurement for COVID-19: buying fast, open and smart' (2020); CivicBuy settings",
    applicability="Every process.",
    guide_step="emergency/stay-transparent-in-a-crisis",
    **COMMON,
)
def process_share(ctx: Context) -> ir.Table:
    """Compute the emergency process share."""
    t = emergency_processes(ctx)
    return share_by_level(t, t.is_emergency, TRUE, "no processes")


@indicator(
    code="emergency.value_share",
    name="Emergency share of awarded value",
    definition="Share of active award value (main currency) in emergency processes.",
    source="OCP emergency procurement guidance; OCDS /awards[]/value",
    applicability="Active awards with a value in the main currency.",
    guide_step="emergency/use-fast-procedures-lawfully",
    **COMMON,
)
def value_share(ctx: Context) -> ir.Table:
    """Compute the emergency value share."""
    t = emergency_processes(ctx)
    awards = ctx.with_currency(ctx["awards"])
    active = awards.filter(
        (awards.status == "active")
        & (awards.value_currency == awards.main_currency.fill_null(""))
        & awards.value_amount.notnull()
    )
    j = active.join(t, active.ocid == t.ocid).select(active.value_amount, t.is_emergency, t.buyer_id)
    return share_by_level(
        j,
        j.is_emergency,
        TRUE,
        "no active award with a value in the main currency",
        weight=j.value_amount,
    )
