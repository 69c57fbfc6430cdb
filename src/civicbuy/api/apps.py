from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The REST API: versioned routes under /api/v1/, OpenAPI at /api/openapi.json, token authentication."""

    name = "civicbuy.api"
    label = "api"
    verbose_name = _("REST API")
    default_auto_field = "django.db.models.BigAutoField"
