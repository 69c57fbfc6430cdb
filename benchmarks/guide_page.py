"""Page weight and render time of a guide step page, measured against a real `civicbuy serve`.

What it does (loopback only, bounded in time):
1. prepares a fresh data folder with `civicbuy setup --no-demo` and starts `civicbuy serve` (gunicorn,
   2 workers, whitenoise) on a free port;
2. opens the step page in Debian's Chromium with Playwright and adds up every resource of the first load
   (bytes on the wire, after gzip/brotli where the server compresses, and decoded bytes);
3. sends REQUESTS requests with CONCURRENCY parallel clients to the same page and reports the median,
   p95 and p99 server response time (time to the last byte).

Run: .venv/bin/python benchmarks/guide_page.py [--requests 2000] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from playwright.sync_api import sync_playwright

CIVICBUY = str(Path(sys.executable).parent / "civicbuy")
STEP = "/en/guide/tender/set-realistic-deadlines/"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not start")


def page_weight(url: str) -> tuple[int, int, list[tuple[str, int]]]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        client = page.context.new_cdp_session(page)
        client.send("Network.enable")
        wire: dict[str, int] = {}
        urls: dict[str, str] = {}
        client.on("Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]))
        client.on("Network.loadingFinished", lambda e: wire.__setitem__(e["requestId"], int(e["encodedDataLength"])))
        page.goto(url, wait_until="networkidle")
        decoded = page.evaluate(
            "() => performance.getEntriesByType('resource').reduce((s, r) => s + r.decodedBodySize, 0)"
            " + performance.getEntriesByType('navigation')[0].decodedBodySize"
        )
        browser.close()
    rows = sorted(((urls.get(k, k), v) for k, v in wire.items()), key=lambda r: -r[1])
    return sum(wire.values()), int(decoded), rows


def fetch(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        response.read()
        if response.status != 200:
            raise RuntimeError(response.status)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["CIVICBUY_DATA_DIR"] = data
        subprocess.run([CIVICBUY, "setup", "--no-demo"], env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [CIVICBUY, "serve", "--port", str(port), "--no-worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base, time.monotonic() + 60)
            wire, decoded, rows = page_weight(base + STEP)
            print(f"Page weight of {STEP} (first load, all assets): {wire / 1024:.1f} KiB on the wire, "
                  f"{decoded / 1024:.1f} KiB decoded")  # fmt: skip
            for url, size in rows:
                print(f"  {size / 1024:8.1f} KiB  {url.replace(base, '')}")
            for _ in range(20):  # warm-up
                fetch(base + STEP)
            with ThreadPoolExecutor(args.concurrency) as pool:
                started = time.perf_counter()
                times = list(pool.map(lambda _: fetch(base + STEP), range(args.requests)))
                elapsed = time.perf_counter() - started
            times.sort()
            print(
                f"Render time of {STEP}, {args.requests} requests, {args.concurrency} concurrent: "
                f"median {statistics.median(times) * 1000:.1f} ms, p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms, "
                f"p99 {times[int(len(times) * 0.99)] * 1000:.1f} ms, {args.requests / elapsed:.0f} requests/s"
            )
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
