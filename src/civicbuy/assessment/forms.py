"""Small fixed forms: start an assessment, add a department.

The questionnaire and the targets are validated by :mod:`civicbuy.assessment.scoring`, which knows the model.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class StartForm(forms.Form):
    """Start a new assessment: who is answering."""

    organisation = forms.CharField(
        label=_("Name of your organisation"),
        help_text=_("For example, City of Valparaíso. Shown only to people who have your link."),
        max_length=200,
        error_messages={
            "required": _("Enter the name of your organisation"),
            "max_length": _("Use 200 characters or fewer for the organisation name"),
        },
    )
    department = forms.CharField(
        label=_("First department to assess (optional)"),
        help_text=_("Leave empty to answer for the whole organisation. You can add more departments later."),
        max_length=120,
        required=False,
        error_messages={"max_length": _("Use 120 characters or fewer for the department name")},
    )


class DepartmentForm(forms.Form):
    """Add a department whose answers roll up into the organisation's results."""

    name = forms.CharField(
        label=_("Department name"),
        max_length=120,
        error_messages={
            "required": _("Enter the department name"),
            "max_length": _("Use 120 characters or fewer for the department name"),
        },
    )
