"""Supplier diversity and local economy: SME share (``/parties[]/details/scale``) and configurable categories.

Women-owned, indigenous, social-enterprise and local suppliers are not in core OCDS, so they come from settings:
a supplier list CSV (``supplier_id,category``), classification mappings (``scheme:id`` values in
``/parties[]/details/classifications``) and, for local suppliers, regions or localities (``/parties[]/address``).
Shares count suppliers of active awards (one row per award and supplier).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import ibis

from civicbuy.analytics.indicators.context import FALSE, TRUE, result, shared_relation, text_contains_any
from civicbuy.analytics.indicators.measures import share_by_level
from civicbuy.analytics.indicators.registry import HIGHER_IS_BETTER, indicator
from civicbuy.analytics.ocds.exceptions import SettingsError
from civicbuy.analytics.settings import DIVERSITY_CATEGORIES

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from civicbuy.analytics.indicators.context import Context

COMMON = {
    "family": "diversity",
    "levels": ("dataset", "buyer"),
    "direction": HIGHER_IS_BETTER,
    "themes": ("supplier-diversity", "local-economy"),
    "sdg_targets": ("8.3", "10.2", "5.5"),
}


def award_suppliers(ctx: Context) -> ir.Table:
    """Suppliers of active awards with the supplier's party details, award value and buyer."""
    return ctx.shared("award_suppliers", lambda: _award_suppliers(ctx))


def _award_suppliers(ctx: Context) -> ir.Table:
    awards = ctx["awards"]
    suppliers = ctx["suppliers"]
    parties = ctx["parties"]
    processes = ctx["processes"]
    active = awards.filter(awards.status == "active")
    j = active.join(suppliers, [active.ocid == suppliers.ocid, active.award_index == suppliers.award_index]).select(
        active.ocid, active.value_amount, active.value_currency, active.suppliers_count, suppliers.supplier_id
    )
    j = j.left_join(parties, [j.ocid == parties.ocid, j.supplier_id == parties.party_id]).select(
        j, parties.scale, parties.classifications, parties.region, parties.locality
    )
    return shared_relation(j.join(processes, j.ocid == processes.ocid).select(j, processes.buyer_id))


@indicator(
    code="diversity.sme_award_share",
    name="Awards to SMEs",
    definition="Share of suppliers of active awards (with a known size) that are SMEs (/parties[]/details/scale "
    "is micro, sme, small or medium).",
    source="OCDS partyScale codelist (/parties[]/details/scale); EU SME definition",
    inputs=("/parties[]/details/scale", "/awards[]/suppliers[]/id", "/awards[]/status"),
    applicability="Suppliers of active awards whose party publishes details/scale.",
    guide_step="tender/make-bidding-simple-for-smes",
    **COMMON,
)
def sme_award_share(ctx: Context) -> ir.Table:
    """Compute the SME award share."""
    t = award_suppliers(ctx)
    return share_by_level(
        t,
        t.scale.isin(list(ctx.settings["diversity.sme_scales"])),
        t.scale.notnull(),
        "no supplier publishes /parties[]/details/scale",
    )


@indicator(
    code="diversity.sme_spend_share",
    name="Spend with SMEs",
    definition="Share of the value of active single-supplier awards (main currency) that goes to SMEs.",
    source="OCDS partyScale codelist; /awards[]/value",
    inputs=("/parties[]/details/scale", "/awards[]/value/amount", "/awards[]/suppliers[]/id"),
    applicability="Active single-supplier awards in the main currency whose supplier publishes details/scale.",
    guide_step="tender/make-bidding-simple-for-smes",
    **COMMON,
)
def sme_spend_share(ctx: Context) -> ir.Table:
    """Compute the SME spend share."""
    t = ctx.with_currency(award_suppliers(ctx))
    applicable = (
        t.scale.notnull()
        & (t.suppliers_count == 1)
        & (t.value_currency == t.main_currency.fill_null(""))
        & t.value_amount.notnull()
    )
    return share_by_level(
        t,
        t.scale.isin(list(ctx.settings["diversity.sme_scales"])),
        applicable,
        "no active single-supplier award with a known supplier size and a value",
        weight=t.value_amount.fill_null(0.0),
    )


def _supplier_list(ctx: Context) -> dict[str, list[str]]:
    path = ctx.settings["diversity.supplier_list"]
    listed: dict[str, list[str]] = {category: [] for category in DIVERSITY_CATEGORIES}
    if not path:
        return listed
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), 2):
                category = (row.get("category") or "").strip()
                if category not in listed or not row.get("supplier_id"):
                    raise SettingsError(
                        f"expected supplier_id and a category in {', '.join(DIVERSITY_CATEGORIES)}",
                        path=str(path),
                        line=line,
                    )
                listed[category].append(row["supplier_id"].strip())
    except OSError as error:
        raise SettingsError(f"cannot read the supplier list: {error.strerror}", path=str(path)) from error
    return listed


def _category_share(ctx: Context, category: str) -> ir.Table:
    listed = _supplier_list(ctx)[category]
    codes = list(ctx.settings["diversity.classifications"].get(category, []))
    regions = list(ctx.settings["diversity.local_regions"]) if category == "local" else []
    t = award_suppliers(ctx)
    if not (listed or codes or regions):
        one = t.aggregate(n=t.count())
        return result(
            one,
            level="dataset",
            id=ibis.literal("dataset"),
            value=None,
            flagged=None,
            reason=f"no supplier list, classification mapping or regions configured for {category}",
        )
    hit: ir.BooleanValue = FALSE
    if listed:
        # A literal list, not a joined in-memory table, so that the compiled SQL is the same in every process.
        hit = hit | t.supplier_id.isin(sorted(set(listed))).fill_null(FALSE)
    if codes:
        hit = hit | text_contains_any([t.classifications], codes)
    if regions:
        hit = hit | t.region.isin(regions).fill_null(FALSE) | t.locality.isin(regions).fill_null(FALSE)
    return share_by_level(t, hit, TRUE, "no active awards with suppliers")


def _declare(category: str, words: str) -> None:
    def compute(ctx: Context) -> ir.Table:
        return _category_share(ctx, category)

    compute.__doc__ = f"Compute the share of awards to {words} suppliers."
    indicator(
        code=f"diversity.{category}_supplier_share",
        name=f"Awards to {words} suppliers",
        definition=f"Share of suppliers of active awards that are {words}, from the configured supplier list, "
        "classification mapping" + (" or local regions" if category == "local" else "") + ".",
        source="CivicBuy settings (supplier list CSV, /parties[]/details/classifications, /parties[]/address)",
        inputs=("/awards[]/suppliers[]/id", "/parties[]/details/classifications", "/parties[]/address/region"),
        applicability="Active awards with suppliers; needs a configured list or mapping.",
        guide_step="engage-market/reach-under-represented-suppliers",
        **COMMON,
    )(compute)


for _category, _words in (
    ("women_owned", "women-owned"),
    ("indigenous", "indigenous"),
    ("social_enterprise", "social-enterprise"),
    ("local", "local"),
):
    _declare(_category, _words)
