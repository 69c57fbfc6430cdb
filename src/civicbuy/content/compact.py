"""Drop empty values from exported pack data, so exports read like hand-written files."""

from __future__ import annotations

from typing import Any


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """Return ``data`` without keys whose value is None, an empty string or an empty list."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}
