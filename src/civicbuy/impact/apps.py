from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    """The impact part: pages over :mod:`civicbuy.analytics.impact` and social-value commitments."""

    name = "civicbuy.impact"
    label = "impact"
    verbose_name = _("Impact")
    default_auto_field = "django.db.models.BigAutoField"
