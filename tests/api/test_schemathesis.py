"""schemathesis against the live API: a real `civicbuy serve` (gunicorn), its own OpenAPI document.

Every operation is called with generated (valid and invalid) parameters, with and without an API token;
every answer must be a non-5xx response that conforms to the document (status code, content type, body
schema, headers). The server runs on SQLite in a temporary folder, a copy of one prepared by `civicbuy setup`.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.processes import CIVICBUY, free_port, serve, sqlite_env

SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")


@pytest.fixture(scope="module")
def api_server(
    tmp_path_factory: pytest.TempPathFactory, prepared_site: Callable[[Path], Path]
) -> Iterator[dict[str, str]]:
    """Serve CivicBuy on a free loopback port; yield its base URL and an API token."""
    data = prepared_site(tmp_path_factory.mktemp("api-site"))  # as `civicbuy setup --no-demo` leaves it
    env = sqlite_env(
        data,
        CIVICBUY_API_RATE_ANONYMOUS="100000/m",
        CIVICBUY_API_RATE_TOKEN="100000/m",
        DJANGO_SUPERUSER_PASSWORD="a-long-password-for-the-api-test",
    )
    subprocess.run(
        [CIVICBUY, "manage", "createsuperuser", "--noinput", "--username", "robot", "--email", "r@example.org"],
        env=env,
        check=True,
        capture_output=True,
    )
    token = subprocess.run(
        [CIVICBUY, "api", "token", "create", "robot"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    log = data / "server.log"
    arguments = ["--workers", "2", "--no-worker"]
    with serve(arguments, env, port=free_port(), log_path=log, what="the API test server") as base:
        yield {"base": base, "token": token, "log": str(log)}


def test_schemathesis_finds_no_server_error_or_schema_violation(api_server: dict[str, str]) -> None:
    """Every check schemathesis has (server errors, status codes, content types, body schemas, headers,
    rejection of invalid input, acceptance of valid input, ignored authentication) over every operation."""
    result = subprocess.run(
        [
            SCHEMATHESIS, "run", f"{api_server['base']}/api/openapi.json",
            "--checks", "all",
            "--max-examples", "20",
            "--workers", "1",  # one worker: with a fixed seed the run is then repeatable
            "--request-timeout", "60",
            "--header", f"Authorization: Bearer {api_server['token']}",
            "--seed", "20261125",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )  # fmt: skip
    report = Path(api_server["log"]).with_name("schemathesis.txt")
    report.write_text(result.stdout + result.stderr, encoding="utf-8")
    assert result.returncode == 0, f"full report: {report}\n{result.stdout[-4000:]}"
    assert "generated" in result.stdout
    assert "failed" not in result.stdout.split("SUMMARY")[-1], result.stdout
