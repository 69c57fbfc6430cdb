"""Small public forms: site search and page feedback."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    """The search box (the query is plain text, at most 200 characters)."""

    q = forms.CharField(label=_("Search CivicBuy"), max_length=200, required=False, strip=True)


class FeedbackForm(forms.Form):
    """Page feedback ("Is this page useful?") with a honeypot field that people never see or fill."""

    useful = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("How could this page be better? (optional, do not include personal information)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    website = forms.CharField(required=False, max_length=200, label=_("Leave this field empty"))
