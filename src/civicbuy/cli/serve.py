"""`civicbuy serve` and `civicbuy setup`: prepare the database and content, then serve with gunicorn.

`serve` runs gunicorn (a production-grade WSGI server) with whitenoise serving static files, and beside
it the background-task worker that ingests datasets, so one command runs the whole product. When
either process stops, the other is stopped too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType

import click

from civicbuy.cli import django_env
from civicbuy.cli.errors import UserError
from civicbuy.config import env
from civicbuy.config.parts import module_exists


@click.command()
@click.option("--demo/--no-demo", default=True, help="Also create the demo city's dataset when it is missing.")
def setup(demo: bool) -> None:
    """Migrate the database and, on first run, load the bundled content (and the demo dataset)."""
    django_env.setup()
    from django.conf import settings

    from civicbuy.content.errors import ContentPackErrors
    from civicbuy.content.loader import load_pack, site_has_content
    from civicbuy.content.packs import bundled_pack

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    django_env.manage("migrate", "--no-input", verbosity=0)
    if settings.PRODUCTION:
        django_env.manage("collectstatic", "--no-input", verbosity=0)
    if site_has_content():
        click.echo("Content already loaded (use `civicbuy content load` to reload the bundled pack).")
    else:
        try:
            summary = load_pack(bundled_pack())
        except ContentPackErrors as errors:
            for error in errors.errors:
                click.echo(f"Error: {error}", err=True)
            raise UserError("the bundled content has problems; nothing was loaded") from None
        click.echo(f"Loaded {summary.total} pages of bundled content.")
    if demo:
        from civicbuy.website.setup_hooks import run_setup_hooks

        for message in run_setup_hooks():
            click.echo(message)


def _terminate(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def sweep_abandoned_jobs() -> None:
    """Before the worker starts: fail the ingests a killed server left running and remove their files.

    Without this a job killed mid-ingest would say "running" until someone opened the dashboard and its heartbeat
    was found stale. A database that is not ready yet (no migrations) is left to the worker and pages to report.
    """
    if not module_exists("civicbuy.dashboard.jobs"):
        return
    django_env.setup()
    from django.db import DatabaseError

    from civicbuy.dashboard.jobs import sweep_at_worker_start

    try:
        done = sweep_at_worker_start()
    except DatabaseError as error:
        click.echo(f"Warning: could not check for interrupted ingests ({error}).", err=True)
        return
    if done["jobs_failed"]:
        click.echo(f"Marked {done['jobs_failed']} interrupted ingest(s) as failed; they need uploading again.")


def _close_database_connections() -> None:
    """Close what the sweep opened: the server and worker processes open their own connections."""
    from django.conf import settings

    if settings.configured:
        from django.db import connections

        connections.close_all()


@click.command()
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "8000")), show_default="8000 or $PORT")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--workers", type=int, default=lambda: int(env.get("CIVICBUY_WORKERS")), show_default="2")
@click.option("--worker/--no-worker", "with_worker", default=True, help="Run the background-task worker too.")
def serve(port: int, host: str, workers: int, with_worker: bool) -> None:
    """Serve CivicBuy on http://HOST:PORT with gunicorn, and run the background-task worker."""
    env_vars = {**os.environ, "DJANGO_SETTINGS_MODULE": "civicbuy.config.settings"}
    web = [
        sys.executable, "-m", "gunicorn", "civicbuy.config.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers), "--threads", "4",
        "--timeout", "120", "--graceful-timeout", "20", "--access-logfile", "-",
        "--max-requests", "2000", "--max-requests-jitter", "200", "--no-control-socket",
    ]  # fmt: skip
    if env.get("CIVICBUY_ENV") == "production" or env.get("CIVICBUY_LOG_FORMAT") == "json":
        web += ["--logger-class", "civicbuy.cli.access_log.JsonAccessLogger"]  # one JSON object per line
    if with_worker:
        sweep_abandoned_jobs()
        _close_database_connections()
    processes = [subprocess.Popen(web, env=env_vars)]  # noqa: S603 - fixed argv
    if with_worker:
        worker = [
            sys.executable,
            "-m",
            "django",
            "db_worker",
            "--backend",
            "jobs",
            "--queue-name",
            "*",
            "--interval",
            "0.5",
        ]
        processes.append(subprocess.Popen(worker, env=env_vars))  # noqa: S603 - fixed argv
    click.echo(f"CivicBuy is serving on http://{host}:{port}/ (Ctrl+C to stop)")

    def stop(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        _terminate(processes)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(process.poll() is None for process in processes):
        time.sleep(0.5)
    failed = next(process for process in processes if process.poll() is not None)
    _terminate(processes)
    sys.exit(failed.returncode or 1)
