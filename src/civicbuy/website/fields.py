"""Model fields for short lists of text (actions, do's, checklist items).

Stored as a JSON list of strings; edited in the admin as a textarea, one item per line. The content
packs hold the same lists as YAML sequences, so export and import round-trip without loss.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models


class LinesFormField(forms.CharField):
    """A textarea whose value is a list of non-empty lines."""

    widget = forms.Textarea

    def prepare_value(self, value: Any) -> Any:
        """Show a stored list as one item per line."""
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        """Split the textarea into items, dropping blank lines and surrounding spaces."""
        if isinstance(value, list):
            return [str(item).strip() for item in value if str(item).strip()]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class LinesField(models.JSONField):
    """A list of one-line texts (Markdown allowed within a line)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs: Any) -> forms.Field:  # noqa: ARG002 - replaces the default form field
        """Edit as a textarea, one item per line."""
        return LinesFormField(required=not self.blank, label=self.verbose_name.capitalize(), help_text=self.help_text)
