"""`civicbuy taxonomy`: list the shared taxonomy and import the official SDG and CPV files."""

from __future__ import annotations

from pathlib import Path

import click

from civicbuy.cli.errors import UserError
from civicbuy.config import env
from civicbuy.taxonomy import imports, registry


@click.group()
def taxonomy() -> None:
    """The shared taxonomy: stages, themes, SDG targets, CPV divisions, countries, regions."""


@taxonomy.command("show")
@click.argument("kind", type=click.Choice(sorted(registry.KINDS)))
@click.option("--language", type=click.Choice(registry.LANGUAGES), default="en", show_default=True)
def show(kind: str, language: str) -> None:
    """Print every code of KIND with its label."""
    for code, label in registry.choices(kind, language):
        click.echo(f"{code}\t{label}")


@taxonomy.command("import")
@click.argument("kind", type=click.Choice(["sdg", "cpv"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_file(kind: str, file: Path) -> None:
    """Import the official SDG targets or CPV code list from a CSV FILE."""
    importer = imports.import_sdg_targets if kind == "sdg" else imports.import_cpv
    try:
        count = importer(file, env.data_dir())
    except imports.ImportProblemError as error:
        raise UserError(str(error)) from None
    click.echo(f"Imported {count} {kind.upper()} entries from {file}.")
