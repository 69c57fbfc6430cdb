"""Competition: single-bid rate, mean bidders, open-procedure and direct-award shares (by buyer and dataset).

Bidders per process are ``/tender/numberOfTenderers`` when published, else the distinct tenderers of submitted
bids (``/bids/details[]/tenderers[]/id``). Competitive methods default to open and selective
(``/tender/procurementMethod``, OCDS method codelist).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from civicbuy.analytics.indicators.context import FALSE
from civicbuy.analytics.indicators.facts import process_facts
from civicbuy.analytics.indicators.measures import mean_by_level, share_by_level
from civicbuy.analytics.indicators.registry import HIGHER_IS_BETTER, HIGHER_IS_WORSE, indicator

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from civicbuy.analytics.indicators.context import Context

COMMON = {
    "family": "competition",
    "levels": ("dataset", "buyer"),
    "themes": ("competition", "value-for-money"),
    "sdg_targets": ("12.7", "16.6"),
}


def with_bidders(ctx: Context) -> ir.Table:
    """Return the process base with a ``bidders`` column and an ``is_competitive`` flag."""
    joined = process_facts(ctx)
    methods = list(ctx.settings["competition.procurement_methods"])
    return joined.mutate(
        bidders=joined.number_of_tenderers.fill_null(joined.bid_tenderers.cast("int64")),
        is_competitive=joined.procurement_method.isin(methods).fill_null(FALSE),
    )


def method_share(ctx: Context, method: str) -> ir.Table:
    """Share of processes with a known /tender/procurementMethod that used ``method``."""
    t = ctx.process_base()
    known = t.procurement_method.notnull()
    return share_by_level(t, t.procurement_method == method, known, "no process publishes /tender/procurementMethod")


@indicator(
    code="competition.single_bid_rate",
    name="Single-bid rate",
    definition="Share of competitive processes (open or selective) that received exactly one bid.",
    source="OCP red flag R018 aggregated; EU Single Market Scoreboard 'single bidder' indicator",
    inputs=("/tender/procurementMethod", "/tender/numberOfTenderers"),
    applicability="Competitive processes with a known number of bidders.",
    direction=HIGHER_IS_WORSE,
    guide_step="tender/encourage-competition",
    **COMMON,
)
def single_bid_rate(ctx: Context) -> ir.Table:
    """Compute the single-bid rate."""
    t = with_bidders(ctx)
    return share_by_level(
        t,
        t.bidders == 1,
        t.is_competitive & t.bidders.notnull(),
        "no competitive process with a known number of bidders",
    )


@indicator(
    code="competition.mean_bidders",
    name="Mean number of bidders",
    definition="Average number of bidders in competitive processes.",
    source="OECD MAPS sub-indicator 9(a); OCDS /tender/numberOfTenderers",
    inputs=("/tender/procurementMethod", "/tender/numberOfTenderers"),
    applicability="Competitive processes with a known number of bidders.",
    direction=HIGHER_IS_BETTER,
    guide_step="engage-market/hold-early-market-engagement",
    **COMMON,
)
def mean_bidders(ctx: Context) -> ir.Table:
    """Compute the mean number of bidders."""
    t = with_bidders(ctx)
    return mean_by_level(
        t, ibis.ifelse(t.is_competitive, t.bidders, None), "no competitive process with a known number of bidders"
    )


@indicator(
    code="competition.open_procedure_share",
    name="Open procedure share",
    definition="Share of processes with a known procurement method that used the open method.",
    source="OCDS /tender/procurementMethod (method codelist)",
    inputs=("/tender/procurementMethod",),
    applicability="Processes with a procurement method.",
    direction=HIGHER_IS_BETTER,
    guide_step="tender/encourage-competition",
    **COMMON,
)
def open_procedure_share(ctx: Context) -> ir.Table:
    """Compute the open procedure share."""
    return method_share(ctx, "open")


@indicator(
    code="competition.direct_award_share",
    name="Direct award share",
    definition="Share of processes with a known procurement method that were direct awards.",
    source="OCDS /tender/procurementMethod = direct",
    inputs=("/tender/procurementMethod",),
    applicability="Processes with a procurement method.",
    direction=HIGHER_IS_WORSE,
    guide_step="evaluate-award/justify-direct-awards",
    **COMMON,
)
def direct_award_share(ctx: Context) -> ir.Table:
    """Compute the direct award share."""
    return method_share(ctx, "direct")


@indicator(
    code="competition.direct_award_unjustified_share",
    name="Direct awards without justification",
    definition="Share of direct awards that publish no /tender/procurementMethodRationale.",
    source="OCDS /tender/procurementMethodRationale; OECD MAPS 9(b)",
    inputs=("/tender/procurementMethod", "/tender/procurementMethodRationale"),
    applicability="Direct awards.",
    direction=HIGHER_IS_WORSE,
    guide_step="evaluate-award/justify-direct-awards",
    **COMMON,
)
def direct_award_unjustified_share(ctx: Context) -> ir.Table:
    """Compute the share of direct awards without a rationale."""
    t = ctx.process_base()
    return share_by_level(t, ~t.has_method_rationale, t.procurement_method == "direct", "no direct awards")
