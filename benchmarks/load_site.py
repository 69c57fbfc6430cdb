"""Load test of the production server: N concurrent keep-alive connections for a fixed time, loopback only.

    .venv/bin/python benchmarks/load_site.py --duration 600 --connections 100

Sets up CivicBuy with CIVICBUY_ENV=production on a fresh PostgreSQL database (127.0.0.1:5432), serves it with
`civicbuy serve` (gunicorn + task worker) and drives it from N threads, each with its own persistent connection,
cycling through the home page, a guide step, a case search, the dashboard and the API's case list. Requests carry
``X-Forwarded-Proto: https`` as a TLS proxy would. Every non-200 answer or connection error counts as an error.
Records p50/p95/p99 latency per page and the server's memory (RSS of every server process) every 10 s.
Writes benchmarks/out/load_site.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CIVICBUY = str(Path(sys.executable).parent / "civicbuy")
PG = "postgres://postgres@127.0.0.1:5432"
PAGES = {
    "home": "/en/",
    "guide step": "/en/guide/plan/understand-the-need/",
    "case search": "/en/case-studies/?q=school+meals&theme=sme-local",
    "dashboard": "/en/dashboard/",
    "api case list": "/api/v1/case-studies/?theme=sme-local",
}
HEADERS = {"X-Forwarded-Proto": "https", "Connection": "keep-alive", "Accept-Encoding": "gzip"}


def _psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-qtAc", sql], check=True, capture_output=True)


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants, in MB (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        stack.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {name: [] for name in PAGES}
        self.errors: dict[str, int] = dict.fromkeys(PAGES, 0)
        self.error_samples: list[str] = []


def _client(port: int, stop: float, stats: Stats, offset: int) -> None:
    names = list(PAGES)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    i = offset
    while time.monotonic() < stop:
        name = names[i % len(names)]
        i += 1
        started = time.perf_counter()
        try:
            connection.request("GET", PAGES[name], headers=HEADERS)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
            detail = f"{name}: HTTP {response.status}"
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        except (OSError, http.client.HTTPException) as error:
            ok, detail = False, f"{name}: {type(error).__name__} {error}"
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        elapsed = time.perf_counter() - started
        with stats.lock:
            if ok:
                stats.latencies[name].append(elapsed)
            else:
                stats.errors[name] += 1
                if len(stats.error_samples) < 20:
                    stats.error_samples.append(detail)
    connection.close()


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:  # noqa: C901, PLR0912, PLR0915 - one linear run: set up, serve, load, report
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=600, help="seconds of load (default 600)")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=18700)
    parser.add_argument("--keep", action="store_true", help="keep the database and data folder")
    args = parser.parse_args()

    database = f"civicbuy_load_{os.getpid()}"
    data = HERE / "out" / "load-site"
    subprocess.run(["rm", "-rf", str(data)], check=True)
    data.mkdir(parents=True)
    _psql(f"CREATE DATABASE {database}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICBUY_", "DATABASE_URL"))}
    env.update(
        CIVICBUY_ENV="production",
        CIVICBUY_DATA_DIR=str(data),
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"{PG}/{database}",
        CIVICBUY_API_RATE_ANONYMOUS="1000000/m",  # every client is 127.0.0.1: measure the API, not its limit
    )
    print("setting up (migrate, collectstatic, content, demo dataset)...", flush=True)
    subprocess.run([CIVICBUY, "setup"], env=env, check=True, capture_output=True)
    log = (data / "server.log").open("wb")
    server = subprocess.Popen(
        [CIVICBUY, "serve", "--port", str(args.port), "--workers", str(args.workers)], env=env, stdout=log, stderr=log
    )
    try:
        for _ in range(120):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
                connection.request("GET", "/healthz", headers=HEADERS)
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        available = {}
        for name, path in PAGES.items():
            connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
            connection.request("GET", path, headers=HEADERS)
            available[name] = connection.getresponse().status
        print(f"warm-up statuses: {available}", flush=True)
        stats = Stats()
        memory: list[tuple[float, float]] = []
        start = time.monotonic()
        stop = start + args.duration
        threads = [
            threading.Thread(target=_client, args=(args.port, stop, stats, i), daemon=True)
            for i in range(args.connections)
        ]
        for thread in threads:
            thread.start()
        while time.monotonic() < stop:
            memory.append((round(time.monotonic() - start), round(_tree_rss_mb(server.pid), 1)))
            time.sleep(10)
        for thread in threads:
            thread.join(timeout=90)
        elapsed = time.monotonic() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
        if not args.keep:
            _psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")

    rows = []
    for name, path in PAGES.items():
        values = stats.latencies[name]
        rows.append(
            {
                "page": name,
                "path": path,
                "requests": len(values) + stats.errors[name],
                "errors": stats.errors[name],
                "rps": round(len(values) / elapsed, 1),
                "p50_ms": round(_percentile(values, 0.50) * 1000, 1),
                "p95_ms": round(_percentile(values, 0.95) * 1000, 1),
                "p99_ms": round(_percentile(values, 0.99) * 1000, 1),
                "mean_ms": round(statistics.fmean(values) * 1000, 1) if values else None,
            }
        )
    result = {
        "duration_s": round(elapsed),
        "connections": args.connections,
        "workers": args.workers,
        "rows": rows,
        "errors_total": sum(stats.errors.values()),
        "error_samples": stats.error_samples,
        "memory_mb": memory,
        "warmup_statuses": available,
    }
    (HERE / "out" / "load_site.json").write_text(json.dumps(result, indent=2))
    print(f"\n{args.connections} connections, {round(elapsed)} s, {args.workers} gunicorn workers x 4 threads\n")
    print("| page | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['page']} | {row['requests']} | {row['errors']} | {row['rps']} | {row['p50_ms']} "
            f"| {row['p95_ms']} | {row['p99_ms']} |"
        )
    rss = [mb for _, mb in memory]
    if rss:
        print(f"\nserver RSS: start {rss[0]} MB, max {max(rss)} MB, end {rss[-1]} MB ({len(rss)} samples)")
    if stats.error_samples:
        print("error samples:", *stats.error_samples, sep="\n  ")


if __name__ == "__main__":
    main()
