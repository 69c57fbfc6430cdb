"""Case submissions in a real browser: anonymous proposal -> editor approval -> search; XSS never runs."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from playwright.sync_api import Browser, Page, expect

SCRIPT_VECTORS = [
    "<script>window.__xss = 'script'; alert('script')</script>",
    "<img src=x onerror=\"window.__xss = 'img'; alert('img')\">",
    "<svg onload=\"window.__xss = 'svg'; alert('svg')\"></svg>",
    "[click me](javascript:window.__xss='link';alert('link'))",
    "[tab trick](java&#x09;script:alert('entity'))",
    "&lt;script&gt;window.__xss = 'entity'&lt;/script&gt;",
    "<a href=\"javascript:alert('anchor')\" onclick=\"window.__xss='click'\">anchor</a>",
    "<iframe srcdoc=\"<script>parent.__xss='iframe'</script>\"></iframe>",
    "<details open ontoggle=\"window.__xss='toggle'; alert('toggle')\">x</details>",
    "<<script>script>alert('nested')<</script>/script>",
]
HOSTILE = " ".join(SCRIPT_VECTORS)


def _fill_case(page: Page, title: str, *, text: str = "") -> None:
    page.fill("#id_title", title)
    page.select_option("#id_country", "PT")
    page.fill("#id_city", f"Porto {text}")
    page.fill("#id_organisation", f"Porto City Council {text}")
    page.fill("#id_years", "2021-2023")
    page.fill("#id_summary_1", f"The city bought school meals from local farms. {text}")
    page.fill("#id_summary_2", "It split the contract into lots.")
    page.fill("#id_summary_3", "Local farms now supply a large share.")
    page.fill("#id_problem", f"Food travelled far and few local firms could bid. {text} [src:1]")
    page.fill("#id_approach", f"The city split the tender into lots and met farmers first. {text} [src:1]")
    page.fill("#id_challenges", f"Paperwork was hard for small farms. {text} [src:1]")
    page.fill("#id_reusable", f"- Split big contracts into lots.\n- Meet suppliers early. {text} [src:1]")
    page.check("input[name=stages][value=engage-market]")
    page.check("input[name=themes][value=sme-local]")
    page.fill("#id_results-0-text", f"Local farms supplied 40% of the food in 2023. {text}")
    page.fill("#id_results-0-source", "1")
    page.fill("#id_sources-0-title", f"Porto school meals report {text}")
    page.fill("#id_sources-0-publisher", "Porto City Council")
    page.fill("#id_sources-0-url", "https://example.org/porto-report")
    page.fill("#id_sources-0-accessed", (dt.datetime.now(tz=dt.UTC).date() - dt.timedelta(days=2)).isoformat())
    page.fill("#id_submitter_email", "proposer@example.org")
    page.check("#id_confirm")


def _submit(page: Page, live_site: str, title: str, *, text: str = "") -> str:
    page.goto(f"{live_site}/en/case-studies/submit/")
    _fill_case(page, title, text=text)
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator("h1")).to_have_text("Case study received")
    return page.url.split("?")[0]


def _editor(browser: Browser, live_site: str, credentials: dict[str, str]) -> Page:
    editor = browser.new_page()
    editor.goto(f"{live_site}/admin/login/")
    editor.fill("#id_username", credentials["username"])
    editor.fill("#id_password", credentials["password"])
    editor.locator("button[type=submit]").click()
    editor.wait_for_url(re.compile(r"/admin/$"))
    return editor


def _approve(editor: Page, live_site: str, title: str) -> None:
    editor.goto(f"{live_site}/admin/")
    editor.get_by_role("link", name=title).first.click()  # the dashboard's "Awaiting your review" panel
    editor.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
    approve = editor.locator('button[data-workflow-action-name="approve"]:not([data-workflow-action-modal-url])')
    with editor.expect_navigation():
        approve.dispatch_event("click")  # the action sits in the footer's dropdown; this is what choosing it does
    expect(editor.locator(".messages")).to_contain_text(title)


def test_anonymous_submission_is_approved_by_an_editor_and_appears_in_search(
    page: Page, browser: Browser, live_site: str, editor_credentials: dict[str, str]
) -> None:
    title = f"Porto school meals from local farms {uuid.uuid4().hex[:6]}"
    status_url = _submit(page, live_site, title)
    expect(page.locator("#submission-status")).to_have_text("Waiting for review")

    page.goto(f"{live_site}/en/case-studies/?q={title.rsplit(maxsplit=1)[-1]}")
    expect(page.locator("#case-count")).to_have_text("0 case studies")

    editor = _editor(browser, live_site, editor_credentials)
    _approve(editor, live_site, title)

    page.goto(f"{live_site}/en/case-studies/?q={title.rsplit(maxsplit=1)[-1]}")
    expect(page.locator("#case-results h3")).to_have_text([title])
    page.get_by_role("link", name=title).click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#results")).to_contain_text("Porto school meals report")

    page.goto(status_url)
    expect(page.locator("#submission-status")).to_have_text("Published")


def test_xss_vectors_never_execute_on_the_review_or_public_page(
    page: Page, browser: Browser, live_site: str, editor_credentials: dict[str, str]
) -> None:
    dialogs: list[str] = []
    title = f"Hostile case {uuid.uuid4().hex[:6]}"
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    status_url = _submit(page, live_site, title, text=HOSTILE)
    assert page.evaluate("window.__xss") is None

    editor = _editor(browser, live_site, editor_credentials)
    editor.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    editor.get_by_role("link", name=title).first.click()
    editor.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
    page_id = re.search(r"/admin/pages/(\d+)/edit/", editor.url).group(1)  # type: ignore[union-attr]
    assert editor.evaluate("window.__xss") is None
    for path in (f"/admin/pages/{page_id}/view_draft/", f"/admin/pages/{page_id}/history/"):
        editor.goto(live_site + path)
        editor.wait_for_load_state("networkidle")
        assert editor.evaluate("window.__xss") is None, path
    _approve(editor, live_site, title)

    page.goto(status_url)
    public_url = page.get_by_role("link", name="Read the published case study").get_attribute("href")
    page.goto(live_site + str(public_url))
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("Hostile case")
    for link in page.locator("#main-content a").all():
        href = (link.get_attribute("href") or "").lower().replace("\t", "")
        assert not href.startswith(("javascript:", "data:", "vbscript:")), href
    for selector in (
        "#main-content script",
        "#main-content iframe",
        "#main-content svg[onload]",
        "#main-content [onerror]",
    ):
        assert page.locator(selector).count() == 0, selector
    page.locator("#main-content a").first.click(trial=True)
    assert page.evaluate("window.__xss") is None
    page.goto(f"{live_site}/en/case-studies/?q={title.rsplit(maxsplit=1)[-1]}")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
