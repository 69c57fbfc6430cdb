"""`civicbuy content load|export`: move editorial content between pack files and the CMS."""

from __future__ import annotations

from pathlib import Path

import click

from civicbuy.cli import django_env
from civicbuy.cli.errors import UserError


@click.group()
def content() -> None:
    """Load bundled or edited content packs into the CMS, or export the CMS back to packs."""


@content.command("load")
@click.argument("pack", required=False, type=click.Path(path_type=Path))
def load(pack: Path | None) -> None:
    """Load a content pack (default: the pack bundled with CivicBuy). All or nothing."""
    django_env.setup()
    from civicbuy.content.errors import ContentPackErrors
    from civicbuy.content.loader import load_pack
    from civicbuy.content.packs import bundled_pack

    root = pack or bundled_pack()
    try:
        summary = load_pack(root)
    except ContentPackErrors as errors:
        for error in errors.errors:
            click.echo(f"Error: {error}", err=True)
        raise UserError(f"{len(errors.errors)} problem(s) in {root}; nothing was loaded") from None
    details = ", ".join(f"{count} {name}" for name, count in summary.counts.items())
    click.echo(f"Loaded {summary.total} pages in English and Spanish ({details}).")


@content.command("export")
@click.argument("target", type=click.Path(path_type=Path))
def export(target: Path) -> None:
    """Write the CMS's content to TARGET as a content pack (the folder is replaced when complete)."""
    django_env.setup()
    from civicbuy.content.exporter import export_pack

    try:
        count = export_pack(target)
    except OSError as error:
        raise UserError(f"cannot write {target}: {error.strerror}") from None
    click.echo(f"Exported {count} pages to {target}.")
