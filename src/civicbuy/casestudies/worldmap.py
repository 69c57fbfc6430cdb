"""A world map of case studies as server-made SVG: one marker per country, sized by its number of cases.

Equirectangular projection (longitude and latitude as x and y) from the approximate country centres
in ``data/country_centroids.yaml``. The map is a picture for sighted readers; the same information,
with links, is in the list beside it (the accessible alternative), so the SVG is one labelled image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import yaml

if TYPE_CHECKING:
    from civicbuy.casestudies.queries import CountryCount

WIDTH = 720
TOP_LATITUDE = 84.0
BOTTOM_LATITUDE = -60.0
HEIGHT = round(WIDTH * (TOP_LATITUDE - BOTTOM_LATITUDE) / 360)


@cache
def centroids() -> dict[str, tuple[float, float]]:
    """Country code -> (latitude, longitude)."""
    text = resources.files("civicbuy.casestudies").joinpath("data", "country_centroids.yaml").read_text("utf-8")
    return {str(code): (float(lat), float(lon)) for code, (lat, lon) in yaml.safe_load(text).items()}


def project(latitude: float, longitude: float) -> tuple[float, float]:
    """Map coordinates of a point (equirectangular, cropped to inhabited latitudes)."""
    x = (longitude + 180.0) / 360.0 * WIDTH
    y = (TOP_LATITUDE - latitude) / (TOP_LATITUDE - BOTTOM_LATITUDE) * HEIGHT
    return round(x, 1), round(y, 1)


@dataclass(frozen=True)
class Marker:
    """One country on the map."""

    code: str
    name: str
    count: int
    x: float
    y: float
    radius: float
    url: str


@dataclass(frozen=True)
class WorldMap:
    """Everything the template needs to draw the map."""

    width: int
    height: int
    markers: list[Marker]
    meridians: list[float]
    parallels: list[float]
    equator: float


def world_map(countries: list[CountryCount], params: list[tuple[str, str]]) -> WorldMap:
    """Markers for the given countries (those without a known centre are only in the list)."""
    known = centroids()
    kept = [(key, value) for key, value in params if key != "country"]
    markers = []
    for country in countries:
        if country.code not in known:
            continue
        x, y = project(*known[country.code])
        markers.append(
            Marker(
                code=country.code,
                name=country.name,
                count=country.count,
                x=x,
                y=y,
                radius=round(4 + 3 * math.sqrt(country.count), 1),
                url="?" + urlencode([*kept, ("country", country.code)]),
            )
        )
    markers.sort(key=lambda m: -m.count)  # small markers drawn last, on top
    meridians = [project(0, lon)[0] for lon in range(-150, 181, 30)]
    parallels = [project(lat, 0)[1] for lat in (60, 30, -30)]
    return WorldMap(WIDTH, HEIGHT, markers, meridians, parallels, project(0, 0)[1])
