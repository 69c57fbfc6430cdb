"""The Content-Security-Policy in a real browser: public pages and the Wagtail editor work with no violation.

Chromium reports every blocked script, style or image on the console; the production server (PostgreSQL)
is reached as through a TLS proxy (``X-Forwarded-Proto: https``)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def _violations(page: Any) -> list[str]:
    found: list[str] = []
    page.on(
        "console", lambda message: found.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.set_extra_http_headers({"X-Forwarded-Proto": "https"})
    return found


@pytest.mark.parametrize(
    "path", ["/en/", "/en/guide/plan/understand-the-need/", "/en/case-studies/", "/en/assessment/", "/api/docs"]
)
def test_public_pages_have_no_csp_violation(page: Any, production_site: dict[str, str], path: str) -> None:
    violations = _violations(page)
    response = page.goto(production_site["base"] + path)
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    assert violations == []


def test_editor_logs_in_and_edits_a_page_under_the_csp(
    page: Any, production_site: dict[str, str], editor_login: dict[str, str]
) -> None:
    violations = _violations(page)
    page.goto(production_site["base"] + "/admin/login/")
    page.fill("input[name=username]", editor_login["username"])
    page.fill("input[name=password]", editor_login["password"])
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")
    assert "Dashboard" in page.title() or page.locator("main").count() == 1
    page.goto(production_site["base"] + "/admin/pages/")
    page.wait_for_load_state("networkidle")
    first_edit = page.locator("a[href*='/edit/']").first
    first_edit.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("form#page-edit-form").count() == 1
    assert violations == []
