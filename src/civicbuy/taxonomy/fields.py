"""Django model fields that store taxonomy codes, with form widgets that offer the taxonomy's labels.

Codes are stored as a JSON list (the same on SQLite and PostgreSQL), validated against
:mod:`civicbuy.taxonomy.registry` on save, and edited in the admin as a list of checkboxes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from civicbuy.taxonomy import registry


class TaxonomyCodesField(models.JSONField):
    """A list of codes of one taxonomy kind ("theme", "sdg", "stage", "cpv_division", "country")."""

    def __init__(self, *args: Any, kind: str = "theme", **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        """Keep ``kind`` in migrations."""
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def validate(self, value: Any, model_instance: Any) -> None:
        """Reject anything that is not a list of known codes, naming the unknown ones."""
        super().validate(value, model_instance)
        if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
            raise ValidationError("Expected a list of codes.")
        unknown = registry.validate_codes(self.kind, value)
        if unknown:
            raise ValidationError(f"Unknown {self.kind} code(s): {', '.join(unknown)}")

    def formfield(self, **kwargs: Any) -> forms.Field:  # noqa: ARG002 - replaces the default form field
        """Offer the taxonomy as checkboxes in the admin."""
        return forms.MultipleChoiceField(
            choices=lambda: registry.choices(self.kind),
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple,
            label=self.verbose_name.capitalize(),
            help_text=self.help_text,
        )


def stage_choices() -> list[tuple[str, str]]:
    """Choices for a single stage field (a module-level function so migrations can refer to it)."""
    return registry.choices("stage")
