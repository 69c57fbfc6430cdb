"""Impact pages in a real browser on the live demo city: content, no-JS forms, the PDF, and axe."""

from __future__ import annotations

import re
import time
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import axe_violations, describe


def _demo_dataset_url(live_site: str) -> str:
    """Wait for the worker to ingest the demo city (queued by `civicbuy setup`); return its impact page."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{live_site}/en/impact/", timeout=30) as response:  # noqa: S310 - loopback
            found = re.search(r'href="(/en/impact/dataset/\d+/)"', response.read().decode())
        if found:
            return found.group(1)
        time.sleep(2)
    pytest.fail("the demo city's dataset was not ingested within 3 minutes", pytrace=False)


def test_impact_pages_work_and_are_accessible(page: Page, live_site: str) -> None:
    url = _demo_dataset_url(live_site)
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Impact of spend")
    expect(page.get_by_text("tonnes CO2e").first).to_be_visible()
    expect(page.locator("svg[role=img]")).to_have_count(2)
    assert not (violations := axe_violations(page)), describe(violations)

    page.get_by_role("link", name="Scenarios").click()
    page.get_by_role("button", name="Show the difference").click()
    expect(page.get_by_text("What each assumption changes")).to_be_visible()
    assert not (violations := axe_violations(page)), describe(violations)

    page.goto(url + "commitments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Social-value commitments")
    assert not (violations := axe_violations(page)), describe(violations)

    page.goto(url.replace("/en/", "/es/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Impacto del gasto")
    assert not (violations := axe_violations(page)), describe(violations)


def test_impact_pdf_downloads(page: Page, live_site: str) -> None:
    url = _demo_dataset_url(live_site)
    response = page.request.get(f"{live_site}{url}report.pdf")
    assert response.status == 200
    assert response.body().startswith(b"%PDF")
