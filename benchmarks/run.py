"""Benchmark CivicBuy's analytics engine against the floor and the tools the field uses, on the same files.

    .venv/bin/python benchmarks/run.py --releases 100000 --bench-python /tmp/bench-venv/bin/python

Every measurement runs in its own process under /usr/bin/time (wall time and peak RSS). Files are generated with
the seeded synthetic generator into benchmarks/out/ (git-ignored). Only local files are used: ocdskit gets the
release schema by path and libcoveocds a ZIP of the local schema, so nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED_SCHEMA = Path(os.environ.get("CIVICBUY_SHARED_DIR", REPO.parent / "shared")) / "data/ocds-samples/schema-1.1"

FLOOR = "import orjson,sys\nfor line in open(sys.argv[1],'rb'): orjson.loads(line)"
# argv: an OCDS file or a dataset directory, then the indicator codes, comma-separated ("" for all).
CB_INDICATORS = (
    "import sys\nfrom civicbuy.analytics import api\n"
    "api.compute_indicators(sys.argv[1], indicators=[c for c in sys.argv[2].split(',') if c] or None, store=False)"
)
CB_INGEST = "import sys\nfrom civicbuy.analytics import api\napi.ingest(sys.argv[1], sys.argv[2])"
CB_ON_DATASET = CB_INDICATORS
CB_COMPILE = (
    "import sys\nfrom civicbuy.analytics import api\nn = sum(1 for _ in api.compile_releases(sys.argv[1]))\n"
    "print(n, file=sys.stderr)"
)
# The same, written out as JSON Lines (to /dev/null), as `ocdskit compile` writes its output.
CB_COMPILE_WRITTEN = (
    "import sys, orjson\nfrom civicbuy.analytics import api\nout = sys.stdout.buffer\n"
    "for c in api.compile_releases(sys.argv[1]): out.write(orjson.dumps(c) + b'\\n')"
)
# The same as CB_COMPILE with the merger interpreted from its source instead of the extension the install built.
CB_COMPILE_INTERPRETED = (
    "import importlib.util, sys\nimport civicbuy.analytics.ocds as package\n"
    "source = package.__path__[0] + '/merge.py'\n"
    "spec = importlib.util.spec_from_file_location('civicbuy.analytics.ocds.merge', source)\n"
    "module = importlib.util.module_from_spec(spec)\nsys.modules[spec.name] = module\n"
    "spec.loader.exec_module(module)\n" + CB_COMPILE
)
CB_COMPILE_SPILLED = (
    "import sys\nfrom civicbuy.analytics.ocds.compile import compile_releases\n"
    "from civicbuy.analytics.ocds.exceptions import ProblemLog\nfrom civicbuy.analytics.ocds.reader import read\n"
    "p = ProblemLog()\nn = sum(1 for _ in compile_releases(read(sys.argv[1], p), p, window_bytes=int(sys.argv[2])))\n"
    "print(n, file=sys.stderr)"
)
CB_REVIEW = "import sys\nfrom civicbuy.analytics.ocds.review import review\nreview(sys.argv[1], schema=sys.argv[2])"


def timed(
    command: list[str], stdin: Path | None = None, env: dict[str, str] | None = None
) -> dict[str, float | int | str]:
    """Run ``command`` under /usr/bin/time; return wall and CPU seconds, peak RSS in MB, exit status, load average.

    The machine may be shared: the 1-minute load average before and after each step is recorded with its time.
    """
    load_before = round(os.getloadavg()[0], 2)
    wrapped = ["/usr/bin/time", "-f", "%e %M %U %S", *command]
    with stdin.open("rb") if stdin else open(os.devnull, "rb") as handle:  # noqa: PTH123
        process = subprocess.run(
            wrapped,
            stdin=handle,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
            env={**os.environ, **(env or {})},
        )
    last = process.stderr.decode(errors="replace").strip().splitlines()
    seconds, kilobytes, user, system = last[-1].split()
    result: dict[str, float | int | str] = {
        "seconds": float(seconds),
        "cpu_seconds": round(float(user) + float(system), 2),
        "peak_mb": round(int(kilobytes) / 1024),
        "status": process.returncode,
        "load_before": load_before,
        "load_after": round(os.getloadavg()[0], 2),
    }
    if process.returncode:
        result["error"] = " | ".join(last[-4:-1])[:300]
    return result


def as_releases(compiled: Path, releases: Path) -> int:
    """Split every compiled release into a tender release and an award release (to benchmark compiling)."""
    count = 0
    with compiled.open("rb") as source, releases.open("wb") as out:
        for line in source:
            data = orjson.loads(line)
            first = {k: v for k, v in data.items() if k not in {"awards", "contracts", "bids"}}
            first.update(id=data["ocid"] + "-tender", tag=["tender"])
            out.write(orjson.dumps(first) + b"\n")
            count += 1
            if "awards" in data:
                second = {
                    "ocid": data["ocid"],
                    "id": data["ocid"] + "-award",
                    "tag": ["award", "contract"],
                    "date": data["awards"][0]["date"],
                    "awards": data["awards"],
                    "contracts": data.get("contracts", []),
                    "parties": data["parties"],
                }
                out.write(orjson.dumps(second) + b"\n")
                count += 1
    return count


def as_package(compiled: Path, package: Path) -> None:
    """Wrap the compiled releases in one release package (the input libcoveocds reads)."""
    with compiled.open("rb") as source, package.open("wb") as out:
        out.write(
            b'{"uri": "https://example.org/p", "version": "1.1", "publishedDate": "2024-01-01T00:00:00Z", '
            b'"releases": ['
        )
        for index, line in enumerate(source):
            out.write((b"," if index else b"") + line.strip())
        out.write(b"]}")


def standard_zip(target: Path) -> Path:
    """Build a ZIP of the local OCDS 1.1 schema in the layout libcoveocds expects (standard-x/schema/...)."""
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("standard-1.1/", "")  # libcoveocds reads the top folder from the first entry
        for file in sorted(SHARED_SCHEMA.rglob("*")):
            if file.is_file():
                for prefix in ("standard-1.1/schema/", "standard-1.1/standard/schema/"):
                    archive.write(file, f"{prefix}{file.relative_to(SHARED_SCHEMA)}")
    return target


def indicator_steps(results: dict[str, object], python: str, compiled: Path, dataset: Path, only: str) -> None:
    """Time the ingest and indicator steps (and the CLI's streamed JSON Lines) on ``compiled``."""
    # Indicators compile to SQL once and keep it in a cache directory: "cold" steps start with an empty one,
    # the "warm" steps reuse what the cold step on the dataset compiled.
    with tempfile.TemporaryDirectory() as cold, tempfile.TemporaryDirectory() as warm:
        results["civicbuy_indicators_from_file"] = timed(
            [python, "-c", CB_INDICATORS, str(compiled), only], env={"CIVICBUY_CACHE_DIR": cold}
        )
        results["civicbuy_ingest"] = timed([python, "-c", CB_INGEST, str(compiled), str(dataset)])
        # The same in one process (a file of 64 MiB or more of compiled releases is otherwise split between workers).
        results["civicbuy_ingest_one_process"] = timed(
            [python, "-c", CB_INGEST, str(compiled), str(dataset)], env={"CIVICBUY_INGEST_WORKERS": "0"}
        )
        on_dataset = [python, "-c", CB_ON_DATASET, str(dataset), only]
        results["civicbuy_indicators_on_dataset_cold"] = timed(on_dataset, env={"CIVICBUY_CACHE_DIR": warm})
        results["civicbuy_indicators_on_dataset_warm"] = timed(on_dataset, env={"CIVICBUY_CACHE_DIR": warm})
        # The CLI streams record batches to standard output (here /dev/null) as JSON Lines: warm SQL cache.
        cli = [str(Path(python).parent / "civicbuy"), "indicators", str(dataset), "--format", "jsonl"]
        if only:
            cli += ["--only", only]
        results["civicbuy_indicators_cli_jsonl_warm"] = timed(cli, env={"CIVICBUY_CACHE_DIR": warm})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--releases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--bench-python", default=str(HERE / ".venv" / "bin" / "python"))
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["indicators", "compile", "ocdskit", "review", "libcove"],
        help="Steps to skip (indicators: the indicator and ingest rows)",
    )
    parser.add_argument(
        "--only-indicators", default="", metavar="CODES", help="Indicator codes, comma-separated (default: all)"
    )
    parser.add_argument(
        "--spill-window-mb",
        type=float,
        default=8,
        help="Memory window of the extra compile row that spills to disk (MiB of JSON)",
    )
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    python = sys.executable
    compiled = out / f"compiled-{args.releases}.jsonl"
    if not compiled.exists():
        from civicbuy.analytics.synthetic import write_jsonl

        write_jsonl(compiled, args.releases, seed=args.seed)
    releases = out / f"releases-{args.releases}.jsonl"
    release_count = as_releases(compiled, releases)
    size_mb = compiled.stat().st_size / 1e6
    results: dict[str, object] = {
        "compiled_releases": args.releases,
        "releases": release_count,
        "file_mb": round(size_mb, 1),
    }
    results["orjson_floor"] = timed([python, "-c", FLOOR, str(compiled)])
    if "indicators" not in args.skip:
        indicator_steps(results, python, compiled, out / "data" / f"bench-{args.releases}", args.only_indicators)
    if "compile" not in args.skip:
        results["civicbuy_compile"] = timed([python, "-c", CB_COMPILE, str(releases)])
        results["civicbuy_compile_written"] = timed([python, "-c", CB_COMPILE_WRITTEN, str(releases)])
        results["civicbuy_compile_interpreted"] = timed([python, "-c", CB_COMPILE_INTERPRETED, str(releases)])
        window = str(int(args.spill_window_mb * 1024 * 1024))
        results["civicbuy_compile_spilled"] = timed([python, "-c", CB_COMPILE_SPILLED, str(releases), window])
    schema = SHARED_SCHEMA / "release-schema.json"
    if "ocdskit" not in args.skip:
        ocdskit = str(Path(args.bench_python).parent / "ocdskit")
        results["ocdskit_compile"] = timed([ocdskit, "compile", "--schema", str(schema)], stdin=releases)
    if "review" not in args.skip:
        results["civicbuy_review"] = timed([python, "-c", CB_REVIEW, str(compiled), str(schema)])
    if "libcove" not in args.skip:
        package = out / f"package-{args.releases}.json"
        as_package(compiled, package)
        zipped = standard_zip(out / "standard.zip")
        libcove = str(Path(args.bench_python).parent / "libcoveocds")
        results["libcoveocds"] = timed(
            [libcove, "--schema-version", "1.1", "--standard-zip", str(zipped), "--skip-aggregates", str(package)]
        )
    floor = float(results["orjson_floor"]["seconds"])  # type: ignore[index]
    for value in results.values():
        if isinstance(value, dict):
            value["x_orjson_floor"] = round(float(value["seconds"]) / floor, 2) if floor else None
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
