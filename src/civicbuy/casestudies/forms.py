"""The guided form through which anyone proposes a case study, and the checks it applies.

Same structure as a published case (place, summary, problem, approach, cited results, challenges, what
others can reuse, a quote, caveats, tags, sources). Bad input gets a message next to the field:
a figure without a source, a citation to a source that is not there, an upload too big or not what its
name claims, a duplicate title. Submitted text is cleaned here (tags, event handlers and script URLs
removed) and again when rendered (nh3), so nothing hostile reaches a page even if one layer is bypassed.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from typing import Any, ClassVar

import filetype
import nh3
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from PIL import Image as PILImage
from PIL import UnidentifiedImageError

from civicbuy.casestudies.models import CaseStudyPage
from civicbuy.casestudies.search import normalise
from civicbuy.content.spec import CITATION, uncited_figures
from civicbuy.taxonomy import registry

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_TYPES: dict[str, tuple[str, ...]] = {
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/webp": ("webp",),
}
FILE_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
}
RESULT_ROWS = 6
SOURCE_ROWS = 8
YEARS = re.compile(r"^(19|20)\d\d(-(19|20)\d\d)?$")
_SCRIPT_SCHEMES = [
    re.compile(r"\s*".join(scheme) + r"\s*:", re.IGNORECASE) for scheme in ("javascript", "vbscript", "data")
]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_markup(text: str) -> str:
    """Remove every HTML tag (with script and style contents), and script URL schemes, from user text.

    Entities are decoded and the text cleaned again until nothing changes, so ``&lt;script&gt;`` or
    ``java&#x09;script:`` cannot come back to life later. Markdown syntax is kept.
    """
    text = _CONTROL.sub("", text)
    for _round in range(20):
        cleaned = html.unescape(nh3.clean(text, tags=set(), clean_content_tags={"script", "style"}))
        for scheme in _SCRIPT_SCHEMES:
            cleaned = scheme.sub("", cleaned)
        if cleaned == text:
            return text
        text = cleaned
    # Still changing after 20 rounds: deliberately layered encoding. Keep it escaped (inert) instead.
    return nh3.clean(text, tags=set(), clean_content_tags={"script", "style"})


class CleanCharField(forms.CharField):
    """A text field whose value is cleaned of markup (see :func:`clean_markup`).

    A one-line field (any widget but a text area) also has its runs of whitespace, line breaks included,
    collapsed to one space: a browser never sends a line break from a one-line box, so one that arrives was
    pasted by a script or forged, and kept in a title it would break the email headers and page titles it
    ends up in.
    """

    def to_python(self, value: Any) -> str:
        """Remove markup, then strip (and collapse whitespace on one-line fields)."""
        text = super().to_python(value)
        if not text:
            return ""
        cleaned = clean_markup(text)
        if isinstance(self.widget, forms.Textarea):
            return cleaned.strip()
        return " ".join(cleaned.split())


def _textarea(rows: int = 6) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "govuk-textarea"})


def sniff(upload: UploadedFile, allowed: dict[str, tuple[str, ...]], max_bytes: int, what: str) -> str:
    """Check an upload's size, its real type (from its first bytes) and that its name agrees; return the type."""
    if upload.size is None or upload.size > max_bytes:
        raise ValidationError(
            _("The %(what)s must be smaller than %(size)s MB."),
            params={"what": what, "size": max_bytes // (1024 * 1024)},
            code="too_big",
        )
    if upload.size == 0:
        raise ValidationError(_("The %(what)s is empty."), params={"what": what}, code="empty")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    extension = (upload.name or "").rsplit(".", 1)[-1].lower() if "." in (upload.name or "") else ""
    allowed_extensions = sorted({ext for exts in allowed.values() for ext in exts})
    if mime not in allowed:
        raise ValidationError(
            _("The %(what)s must be one of: %(types)s. This file's content is not."),
            params={"what": what, "types": ", ".join(allowed_extensions)},
            code="wrong_type",
        )
    if extension not in allowed[mime]:
        raise ValidationError(
            _("The file's name ends in .%(extension)s but its content is %(real)s. Rename or re-save it."),
            params={"extension": extension or "?", "real": allowed[mime][0].upper()},
            code="mismatch",
        )
    return mime


SUMMARY_HINT = _("One sentence. Put [src:N] after any figure.")


class SubmissionForm(forms.Form):
    """The main part of the guided form (results and sources are formsets beside it)."""

    title = CleanCharField(
        label=_("Title"),
        max_length=200,
        help_text=_("Say what was done and where, for example “Buying electric buses in Santiago”."),
    )
    country = forms.ChoiceField(label=_("Country"))
    city = CleanCharField(label=_("City or area (optional)"), max_length=120, required=False)
    organisation = CleanCharField(label=_("Organisation that did the buying"), max_length=300)
    years = forms.CharField(label=_("Year or years"), max_length=9, help_text=_("For example 2021 or 2019-2023."))
    summary_1 = CleanCharField(label=_("Summary, point 1"), max_length=300, help_text=SUMMARY_HINT)
    summary_2 = CleanCharField(label=_("Summary, point 2"), max_length=300, help_text=SUMMARY_HINT)
    summary_3 = CleanCharField(label=_("Summary, point 3"), max_length=300, help_text=SUMMARY_HINT)
    problem = CleanCharField(
        label=_("The problem"),
        max_length=6000,
        widget=_textarea(),
        help_text=_("What needed to change, and why. Put [src:N] after any figure, N being its source's number."),
    )
    approach = CleanCharField(
        label=_("The approach"),
        max_length=8000,
        widget=_textarea(8),
        help_text=_("What the organisation did, step by step. Cite figures with [src:N]."),
    )
    challenges = CleanCharField(label=_("Challenges (optional)"), max_length=4000, required=False, widget=_textarea(4))
    reusable = CleanCharField(
        label=_("What other cities can reuse (optional)"), max_length=4000, required=False, widget=_textarea(4)
    )
    quote_text = CleanCharField(
        label=_("Quote (optional, only from a public source)"), max_length=1000, required=False, widget=_textarea(3)
    )
    quote_attribution = CleanCharField(label=_("Who said it"), max_length=300, required=False)
    quote_source = forms.IntegerField(
        label=_("Source number of the quote"), min_value=1, max_value=SOURCE_ROWS, required=False
    )
    caveats = CleanCharField(
        label=_("Caveats (optional)"),
        max_length=3000,
        required=False,
        widget=_textarea(3),
        help_text=_("Where sources are thin, or facts may have changed since (for example a target later dropped)."),
    )
    stages = forms.MultipleChoiceField(label=_("Lifecycle stages"), widget=forms.CheckboxSelectMultiple)
    themes = forms.MultipleChoiceField(label=_("Themes"), widget=forms.CheckboxSelectMultiple)
    sdg_targets = forms.MultipleChoiceField(
        label=_("SDG targets (optional)"), widget=forms.CheckboxSelectMultiple, required=False
    )
    image = forms.FileField(
        label=_("Image (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 5 MB. Only an image you may publish."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    image_alt = CleanCharField(
        label=_("Describe the image for people who cannot see it"), max_length=250, required=False
    )
    attachment = forms.FileField(
        label=_("Document (optional)"),
        required=False,
        help_text=_("PDF, DOCX or ODT, up to 10 MB, for example the tender notice or an evaluation."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.odt"}),
    )
    submitter_name = CleanCharField(label=_("Your name (optional)"), max_length=200, required=False)
    submitter_email = forms.EmailField(
        label=_("Your email (optional)"),
        required=False,
        help_text=_("We send the link to follow your submission here. We do not publish it."),
    )
    confirm = forms.BooleanField(
        label=_("The text is mine to share, and every figure comes from a public source listed below.")
    )
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    MARKDOWN_FIELDS: ClassVar[tuple[str, ...]] = ("problem", "approach", "challenges", "reusable", "caveats")
    # Fields whose figures need a [src:N] citation: the summary bullets too, since the case page shows them
    # first ("In short") and the library promises every figure is linked to its public source.
    CITED_FIELDS: ClassVar[tuple[str, ...]] = ("summary_1", "summary_2", "summary_3", *MARKDOWN_FIELDS)

    def __init__(self, *args: Any, language: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        choices: dict[str, list[tuple[str, Any]]] = {
            "country": [("", _("Choose a country")), *registry.choices("country", language)],
            "stages": list(registry.choices("stage", language)),
            "themes": list(registry.choices("theme", language)),
            "sdg_targets": list(registry.choices("sdg", language)),
        }
        for name, values in choices.items():
            field = self.fields[name]
            if isinstance(field, forms.ChoiceField):
                field.choices = values

    @property
    def is_spam(self) -> bool:
        """True when the honeypot field (hidden from people) was filled in."""
        return bool(self.data.get("website"))

    def clean_title(self) -> str:
        """Refuse a title that an existing case (in any language, published or not) already uses."""
        title: str = self.cleaned_data["title"]
        wanted = " ".join(normalise(title).split())
        for existing in CaseStudyPage.objects.values_list("title", flat=True):
            if " ".join(normalise(existing).split()) == wanted:
                raise ValidationError(
                    _("A case called “%(title)s” already exists. Choose a title that says what is different."),
                    params={"title": existing},
                    code="duplicate",
                )
        return title

    def clean_years(self) -> str:
        """A year or a range of years, oldest first, not in the future."""
        years: str = self.cleaned_data["years"].strip().replace("–", "-")
        if not YEARS.match(years):
            raise ValidationError(_("Enter a year like 2021, or a range like 2019-2023."), code="format")
        numbers = [int(part) for part in years.split("-")]
        if numbers != sorted(numbers) or numbers[-1] > dt.datetime.now(tz=dt.UTC).year:
            raise ValidationError(_("Years must be in order and not in the future."), code="range")
        return years

    def clean_image(self) -> UploadedFile | None:
        """An image of an allowed type and size that Pillow can read, of reasonable dimensions."""
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        sniff(upload, IMAGE_TYPES, MAX_IMAGE_BYTES, str(_("image")))
        try:
            with PILImage.open(upload) as picture:
                width, height = picture.size
                picture.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, PILImage.DecompressionBombError):
            raise ValidationError(
                _("The image cannot be read. Save it again as JPEG or PNG."), code="unreadable"
            ) from None
        finally:
            upload.seek(0)
        if width * height > MAX_IMAGE_PIXELS:
            raise ValidationError(_("The image is too large in pixels; make it smaller."), code="pixels")
        return upload

    def clean_attachment(self) -> UploadedFile | None:
        """A PDF, DOCX or ODT file of an allowed size."""
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        sniff(upload, FILE_TYPES, MAX_FILE_BYTES, str(_("document")))
        return upload

    def clean(self) -> dict[str, Any]:
        """Checks across fields: figures cited, a quote with attribution and source, an image with its description."""
        data = super().clean() or {}
        for name in self.CITED_FIELDS:
            text = data.get(name) or ""
            uncited = uncited_figures(text)
            if uncited:
                self.add_error(
                    name,
                    ValidationError(
                        _("Add a source after this figure with [src:N]: “%(text)s…”"),
                        params={"text": uncited[0]},
                        code="uncited",
                    ),
                )
        if data.get("quote_text"):
            if not data.get("quote_attribution"):
                self.add_error("quote_attribution", _("Say who said the quote."))
            if not data.get("quote_source"):
                self.add_error("quote_source", _("Give the number of the public source of the quote."))
        if data.get("image") and not data.get("image_alt"):
            self.add_error("image_alt", _("Describe the image, or remove it."))
        return data


class ResultForm(forms.Form):
    """One result with its figure, and the number of the source that supports it."""

    text = CleanCharField(label=_("Result"), max_length=600, required=False, widget=_textarea(2))
    source = forms.IntegerField(label=_("Source number"), min_value=1, max_value=SOURCE_ROWS, required=False)

    def clean(self) -> dict[str, Any]:
        """A result needs its source; a source number needs a result."""
        data = super().clean() or {}
        if data.get("text") and not data.get("source"):
            self.add_error("source", _("Every result needs the number of the source that supports it."))
        if data.get("source") and not data.get("text"):
            self.add_error("text", _("Write the result, or remove its source number."))
        return data


class SourceForm(forms.Form):
    """A public source: title, publisher, address and the date it was read."""

    title = CleanCharField(label=_("Title of the source"), max_length=400, required=False)
    publisher = CleanCharField(label=_("Publisher"), max_length=255, required=False)
    url = forms.URLField(label=_("Address (URL)"), max_length=1000, required=False, assume_scheme="https")
    accessed = forms.DateField(
        label=_("Date you read it"),
        required=False,
        help_text=_("YYYY-MM-DD"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_url(self) -> str:
        """Only web addresses (http or https)."""
        url: str = self.cleaned_data.get("url") or ""
        if url and not url.lower().startswith(("http://", "https://")):
            raise ValidationError(_("Enter a web address starting with https://."), code="scheme")
        return url

    def clean(self) -> dict[str, Any]:
        """A source row is either empty or complete (title, address and date)."""
        data = super().clean() or {}
        filled = any(data.get(name) for name in ("title", "publisher", "url", "accessed"))
        if filled:
            for name, message in (
                ("title", _("Give the title of the source.")),
                ("url", _("Give the web address of the source.")),
                ("accessed", _("Give the date you read the source.")),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)
        accessed = data.get("accessed")
        if accessed and accessed > dt.datetime.now(tz=dt.UTC).date() + dt.timedelta(days=1):
            self.add_error("accessed", _("The date cannot be in the future."))
        return data

    @property
    def is_filled(self) -> bool:
        """True when any field of the row was filled."""
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in ("title", "publisher", "url", "accessed"))


ResultFormSet = formset_factory(ResultForm, extra=RESULT_ROWS, max_num=RESULT_ROWS, absolute_max=RESULT_ROWS)
SourceFormSet = formset_factory(SourceForm, extra=SOURCE_ROWS, max_num=SOURCE_ROWS, absolute_max=SOURCE_ROWS)


@dataclass
class Submission:
    """The whole guided form: main fields, results and sources, validated together."""

    form: SubmissionForm
    results: Any
    sources: Any

    @classmethod
    def bind(cls, data: Any = None, files: Any = None, *, language: str = "en") -> Submission:
        """Bind (or create empty) the three parts."""
        return cls(
            form=SubmissionForm(data, files, language=language),
            results=ResultFormSet(data, prefix="results"),
            sources=SourceFormSet(data, prefix="sources"),
        )

    def filled_sources(self) -> list[dict[str, Any]]:
        """Complete source rows, in order."""
        return [form.cleaned_data for form in self.sources.forms if form.is_filled]

    def filled_results(self) -> list[dict[str, Any]]:
        """Result rows with text, in order."""
        return [form.cleaned_data for form in self.results.forms if form.cleaned_data.get("text")]

    def is_valid(self) -> bool:
        """Validate every part, then the links between them (citations point at existing sources)."""
        valid = all([self.form.is_valid(), self.results.is_valid(), self.sources.is_valid()])
        if not valid:
            return False
        filled = [form.is_filled for form in self.sources.forms]
        count = sum(filled)
        if count == 0:
            self._first_row("sources").add_error("title", _("Give at least one public source."))
            return False
        if any(not filled[i] and filled[i + 1 :].count(True) for i in range(len(filled))):
            first_gap = filled.index(False)
            self.sources.forms[first_gap].add_error(
                "title", _("Fill in sources in order, without empty rows between them.")
            )
            return False
        if not self.filled_results():
            self._first_row("results").add_error("text", _("Give at least one result, with its source."))
            return False
        self._check_citations(count)
        return not (self.form.errors or any(form.errors for form in self.results.forms))

    def _first_row(self, prefix: str) -> forms.Form:
        """The first row of the results or sources, where "give at least one" errors go.

        The page always sends every row, but the row count comes from the request: with a count of 0 (or
        below) the formset has no rows at all. Then it is bound again to the same data with the usual
        number of rows, so the page shows the error and every row with what was typed, and a count that
        works the next time the form is sent.
        """
        formset = getattr(self, prefix)
        if not formset.forms:
            rows = RESULT_ROWS if prefix == "results" else SOURCE_ROWS
            data = formset.data.copy()
            data[f"{prefix}-TOTAL_FORMS"] = str(rows)
            data[f"{prefix}-INITIAL_FORMS"] = "0"
            formset = type(formset)(data, prefix=prefix)
            formset.is_valid()  # validates each row, so add_error below has cleaned data to work on
            setattr(self, prefix, formset)
        first: forms.Form = formset.forms[0]
        return first

    def _check_citations(self, count: int) -> None:
        """Every source number and [src:N] must point at one of the ``count`` sources given."""
        for form in self.results.forms:
            number = form.cleaned_data.get("source")
            if number and number > count:
                form.add_error("source", _("There is no source %(n)s below.") % {"n": number})
        quote_source = self.form.cleaned_data.get("quote_source")
        if quote_source and quote_source > count:
            self.form.add_error("quote_source", _("There is no source %(n)s below.") % {"n": quote_source})
        for name in (*SubmissionForm.CITED_FIELDS, "quote_text"):
            for match in CITATION.finditer(self.form.cleaned_data.get(name) or ""):
                if not 1 <= int(match.group(1)) <= count:
                    self.form.add_error(
                        name, _("[src:%(n)s] cites a source that is not listed.") % {"n": match.group(1)}
                    )
                    break

    def _anchor(self, name: str) -> str:
        """The id an error-summary link for field ``name`` points at.

        A group of checkboxes has no element with the field's own id (``_checkboxes.html`` numbers each
        box), so its link goes to the first box, as GOV.UK's error summary does, and moves focus there.
        """
        if name == "__all__":
            return "id_title"
        if isinstance(self.form.fields[name].widget, forms.CheckboxSelectMultiple):
            return f"id_{name}_0"
        return f"id_{name}"

    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary at the top of the page."""
        found: list[tuple[str, str]] = []
        for name, errors in self.form.errors.items():
            found.extend((self._anchor(name), str(error)) for error in errors)
        for formset in (self.results, self.sources):
            for form in formset.forms:
                for name, errors in form.errors.items():
                    found.extend((f"id_{form.prefix}-{name}", str(error)) for error in errors)
            found.extend(("", str(error)) for error in formset.non_form_errors())
        return found
