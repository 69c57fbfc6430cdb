"""Case-study pages in a real browser: accessible (axe-core), usable without JavaScript, enhanced with htmx."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.axe import axe_violations, describe

PAGES = [
    "/{lang}/case-studies/",
    "/{lang}/case-studies/?q=ecobici",
    "/{lang}/case-studies/?theme=supplier-diversity&region=latin-america-caribbean",
    "/{lang}/case-studies/?q=zzzzqqq",
    "/{lang}/case-studies/mexico-city-ecobici/",
    "/{lang}/case-studies/new-zealand-maori-businesses/",
    "/{lang}/case-studies/submit/",
]


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("path", PAGES)
def test_case_pages_have_no_serious_accessibility_violations(page: Page, live_site: str, path: str, lang: str) -> None:
    response = page.goto(live_site + path.format(lang=lang))
    assert response is not None
    assert response.status == 200
    assert page.locator("h1").count() == 1
    for details in page.locator("details").all():  # check the facet checkboxes too
        details.evaluate("d => d.open = true")
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_submit_page_with_errors_is_accessible(page: Page, live_site: str) -> None:
    page.goto(f"{live_site}/en/case-studies/submit/")
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator("#id_title-error")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_filters_work_without_javascript(browser: Browser, live_site: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_site}/en/case-studies/")
    page.locator("details", has_text="Country").locator("summary").click()
    page.check("#f-country-NZ")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"[?&]country=NZ(&|$)"))
    expect(page.locator("#case-results")).to_contain_text("Māori")
    context.close()


def test_htmx_updates_results_and_the_address(page: Page, live_site: str) -> None:
    page.goto(f"{live_site}/en/case-studies/")
    page.locator("details", has_text="Country").locator("summary").click()
    page.check("#f-country-NZ")
    page.wait_for_url("**/case-studies/?*country=NZ*")
    expect(page.locator("#case-count")).to_have_text("1 case study")
    expect(page.locator("#f-country-NZ")).to_be_checked()
    page.go_back()
    expect(page.locator("#f-country-NZ")).not_to_be_checked()
