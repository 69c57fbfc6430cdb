"""The performance dashboard in a real browser, against `civicbuy serve` and its background worker.

Uploads a real OCDS file from the shared samples, watches the progress bar reach 100%, opens the dashboard,
follows "How to improve this" from a red flag to its guide step, downloads the Excel and PDF exports and reads
them, and checks every dashboard page with axe-core.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.e2e.axe import axe_violations, describe

#: Generous: the shared machine may be busy (`civicbuy setup` already loaded the demo city, so the queue is ours).
INGEST_TIMEOUT_MS = 10 * 60 * 1000


def _login(page: Page, live_site: str, credentials: dict[str, str]) -> None:
    page.goto(f"{live_site}/admin/login/")
    page.fill("#id_username", credentials["username"])
    page.fill("#id_password", credentials["password"])
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def _check(page: Page, found: dict[str, Any]) -> None:
    # A click returns once the next page's navigation has started, not once it has loaded: on a busy machine the
    # heading can still be on its way, so wait for the load, and let `expect` retry the count.
    page.wait_for_load_state("load")
    expect(page.locator("h1"), page.url).to_have_count(1)
    violations = axe_violations(page)
    if violations:
        found[page.url] = describe(violations)


def _upload_and_watch(page: Page, live_site: str, sample: Path, name: str, violations: dict[str, Any]) -> str:
    page.goto(f"{live_site}/en/dashboard/")
    _check(page, violations)
    page.get_by_label("Name of the dataset").fill(name)
    page.get_by_label("OCDS file").set_input_files(sample)
    page.get_by_role("button", name="Upload and analyse").click()
    page.wait_for_url(re.compile(r"/en/dashboard/jobs/\d+/$"))
    expect(page.locator("#progress-bar")).to_be_visible()
    _check(page, violations)
    page.reload()  # the progress survives a reload
    expect(page.locator("#progress-bar")).to_be_visible()
    expect(page.locator("#progress-text")).to_have_attribute("data-percent", "100", timeout=INGEST_TIMEOUT_MS)
    expect(page.locator("#progress-bar")).to_have_attribute("value", "100")
    expect(page.locator("#progress-text")).to_contain_text("100%: finished. 100 processes read.")
    _check(page, violations)
    return page.url


def _download(page: Page, link: str | re.Pattern[str], target: Path) -> Path:
    with page.expect_download() as download_info:
        page.get_by_role("link", name=link).click()
    download_info.value.save_as(target)
    return target


def _check_exports(page: Page, name: str, tmp_path: Path) -> None:
    sheet = load_workbook(_download(page, re.compile(r"^Excel\W+flagged processes"), tmp_path / "flagged.xlsx")).active
    assert sheet.cell(1, 1).value == "OCID"
    assert sheet.max_row > 1
    assert str(sheet.cell(2, 1).value).startswith("AM-PPS-")  # the Armenian sample's ocids
    pdf = _download(page, "The dashboard as a PDF report", tmp_path / "dashboard.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert name in text
    assert "Integrity: red flags" in text
    assert "We can compute" in text


def _visit_other_pages(page: Page, overview_url: str, job_url: str, violations: dict[str, Any]) -> None:
    page.goto(overview_url)
    page.get_by_role("link", name="Buyers", exact=True).click()
    _check(page, violations)
    page.locator("table a.govuk-link").first.click()
    expect(page).to_have_url(re.compile(r"/buyers/.+/$"))
    _check(page, violations)
    page.goto(overview_url)
    page.get_by_role("link", name="Red flags", exact=True).click()
    _check(page, violations)
    page.locator("table th a.govuk-link").first.click()
    expect(page).to_have_url(re.compile(r"/processes/.+/$"))
    expect(page.get_by_role("heading", name="The compiled release")).to_be_visible()
    _check(page, violations)
    for url in (overview_url + "?year=2018", overview_url.rstrip("/") + "/upload/", job_url):
        page.goto(url)
        _check(page, violations)


def test_upload_watch_progress_improve_and_export(
    page: Page, live_site: str, editor_credentials: dict[str, str], shared_dir: Path, tmp_path: Path
) -> None:
    sample = shared_dir / "data/ocds-samples/armenia-armeps/releases/6.json"
    name = f"Armenia sample {uuid.uuid4().hex[:6]}"
    violations: dict[str, Any] = {}
    _login(page, live_site, editor_credentials)
    job_url = _upload_and_watch(page, live_site, sample, name, violations)

    page.get_by_role("link", name="Open the dashboard").click()
    expect(page.locator("h1")).to_have_text(name)
    overview_url = page.url
    expect(page.get_by_text("We can compute")).to_be_visible()
    _check(page, violations)

    # From a red flag to the guide step that explains how to improve it.
    integrity = page.locator("#integrity")
    expect(integrity.locator(".cb-flag", has_text="R003")).to_be_visible()
    # GOV.UK's visually hidden text adds spaces around itself in the accessible name, hence the pattern.
    integrity.get_by_role("link", name=re.compile(r"How to improve this\W+Short submission period")).click()
    expect(page).to_have_url(f"{live_site}/en/guide/tender/set-realistic-deadlines/")
    expect(page.locator("h1")).to_be_visible()

    page.goto(overview_url)
    _check_exports(page, name, tmp_path)
    _visit_other_pages(page, overview_url, job_url, violations)
    assert not violations, "\n".join(f"{url}:\n{text}" for url, text in violations.items())


def test_a_file_that_is_not_ocds_gets_a_clear_message(
    page: Page, live_site: str, editor_credentials: dict[str, str], tmp_path: Path
) -> None:
    _login(page, live_site, editor_credentials)
    wrong = tmp_path / "not-ocds.json"
    wrong.write_text('{"hello": "world"}')
    page.goto(f"{live_site}/en/dashboard/")
    page.get_by_label("Name of the dataset").fill(f"Wrong {uuid.uuid4().hex[:6]}")
    page.get_by_label("OCDS file").set_input_files(wrong)
    page.get_by_role("button", name="Upload and analyse").click()
    expect(page.get_by_role("alert")).to_contain_text("This file is not OCDS data")
    expect(page.get_by_role("alert")).to_contain_text("not-ocds.json")
    violations = axe_violations(page)
    assert not violations, describe(violations)
