"""Exports: the dashboard's tables, a PDF report and the flat Parquet tables.

Every dashboard table as CSV and Excel (openpyxl), the dashboard as a PDF report (WeasyPrint), and the engine's
flat Parquet tables for analysts.

Tables follow the page's filters, so an export matches what the user sees.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicbuy.dashboard import charts
from civicbuy.dashboard.summary import Filters, Summary, process_flags
from civicbuy.dashboard.wording import indicator_name

if TYPE_CHECKING:
    from civicbuy.dashboard.cards import Card
    from civicbuy.dashboard.models import Dataset

TABLES = {
    "indicators": gettext_lazy("Indicators"),
    "buyers": gettext_lazy("Buyers"),
    "flagged": gettext_lazy("Flagged processes"),
}
#: Largest number of flagged processes in one CSV or Excel export (Excel's own limit is 1,048,576 rows).
MAX_ROWS = 1_000_000
PARQUET_NAME = re.compile(r"^[a-z_]+$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Any) -> Any:
    """Neutralise text that a spreadsheet would run as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def rows_of(summary: Summary, filters: Filters, table: str) -> tuple[list[str], list[list[Any]]]:
    """Return the header and rows of a dashboard table."""
    from civicbuy.analytics.indicators.registry import get

    if table == "indicators":
        values = summary.engine_values(filters) or {}  # waits: never None
        header = [_("Indicator code"), _("Indicator"), _("Level"), _("Identifier"), _("Value")]
        body: list[list[Any]] = [
            [code, indicator_name(get(code)), level, identifier, value]
            for (code, level, identifier), value in sorted(values.items())
            if not filters.buyer or level == "dataset" or identifier == filters.buyer
        ]
        for code, rate in summary.flag_rates(filters).items():
            body.append([code, indicator_name(get(code)), "dataset", "dataset", rate.share])
        return header, body
    if table == "buyers":
        header = [
            _("Buyer identifier"),
            _("Buyer"),
            _("Processes"),
            _("Processes with red flags"),
            _("Tender value (%(currency)s)") % {"currency": summary.overview["currency"]},
        ]
        return header, [
            [b["id"], b["name"], b["processes"], b["flagged"], b["value"]] for b in summary.buyers(filters)
        ]
    header = [
        _("OCID"),
        _("Date"),
        _("Buyer"),
        _("Title"),
        _("Method"),
        _("CPV division"),
        _("Value"),
        _("Currency"),
        _("Red flags"),
    ]
    _total, rows = summary.flagged_processes(filters, None, 0, MAX_ROWS)
    return header, [
        [
            r["ocid"],
            r["date"].isoformat() if r["date"] else "",
            r["buyer_name"],
            r["title"],
            r["method"],
            r["cpv"],
            r["value"],
            r["currency"],
            r["flags"],
        ]
        for r in rows
    ]


def table_response(dataset: Dataset, summary: Summary, filters: Filters, table: str, fmt: str) -> HttpResponse:
    """Return a CSV or Excel download of one table."""
    header, body = rows_of(summary, filters, table)
    name = f"{dataset.slug}-{table}"
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows([_safe(v) for v in row] for row in body)
        response = HttpResponse(text.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    return _xlsx(name, str(TABLES[table]), header, body)


def _xlsx(name: str, title: str, header: list[str], body: list[list[Any]]) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    header_cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in body:
        sheet.append([_safe(v) for v in row])
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def pdf_response(
    request: HttpRequest,
    dataset: Dataset,
    summary: Summary,
    filters: Filters,
    *,
    cards: list[Card],
    review: str,
    missing: list[dict[str, Any]],
) -> HttpResponse:
    """Return the dashboard as a PDF report."""
    from weasyprint import HTML

    for card in cards:
        for chart in card.charts:
            charts.raster(chart, summary.path / charts.CACHE)
    html = render_to_string(
        "dashboard/report_pdf.html",
        {
            "dataset": dataset,
            "overview": summary.overview,
            "counts": summary.counts(filters),
            "filters": filters,
            "cards": cards,
            "review": review,
            "missing": missing,
            "buyers": summary.buyers(filters),
            "generated": timezone.now(),
            "flags": process_flags(),
        },
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(presentational_hints=True)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{dataset.slug}-dashboard.pdf"'
    return response


def parquet_path(dataset: Path, table: str) -> Path | None:
    """Return the Parquet file of a flat table (or ``results``) of the engine dataset, if it exists."""
    if not PARQUET_NAME.match(table):
        return None
    path = dataset / f"{table}.parquet"
    return path if path.is_file() else None


def parquet_tables(dataset: Path) -> list[str]:
    """Return the names of the Parquet tables of the engine dataset."""
    return sorted(path.stem for path in dataset.glob("*.parquet"))
