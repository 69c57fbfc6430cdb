"""Case-study search latency with 1,000 generated cases, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/case_search.py                      # both databases
    .venv/bin/python benchmarks/case_search.py --database sqlite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/civicbuy_bench \
        .venv/bin/python benchmarks/case_search.py --database postgres

Each run starts from an empty database (a temporary SQLite file, or the PostgreSQL database named in
DATABASE_URL, dropped and re-created), migrates, loads the bundled content pack, adds 1,000 generated
English case pages (seeded, so every run has the same text) and indexes them. It then times, for each
query, `queries.find_cases` (full text + facets + counts: what the list page computes) and the whole
HTTP request of the list page through Django's test client, and prints p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CASES = 1000
RUNS = 60
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/civicbuy_bench"
QUERIES: list[tuple[str, str]] = [
    ("one word", "q=procurement"),
    ("two words", "q=electric+buses"),
    ("unaccented Spanish", "q=compras+electronicas"),
    ("misspelt", "q=procuremnt+transparancy"),
    ("rare word", "q=ecobici"),
    ("facets only", "theme=social-value&region=europe-northern-america"),
    ("query + facets", "q=women&sdg=5.5&stage=tender"),
    ("no filter", ""),
]
WORDS = [
    "city",
    "council",
    "tender",
    "contract",
    "supplier",
    "framework",
    "lot",
    "award",
    "evaluation",
    "criteria",
    "social",
    "value",
    "climate",
    "carbon",
    "emissions",
    "electric",
    "buses",
    "fleet",
    "charging",
    "school",
    "meals",
    "local",
    "farmers",
    "women-owned",
    "businesses",
    "small",
    "firms",
    "open",
    "data",
    "transparency",
    "integrity",
    "red",
    "flags",
    "competition",
    "bidders",
    "market",
    "engagement",
    "innovation",
    "pilot",
    "startups",
    "circular",
    "furniture",
    "reuse",
    "repair",
    "waste",
    "recycling",
    "construction",
    "zero-emission",
    "machinery",
    "housing",
    "health",
    "labour",
    "rights",
    "audit",
    "monitoring",
    "indicators",
    "dashboard",
    "savings",
    "budget",
    "payment",
    "invoices",
    "timely",
    "accessibility",
    "inclusion",
    "disability",
    "youth",
    "apprenticeships",
    "training",
    "jobs",
    "community",
    "wealth",
    "anchor",
    "institutions",
    "procurement",
    "reform",
    "law",
    "e-procurement",
    "portal",
    "compras",
    "públicas",
    "electrónicas",
    "licitación",
    "contratación",
    "proveedores",
    "mujeres",
    "pequeñas",
    "empresas",
    "datos",
    "abiertos",
    "transparencia",
    "ciudadanía",
]
CITIES = ["Lisbon", "Accra", "Lima", "Pune", "Da Nang", "Tbilisi", "Cali", "Kigali", "Leeds", "Ghent"]
COUNTRIES = ["PT", "GH", "PE", "IN", "VN", "GE", "CO", "RW", "GB", "BE", "KE", "MX", "BR", "ID", "NZ", "US"]


def _sentence(rng: random.Random, length: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(length)).capitalize() + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(sentences)) + " [src:1]"


def generate(count: int) -> int:
    """Add ``count`` live English case pages under the case-study index, indexed for search."""
    from civicbuy.casestudies import search
    from civicbuy.casestudies.content import ensure_index
    from civicbuy.casestudies.models import CaseStudyPage
    from civicbuy.taxonomy import registry

    rng = random.Random(20261125)
    index = ensure_index("en")
    themes, stages, sdgs = list(registry.themes()), list(registry.stages()), list(registry.sdg_targets())
    source = {
        "title": "Generated source",
        "publisher": "Benchmark",
        "url": "https://example.org/",
        "accessed": dt.date(2026, 11, 25),
    }
    for number in range(count):
        page = CaseStudyPage(
            title=f"{_sentence(rng, 6)[:-1]} ({number})",
            slug=f"bench-case-{number}",
            live=True,
            country=rng.choice(COUNTRIES),
            city=rng.choice(CITIES),
            organisation=f"{rng.choice(CITIES)} City Council",
            years=f"{rng.randint(2005, 2020)}-{rng.randint(2021, 2025)}",
            summary=[_sentence(rng, 12) for _ in range(3)],
            problem=_paragraph(rng, 6),
            approach=_paragraph(rng, 10),
            results=[("result", {"text": _sentence(rng, 14), "source": 1}) for _ in range(3)],
            challenges=_paragraph(rng, 4),
            reusable=_paragraph(rng, 4),
            caveats=_paragraph(rng, 2),
            stages=rng.sample(stages, 2),
            themes=rng.sample(themes, 3),
            sdg_targets=rng.sample(sdgs, 3),
            published=dt.date(2026, 1, 1) + dt.timedelta(days=number % 300),
            sources=[("source", source)],
        )
        index.add_child(instance=page)
        search.index_page(page)
    return count


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
    }


def measure() -> dict[str, Any]:
    """Time every query (engine and full page); return the numbers."""
    from django.http import QueryDict
    from django.test import Client
    from wagtail.models import Locale

    from civicbuy.casestudies import queries

    locale = Locale.objects.get(language_code="en")
    client = Client()
    results: dict[str, Any] = {}
    for label, query in QUERIES:
        filters = queries.CaseFilters.from_params(QueryDict(query))
        found = queries.find_cases(locale, filters)  # warm the vocabulary cache and the connection
        engine, page = [], []
        for _ in range(RUNS):
            start = time.perf_counter()
            queries.find_cases(locale, filters)
            engine.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            response = client.get(f"/en/case-studies/?{query}")
            page.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"/en/case-studies/?{query} answered {response.status_code}")
        results[label] = {"matches": found.count, "find_cases": _percentiles(engine), "page": _percentiles(page)}
    return results


def run_here() -> None:
    """Set up the database named by the environment, generate cases and print JSON results."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbuy.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from civicbuy.content.loader import load_pack
    from civicbuy.content.packs import bundled_pack

    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    load_pack(bundled_pack())
    generate(CASES)
    from civicbuy.casestudies.models import CaseStudyPage

    total = CaseStudyPage.objects.live().filter(locale__language_code="en").count()
    setup_seconds = round(time.perf_counter() - start, 1)
    print(json.dumps({"cases": total, "setup_seconds": setup_seconds, "results": measure()}))


