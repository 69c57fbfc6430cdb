"""Faults during an ingest (engine level, `civicbuy ingest`): kill -9, disk full, read-only dataset folder.

    .venv/bin/python benchmarks/faults_ingest.py [--releases benchmarks/out/releases-20000.jsonl]

For each fault: ingest a small file as version 1 of dataset ``city``, then start a second ingest of a larger
file and break it — SIGKILL after a moment; a file-size limit (RLIMIT_FSIZE, what a full disk looks like to
the writer: EFBIG); the dataset folder made read-only with ``chattr +i`` (root cannot write through it
either). Then check: the command said what went wrong in one line (no traceback); ``city`` still opens
as version 1 with the same manifest and row count; no partial version is visible; and a clean re-run
succeeds. Results go to benchmarks/out/faults_ingest.json and stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CIVICBUY = str(Path(sys.executable).parent / "civicbuy")
SMALL_LINES = 200


def _ingest(source: Path, data_dir: Path, **popen: object) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVICBUY_")}
    return subprocess.Popen(
        [CIVICBUY, "ingest", str(source), "--dataset", "city", "--data-dir", str(data_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,  # type: ignore[call-overload]
    )


def _state(data_dir: Path) -> dict[str, object]:
    """What a reader sees: the manifest of ``city`` and its process count (via the engine's API)."""
    probe = (
        "import json,sys; from civicbuy.analytics.store.dataset import open_dataset; "
        "d = open_dataset(sys.argv[1]); import duckdb; "
        "n = duckdb.sql(f\"select count(*) from '{d.table_path('processes')}'\").fetchall()[0][0]; "
        "print(json.dumps({'path': str(d.path), 'processes': n, 'manifest': d.manifest}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(data_dir / "city")], capture_output=True, text=True, check=False
    )
    if result.returncode:
        return {"error": result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "unreadable"}
    return json.loads(result.stdout)


def _partials(data_dir: Path) -> list[str]:
    return (
        sorted(p.name for p in (data_dir / ".versions").glob("*.partial*"))
        if (data_dir / ".versions").exists()
        else []
    )


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG (an OSError) instead of being killed
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))


def run_fault(name: str, small: Path, big: Path, work: Path) -> dict[str, object]:
    data_dir = work / name
    data_dir.mkdir()
    first = _ingest(small, data_dir)
    first.communicate(timeout=600)
    before = _state(data_dir)
    started = time.monotonic()
    if name == "kill -9 mid-ingest":
        process = _ingest(big, data_dir)
        # Kill while the new version is being written: once its .partial folder holds Parquet data.
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            partial = [d for d in (data_dir / ".versions").glob("*.partial") if d.is_dir()]
            if partial and any(f.stat().st_size > 4096 for f in partial[0].glob("*.parquet")):
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        _out, err = process.communicate()
    elif name == "disk full (EFBIG)":
        process = _ingest(big, data_dir, preexec_fn=_limit_file_size)
        _out, err = process.communicate(timeout=600)
    else:  # read-only dataset folder: immutable (chattr +i), which even root cannot write into
        subprocess.run(["chattr", "+i", str(data_dir), str(data_dir / ".versions")], check=True)
        try:
            process = _ingest(big, data_dir)
            _out, err = process.communicate(timeout=600)
        finally:
            subprocess.run(["chattr", "-i", str(data_dir), str(data_dir / ".versions")], check=True)
    after = _state(data_dir)
    partials_left = _partials(data_dir)
    rerun = _ingest(big, data_dir)
    rerun.communicate(timeout=900)
    final = _state(data_dir)
    message = [line for line in err.strip().splitlines() if line.strip()][-1:] if err.strip() else []
    return {
        "fault": name,
        "exit_status": process.returncode,
        "message": message[0] if message else "(killed: no message)",
        "traceback_shown": "Traceback" in err,
        "previous_version_intact": after == before,
        "processes_before": before.get("processes"),
        "processes_after_fault": after.get("processes"),
        "partial_versions_visible": partials_left,
        "rerun_ok": rerun.returncode == 0,
        "processes_after_rerun": final.get("processes"),
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--releases", type=Path, default=HERE / "out" / "releases-20000.jsonl")
    args = parser.parse_args()
    if not args.releases.exists():
        sys.exit(f"{args.releases} is missing: run benchmarks/run.py --releases 20000 first")
    with tempfile.TemporaryDirectory(prefix="civicbuy-faults-") as temporary:
        work = Path(temporary)
        small = work / "small.jsonl"
        with args.releases.open() as source, small.open("w") as target:
            for _ in range(SMALL_LINES):
                target.write(source.readline())
        results = [
            run_fault(name, small, args.releases, work / "runs")
            if (work / "runs").mkdir(exist_ok=True) is None
            else {}
            for name in ("kill -9 mid-ingest", "disk full (EFBIG)", "read-only dataset folder")
        ]
    (HERE / "out" / "faults_ingest.json").write_text(json.dumps(results, indent=2))
    print("| fault | exit | message | previous intact | partial visible | re-run ok |")
    print("|---|---:|---|---|---|---|")
    for r in results:
        print(
            f"| {r['fault']} | {r['exit_status']} | {r['message']} | {r['previous_version_intact']} "
            f"({r['processes_before']} processes) | {r['partial_versions_visible'] or 'none'} | {r['rerun_ok']} |"
        )


if __name__ == "__main__":
    main()
