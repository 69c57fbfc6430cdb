"""Template helpers of the case-study pages: the citation shown next to a figure."""

from __future__ import annotations

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from civicbuy.casestudies.models import CaseStudyPage

register = template.Library()


@register.simple_tag
def source_note(page: CaseStudyPage, number: int | None) -> SafeString:
    """The citation next to a figure: "Source 2: Title, Publisher, accessed Nov. 25, 2026", linked.

    The date is in the page language's own format (Django's DATE_FORMAT: "25 de noviembre de 2026" in
    Spanish), the same as in the list of sources below, so a page never shows one date two ways.
    """
    sources = list(page.sources)
    if not number or not 1 <= int(number) <= len(sources):
        return format_html('<span class="cb-result-meta">{}</span>', _("Source missing"))
    value = sources[int(number) - 1].value
    accessed = value.get("accessed")
    return format_html(
        '<span class="cb-result-meta"><a class="govuk-link" href="#source-{n}">{label}</a>: '
        '<a class="govuk-link" href="{url}" rel="noopener noreferrer">{title}</a>{publisher}{accessed}</span>',
        n=number,
        label=_("Source %(n)s") % {"n": number},
        url=value["url"],
        title=value["title"],
        publisher=f", {value['publisher']}" if value.get("publisher") else "",
        accessed=(", " + _("accessed %(date)s") % {"date": date_format(accessed, "DATE_FORMAT")}) if accessed else "",
    )
