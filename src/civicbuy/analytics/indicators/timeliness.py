"""Timeliness: tender period, time to award and time to contract, in days (by buyer and dataset).

Dates: ``/tender/tenderPeriod``, ``/awards[]/date`` (earliest active award) and ``/contracts[]/dateSigned``
(earliest signature). Negative spans (data errors) are left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis

from civicbuy.analytics.indicators.context import days_between
from civicbuy.analytics.indicators.facts import process_facts
from civicbuy.analytics.indicators.measures import mean_by_level
from civicbuy.analytics.indicators.registry import NEUTRAL, indicator

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from civicbuy.analytics.indicators.context import Context

COMMON = {"family": "timeliness", "levels": ("dataset", "buyer"), "themes": ("efficiency",), "sdg_targets": ("12.7",)}


def _milestones(ctx: Context) -> ir.Table:
    """The process facts: ``award_date`` is the earliest active award's date, ``signed`` the earliest signature."""
    return process_facts(ctx)


def _mean_days(ctx: Context, start: str, end: str, empty: str) -> ir.Table:
    """Mean whole days from milestone ``start`` to ``end``; negative spans (data errors) are left out."""
    t = _milestones(ctx)
    days = days_between(t[start], t[end])
    return mean_by_level(t, ibis.ifelse(days >= 0, days, None), empty)


@indicator(
    code="timeliness.tender_period_days",
    name="Tender period (days)",
    definition="Average number of days between /tender/tenderPeriod/startDate and endDate.",
    source="OCDS /tender/tenderPeriod; OCP red flag R003 uses the same span",
    inputs=("/tender/tenderPeriod/startDate", "/tender/tenderPeriod/endDate"),
    applicability="Processes with both tender period dates.",
    direction=NEUTRAL,
    guide_step="tender/set-realistic-deadlines",
    **COMMON,
)
def tender_period_days(ctx: Context) -> ir.Table:
    """Compute the mean tender period."""
    return _mean_days(ctx, "tender_period_start", "tender_period_end", "no process publishes both tender period dates")


@indicator(
    code="timeliness.days_to_award",
    name="Time to award (days)",
    definition="Average days from the end of the tender period to the first active award's date.",
    source="OCDS /tender/tenderPeriod/endDate, /awards[]/date",
    inputs=("/tender/tenderPeriod/endDate", "/awards[]/date", "/awards[]/status"),
    applicability="Processes with a tender period end and a dated active award.",
    direction=NEUTRAL,
    guide_step="evaluate-award/set-award-criteria-and-weightings",
    **COMMON,
)
def days_to_award(ctx: Context) -> ir.Table:
    """Compute the mean time to award."""
    return _mean_days(
        ctx, "tender_period_end", "award_date", "no process publishes both a tender period end and an award date"
    )


@indicator(
    code="timeliness.days_to_contract",
    name="Time to contract (days)",
    definition="Average days from the first active award's date to the first contract signature.",
    source="OCDS /awards[]/date, /contracts[]/dateSigned",
    inputs=("/awards[]/date", "/contracts[]/dateSigned"),
    applicability="Processes with a dated active award and a signed contract.",
    direction=NEUTRAL,
    guide_step="manage-contract/set-up-contract-management",
    **COMMON,
)
def days_to_contract(ctx: Context) -> ir.Table:
    """Compute the mean time to contract."""
    empty = "no process publishes both an award date and a contract signature date"
    return _mean_days(ctx, "award_date", "signed", empty)
