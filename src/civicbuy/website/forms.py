"""Small public forms: site search and page feedback."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SearchForm(forms.Form):
    """The search box (the query is plain text, at most 200 characters)."""

    q = forms.CharField(label=_("Search CivicBuy"), max_length=200, required=False, strip=True)


class BrowserTextField(forms.CharField):
    """Text from a ``<textarea>``, with its line breaks counted the way the browser counts them.

    Browsers send each line break as CRLF (two characters) but count it as one against ``maxlength``
    (HTML: the textarea's API value uses LF), so without this a comment the browser allowed could be
    refused here as too long. Normalising before the length check makes both limits the same.
    """

    def to_python(self, value: object) -> str | None:
        """The text with CRLF and lone CR line breaks turned into LF."""
        text = super().to_python(value)
        return None if text is None else text.replace("\r\n", "\n").replace("\r", "\n")


class FeedbackForm(forms.Form):
    """Page feedback ("Is this page useful?") with a honeypot field that people never see or fill."""

    COMMENT_MAX_LENGTH = 1000

    useful = forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose Yes or No."), "invalid_choice": _("Please choose Yes or No.")},
    )
    comment = BrowserTextField(
        label=_("How could this page be better? (optional, do not include personal information)"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _(
                "Your comment has %(show_value)d characters. Please shorten it to %(limit_value)d or fewer."
            )
        },
    )
    website = forms.CharField(required=False, max_length=200, label=_("Leave this field empty"))
