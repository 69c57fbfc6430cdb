"""End-to-end fixtures: a real CivicBuy server (gunicorn + task worker, as `civicbuy serve` runs it) on
SQLite in a temporary folder, prepared by `civicbuy setup`, and Playwright driving Debian's Chromium.

Every test in this folder is marked ``e2e``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.processes import CIVICBUY, free_port, serve, sqlite_env

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
EDITOR = {"username": "editor", "password": "a-long-editor-password-2026", "email": "editor@example.org"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder as an end-to-end test."""
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def site_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment of the test server: its own data folder and SQLite database."""
    data = tmp_path_factory.mktemp("site-data")
    return sqlite_env(data, DJANGO_SETTINGS_MODULE="civicbuy.config.settings")


def _prepare(command: list[str], env: dict[str, str]) -> None:
    """Run a set-up command; on failure, fail with what it printed (not just its exit status)."""
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=900)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(command[1:])} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def live_site(site_env: dict[str, str]) -> Iterator[str]:
    """Prepare (`civicbuy setup`) and serve (`civicbuy serve`) CivicBuy; yield its base URL."""
    _prepare([CIVICBUY, "setup"], site_env)
    _prepare(
        [CIVICBUY, "manage", "createsuperuser", "--noinput", "--username", EDITOR["username"],
         "--email", EDITOR["email"]],
        {**site_env, "DJANGO_SUPERUSER_PASSWORD": EDITOR["password"]},
    )  # fmt: skip
    log = Path(site_env["CIVICBUY_DATA_DIR"]) / "server.log"
    with serve(["--workers", "2"], site_env, port=free_port(), log_path=log) as base:
        yield base


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium (never a downloaded browser), headless, with no network chatter."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make install` (it installs Debian's chromium)", pytrace=False)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--no-first-run",
            "--disable-sync", "--disable-quic",
        ],
    }  # fmt: skip


@pytest.fixture
def editor_credentials() -> dict[str, str]:
    """User name and password of the editor (a superuser) created on the test server."""
    return dict(EDITOR)


@pytest.fixture(scope="session")
def base_url(live_site: str) -> str:
    """Playwright's base URL is the test server (replaces pytest-base-url's fixture)."""
    return live_site
