"""A real production server for the tests: CIVICBUY_ENV=production on a fresh PostgreSQL database.

Requests pretend to come through the TLS proxy (``X-Forwarded-Proto: https``), as in a deployment.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.processes import CIVICBUY, free_port, serve

PG = "postgres://postgres@127.0.0.1:5432"
EDITOR = {"username": "prod-editor", "password": "a-long-production-password-2026"}


def production_env(data_dir: Path, database: str) -> dict[str, str]:
    """Environment of a production CivicBuy using ``database`` on the local PostgreSQL server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICBUY_", "DATABASE_URL"))}
    env.update(
        CIVICBUY_ENV="production",
        CIVICBUY_DATA_DIR=str(data_dir),
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"{PG}/{database}",
    )
    return env


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-qtAc", sql], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def production_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Set up and serve CivicBuy in production mode on its own PostgreSQL database; yield base URL and env."""
    database = f"civicbuy_prod_{os.getpid()}"
    try:
        _psql(f"DROP DATABASE IF EXISTS {database}")
        _psql(f"CREATE DATABASE {database}")
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.fail(f"these tests need PostgreSQL at {PG} ({error})", pytrace=False)
    data = tmp_path_factory.mktemp("production-site")
    env = production_env(data, database)
    port = free_port()
    env["CIVICBUY_CSRF_TRUSTED_ORIGINS"] = f"http://127.0.0.1:{port}"
    setup = subprocess.run([CIVICBUY, "setup", "--no-demo"], env=env, check=True, capture_output=True, timeout=600)
    subprocess.run(
        [CIVICBUY, "manage", "createsuperuser", "--noinput", "--username", EDITOR["username"], "--email", "e@x.org"],
        env={**env, "DJANGO_SUPERUSER_PASSWORD": EDITOR["password"]},
        check=True,
        capture_output=True,
    )
    log_path = data / "server.log"
    with serve(
        ["--workers", "2", "--no-worker"],
        env,
        port=port,
        log_path=log_path,
        what="the production server",
        headers={"X-Forwarded-Proto": "https"},
        start_timeout=90,
    ) as base:
        yield {
            "base": base,
            "log": str(log_path),
            "database": database,
            "setup_output": (setup.stdout + setup.stderr).decode("utf-8", "replace"),
            **{f"env_{k}": v for k, v in env.items()},
        }
    _psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


@pytest.fixture
def editor_login() -> dict[str, str]:
    return dict(EDITOR)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    """Debian's Chromium, headless, as in tests/e2e (never a downloaded browser)."""
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    }  # fmt: skip


@pytest.fixture(scope="session")
def base_url(production_site: dict[str, str]) -> str:
    """Playwright's base URL is the production test server (replaces pytest-base-url's fixture)."""
    return production_site["base"]


@pytest.fixture(scope="module")
def production_browser(browser_type: Any, browser_type_launch_args: dict[str, object]) -> Iterator[Any]:
    """A browser of its own for the production server: it sends HSTS for 127.0.0.1, which a browser remembers.

    Sharing the session's browser would make it upgrade every later test server's pages to https.
    """
    browser = browser_type.launch(**browser_type_launch_args)
    yield browser
    browser.close()


@pytest.fixture
def page(production_browser: Any) -> Iterator[Any]:
    """A fresh page in the production browser (replaces pytest-playwright's page in this folder)."""
    context = production_browser.new_context()
    yield context.new_page()
    context.close()
