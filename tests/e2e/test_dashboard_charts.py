"""Dashboard charts in a real browser: the server's SVG becomes an interactive chart under the production CSP.

The shared test server runs the development profile (no Content-Security-Policy header), so the browser is given
the production policy (``civicbuy.config.production.POLICY``) on every page it loads: a chart that needed
``eval`` or an injected ``<style>`` would then be reported on the console, as in production.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, Route, expect

from civicbuy.config.production import POLICY
from tests.e2e.axe import axe_violations, describe

CSP = "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in POLICY.items())


def _with_production_csp(route: Route) -> None:
    response = route.fetch()
    headers = dict(response.headers)
    if headers.get("content-type", "").startswith("text/html"):
        headers["content-security-policy"] = CSP
    route.fulfill(response=response, headers=headers)


def _open_demo_dashboard(page: Page, live_site: str) -> str:
    page.goto(f"{live_site}/en/dashboard/")
    page.get_by_role("link", name="Demo City procurement").click()
    expect(page).to_have_url(re.compile(r"/en/dashboard/\d+/$"))
    return page.url


def test_charts_become_interactive_with_tooltips_under_the_csp(page: Page, live_site: str) -> None:
    problems: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning") and not message.location.get("url", "").endswith("favicon.ico"):
            problems.append(f"{message.type}: {message.text}")

    page.on("console", note)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.route(f"{live_site}/**", _with_production_csp)
    overview_url = _open_demo_dashboard(page, live_site)  # ready at once: `civicbuy setup` loaded it

    figure = page.locator("#competition figure[data-vega-spec]").first
    interactive = figure.locator(".cb-chart-interactive svg")
    expect(interactive).to_be_visible()
    expect(figure.locator(".cb-chart-static")).to_be_hidden()
    expect(figure.locator("figcaption")).to_contain_text("by year")  # the text summary stays
    assert page.locator(".cb-chart-interactive svg").count() == page.locator("figure[data-vega-spec]").count()

    figure.locator(".mark-symbol path").first.hover()
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Year")
    expect(tooltip).to_contain_text(re.compile(r"\d+\.\d%"))
    assert problems == [], "\n".join(problems)

    # axe-core is injected as an inline script, which the CSP rightly refuses: check the same page without it.
    page.unroute(f"{live_site}/**")
    page.goto(overview_url)
    expect(page.locator(".cb-chart-interactive svg").first).to_be_visible()
    violations: list[Any] = axe_violations(page)
    assert not violations, describe(violations)


def test_pages_without_charts_do_not_load_the_chart_scripts(page: Page, live_site: str) -> None:
    overview_url = _open_demo_dashboard(page, live_site)
    expect(page.locator("script[src*='vega'], script[src*='charts.js']")).to_have_count(4)
    page.goto(overview_url + "red-flags/")  # goto waits for the whole page to load
    expect(page.locator("h1")).to_be_visible()
    assert page.locator("script[src*='vega'], script[src*='charts.js']").count() == 0
