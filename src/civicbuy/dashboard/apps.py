from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The performance dashboard: a city's OCDS datasets, ingested in the background and explained."""

    name = "civicbuy.dashboard"
    label = "dashboard"
    verbose_name = _("Performance dashboard")
    default_auto_field = "django.db.models.BigAutoField"
