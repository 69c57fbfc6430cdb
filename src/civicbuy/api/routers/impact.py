"""/api/v1/impact/: a dataset's impact (carbon with ranges and coverage, SDG spend, social value), own data only.

Impact results are an organisation's own analysis of its own spending, so this part answers only for datasets
of the token user's organisations (:func:`civicbuy.accounts.access.is_member`; site administrators see every
organisation's). Any other dataset, public demo data included, is a 404, never a 403, so the API does not reveal
that it exists. The figures come from the impact web app's public functions (:mod:`civicbuy.impact.services`),
which call the engine (:mod:`civicbuy.analytics.impact`): the API and the /impact/ pages show the same numbers.
"""

import math
from pathlib import Path
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from civicbuy.accounts.access import is_member
from civicbuy.api.auth import token_auth
from civicbuy.api.common import Language
from civicbuy.api.pagination import Pages
from civicbuy.dashboard import queries
from civicbuy.impact import services

router = Router(tags=["impact"], auth=token_auth)


class DatasetRef(Schema):
    """The dataset the figures are about."""

    id: int
    name: str
    organisation: str
    processes: int | None
    period: dict[str, Any]


class Gap(Schema):
    """Spend lines the carbon estimate could not cover, and why."""

    reason: str
    description: str
    lines: int
    amounts_by_currency: dict[str, float]


class CarbonOut(Schema):
    """Spend-based emissions: a central estimate with its range, and how much of the spend it covers."""

    method: str
    total_tonnes_co2e: float
    total_tonnes_co2e_low: float
    total_tonnes_co2e_high: float
    spend_eur: float
    covered_spend_eur: float
    coverage: float = Field(description="Share of spend (EUR) with an emission factor, 0 to 1.")
    lines: int
    covered_lines: int
    years_outside_tables: int
    gaps: list[Gap]


class SdgTheme(Schema):
    """Spend linked to one CivicBuy theme."""

    theme: str
    label: str
    spend_eur: float


class SdgSummary(Schema):
    """Spend linked to the SDGs, in total (targets: see /sdg/)."""

    method: str
    total_spend_eur: float
    unmapped_spend_eur: float
    unmapped_lines: int
    targets: int = Field(description="Number of SDG targets with linked spend or evidence.")
    themes: list[SdgTheme]


class ThemeDelivery(Schema):
    """How many measures of a social-value theme have commitments, and how many are fully delivered."""

    theme: str
    label: str
    measures: int
    met: int


class SocialValueSummary(Schema):
    """Social value committed by suppliers and delivered so far (rows: see /social-value/)."""

    framework: str
    commitments: int
    deliveries: int
    deliveries_without_commitment: int
    by_theme: list[ThemeDelivery]


class ImpactOut(Schema):
    """A dataset's impact in one answer; the long lists are paginated at their own addresses."""

    dataset: DatasetRef
    indicators_computed: bool
    carbon: CarbonOut
    sdg: SdgSummary
    social_value: SocialValueSummary


class CarbonGroup(Schema):
    """Emissions of one CPV division or one supplier, with the range and share of the total."""

    key: str
    label: str
    spend_eur: float
    tonnes_co2e: float
    tonnes_co2e_low: float
    tonnes_co2e_high: float
    share_of_emissions: float
    lines: int


class Evidence(Schema):
    """A dataset-level indicator result counted as evidence for an SDG target."""

    indicator: str
    value: float | None
    reason: str | None


class SdgTarget(Schema):
    """Spend linked to one SDG target (targets overlap: shares do not add up to 100 %)."""

    target: str
    goal: str
    label: str
    goal_label: str
    spend_eur: float
    share_of_spend: float
    lines: int
    cpv_divisions: list[str]
    evidence: list[Evidence]


class Money(Schema):
    """A quantity valued with the framework's proxy, with its range."""

    value: float
    low: float | None
    high: float | None
    currency: str
    price_year: int | None
    source: str


