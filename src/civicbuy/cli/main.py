"""The `civicbuy` command: one click group; `civicbuy` alone serves the web app."""

from __future__ import annotations

import logging
import os
import sys
from importlib import import_module

import click

from civicbuy import __version__
from civicbuy.cli.backup import backup, restore
from civicbuy.cli.content import content
from civicbuy.cli.serve import serve, setup
from civicbuy.cli.taxonomy import taxonomy
from civicbuy.config.parts import module_exists

# Parts that add their own commands through a `register(group)` function in a `cli_commands` module.
COMMAND_MODULES = (
    "civicbuy.analytics.cli_commands",
    "civicbuy.analytics.impact.cli_commands",
    "civicbuy.assessment.cli_commands",
    "civicbuy.api.cli_commands",
)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="civicbuy")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """CivicBuy: strategic, sustainable and social-purpose procurement for cities.

    Run with no command to serve the web app on http://127.0.0.1:8000.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(serve)


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (e.g. `civicbuy manage createsuperuser`)."""
    from civicbuy.cli import django_env

    django_env.setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["civicbuy manage", *args])


cli.add_command(serve)
cli.add_command(setup)
cli.add_command(content)
cli.add_command(taxonomy)
cli.add_command(backup)
cli.add_command(restore)
for _module in COMMAND_MODULES:
    if module_exists(_module):
        import_module(_module).register(cli)


def main() -> None:
    """Console-script entry point: a user sees one line for any failure, never a traceback."""
    try:
        cli(prog_name="civicbuy", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as error:
        log = logging.getLogger("civicbuy.cli")
        log.debug("unexpected error", exc_info=True)
        # One line, as every error: some libraries' messages span lines (DuckDB adds the SQL and a ^ marker).
        text = " ".join(str(error).split())
        click.echo(
            f"Error: unexpected problem ({type(error).__name__}: {text}). Run with CIVICBUY_DEBUG=true for details.",
            err=True,
        )
        if os.environ.get("CIVICBUY_DEBUG", "").lower() in {"1", "true", "yes"}:
            raise
        sys.exit(2)
