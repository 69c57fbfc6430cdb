"""schemathesis against the live API: a real `civicbuy serve` (gunicorn), its own OpenAPI document.

Every operation is called with generated (valid and invalid) parameters, with and without an API token;
every answer must be a non-5xx response that conforms to the document (status code, content type, body
schema, headers). The server runs on SQLite in a temporary folder, a copy of one prepared by `civicbuy setup`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CIVICBUY = str(Path(sys.executable).parent / "civicbuy")
SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def api_server(
    tmp_path_factory: pytest.TempPathFactory, prepared_site: Callable[[Path], Path]
) -> Iterator[dict[str, str]]:
    """Serve CivicBuy on a free loopback port; yield its base URL and an API token."""
    data = prepared_site(tmp_path_factory.mktemp("api-site"))  # as `civicbuy setup --no-demo` leaves it
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        CIVICBUY_DATA_DIR=str(data),
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
    port = _free_port()
    log = (data / "server.log").open("wb")
    server = subprocess.Popen(
        [CIVICBUY, "serve", "--port", str(port), "--workers", "2", "--no-worker"], env=env, stdout=log, stderr=log
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
                pytest.fail(f"the API test server did not start; see {log.name}", pytrace=False)
            time.sleep(0.3)
    yield {"base": base, "token": token, "log": str(data / "server.log")}
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


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
