"""End-to-end fixtures: a real CivicBuy server (gunicorn + task worker, as `civicbuy serve` runs it) on
SQLite in a temporary folder, prepared by `civicbuy setup`, and Playwright driving Debian's Chromium.

Every test in this folder is marked ``e2e``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CIVICBUY = Path(sys.executable).parent / "civicbuy"
CHROMIUM = "/usr/bin/chromium"
EDITOR = {"username": "editor", "password": "a-long-editor-password-2026", "email": "editor@example.org"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder as an end-to-end test."""
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def site_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment of the test server: its own data folder and SQLite database."""
    data = tmp_path_factory.mktemp("site-data")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(CIVICBUY_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="civicbuy.config.settings")
    return env


def _prepare(command: list[str], env: dict[str, str]) -> None:
    """Run a set-up command; on failure, fail with what it printed (not just its exit status)."""
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False, timeout=900)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(command[1:])} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def live_site(site_env: dict[str, str]) -> Iterator[str]:
    """Prepare (`civicbuy setup`) and serve (`civicbuy serve`) CivicBuy; yield its base URL."""
    _prepare([str(CIVICBUY), "setup"], site_env)
    _prepare(
        [str(CIVICBUY), "manage", "createsuperuser", "--noinput", "--username", EDITOR["username"],
         "--email", EDITOR["email"]],
        {**site_env, "DJANGO_SUPERUSER_PASSWORD": EDITOR["password"]},
    )  # fmt: skip
    port = _free_port()
    log = (Path(site_env["CIVICBUY_DATA_DIR"]) / "server.log").open("wb")
    server = subprocess.Popen(
        [str(CIVICBUY), "serve", "--port", str(port), "--workers", "2"], env=site_env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the test server did not start; see {log.name}", pytrace=False)
            time.sleep(0.3)
    yield base
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


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