def _recreate_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def run_in_subprocess(database: str) -> dict[str, Any]:
    """Run the benchmark in a fresh interpreter (settings are read from the environment at start)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    with tempfile.TemporaryDirectory(prefix="case-bench-") as data:
        env["CIVICBUY_DATA_DIR"] = data
        if database == "postgres":
            url = os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES
            _recreate_postgres(url)
            env["DATABASE_URL"] = url
        output = subprocess.run(
            [sys.executable, __file__, "--here"], env=env, check=True, capture_output=True, text=True
        ).stdout
    return json.loads(output.strip().splitlines()[-1])


def table(database: str, data: dict[str, Any]) -> str:
    """Markdown rows for the README."""
    rows = [
        f"| {database} | {label} | {r['matches']} | {r['find_cases']['p50']} | {r['find_cases']['p95']} "
        f"| {r['page']['p50']} | {r['page']['p95']} |"
        for label, r in data["results"].items()
    ]
    return "\n".join(rows)


def main() -> None:
    """Run on the chosen databases and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--here", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.here:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
        run_here()
        return
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    print("| Database | Query | Matches | find_cases p50 (ms) | p95 | Page p50 (ms) | p95 |")
    print("|---|---|---|---|---|---|---|")
    for database in databases:
        data = run_in_subprocess(database)
        print(table(database, data))
        print(f"<!-- {database}: {data['cases']} live English cases, set-up {data['setup_seconds']} s -->")


if __name__ == "__main__":
    main()
