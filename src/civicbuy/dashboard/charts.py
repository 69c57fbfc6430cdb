"""Charts as Vega-Lite specs, rendered to SVG on the server with vl-convert.

Pages work without JavaScript, and the same SVG goes into the PDF.

Every chart carries a text summary (its ``<desc>`` and the paragraph under it) and the data as a table.
Rendering costs ~0.1 s a chart (and seconds for the first one in a process), so SVGs are cached on disk by
the hash of their spec: :func:`civicbuy.dashboard.summary.build` renders the common views at ingest.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import orjson

from civicbuy.dashboard import after_response

logger = logging.getLogger(__name__)

CACHE = "charts"
#: The charts' typeface: the pages' own stack (frontend/scss/civicbuy.scss), so a chart's text matches the page's.
#: Naming a font that is installed on the server (it used to start with "DejaVu Sans") made vl-convert load it
#: for every chart: 0.27 s a chart against 0.035 s (measured on a buyers chart), 20 of the 21 s a 100-process
#: dataset's ingest spent drawing. The PDF's images fall back to the server's sans-serif font.
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Helvetica Neue', Arial, sans-serif"
COLOUR = "#0b5e4a"
HIGHLIGHT = "#d4351c"
MEDIAN = "#1d70b8"
MAX_BARS = 25
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


@dataclass
class Chart:
    """A chart: its spec, a text summary and its data as a table."""

    chart_id: str
    title: str
    summary: str
    spec: dict[str, Any]
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    svg: str = ""
    #: A raster of the chart for the PDF report (``file://`` URL) and its width in CSS pixels.
    image_url: str = ""
    width: int = 0

    @property
    def key(self) -> str:
        """Return the cache key of the rendered SVG."""
        return hashlib.sha256(orjson.dumps(self.spec, option=orjson.OPT_SORT_KEYS)).hexdigest()[:32]

    @property
    def spec_json(self) -> str:
        """Return the spec as JSON (for browsers that enhance the SVG into an interactive chart)."""
        return orjson.dumps(self.spec).decode()


def base_spec(title: str, values: list[dict[str, Any]], width: int, height: int | dict[str, int]) -> dict[str, Any]:
    """The parts every CivicBuy chart shares (schema, title, size, data, typeface); the caller adds marks."""
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "anchor": "start", "fontSize": 14},
        "width": width,
        "height": height,
        "data": {"values": values},
        "config": {"font": FONT, "view": {"stroke": None}},
    }


def _tooltip(label_field: str, label_title: str, value_title: str, *, percent: bool) -> list[dict[str, Any]]:
    """What the interactive chart shows on hover (the server's SVG ignores it)."""
    return [
        {"field": label_field, "type": "nominal", "title": label_title},
        {"field": "value", "type": "quantitative", "title": value_title, "format": ".1%" if percent else ",.1f"},
    ]


def trend_spec(
    title: str, points: list[tuple[str, float]], y_title: str, *, percent: bool, period_title: str = "Year"
) -> dict[str, Any]:
    """A line chart of one value over time."""
    values = [{"period": label, "value": value} for label, value in points]
    spec = base_spec(title, values, 420, 180)
    spec["mark"] = {"type": "line", "point": {"color": COLOUR, "filled": True}, "color": COLOUR, "strokeWidth": 2.5}
    spec["encoding"] = {
        "x": {"field": "period", "type": "ordinal", "title": None, "axis": {"labelAngle": 0}},
        "y": {
            "field": "value",
            "type": "quantitative",
            "title": y_title,
            "axis": {"format": ".0%" if percent else "~s"},
            "scale": {"zero": True},
        },
        "tooltip": _tooltip("period", period_title, y_title, percent=percent),
    }
    return spec


def distribution_spec(
    title: str,
    bars: list[tuple[str, float]],
    median: float | None,
    x_title: str,
    *,
    percent: bool,
    highlight: str = "",
    buyer_title: str = "Buyer",
) -> dict[str, Any]:
    """A horizontal bar chart of one value per buyer, with the median buyer as a vertical rule."""
    values = [{"buyer": label, "value": value, "chosen": label == highlight} for label, value in bars[:MAX_BARS]]
    spec = base_spec(title, values, 420, {"step": 16})
    bar = {
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "buyer", "type": "nominal", "sort": "-x", "title": None, "axis": {"labelLimit": 220}},
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": x_title,
                "axis": {"format": ".0%" if percent else "~s"},
            },
            "color": {
                "field": "chosen",
                "type": "nominal",
                "scale": {"domain": [False, True], "range": [COLOUR, HIGHLIGHT]},
                "legend": None,
            },
            "tooltip": _tooltip("buyer", buyer_title, x_title, percent=percent),
        },
    }
    layers: list[dict[str, Any]] = [bar]
    if median is not None:
        layers.append(
            {
                "data": {"values": [{"median": median}]},
                "mark": {"type": "rule", "color": MEDIAN, "strokeWidth": 2, "strokeDash": [6, 3]},
                "encoding": {"x": {"field": "median", "type": "quantitative"}},
            }
        )
    spec["layer"] = layers
    return spec


