"""Sustainability: share of tenders with environmental or social criteria.

Structured data first: ``goal`` codes of the OCDS sustainability extension (``/tender/sustainability[]/goal``,
``/tender/lots[]/sustainability[]/goal``, codes starting ``environmental`` or ``social``); otherwise configurable
keyword rules on /tender/awardCriteriaDetails, /tender/eligibilityCriteria, /tender/title and /tender/description.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from civicbuy.analytics.indicators.context import shared_relation, text_contains_any
from civicbuy.analytics.indicators.measures import share_by_level
from civicbuy.analytics.indicators.registry import HIGHER_IS_BETTER, indicator

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from civicbuy.analytics.indicators.context import Context

INPUTS = (
    "/tender/sustainability[]/goal",
    "/tender/awardCriteriaDetails",
    "/tender/eligibilityCriteria",
    "/tender/description",
)
#: Goal code prefix and the setting with the keyword rules.
SETTINGS = {
    "environmental": "sustainability.environmental_keywords",
    "social": "sustainability.social_keywords",
}


def _criteria(ctx: Context) -> ir.Table:
    """Per process: buyer, whether it has a tender, and whether it has environmental and social criteria.

    Matched once for both indicators and both levels (keyword rules are regular expressions over long texts).
    """
    t = ctx.process_texts()
    goals = t.sustainability_goals.fill_null("")
    texts = [t.award_criteria_details, t.eligibility_criteria, t.title, t.description]
    hits = {
        prefix: goals.contains(prefix) | text_contains_any(texts, list(ctx.settings[setting]))
        for prefix, setting in SETTINGS.items()
    }
    return shared_relation(t.select("buyer_id", "has_tender", **hits))


def _share(ctx: Context, prefix: str) -> ir.Table:
    t = ctx.shared("sustainability_criteria", lambda: _criteria(ctx))
    return share_by_level(t, t[prefix], t.has_tender, "no process has a tender")


@indicator(
    code="sustainability.environmental_criteria_share",
    name="Tenders with environmental criteria",
    definition="Share of tenders with an environmental sustainability goal or environmental keywords in their "
    "criteria or description.",
    source="OCDS sustainability extension (goal codelist); CivicBuy keyword rules (settings)",
    inputs=INPUTS,
    applicability="Processes with a tender.",
    direction=HIGHER_IS_BETTER,
    guide_step="specify/use-green-criteria-and-labels",
    family="sustainability",
    levels=("dataset", "buyer"),
    themes=("environment", "climate"),
    sdg_targets=("12.7", "13.2"),
)
def environmental_criteria_share(ctx: Context) -> ir.Table:
    """Compute the environmental criteria share."""
    return _share(ctx, "environmental")


@indicator(
    code="sustainability.social_criteria_share",
    name="Tenders with social criteria",
    definition="Share of tenders with a social sustainability goal or social-value keywords in their criteria or "
    "description.",
    source="OCDS sustainability extension (goal codelist); CivicBuy keyword rules (settings)",
    inputs=INPUTS,
    applicability="Processes with a tender.",
    direction=HIGHER_IS_BETTER,
    guide_step="specify/set-social-value-requirements",
    family="sustainability",
    levels=("dataset", "buyer"),
    themes=("social-value",),
    sdg_targets=("12.7", "8.5"),
)
def social_criteria_share(ctx: Context) -> ir.Table:
    """Compute the social criteria share."""
    return _share(ctx, "social")
