"""Real `civicbuy` processes for the tests: the command, its environment, and a served site.

Tests that run `civicbuy` as a user does (operator commands, the API under schemathesis, the browser tests, the
production profile) start it as a separate process. Each needs the same three things, kept here once:

- an environment on a data folder of its own, without the ``DATABASE_URL`` the PostgreSQL lane sets, so that the
  process uses that folder's SQLite database and never the lane's database (:func:`sqlite_env`);
- a free loopback port (:func:`free_port`);
- a server that is up before the first request and stopped afterwards, with its log kept for a failure message
  (:func:`serve`).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence

#: The console script installed beside the Python running the tests.
CIVICBUY = str(Path(sys.executable).parent / "civicbuy")


def sqlite_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Return this process's environment for a `civicbuy` on ``data_dir``'s SQLite database, plus ``extra``."""
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env["CIVICBUY_DATA_DIR"] = str(data_dir)
    env.update(extra)
    return env


def free_port() -> int:
    """Return a loopback port that nothing listens on now (the kernel's choice)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(
    arguments: Sequence[str],
    env: Mapping[str, str],
    *,
    port: int,
    log_path: Path,
    what: str = "the test server",
    headers: Mapping[str, str] | None = None,
    start_timeout: float = 60,
) -> Iterator[str]:
    """Run ``civicbuy serve --port PORT ARGUMENTS``; yield its base URL once ``/healthz`` answers 200, then stop it.

    Fails the test (naming ``what`` and the log) when the server exits or does not answer within
    ``start_timeout`` seconds. ``headers`` go with the health check (a production server wants the proxy's).
    """
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [CIVICBUY, "serve", "--port", str(port), *arguments], env=dict(env), stdout=log, stderr=log
        )
        try:
            _wait_until_healthy(
                server, base, dict(headers or {}), start_timeout, f"{what} did not start; see {log_path}"
            )
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_healthy(
    server: subprocess.Popen[bytes], base: str, headers: dict[str, str], timeout: float, failure: str
) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(f"{base}/healthz", headers=headers)  # noqa: S310 - loopback
    while True:
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail(failure, pytrace=False)
        time.sleep(0.3)
