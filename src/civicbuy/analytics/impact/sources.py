"""The sources cited by the bundled tables (``data/sources.yaml``): title, publisher, URL, year, licence."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class Source:
    """One cited source."""

    id: str
    title: str
    publisher: str
    url: str
    year: int
    licence: str
    unit: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Return the source as JSON-ready data."""
        return asdict(self)

    def citation(self) -> str:
        """Return a one-line citation: publisher (year), title, URL."""
        return f"{self.publisher} ({self.year}), {self.title}. {self.url}"


def read_data(name: str) -> str:
    """Return the text of one bundled data file."""
    return resources.files("civicbuy.analytics.impact").joinpath("data", name).read_text(encoding="utf-8")


@cache
def sources() -> dict[str, Source]:
    """Every bundled source, by id."""
    data = yaml.safe_load(read_data("sources.yaml"))
    return {key: Source(id=key, **dict(value.items())) for key, value in data.items()}
