"""Benchmark the performance dashboard's pages on a large dataset (server render time, in process).

    .venv/bin/python benchmarks/dashboard_pages.py --releases 1000000
    .venv/bin/python benchmarks/dashboard_pages.py --engine-dataset /path/to/ingested/dataset   # skip the ingest

With ``--releases`` it generates N compiled releases with the engine's seeded generator and runs the dashboard's
real ingest job (read, compile, flatten, indicators, precomputed summary). With ``--engine-dataset`` it reuses a
dataset already written by ``api.ingest`` (computing its indicators when missing) and times only the dashboard's
precompute. Then each page is rendered ``--repeat`` times through Django's test client (no network, no browser):
the first render (cold caches) and the median of the others are reported. Data goes to ``--data-dir``
(a SQLite database, the bundled content for the guide links, and the dataset files).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def measure(client: Any, name: str, url: str, repeat: int) -> tuple[str, float, float, float]:
    """Render ``url`` ``repeat`` times; return the first render, the background work it started and the warm median.

    A view may start work in the background (figures for a new filter, then the charts of those figures, charts not
    drawn at ingest) and say so on the page; that work is waited for after each render, so that later renders show
    the finished page and are not slowed by it. The background time is the total of those waits.
    """
    from civicbuy.dashboard import charts, summary

    measured = []
    background = 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, headers={"HX-Request": "true"} if "htmx" in name else {})
        measured.append(time.perf_counter() - start)
        if response.status_code != 200:
            sys.exit(f"{url}: HTTP {response.status_code}")
        start = time.perf_counter()
        while summary._PENDING or charts._PENDING:  # noqa: SLF001 - the benchmark watches the queues
            time.sleep(0.05)
        background += time.perf_counter() - start
    warm = statistics.median(measured[1:]) if len(measured) > 1 else measured[0]
    print(
        f"{name:<40} first {measured[0]:7.3f} s   background {background:7.3f} s   median of the rest {warm:7.3f} s",
        flush=True,
    )
    return name, measured[0], background, warm


def main() -> None:  # noqa: PLR0915 - one linear script
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=int, default=1_000_000)
    parser.add_argument("--engine-dataset", type=Path, default=None)
    parser.add_argument("--data-dir", type=Path, default=HERE / "out" / "dashboard")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    args.data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["CIVICBUY_DATA_DIR"] = str(args.data_dir.resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbuy.config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from civicbuy.accounts.models import Organisation
    from civicbuy.analytics import api, synthetic
    from civicbuy.content.loader import load_pack, site_has_content
    from civicbuy.content.packs import bundled_pack
    from civicbuy.dashboard import jobs, storage, summary
    from civicbuy.dashboard.models import Dataset, IngestJob

    call_command("migrate", verbosity=0)
    if not site_has_content():
        load_pack(bundled_pack())
    organisation, _ = Organisation.objects.get_or_create(slug="benchmark-city", defaults={"name": "Benchmark City"})
    label = f"{args.releases:,} releases" if args.engine_dataset is None else args.engine_dataset.name
    Dataset.objects.filter(organisation=organisation, slug="benchmark").delete()
    dataset = Dataset.objects.create(organisation=organisation, name="Benchmark", slug="benchmark")
    timings: dict[str, float] = {}
    if args.engine_dataset is None:
        job = IngestJob.objects.create(dataset=dataset, file_name=f"synthetic-{args.releases}.jsonl")
        start = time.perf_counter()
        synthetic.write_jsonl(storage.upload_path(job), args.releases, seed=args.seed)
        timings["generate"] = time.perf_counter() - start
        start = time.perf_counter()
        status = jobs.run_ingest(job.pk)
        timings["ingest job (read, indicators, precompute)"] = time.perf_counter() - start
        job.refresh_from_db()
        if status != IngestJob.Status.SUCCEEDED:
            sys.exit(f"ingest failed: {job.message}")
    else:
        job = IngestJob.objects.create(
            dataset=dataset, file_name=label, status=IngestJob.Status.SUCCEEDED, percent=100
        )
        engine = args.engine_dataset.resolve()
        if not (engine / "results.parquet").exists():
            start = time.perf_counter()
            api.compute_indicators(engine)
            timings["indicators"] = time.perf_counter() - start
        storage.job_dir(job).mkdir(parents=True, exist_ok=True)
        storage.engine_dir(job).symlink_to(engine)
        start = time.perf_counter()
        summary.build(engine, storage.summary_dir(job))
        timings["dashboard precompute (summary.build)"] = time.perf_counter() - start
        dataset.current_job = job
        dataset.save()
    figures = summary.Summary(storage.summary_dir(job))
    overview = figures.overview
    processes = overview["processes"]

    user, _ = get_user_model().objects.get_or_create(username="benchmark", defaults={"is_superuser": True})
    client = Client()
    client.force_login(user)
    base = f"/en/dashboard/{dataset.pk}/"
    year = overview["trend_years"][-1]
    busiest = max(overview["buyer_choices"], key=lambda b: b["processes"])["id"]
    quiet = min(overview["buyer_choices"], key=lambda b: b["processes"])["id"]
    cpv = overview["cpv_choices"][0]
    from civicbuy.dashboard.summary import Filters

    _total, rows = figures.flagged_processes(Filters(), None, 0, 1)
    largest, largest_count = figures.connection.execute(
        "SELECT cpv, count(*) FROM facts WHERE cpv IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
    ).fetchone() or ("", 0)
    figures.close()
    ocid = rows[0]["ocid"]
    pages = [
        ("datasets list", "/en/dashboard/"),
        ("overview", base),
        (f"overview, year {year}", f"{base}?year={year}"),
        ("overview, CPV + method filters", f"{base}?cpv={cpv}&method=open"),
        (f"overview, largest CPV division ({largest_count:,} processes)", f"{base}?cpv={largest}"),
        ("buyers", f"{base}buyers/"),
        ("buyer page (busiest)", f"{base}buyers/{busiest}/"),
        ("buyer page (not prerendered)", f"{base}buyers/{quiet}/?year={year}"),
        ("red flags", f"{base}red-flags/"),
        ("red flags, R003, page 20", f"{base}red-flags/?flag=R003&page=20"),
        ("process page", f"{base}processes/{ocid}/"),
        ("job progress (htmx fragment)", f"/en/dashboard/jobs/{job.pk}/"),
        ("export buyers.xlsx", f"{base}export/buyers.xlsx"),
        ("export indicators.csv", f"{base}export/indicators.csv"),
        ("PDF report", f"{base}report.pdf"),
    ]
    results = [measure(client, name, url, args.repeat) for name, url in pages]

    print(f"\nDataset: {label}, {processes:,} processes, {len(overview['buyer_choices'])} buyers")
    for step, seconds in timings.items():
        print(f"{step}: {seconds:,.1f} s")
    print("\n| page | first render (s) | background work it started (s) | warm median (s) |\n|---|---:|---:|---:|")
    for name, first, background, warm in results:
        print(f"| {name} | {first:.3f} | {background:.1f} | {warm:.3f} |")


if __name__ == "__main__":
    main()
