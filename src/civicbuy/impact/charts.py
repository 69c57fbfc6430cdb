"""Vega-Lite charts rendered to SVG on the server (vl-convert), each with a text alternative and a data table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Any

from civicbuy.dashboard import charts as dashboard_charts

COLOUR = "#0b5e4a"
RANGE = "#505a5f"
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
#: The same typeface as the dashboard's charts (see there why it names no font installed on the server).
FONT = dashboard_charts.FONT
_SVG_OPEN = re.compile(r"<svg\b([^>]*)>", re.DOTALL)


@dataclass
class Chart:
    """A chart ready for a page or a PDF."""

    chart_id: str
    title: str
    summary: str
    headers: list[str]
    rows: list[list[str]]
    spec: dict[str, Any] = field(default_factory=dict)
    svg: str = ""


def _render(chart: Chart) -> Chart:
    import vl_convert

    svg = vl_convert.vegalite_to_svg(chart.spec)
    title_id, desc_id = f"{chart.chart_id}-title", f"{chart.chart_id}-desc"
    chart.svg = _SVG_OPEN.sub(
        lambda m: (
            f'<svg{m.group(1)} role="img" aria-labelledby="{title_id} {desc_id}" class="cb-chart" focusable="false">'
            f'<title id="{title_id}">{escape(chart.title)}</title><desc id="{desc_id}">{escape(chart.summary)}</desc>'
        ),
        svg,
        count=1,
    )
    return chart


def bar_with_range(
    chart_id: str, title: str, summary: str, values: list[dict[str, Any]], *, x_title: str, headers: list[str],
    rows: list[list[str]],
) -> Chart:  # fmt: skip
    """Horizontal bars (``value``) per ``label``, with a low-high rule where ``low``/``high`` are given."""
    layers: list[dict[str, Any]] = [
        {"mark": {"type": "bar", "color": COLOUR}, "encoding": {"x": {"field": "value", "type": "quantitative",
                                                                      "title": x_title}}},
    ]  # fmt: skip
    if any("low" in v for v in values):
        layers.append(
            {
                "mark": {"type": "rule", "color": RANGE, "strokeWidth": 2},
                "encoding": {"x": {"field": "low", "type": "quantitative"}, "x2": {"field": "high"}},
            }
        )
    spec = {
        "$schema": SCHEMA,
        "title": {"text": title, "anchor": "start", "fontSize": 14},
        "width": 480,
        "height": {"step": 22},
        "data": {"values": values},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 260}}
        },
        "layer": layers,
        "config": {"font": FONT, "view": {"stroke": None}},
    }
    return _render(Chart(chart_id, title, summary, headers, rows, spec))
