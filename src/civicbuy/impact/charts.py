"""Vega-Lite charts rendered to SVG on the server (vl-convert), each with a text alternative and a data table."""

from __future__ import annotations

from typing import Any

from civicbuy.dashboard.charts import COLOUR, Chart, base_spec, render

#: The low-high rule of an estimate's range.
RANGE = "#505a5f"


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
    spec = base_spec(title, values, 480, {"step": 22})
    spec["encoding"] = {
        "y": {"field": "label", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 260}}
    }
    spec["layer"] = layers
    chart = Chart(chart_id=chart_id, title=title, summary=summary, spec=spec, headers=headers, rows=rows)
    render(chart, None)
    return chart
