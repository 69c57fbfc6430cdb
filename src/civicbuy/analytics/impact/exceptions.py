"""The impact engine's domain error: a malformed factor, scenario or framework file, named with its line."""

from __future__ import annotations

from civicbuy.analytics.api import AnalyticsError


class ImpactError(AnalyticsError):
    """Something in an impact input file that the user can fix (message names the file and line)."""
