"""The language switch and hreflang links lead only to pages that exist."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from wagtail.models import Locale

from civicbuy.casestudies.models import CaseStudyPage

pytestmark = pytest.mark.django_db

SLUG = "barcelona-social-clauses"


def _alternates(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([a-z]+)" href="([^"]+)">', html))


def _switch(html: str) -> tuple[str, str]:
    [(href, text)] = re.findall(r'<a class="govuk-link cb-header__lang" href="([^"]+)"[^>]*>([^<]+)</a>', html)
    return href, text


def test_a_translated_page_links_to_its_translation(client: Client) -> None:
    html = client.get(f"/en/case-studies/{SLUG}/").content.decode()
    spanish = CaseStudyPage.objects.get(locale__language_code="en", slug=SLUG).get_translation(
        Locale.objects.get(language_code="es")
    )
    assert _alternates(html) == {"es": spanish.url}
    assert _switch(html) == (spanish.url, "Leer en español")
    assert client.get(spanish.url).status_code == 200


def test_a_page_in_one_language_links_to_its_section_and_has_no_hreflang(client: Client) -> None:
    """Like every case study sent in through the public form: there is no Spanish page at the same path."""
    english = CaseStudyPage.objects.get(locale__language_code="en", slug=SLUG)
    english.get_translation(Locale.objects.get(language_code="es")).delete()
    response = client.get(f"/en/case-studies/{SLUG}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _alternates(html) == {}
    href, text = _switch(html)
    assert href == "/es/case-studies/"
    assert text.startswith("En español: ")
    assert client.get(href).status_code == 200
    assert client.get(f"/es/case-studies/{SLUG}/").status_code == 404  # where the old switch led


def test_views_that_are_not_cms_pages_link_to_the_same_path(client: Client) -> None:
    html = client.get("/en/search/", {"q": "buses"}).content.decode()
    assert _alternates(html) == {"es": "/es/search/?q=buses"}


def test_an_error_page_leads_to_the_other_home_page_without_hreflang(client: Client) -> None:
    response = client.get("/en/nothing-here/")
    assert response.status_code == 404
    html = response.content.decode()
    assert _alternates(html) == {}
    assert _switch(html) == ("/es/", "Leer en español")
