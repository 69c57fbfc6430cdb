"""The impact of one dashboard dataset, computed through the engine's public functions and kept in memory.

The carbon estimate of a dataset depends only on its files and the factor tables, so it is cached per dataset
directory and factor file (a new ingest is a new directory; an import changes the file's time).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from civicbuy.analytics import api
from civicbuy.analytics.impact import carbon, factors, report, scenarios, sdg, social_value
from civicbuy.analytics.impact.spend import spend_lines
from civicbuy.impact.models import Commitment, Delivery


@dataclass(frozen=True)
class Baseline:
    """A dataset's carbon estimate and the indicator rows that are SDG evidence."""

    carbon: carbon.CarbonResult
    indicators: list[dict[str, Any]]
    manifest: dict[str, Any]


def factor_table() -> factors.FactorTable:
    """Return the factors in use: bundled, overlaid with ``civicbuy impact factors import``'s file."""
    return factors.effective_factors(settings.DATA_DIR)


def _stamp() -> float:
    path = factors.imported_factors_path(settings.DATA_DIR)
    return path.stat().st_mtime if path.exists() else 0.0


@lru_cache(maxsize=8)
def _baseline(path: str, stamp: float) -> Baseline:
    del stamp  # part of the cache key only
    dataset = report.open_dataset(path)
    try:
        indicators = [r for r in api.load_results(dataset).to_pylist() if r.get("level") == "dataset"]
    except api.AnalyticsError:
        indicators = []  # not computed yet: the page says so; never computed in a request
    result = carbon.estimate(spend_lines(dataset), factor_table(), factors.load_conversion())
    return Baseline(result, indicators, dataset.manifest)


def baseline(path: Path) -> Baseline:
    """Return the (cached) carbon baseline of the engine dataset at ``path``."""
    return _baseline(str(path), _stamp())


def commitments_of(
    dataset_id: int,
) -> tuple[list[Commitment], list[social_value.Commitment], list[social_value.Delivery]]:
    """Return the dataset's commitment rows and the engine's view of commitments and deliveries."""
    rows = list(Commitment.objects.filter(dataset_id=dataset_id).prefetch_related("deliveries"))
    promised = [
        social_value.Commitment(
            c.contract_id, c.supplier_id or c.supplier_name, c.supplier_name, c.measure, c.quantity, c.due_date
        )
        for c in rows
    ]
    delivered = [
        social_value.Delivery(c.contract_id, c.supplier_id or c.supplier_name, c.measure, d.quantity, d.date)
        for c in rows
        for d in c.deliveries.all()
    ]
    return rows, promised, delivered


def full_report(
    path: Path, dataset_id: int, language: str, scenario: scenarios.Scenario | None = None
) -> dict[str, Any]:
    """Return the report dict for the page and the PDF (same shape as ``civicbuy impact FILE``)."""
    base = baseline(path)
    framework = social_value.load_framework()
    _rows, promised, delivered = commitments_of(dataset_id)
    known = [c for c in promised if c.measure in framework.measures]
    done = [d for d in delivered if d.measure in framework.measures]
    return {
        "dataset": {
            "name": base.manifest.get("name", ""),
            "processes": base.manifest.get("processes"),
            "period": base.manifest.get("period", {}),
        },
        "carbon": base.carbon.summary(language),
        "scenario": scenarios.run_scenario(base.carbon, scenario).as_dict() if scenario else None,
        "sdg": sdg.sdg_view(base.carbon.estimates, base.indicators, language=language),
        "indicators_computed": bool(base.indicators),
        "social_value": {
            "framework": framework.as_dict(language),
            "delivery": social_value.summarise(framework, known, done, language),
        },
    }


__all__ = ["Delivery", "baseline", "commitments_of", "factor_table", "full_report"]
