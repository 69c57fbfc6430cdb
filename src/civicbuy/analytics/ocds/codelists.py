"""Closed OCDS 1.1 codelists that the data review checks without the schema (codes only; written for CivicBuy).

Titles and descriptions live in the official codelists (https://standard.open-contracting.org/1.1/en/schema/
codelists/); ``tests/analytics/ocds/test_codelists.py`` checks these codes against the CSV files in shared/.
"""

from __future__ import annotations

CLOSED_CODELISTS: dict[str, tuple[str, frozenset[str]]] = {
    "/tender/procurementMethod": ("method.csv", frozenset({"open", "selective", "limited", "direct"})),
    "/tender/status": (
        "tenderStatus.csv",
        frozenset({"planning", "planned", "active", "cancelled", "unsuccessful", "complete", "withdrawn"}),
    ),
    "/awards[]/status": ("awardStatus.csv", frozenset({"pending", "active", "cancelled", "unsuccessful"})),
    "/contracts[]/status": ("contractStatus.csv", frozenset({"pending", "active", "cancelled", "terminated"})),
    "/initiationType": ("initiationType.csv", frozenset({"tender"})),
    "/tender/mainProcurementCategory": ("procurementCategory.csv", frozenset({"goods", "works", "services"})),
    "/tender/awardCriteria": (
        "awardCriteria.csv",
        frozenset(
            {
                "priceOnly",
                "costOnly",
                "qualityOnly",
                "ratedCriteria",
                "lowestCost",
                "bestProposal",
                "bestValueToGovernment",
                "singleBidOnly",
            }
        ),
    ),
    "/parties[]/details/scale": (
        "partyScale.csv",
        frozenset({"micro", "sme", "small", "medium", "large", "selfEmployed"}),
    ),
}
