"""Run a command and report its wall time, CPU time and the peak of the summed RSS of it and all its descendants.

``/usr/bin/time`` reports the largest single process; a parallel ingest runs several at once, so the memory a
machine needs is their sum. This samples ``/proc`` (Linux) every ``--interval`` seconds: a peak shorter than the
interval can be missed, so the figure is a lower bound on the true peak (the largest-process figure from
``/usr/bin/time`` is exact and is printed too when run under it).

    .venv/bin/python benchmarks/peak_memory.py -- .venv/bin/civicbuy indicators FILE --format jsonl -o /dev/null
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children() -> dict[int, list[int]]:
    """Return every process's children, by parent pid, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while being read
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def summed_rss(root: int) -> int:
    """Return the summed resident set size, in bytes, of ``root`` and its descendants."""
    tree = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=0.2, help="Seconds between samples (default 0.2)")
    parser.add_argument("--stdout", default=None, help="File for the command's standard output (default: inherit)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="The command, after --")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give a command after --")
    stdout = Path(args.stdout).open("wb") if args.stdout else None  # noqa: SIM115 - closed below
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=stdout)
    peak = 0
    while process.poll() is None:
        peak = max(peak, summed_rss(process.pid))
        time.sleep(args.interval)
    wall = time.perf_counter() - start
    if stdout:
        stdout.close()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"exit {process.returncode}  wall {wall:.2f} s  CPU {usage.ru_utime + usage.ru_stime:.2f} s  "
        f"peak summed RSS {peak / 2**20:,.0f} MB  largest process {usage.ru_maxrss / 1024:,.0f} MB",
        file=sys.stderr,
    )
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
