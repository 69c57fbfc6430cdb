"""The dashboard's charts, drawn by vl-convert as the pages draw them."""

from __future__ import annotations

import re

from civicbuy.dashboard import charts

#: Vega-Lite's default mark colour: a chart that shows it has a mark CivicBuy did not colour.
VEGA_DEFAULT_BLUE = "#4c78a8"


def _colours(svg: str) -> set[str]:
    return {colour.lower() for colour in re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', svg)}


def test_a_trend_line_and_its_points_have_the_products_colour() -> None:
    spec = charts.trend_spec("Single-bid rate", [("2022", 0.2), ("2023", 0.35), ("2024", 0.3)], "Rate", percent=True)
    svg = charts.render(charts.Chart(chart_id="trend", title="Single-bid rate", summary="", spec=spec), None)
    colours = _colours(svg)
    assert charts.COLOUR in colours
    assert VEGA_DEFAULT_BLUE not in colours
