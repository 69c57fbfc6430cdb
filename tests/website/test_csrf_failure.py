"""A form whose CSRF check fails gets the site's own 403 page, in the page's language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from civicbuy.guide.models import GuideStepPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict_client() -> Client:
    """A browser that sent no CSRF cookie (blocked or cleared), with Django's check on as in a real request."""
    return Client(enforce_csrf_checks=True)


def test_the_failure_view_is_the_sites_own() -> None:
    assert settings.CSRF_FAILURE_VIEW == "civicbuy.website.views.csrf_failure"


def test_a_form_sent_without_its_cookie_explains_what_to_do(strict_client: Client) -> None:
    response = strict_client.post("/en/case-studies/submit/", {"title": "Buying electric buses"})
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert 'class="govuk-skip-link"' in html  # the site's layout, not Django's bare page
    assert "Your form could not be sent" in html
    assert "cookie" in html
    assert "Back button" in html
    assert "CSRF" not in html
    assert html.count("<h1") == 1


def test_the_page_is_in_the_language_of_the_form(strict_client: Client) -> None:
    step = GuideStepPage.objects.get(locale__language_code="es", slug="encourage-competition")
    response = strict_client.post(f"/es/feedback/{step.pk}/", {"useful": "yes"})
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="es"' in html
    assert "Ir a la página de inicio" in html
    assert "No se pudo enviar el formulario" in html
    assert "Use el botón Atrás de su navegador." in html
    assert 'href="/en/"' in html  # the language switch leads to a page that exists
    assert 'rel="alternate"' not in html
    assert "Prohibido" not in html


def test_the_production_profile_keeps_the_failure_view() -> None:
    """production.apply() rewrites many settings; this one must survive it (checked without starting a server)."""
    import copy

    from civicbuy.config import production
    from civicbuy.config import settings as defaults

    values = copy.deepcopy({name: getattr(defaults, name) for name in dir(defaults) if name.isupper()})
    values.update(SECRET_KEY="a-real-production-secret-" + "x" * 40, IS_POSTGRES=True)
    production.apply(values)
    assert values["DEBUG"] is False  # the profile was applied
    assert values["CSRF_FAILURE_VIEW"] == "civicbuy.website.views.csrf_failure"