_SVG_OPEN = re.compile(r"<svg\b([^>]*)>", re.DOTALL)


def accessible(svg: str, chart: Chart) -> str:
    """Give the rendered SVG an image role, a title and a description (the text summary)."""
    title_id, desc_id = f"{chart.chart_id}-title", f"{chart.chart_id}-desc"

    def replace(match: re.Match[str]) -> str:
        attributes = match.group(1).replace('class="marks"', 'class="marks cb-chart"')
        return (
            f'<svg{attributes} role="img" '
            f'aria-labelledby="{title_id} {desc_id}" focusable="false">'
            f'<title id="{title_id}">{escape(chart.title)}</title><desc id="{desc_id}">{escape(chart.summary)}</desc>'
        )

    return _SVG_OPEN.sub(replace, svg, count=1)


def _draw(spec: dict[str, Any], cached: Path | None) -> str:
    import vl_convert

    svg = str(vl_convert.vegalite_to_svg(spec))
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_name(f".{uuid.uuid4().hex}.tmp")
        temporary.write_text(svg, encoding="utf-8")
        temporary.replace(cached)
    return svg


#: Charts missing from the cache are drawn here, one at a time, while the page shows their table.
_BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chart")
_PENDING: set[str] = set()
_PENDING_LOCK = threading.Lock()


def _draw_later(spec: dict[str, Any], cached: Path) -> None:
    try:
        _draw(spec, cached)
    except Exception:  # a chart that cannot be drawn leaves its table and summary on the page
        logger.exception("could not draw chart %s", cached.name)
    finally:
        with _PENDING_LOCK:
            _PENDING.discard(str(cached))


def render(chart: Chart, cache: Path | None, *, wait: bool = True) -> str:
    """Render ``chart`` to SVG (from the cache when it was rendered before) and store it on the chart.

    With ``wait=False`` a chart missing from the cache is drawn in the background and left empty for now
    (pages stay fast: the first chart drawn in a process takes seconds); its summary and table still show.
    """
    cached = cache / f"{chart.key}.svg" if cache is not None else None
    if cached is not None and cached.exists():
        svg = cached.read_text(encoding="utf-8")
    elif wait or cached is None:
        svg = _draw(chart.spec, cached)
    else:
        with _PENDING_LOCK:
            if str(cached) not in _PENDING:
                _PENDING.add(str(cached))
                after_response.submit(_BACKGROUND, _draw_later, chart.spec, cached)
        chart.svg = ""
        return ""
    chart.svg = accessible(svg, chart)
    return chart.svg


_WIDTH = re.compile(r'<svg\b[^>]*?\swidth="(\d+(?:\.\d+)?)"')
#: Pixels per CSS pixel of the PDF report's chart images, and their JPEG quality (sharp enough on A4; a JPEG goes
#: into the PDF as it is, where a PNG with transparency would be decoded and compressed again: seconds a report).
IMAGE_SCALE = 1.5
IMAGE_QUALITY = 85


def raster(chart: Chart, cache: Path) -> Path:
    """Return an image of ``chart`` for the PDF report, made once from its SVG and kept beside it in ``cache``.

    WeasyPrint lays out every text element of an inline SVG chart itself: a report with 14 charts took ~9 s, ~3 s
    with images. The image is made from the SVG drawn at ingest (vl-convert's resvg; no new drawing), and the
    chart's text summary stays in the report as text.
    """
    svg = render(chart, cache)
    match = _WIDTH.search(svg)
    chart.width = round(float(match.group(1))) if match else 0
    cached = cache / f"{chart.key}.jpg"
    if not cached.exists():
        import vl_convert

        cache.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_name(f".{uuid.uuid4().hex}.tmp")
        temporary.write_bytes(bytes(vl_convert.svg_to_jpeg(svg, scale=IMAGE_SCALE, quality=IMAGE_QUALITY)))
        temporary.replace(cached)
    chart.image_url = cached.resolve().as_uri()
    return cached