class SocialValueRow(Schema):
    """One supplier's commitment on one measure: committed vs delivered, in the measure's unit."""

    supplier_id: str
    supplier_name: str
    theme: str
    theme_label: str
    measure: str
    measure_label: str
    unit: str
    committed: float
    delivered: float
    delivered_share: float | None = Field(description="Delivered / committed; null when nothing was committed.")
    committed_value: Money | None
    delivered_value: Money | None


def _own_dataset_path(request: HttpRequest, dataset_id: int) -> tuple[Any, Path]:
    """The dataset ``dataset_id`` of one of the caller's organisations and its engine folder; 404 otherwise."""
    dataset = queries.get_visible_dataset(request.user, dataset_id)
    if not is_member(request.user, dataset.organisation):
        raise HttpError(404, "Not found.")  # public data of another organisation: not the caller's to analyse
    try:
        return dataset, queries.dataset_path(dataset)
    except ValueError:
        raise HttpError(404, "This dataset has no ingested data yet.") from None


@router.get("/{dataset_id}/", response=ImpactOut, summary="A dataset's impact: carbon, SDG spend, social value")
def impact(request: HttpRequest, dataset_id: int, lang: Language = "en") -> dict[str, Any]:
    """Carbon totals with their range and coverage, SDG spend totals and social value committed vs delivered."""
    dataset, path = _own_dataset_path(request, dataset_id)
    report = services.full_report(path, dataset.pk, lang)
    delivery = report["social_value"]["delivery"]
    return {
        "dataset": {
            "id": dataset.pk,
            "name": dataset.name,
            "organisation": dataset.organisation.name,
            "processes": report["dataset"]["processes"],
            "period": report["dataset"]["period"] or {},
        },
        "indicators_computed": report["indicators_computed"],
        "carbon": report["carbon"],
        "sdg": {**report["sdg"], "targets": len(report["sdg"]["targets"])},
        "social_value": delivery,
    }


@router.get("/{dataset_id}/carbon/divisions/", response=list[CarbonGroup], summary="Emissions by CPV division")
@paginate(Pages)
def carbon_by_division(request: HttpRequest, dataset_id: int, lang: Language = "en") -> list[dict[str, Any]]:
    """Estimated emissions per CPV division, largest first."""
    _dataset, path = _own_dataset_path(request, dataset_id)
    result = services.baseline(path).carbon
    return [group.as_dict(result.total_kg) for group in result.by_division(lang)]


@router.get("/{dataset_id}/carbon/suppliers/", response=list[CarbonGroup], summary="Emissions by supplier")
@paginate(Pages)
def carbon_by_supplier(request: HttpRequest, dataset_id: int) -> list[dict[str, Any]]:
    """Estimated emissions per supplier, largest first (every supplier, not only the report's top ones)."""
    _dataset, path = _own_dataset_path(request, dataset_id)
    result = services.baseline(path).carbon
    return [group.as_dict(result.total_kg) for group in result.by_supplier()]


@router.get("/{dataset_id}/sdg/", response=list[SdgTarget], summary="Spend and evidence per SDG target")
@paginate(Pages)
def sdg_targets(request: HttpRequest, dataset_id: int, lang: Language = "en") -> list[dict[str, Any]]:
    """Spend linked to each SDG target through CivicBuy's mapping, with indicator evidence, in target order."""
    dataset, path = _own_dataset_path(request, dataset_id)
    targets: list[dict[str, Any]] = services.full_report(path, dataset.pk, lang)["sdg"]["targets"]
    return [{**t, "evidence": [{**e, "value": _number(e.get("value"))} for e in t["evidence"]]} for t in targets]


@router.get("/{dataset_id}/social-value/", response=list[SocialValueRow], summary="Social value delivered")
@paginate(Pages)
def social_value(request: HttpRequest, dataset_id: int, lang: Language = "en") -> list[dict[str, Any]]:
    """Per supplier and measure: quantity committed, delivered so far, and their value where the framework has one."""
    dataset, path = _own_dataset_path(request, dataset_id)
    rows: list[dict[str, Any]] = services.full_report(path, dataset.pk, lang)["social_value"]["delivery"]["rows"]
    return rows


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None  # JSON has no NaN or infinity
