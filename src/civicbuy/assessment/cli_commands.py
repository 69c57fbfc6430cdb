"""`civicbuy assessment validate FILE`: check a maturity model file before anyone answers it.

Registered on the main ``civicbuy`` group through :func:`register`, like every part's commands.
"""

from __future__ import annotations

from pathlib import Path

import click

from civicbuy.assessment.model import ModelError, load_model, missing_links
from civicbuy.cli.errors import UserError


def register(group: click.Group) -> None:
    """Add the ``assessment`` command group to the ``civicbuy`` CLI."""
    group.add_command(assessment)


@click.group()
def assessment() -> None:
    """Work with the procurement maturity self-assessment (check its model file)."""


@assessment.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--links-from",
    "pack",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also check that every roadmap link points to a page in this content pack folder.",
)
def validate(file: Path, pack: Path | None) -> None:
    """Check a maturity model FILE: structure, translations, taxonomy codes and links.

    Prints one line per problem and exits with status 1, or prints a one-line summary.
    """
    try:
        model = load_model(file)
    except ModelError as error:
        for problem in error.problems:
            click.echo(f"Error: {problem}", err=True)
        raise UserError(f"{len(error.problems)} problem(s) in {file}") from None
    if pack is not None:
        known = pack_links(pack)
        if not known:
            raise UserError(f"{pack}: no guide steps, topic guides or case studies found in this folder")
        missing = missing_links(model, known)
        for link in missing:
            click.echo(f"Error: {file}: link {link!r} has no page in {pack}", err=True)
        if missing:
            raise UserError(f"{len(missing)} link(s) in {file} point to pages that do not exist")
    questions = len(model.questions)
    links = len(model.links)
    click.echo(
        f"OK: {file} (version {model.version}): {len(model.dimensions)} dimensions, {questions} questions, "
        f"{len(model.levels)} levels, {links} links"
    )


def pack_links(pack: Path) -> set[str]:
    """Return the link paths a content pack provides, read from its file names.

    Pack layout (docs/content-packs.md): ``guide/steps/<stage>/<slug>.en.yaml``,
    ``guide/topics/<slug>.en.yaml`` and ``cases/<slug>.en.yaml``.
    """
    suffix = ".en.yaml"
    links = {f"{path.parent.name}/{path.name.removesuffix(suffix)}" for path in pack.glob(f"guide/steps/*/*{suffix}")}
    links |= {f"topics/{path.name.removesuffix(suffix)}" for path in pack.glob(f"guide/topics/*{suffix}")}
    links |= {f"cases/{path.name.removesuffix(suffix)}" for path in pack.glob(f"cases/*{suffix}")}
    return links
