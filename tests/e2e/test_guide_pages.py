"""The guide in a real browser: every page type answers, passes axe-core, and works by keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import axe_violations, describe

PAGE_TYPES = [
    "/{lang}/",
    "/{lang}/guide/",
    "/{lang}/guide/tender/",
    "/{lang}/guide/tender/set-realistic-deadlines/",
    "/{lang}/guide/topics/",
    "/{lang}/guide/topics/social-value/",
    "/{lang}/guide/emergency/",
    "/{lang}/guide/emergency/prepare-before-an-emergency/",
    "/{lang}/guide/plan-a-purchase/",
    "/{lang}/guide/plan-a-purchase/?what=electric+buses&value=large&urgency=normal&goals=carbon",
    "/{lang}/search/?q=competition",
    "/{lang}/no-such-page/",
]


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("path", PAGE_TYPES)
def test_page_type_is_accessible(page: Page, live_site: str, path: str, lang: str) -> None:
    url = live_site + path.format(lang=lang)
    response = page.goto(url)
    assert response is not None
    expected = 404 if "no-such-page" in path else 200
    assert response.status == expected, url
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").count() == 1
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_skip_link_moves_focus_to_main_content(page: Page, live_site: str) -> None:
    page.goto(f"{live_site}/en/guide/tender/set-realistic-deadlines/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_language_switcher_opens_the_same_step_in_spanish(page: Page, live_site: str) -> None:
    page.goto(f"{live_site}/en/guide/tender/set-realistic-deadlines/")
    page.get_by_role("link", name="Leer en español").click()
    expect(page).to_have_url(f"{live_site}/es/guide/tender/set-realistic-deadlines/")
    expect(page.locator("html")).to_have_attribute("lang", "es")


def test_step_page_has_every_part_and_previous_next(page: Page, live_site: str) -> None:
    page.goto(f"{live_site}/en/guide/tender/set-realistic-deadlines/")
    for heading in ["Why it matters", "What to do", "Checklist", "Themes and SDG targets"]:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Previous step"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Next step"))).to_be_visible()
    first_box = page.locator("input[data-cb-checklist]").first
    first_box.check()
    page.reload()
    expect(page.locator("input[data-cb-checklist]").first).to_be_checked()


def test_pathfinder_by_keyboard_only(page: Page, live_site: str) -> None:
    """Fill in the pathfinder with the keyboard alone and get a plan."""
    page.goto(f"{live_site}/en/guide/plan-a-purchase/")
    page.locator("#id_what").focus()
    page.keyboard.type("electric buses")
    page.keyboard.press("Tab")  # category select: leave empty (the words decide)
    page.keyboard.press("Tab")  # value radios: first option
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # third option: 100,000 to 1 million
    page.keyboard.press("Tab")  # urgency radios
    page.keyboard.press("Space")  # first option: normal
    page.keyboard.press("Tab")  # first goal checkbox: local jobs
    page.keyboard.press("Tab")  # second goal: carbon
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past inclusion, innovation, transparency
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Get my plan")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Your purchase plan")).to_be_visible()
    assert "value=large" in page.url
    assert "goals=carbon" in page.url
    expect(page.get_by_text("Road transport (vehicles and mobility services)")).to_be_visible()
    steps = page.locator("ol.cb-steps > li")
    assert steps.count() >= 10
    expect(page.get_by_role("link", name="Give bidders enough time", exact=False).first).to_be_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_pathfinder_errors_are_shown_next_to_the_fields(page: Page, live_site: str) -> None:
    response = page.goto(f"{live_site}/en/guide/plan-a-purchase/?what=&value=huge&urgency=soon")
    assert response is not None
    assert response.status == 400
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert page.locator(".govuk-error-message").count() >= 2
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_feedback_is_recorded_without_javascript_reload(page: Page, live_site: str) -> None:
    page.goto(f"{live_site}/en/guide/tender/encourage-competition/")
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Thank you for your feedback.")).to_be_visible()
