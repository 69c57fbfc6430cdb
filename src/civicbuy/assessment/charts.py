"""Server-rendered SVG charts of maturity levels: a radar and a bar chart with department spread.

Hand-built SVG rather than Vega-Lite: two fixed chart shapes, drawn in a few milliseconds with no
JavaScript, identical on the page and in the PDF. Every chart is ``role="img"`` with a ``<title>`` and a
``<desc>`` that states the data in words; pages also print the same data as a table.
No Django import: the PDF export and tests call these functions directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

MAX_LEVEL = 5
CURRENT_COLOUR = "#0b5e4a"
TARGET_COLOUR = "#1d70b8"
SPREAD_COLOUR = "#505a5f"
GRID_COLOUR = "#b1b4b6"
TEXT_COLOUR = "#0b0c0c"
LABEL_WRAP = 22


@dataclass(frozen=True)
class ChartRow:
    """One dimension on a chart: its label, level, target and the departments' range."""

    label: str
    level: int | None
    target: int | None = None
    minimum: int | None = None
    maximum: int | None = None


def _wrap(text: str, width: int = LABEL_WRAP) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines or [""]


def _line(start: tuple[float, float], end: tuple[float, float], colour: str, width: float = 1, extra: str = "") -> str:
    (x1, y1), (x2, y2) = start, end
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{colour}" stroke-width="{width}"{extra}/>'
    )


def _header(chart_id: str, width: int, height: int, title: str, description: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="cb-chart" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="13">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )


