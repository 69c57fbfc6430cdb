"""Click commands of the analytics engine; the lead's ``civicbuy`` group calls :func:`register`.

Every command turns an :class:`AnalyticsError` into one line on standard error naming the file and position, and
exits with status 1; no traceback reaches the user (ARCHITECTURE.md, "Errors").
"""

from __future__ import annotations

import csv
import io
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import orjson

from civicbuy.analytics.cli_friendly import friendly

if TYPE_CHECKING:
    from collections.abc import Iterable

    import pyarrow as pa

DEFAULT_DATA_DIR = "var/datasets"


@click.command("detect")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@friendly
def detect_command(file: str, output: str) -> None:
    """Say which OCDS form FILE is in (release/record package, JSON Lines, ...); '-' reads standard input."""
    from civicbuy.analytics import api

    detection = api.detect(file)
    if output == "json":
        click.echo(orjson.dumps(detection.as_dict()).decode())
    else:
        click.echo(detection.description)


@click.command("review")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--schema",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="OCDS release schema for full validation (or set CIVICBUY_OCDS_SCHEMA).",
)
@friendly
def review_command(file: str, output: str, schema: str | None) -> None:
    """Review FILE: invalid JSON, schema and codelist problems, duplicates and indicator coverage."""
    from civicbuy.analytics.ocds.review import format_review, review

    report = review(file, schema=schema)
    if output == "json":
        click.echo(orjson.dumps(report, option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(format_review(report))


def _csv_cell(value: object) -> object:
    return "" if value is None else str(value).lower() if isinstance(value, bool) else value


def _write_results(batches: Iterable[pa.RecordBatch], output: str) -> None:
    """Write result batches to standard output, one batch at a time (the whole result is never held)."""
    from civicbuy.analytics.indicators.runner import RESULT_SCHEMA

    stream = sys.stdout.buffer
    if output == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(RESULT_SCHEMA.names)
        stream.write(text.getvalue().encode())
    elif output == "json":
        stream.write(b"[")
    first = True
    for batch in batches:
        rows = batch.to_pylist()
        if output == "jsonl":
            stream.write(b"".join(orjson.dumps(row) + b"\n" for row in rows))
        elif output == "json":
            if rows:
                stream.write((b"" if first else b",") + b",".join(orjson.dumps(row) for row in rows))
                first = False
        else:
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerows([_csv_cell(value) for value in row.values()] for row in rows)
            stream.write(text.getvalue().encode())
    if output == "json":
        stream.write(b"]\n")
    stream.flush()


def _split_codes(only: str | None, repeated: tuple[str, ...]) -> list[str] | None:
    codes = [code.strip() for part in (only or "", *repeated) for code in part.split(",") if code.strip()]
    return codes or None


@click.command("indicators")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--format", "output", type=click.Choice(["jsonl", "csv", "json"]), default="jsonl", show_default=True)
@click.option("--backend", type=click.Choice(["duckdb", "spark"]), default="duckdb", show_default=True)
@click.option(
    "--settings",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Settings file (JSON, or Cardinal's INI format).",
)
@click.option(
    "--only",
    metavar="CODES",
    default=None,
    help="Compute only these indicators, comma-separated (e.g. R003,R018,competition.single_bid_rate).",
)
@click.option("--indicator", "codes", multiple=True, help="Only this indicator code (repeatable; same as --only).")
@friendly
def indicators_command(  # noqa: PLR0917 - one click option each
    file: str, output: str, backend: str, settings: str | None, only: str | None, codes: tuple[str, ...]
) -> None:
    """Compute indicators on FILE (any OCDS form, '-' for standard input, or an ingested dataset directory).

    Prints one result per line (jsonl): {"indicator", "level", "id", "value", "flagged", "reason"}. All indicators
    by default; --only R003,R018 computes just those (an unknown code is an error; the codes are listed in
    docs/indicators/index.md). Parts of FILE that could not be read are counted on standard error.
    """
    from civicbuy.analytics import api

    problems = api.ProblemLog()
    batches = api.stream_indicators(
        file, backend=backend, settings=settings, indicators=_split_codes(only, codes), problems=problems
    )
    _write_results(batches, output)
    # Standard output stays the machine format; the read warnings go after it, on standard error.
    for line in api.describe_warnings(problems.as_list(), file):
        click.echo(f"Warning: {line}", err=True)


@click.command("ingest")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--dataset", "name", required=True, help="Dataset name (a directory under the data directory).")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help=f"Where datasets live (default: $CIVICBUY_DATA_DIR or {DEFAULT_DATA_DIR}).",
)
@friendly
def ingest_command(file: str, name: str, data_dir: str | None) -> None:
    """Store FILE as dataset NAME for the dashboard (atomic: a failed ingest keeps the previous dataset)."""
    from civicbuy.analytics import api
    from civicbuy.analytics.store.dataset import check_name

    directory = Path(data_dir or os.environ.get("CIVICBUY_DATA_DIR") or DEFAULT_DATA_DIR)
    tty = sys.stderr.isatty()

    def progress(count: int) -> None:
        if tty:
            click.echo(f"\rIngesting {file}: {count:,} contracting processes", err=True, nl=False)

    dataset = api.ingest(file, directory / check_name(name), progress=progress)
    if tty:
        click.echo("", err=True)
    manifest = dataset.manifest
    warnings = sum(int(w["count"]) for w in manifest["warnings"])
    click.echo(
        f"Dataset {name}: {manifest['processes']} contracting processes, {warnings} warnings, "
        f"stored in {directory / name}"
    )


@click.command("generate")
@click.option("--releases", "count", type=click.IntRange(min=0), required=True, help="Number of compiled releases.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.argument("output", type=click.Path(dir_okay=False, allow_dash=True))
@friendly
def generate_command(count: int, seed: int, output: str) -> None:
    """Write COUNT synthetic compiled releases as JSON Lines to OUTPUT (.gz compresses; '-' for stdout)."""
    from civicbuy.analytics.synthetic import write_jsonl

    write_jsonl(output, count, seed=seed)


COMMANDS = (detect_command, review_command, indicators_command, ingest_command, generate_command)


def register(group: click.Group) -> None:
    """Add the analytics commands to ``group``."""
    for command in COMMANDS:
        group.add_command(command)
