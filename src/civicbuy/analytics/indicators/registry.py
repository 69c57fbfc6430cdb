"""The indicator registry: every indicator declared once, with what users and other parts need to know.

``guide_step`` is a slug ``<stage>/<step>`` of a guide page (``/en/guide/<stage>/<step>/``) that helps improve the
indicator; ``themes`` and ``sdg_targets`` use the shared taxonomy. ``inputs`` are OCDS field paths, used by the data
review to report coverage ("R018 needs /tender/numberOfTenderers: present for 41% of processes").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    import ibis

    from civicbuy.analytics.indicators.context import Context

    Compute = Callable[[Context], ibis.Table]

HIGHER_IS_WORSE = "higher is worse"
HIGHER_IS_BETTER = "higher is better"
NEUTRAL = "neutral"


@dataclass(frozen=True)
class Indicator:
    """Declaration of one indicator."""

    code: str
    name: str
    family: str
    definition: str
    source: str
    inputs: tuple[str, ...]
    applicability: str
    direction: str
    guide_step: str
    levels: tuple[str, ...]
    themes: tuple[str, ...] = ()
    sdg_targets: tuple[str, ...] = ()
    compute: Compute | None = field(default=None, compare=False, repr=False)

    @property
    def is_red_flag(self) -> bool:
        """Return whether this is an OCP red flag (``R###``)."""
        return self.code.startswith("R")

    def as_dict(self) -> dict[str, object]:
        """Return the declaration as JSON-ready data (without the compute function)."""
        return {
            "code": self.code,
            "name": self.name,
            "family": self.family,
            "definition": self.definition,
            "source": self.source,
            "inputs": list(self.inputs),
            "applicability": self.applicability,
            "direction": self.direction,
            "guide_step": self.guide_step,
            "levels": list(self.levels),
            "themes": list(self.themes),
            "sdg_targets": list(self.sdg_targets),
        }


REGISTRY: dict[str, Indicator] = {}


def indicator(**declaration: object) -> Callable[[Compute], Compute]:
    """Register the decorated function as the computation of the declared indicator."""

    def decorate(function: Compute) -> Compute:
        declared = Indicator(compute=function, **declaration)  # type: ignore[arg-type]
        if declared.code in REGISTRY:
            message = f"indicator {declared.code} is declared twice"
            raise ValueError(message)
        REGISTRY[declared.code] = declared
        return function

    return decorate


def all_indicators() -> list[Indicator]:
    """Return every registered indicator, loading the family modules first, sorted by code."""
    from civicbuy.analytics.indicators import families  # noqa: F401 - registers on import

    return sorted(REGISTRY.values(), key=lambda declared: declared.code)


def get(code: str) -> Indicator:
    """Return the indicator with ``code``."""
    all_indicators()
    return REGISTRY[code]
