"""Import every indicator family so that each registers its indicators (see :mod:`.registry`)."""

from civicbuy.analytics.indicators import (  # noqa: F401
    competition,
    diversity,
    emergency,
    integrity,
    integrity_outliers,
    spend,
    sustainability,
    timeliness,
    transparency,
)
