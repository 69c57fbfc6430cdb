from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    """The procurement maturity self-assessment: questionnaire, results, roadmap and exports."""

    name = "civicbuy.assessment"
    label = "assessment"
    verbose_name = _("Self-assessment")
    default_auto_field = "django.db.models.BigAutoField"
