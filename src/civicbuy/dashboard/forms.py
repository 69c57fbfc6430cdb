"""Forms of the dashboard: a new dataset's upload, a new version's upload, and the shareable filters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from civicbuy.accounts.models import Organisation
from civicbuy.dashboard.models import Dataset
from civicbuy.dashboard.summary import Filters
from civicbuy.dashboard.wording import method_label


class VersionUploadForm(forms.Form):
    """A new version of an existing dataset: just the file."""

    file = forms.FileField(
        label=_("OCDS file"),
        help_text=_(
            "A release or record package, JSON Lines of releases or compiled releases, or either compressed with "
            "gzip. Up to 2 GB."
        ),
    )


class DatasetUploadForm(VersionUploadForm):
    """A new dataset: its organisation, name, whether it is public, and the file."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation"), empty_label=None
    )
    name = forms.CharField(label=_("Name of the dataset"), max_length=200)
    public = forms.BooleanField(
        label=_("Make this dataset public (anyone can see it, not only your organisation)"), required=False
    )

    field_order = ("organisation", "name", "public", "file")

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        """Refuse a name already used in the organisation."""
        data = super().clean() or {}
        organisation, name = data.get("organisation"), data.get("name")
        if organisation and name:
            slug = slugify(name)[:80]
            if not slug:
                self.add_error("name", _("Use at least one letter or digit in the name."))
            elif Dataset.objects.filter(organisation=organisation, slug=slug).exists():
                self.add_error("name", _("Your organisation already has a dataset with this name."))
            data["slug"] = slug
        return data


class FilterForm(forms.Form):
    """Period, buyer, CPV division and method: GET parameters, so a filtered page's URL can be shared."""

    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    buyer = forms.ChoiceField(label=_("Buyer"), required=False)
    cpv = forms.ChoiceField(label=_("CPV division"), required=False)
    method = forms.ChoiceField(label=_("Procurement method"), required=False)

    def __init__(self, data: Any, overview: dict[str, Any]) -> None:
        super().__init__(data)
        every = ("", _("All"))
        self.fields["year"].choices = [every, *((str(y), str(y)) for y in overview["years"])]  # type: ignore[attr-defined]
        self.fields["buyer"].choices = [every, *((b["id"], b["name"] or b["id"]) for b in overview["buyer_choices"])]  # type: ignore[attr-defined]
        self.fields["cpv"].choices = [every, *((c, c) for c in overview["cpv_choices"])]  # type: ignore[attr-defined]
        self.fields["method"].choices = [every, *((m, method_label(m)) for m in overview["method_choices"])]  # type: ignore[attr-defined]

    def filters(self) -> Filters:
        """Return the valid filters (an invalid value is ignored rather than failing the page)."""
        if not self.is_bound:
            return Filters()
        if self.is_valid():
            data = self.cleaned_data
            return Filters(data["year"], data["buyer"] or None, data["cpv"] or None, data["method"] or None)
        valid = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return Filters(
            valid.get("year"), valid.get("buyer") or None, valid.get("cpv") or None, valid.get("method") or None
        )
