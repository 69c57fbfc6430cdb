"""Test data: image and document bytes, and the POST data of a valid case submission."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from PIL import Image


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 94, 74)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, format="JPEG")
    return buffer.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def submission_data(**overrides: Any) -> dict[str, Any]:
    """POST data of a complete, valid submission (results and sources formsets included)."""
    data: dict[str, Any] = {
        "title": "Buying school meals from local farmers in Testville",
        "country": "PT",
        "city": "Testville",
        "organisation": "Testville City Council",
        "years": "2021-2023",
        "summary_1": "The city split its school-meals contract into small lots.",
        "summary_2": "Local farmers won a share of the lots.",
        "summary_3": "Food waste fell after menus changed.",
        "problem": "Meals came from one national caterer and most food travelled far [src:1].",
        "approach": "The city split the contract into 12 lots [src:1] and ran open days for farmers.",
        "challenges": "Small farms needed help with paperwork.",
        "reusable": "- Split big contracts into lots.\n- Hold open days before the tender.",
        "quote_text": "",
        "quote_attribution": "",
        "quote_source": "",
        "caveats": "",
        "stages": ["engage-market", "tender"],
        "themes": ["sme-local"],
        "sdg_targets": ["12.7"],
        "submitter_name": "Ana Tester",
        "submitter_email": "ana@example.org",
        "confirm": "on",
        "website": "",
        "results-TOTAL_FORMS": "6",
        "results-INITIAL_FORMS": "0",
        "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "6",
        "sources-TOTAL_FORMS": "8",
        "sources-INITIAL_FORMS": "0",
        "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "8",
        "results-0-text": "Local farms supplied 40% of the food by 2023.",
        "results-0-source": "1",
        "sources-0-title": "Testville school meals report",
        "sources-0-publisher": "Testville City Council",
        "sources-0-url": "https://example.org/report",
        "sources-0-accessed": (dt.datetime.now(tz=dt.UTC).date() - dt.timedelta(days=3)).isoformat(),
    }
    data.update(overrides)
    return data
