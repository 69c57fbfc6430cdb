"""The assessment's evidence hook wired to the dashboard: measured figures from the user's latest dataset.

Goes through the dashboard's public functions only (``civicbuy.dashboard.queries``: ``latest_dataset`` and
``measured_figure``), and gives nothing when the dashboard part is absent or the user has no data of their own,
so the questionnaire then simply shows no figures.
"""

from __future__ import annotations

from typing import Any

from civicbuy.assessment.scoring import EvidenceLookup, Measurement
from civicbuy.config.parts import module_exists


def _unit(code: str) -> str:
    if code.startswith("R") or code.endswith(("_share", "_rate")):
        return "share"
    if "days" in code:
        return "days"
    return ""


def _nothing(_code: str) -> Measurement | None:
    return None


def measured_lookup(user: Any) -> EvidenceLookup:
    """Return a lookup of indicator codes in ``user``'s latest dataset (one that finds nothing without data)."""
    if not module_exists("civicbuy.dashboard.queries"):
        return _nothing
    from civicbuy.dashboard import queries

    dataset = queries.latest_dataset(user)
    if dataset is None:
        return _nothing
    finished = dataset.current_job.finished_at if dataset.current_job else None
    as_of = finished.date().isoformat() if finished else ""

    def lookup(code: str) -> Measurement | None:
        value = queries.measured_figure(user, code)
        if value is None:
            return None
        return Measurement(indicator=code, value=value, unit=_unit(code), dataset=dataset.name, as_of=as_of)

    return lookup
