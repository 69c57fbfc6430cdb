"""First-run set-up (called by `civicbuy setup`): check that the bundled impact tables load."""

from __future__ import annotations

from django.utils.translation import gettext as _

from civicbuy.analytics.impact import factors, social_value


def run() -> str:
    """Load the bundled factor table and framework once (fails loudly if they are broken); say what is there."""
    table = factors.load_factors()
    framework = social_value.load_framework()
    return str(
        _("Impact: %(factors)s emission factors and %(measures)s social-value measures ready.")
        % {"factors": len(table.rows), "measures": len(framework.measures)}
    )
