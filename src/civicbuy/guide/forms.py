"""The pathfinder's questions. Answers travel in the query string, so a plan is shareable by URL."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from civicbuy.guide import pathfinder
from civicbuy.taxonomy import registry


class PathfinderForm(forms.Form):
    """What is bought, its value, how urgent it is and what the city wants to achieve."""

    what = forms.CharField(
        label=_("What do you need to buy? Describe it in a few words"),
        help_text=_("For example: electric buses, school meals, laptops. Or choose a category below."),
        max_length=200,
        required=False,
    )
    division = forms.ChoiceField(label=_("Category (CPV division)"), required=False)
    value = forms.ChoiceField(label=_("Estimated total value"), widget=forms.RadioSelect)
    urgency = forms.ChoiceField(label=_("How urgent is it?"), widget=forms.RadioSelect)
    goals = forms.MultipleChoiceField(
        label=_("What else should this purchase achieve?"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = (get_language() or "en")[:2]
        choices: dict[str, list[tuple[str, Any]]] = {
            "division": [
                ("", _("Choose from the list, or describe it above")),
                *registry.choices("cpv_division", language),
            ],
            "value": pathfinder.choices("value_bands", language),
            "urgency": pathfinder.choices("urgency", language),
            "goals": pathfinder.choices("goals", language),
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = options

    def clean(self) -> dict[str, Any]:
        """Work out the CPV division from the list, or else from the words typed."""
        cleaned = super().clean() or {}
        division = cleaned.get("division") or ""
        if not division and cleaned.get("what"):
            matches = pathfinder.divisions_for_words(cleaned["what"])
            division = matches[0] if matches else ""
            if not division:
                self.add_error(
                    "what",
                    _("We could not tell what category this is. Please choose one from the list."),
                )
        if not division and not cleaned.get("what"):
            self.add_error("division", _("Tell us what you are buying: describe it or choose a category."))
        cleaned["division"] = division
        return cleaned