def radar_chart(
    rows: list[ChartRow], *, chart_id: str, title: str, description: str, current_label: str, target_label: str
) -> str:
    """Return a radar (spider) chart of levels 0-5, one axis per dimension; targets as a dashed outline."""
    width, height = 720, 560
    cx, cy, radius = width / 2, height / 2 + 6, 180
    count = max(len(rows), 3)
    parts = [_header(chart_id, width, height, title, description)]

    def point(index: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / count
        distance = radius * value / MAX_LEVEL
        return cx + distance * math.cos(angle), cy + distance * math.sin(angle)

    for ring in range(1, MAX_LEVEL + 1):
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(count)))
        parts.append(f'<polygon points="{ring_points}" fill="none" stroke="{GRID_COLOUR}" stroke-width="1"/>')
        lx, ly = point(0, ring)
        parts.append(f'<text x="{lx + 4:.1f}" y="{ly + 4:.1f}" fill="{SPREAD_COLOUR}" font-size="11">{ring}</text>')
    for index, row in enumerate(rows):
        x, y = point(index, MAX_LEVEL)
        parts.append(_line((cx, cy), (x, y), GRID_COLOUR))
        lx, ly = point(index, MAX_LEVEL + 0.55)
        anchor = "middle" if abs(lx - cx) < 20 else ("start" if lx > cx else "end")  # noqa: PLR2004
        lines = _wrap(row.label)
        top = ly - (len(lines) - 1) * 7.5
        tspans = "".join(
            f'<tspan x="{lx:.1f}" y="{top + i * 15:.1f}">{escape(line)}</tspan>' for i, line in enumerate(lines)
        )
        parts.append(f'<text text-anchor="{anchor}" fill="{TEXT_COLOUR}">{tspans}</text>')

    if any(row.target for row in rows):
        target_points = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (point(i, row.target or 0) for i, row in enumerate(rows))
        )
        parts.append(
            f'<polygon points="{target_points}" fill="none" stroke="{TARGET_COLOUR}" stroke-width="2.5" '
            f'stroke-dasharray="7 5"/>'
        )
    current_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, row.level or 0) for i, row in enumerate(rows)))
    parts.append(
        f'<polygon points="{current_points}" fill="{CURRENT_COLOUR}" fill-opacity="0.25" '
        f'stroke="{CURRENT_COLOUR}" stroke-width="2.5"/>'
    )
    for index, row in enumerate(rows):
        if row.level:
            x, y = point(index, row.level)
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{CURRENT_COLOUR}"/>')
    parts.append(_legend(12, 18, current_label, target_label if any(r.target for r in rows) else ""))
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    rows: list[ChartRow],
    *,
    chart_id: str,
    title: str,
    description: str,
    current_label: str,
    target_label: str,
    spread_label: str,
) -> str:
    """Return a horizontal bar chart of levels, with departments' min-max range and target markers."""
    label_width, plot_width, row_height, top = 300, 360, 40, 44
    width = label_width + plot_width + 30
    height = top + row_height * len(rows) + 30
    unit = plot_width / MAX_LEVEL
    parts = [_header(chart_id, width, height, title, description)]
    for level in range(MAX_LEVEL + 1):
        x = label_width + level * unit
        parts.append(_line((x, top - 6), (x, height - 24), GRID_COLOUR))
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="{SPREAD_COLOUR}" '
            f'font-size="11">{level}</text>'
        )
    for index, row in enumerate(rows):
        y = top + index * row_height
        lines = _wrap(row.label, 40)
        label_top = y + row_height / 2 - (len(lines) - 1) * 7.5 + 4
        tspans = "".join(
            f'<tspan x="{label_width - 10}" y="{label_top + i * 15:.1f}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        parts.append(f'<text text-anchor="end" fill="{TEXT_COLOUR}">{tspans}</text>')
        if row.level:
            parts.append(
                f'<rect x="{label_width}" y="{y + 10}" width="{row.level * unit:.1f}" height="{row_height - 20}" '
                f'fill="{CURRENT_COLOUR}"/>'
            )
        if row.minimum is not None and row.maximum is not None and row.maximum > row.minimum:
            x1, x2, mid = label_width + row.minimum * unit, label_width + row.maximum * unit, y + row_height / 2
            parts.append(_line((x1, mid), (x2, mid), SPREAD_COLOUR, 3))
            parts.append(_line((x1, mid - 8), (x1, mid + 8), SPREAD_COLOUR, 3))
            parts.append(_line((x2, mid - 8), (x2, mid + 8), SPREAD_COLOUR, 3))
        if row.target:
            tx = label_width + row.target * unit
            parts.append(
                f'<path d="M{tx:.1f},{y + 4} l7,8 l-7,8 l-7,-8 z" fill="{TARGET_COLOUR}" '
                'stroke="#ffffff" stroke-width="1"/>'
            )
    has_spread = any(r.minimum is not None and r.maximum is not None and r.maximum > r.minimum for r in rows)
    parts.append(
        _legend(
            label_width,
            16,
            current_label,
            target_label if any(r.target for r in rows) else "",
            spread_label if has_spread else "",
            diamond=True,
        )
    )
    parts.append("</svg>")
    return "".join(parts)


def _legend(x: float, y: float, current: str, target: str = "", spread: str = "", *, diamond: bool = False) -> str:
    parts = [
        f'<rect x="{x}" y="{y - 10}" width="14" height="12" fill="{CURRENT_COLOUR}"/>',
        f'<text x="{x + 20}" y="{y}" fill="{TEXT_COLOUR}">{escape(current)}</text>',
    ]
    offset = x + 30 + 7.5 * len(current)
    if target:
        if diamond:
            parts.append(f'<path d="M{offset + 11:.1f},{y - 12} l7,8 l-7,8 l-7,-8 z" fill="{TARGET_COLOUR}"/>')
        else:
            parts.append(_line((offset, y - 4), (offset + 22, y - 4), TARGET_COLOUR, 3, ' stroke-dasharray="6 3"'))
        parts.append(f'<text x="{offset + 28}" y="{y}" fill="{TEXT_COLOUR}">{escape(target)}</text>')
        offset += 40 + 7.5 * len(target)
    if spread:
        parts.append(_line((offset, y - 4), (offset + 22, y - 4), SPREAD_COLOUR, 3))
        parts.append(f'<text x="{offset + 28}" y="{y}" fill="{TEXT_COLOUR}">{escape(spread)}</text>')
    return "".join(parts)
