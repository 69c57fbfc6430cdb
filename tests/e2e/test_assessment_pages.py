"""The self-assessment in a real browser: a full run by keyboard only, in Spanish, PDF and roadmap link.

Uses the end-to-end server and browser fixtures of tests/e2e (a real `civicbuy serve` on SQLite and
Debian's Chromium); marked ``e2e``.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from civicbuy.assessment.model import default_model
from tests.e2e.axe import axe_violations, describe

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.e2e

MAX_TABS = 80


def tab_until(page: Page, condition: str) -> None:
    """Press Tab until the focused element matches a JavaScript condition on ``el`` (keyboard only)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({condition}); }})()"):
            return
    pytest.fail(f"never reached an element where {condition}")


def press_enter_and_wait(page: Page) -> None:
    """Press Enter on the focused link or button and wait for the next page to load."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def check_axe(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def answer_page_by_keyboard(page: Page, levels: list[int]) -> None:
    """Answer each question of a dimension page with the keyboard, then press the save button."""
    for level in levels:
        tab_until(page, "el.type === 'radio' && el.checked")
        # The "not sure yet" radio is checked at first; each ArrowUp moves one option up (5, 4, ...).
        for _ in range(6 - level):
            page.keyboard.press("ArrowUp")
    tab_until(page, "el.tagName === 'BUTTON' && el.value === 'continue'")
    press_enter_and_wait(page)


def test_full_assessment_by_keyboard_in_spanish(page: Page, live_site: str, tmp_path: Path) -> None:
    model = default_model()
    page.goto(f"{live_site}/es/assessment/")
    check_axe(page)
    tab_until(page, "el.name === 'organisation'")
    page.keyboard.type("Ciudad de Prueba")
    tab_until(page, "el.tagName === 'BUTTON'")
    press_enter_and_wait(page)
    expect(page.locator("h1")).to_have_text("Ciudad de Prueba")
    check_axe(page)

    tab_until(page, "el.tagName === 'A' && el.textContent.includes('Empezar a responder')")
    press_enter_and_wait(page)
    check_axe(page)
    for index, dimension in enumerate(model.dimensions):
        expect(page.locator("h1")).to_have_text(dimension.title("es"))
        answer_page_by_keyboard(page, [2 + index % 2] * len(dimension.questions))
    expect(page.locator("h1")).to_have_text("Ciudad de Prueba")
    token_url = page.url

    page.goto(token_url + "targets/")
    check_axe(page)
    tab_until(page, "el.name === 'target-social-value'")
    for _ in range(5):
        page.keyboard.press("ArrowDown")  # "Sin meta" -> level 5
    tab_until(page, "el.tagName === 'BUTTON'")
    press_enter_and_wait(page)
    expect(page.get_by_role("heading", name="Su hoja de ruta")).to_be_visible()
    check_axe(page)

    with page.expect_download() as download_info:
        tab_until(page, "el.tagName === 'A' && el.textContent.includes('Descargar el informe')")
        page.keyboard.press("Enter")
    pdf = tmp_path / "informe.pdf"
    download_info.value.save_as(pdf)
    if shutil.which("pdftotext"):
        raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        text = " ".join(raw.split()).replace(" ·", "·").replace("· ", "·")  # pdftotext spaces "·" unevenly
        for dimension in model.dimensions:
            assert dimension.title("es") in text
        assert "2·En desarrollo" in text
        assert "3·Consolidado" in text
        assert "5·Transformador" in text  # the target set for social value

    tab_until(page, "el.tagName === 'A' && el.getAttribute('href').startsWith('/es/guide/')")
    href = page.evaluate("document.activeElement.getAttribute('href')")
    press_enter_and_wait(page)
    assert page.url.endswith(href)
    assert page.locator("h1").count() == 1
    assert page.locator("html").get_attribute("lang") == "es"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_assessment_pages_pass_axe_and_errors_are_announced(page: Page, live_site: str, lang: str) -> None:
    page.goto(f"{live_site}/{lang}/assessment/")
    with page.expect_navigation():
        page.locator("button[type=submit]").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_axe(page)
    page.locator("input[name=organisation]").fill("Axe city")
    with page.expect_navigation():
        page.locator("button[type=submit]").click()
    overview = page.url
    check_axe(page)
    page.goto(overview + "results/")
    check_axe(page)
    page.goto(overview + "targets/")
    check_axe(page)
    response = page.goto(f"{live_site}/{lang}/assessment/r/{'x' * 43}/")
    assert response is not None
    assert response.status == 404
    check_axe(page)
