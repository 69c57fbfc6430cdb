"""``civicbuy impact``: the impact report of a dataset or OCDS file, and factor imports.

``civicbuy impact FILE`` is short for ``civicbuy impact report FILE``. Errors are one line on standard error with
the file and line, and exit status 1 (ARCHITECTURE.md, "Errors").
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import orjson

from civicbuy.analytics.cli_friendly import friendly


class _DefaultGroup(click.Group):
    """A group whose first argument, when it is not a subcommand, is the FILE of the ``report`` command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in {"--help", "-h"}:
            args = ["report", *args]
        return super().parse_args(ctx, args)


@click.group("impact", cls=_DefaultGroup)
def impact() -> None:
    """Impact of spend: carbon (with ranges and coverage), scenarios, SDG targets and social value.

    `civicbuy impact FILE` reports on FILE (an OCDS file or an ingested dataset directory).
    """


EXISTING = click.Path(exists=True, dir_okay=False)


@impact.command("report")
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--format", "output", type=click.Choice(["json", "text"]), default="json", show_default=True)
@click.option("--factors", "factors_file", type=EXISTING, help="Factor CSV (yours, or an official EPA/DEFRA file).")
@click.option("--scenario", "scenario_file", type=EXISTING, help="Scenario YAML with explicit assumptions.")
@click.option("--framework", "framework_file", type=EXISTING, help="Your own social-value framework (YAML or CSV).")
@click.option("--commitments", "commitments_file", type=EXISTING, help="Social-value commitments CSV.")
@click.option("--deliveries", "deliveries_file", type=EXISTING, help="Social-value deliveries CSV.")
@click.option("--language", type=click.Choice(["en", "es"]), default="en", show_default=True)
@click.option(
    "--indicators/--no-indicators",
    default=True,
    help="Compute indicator results as SDG evidence (stored results of a dataset are used when present).",
)
@click.option(
    "--classify",
    is_flag=True,
    help="Give contracts with no CPV code a division from their item descriptions (offline model; needs "
    "civicbuy[classify]). Reported apart as 'classified, not published'.",
)
@friendly
def report_command(  # noqa: PLR0917 - click passes options by keyword
    file: str,
    output: str,
    factors_file: str | None,
    scenario_file: str | None,
    framework_file: str | None,
    commitments_file: str | None,
    deliveries_file: str | None,
    language: str,
    indicators: bool,
    classify: bool,
) -> None:
    """Report carbon, SDG and social-value impact of FILE (an OCDS file, '-' for stdin, or a dataset directory)."""
    from civicbuy.analytics.impact import classify as classifier_module
    from civicbuy.analytics.impact import factors, report, scenarios, social_value

    framework = social_value.load_framework(framework_file)
    problems: list[str] = []
    commitments: list[Any] = []
    deliveries: list[Any] = []
    if commitments_file:
        parsed = social_value.parse_commitments(
            Path(commitments_file).read_text("utf-8-sig"), framework, commitments_file
        )
        commitments, problems = parsed.rows, problems + parsed.problems
    if deliveries_file:
        parsed = social_value.parse_commitments(
            Path(deliveries_file).read_text("utf-8-sig"), framework, deliveries_file, deliveries=True
        )
        deliveries, problems = parsed.rows, problems + parsed.problems
    inputs = report.Inputs(
        factors=factors.effective_factors(extra=factors_file),
        scenario=scenarios.load_scenario(scenario_file, language) if scenario_file else None,
        framework=framework,
        commitments=tuple(commitments),
        deliveries=tuple(deliveries),
        problems=tuple(problems),
        indicators=None if indicators else [],
        classifier=classifier_module.build_classifier(progress=_progress) if classify else None,
    )
    result = report.build_report(file, inputs, language)
    if output == "json":
        click.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    else:
        click.echo(report.format_text(result))


def _progress(done: int, total: int) -> None:
    """Show progress on standard error while the imported CPV list is embedded (once; then it is cached)."""
    if sys.stderr.isatty():
        click.echo(f"\rEmbedding the imported CPV list: {done}/{total}", err=True, nl=done >= total)


@impact.command("classify")
@click.argument("descriptions", nargs=-1, required=True)
@click.option("--imported/--bundled", default=True, help="Also use the imported full CPV list, when there is one.")
@friendly
def classify_command(descriptions: tuple[str, ...], imported: bool) -> None:
    """Print the nearest CPV division of each DESCRIPTION (offline model; needs civicbuy[classify]) as JSON lines."""
    from civicbuy.analytics.impact import classify

    classifier = classify.build_classifier(use_imported=imported, progress=_progress)
    for result in classifier.classify(list(descriptions)):
        click.echo(orjson.dumps({"description": result.description, **result.as_dict()}).decode())


@impact.command("classify-eval")
@click.option(
    "--examples",
    "examples_file",
    type=EXISTING,
    help="Your own labelled CSV (columns division, language, description); default: the bundled set.",
)
@click.option("--imported/--bundled", default=False, help="Also use the imported full CPV list, when there is one.")
@click.option("--mistakes", is_flag=True, help="List the descriptions placed in the wrong division.")
@friendly
def classify_eval_command(examples_file: str | None, imported: bool, mistakes: bool) -> None:
    """Measure the classifier: top-1 and top-3 accuracy at CPV division level, per language, as JSON."""
    from civicbuy.analytics.impact import classify

    text = Path(examples_file).read_text("utf-8-sig") if examples_file else None
    classifier = classify.build_classifier(use_imported=imported, progress=_progress)
    result = classify.evaluate(classifier, classify.evaluation_set(text))
    if not mistakes:
        result.pop("mistakes")
    click.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())


@impact.group("factors")
def factors_group() -> None:
    """Emission factors: import official files or your own."""


@factors_group.command("import")
@click.argument("file", type=EXISTING)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where CivicBuy keeps its data (default: $CIVICBUY_DATA_DIR or var).",
)
@friendly
def import_command(file: str, data_dir: str | None) -> None:
    """Import FILE (the official EPA v1.3 or DEFRA CSV, or your own factor CSV); later reports use it."""
    from civicbuy.analytics.impact import factors

    imported = factors.import_factors(file)
    target = factors.imported_factors_path(data_dir)
    current = factors.effective_factors(data_dir)
    factors.write_factors(factors.merge(current, imported), target)
    click.echo(
        f"Imported {len(imported.rows)} category factors and {len(imported.suppliers)} supplier intensities "
        f"from {file} into {target}"
    )
    for problem in imported.problems:
        click.echo(f"Warning: {problem}", err=True)


@factors_group.command("list")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None)
@friendly
def list_command(data_dir: str | None) -> None:
    """Print the factors in use, with their sources, as CSV."""
    from civicbuy.analytics.impact import factors
    from civicbuy.analytics.scratch import scratch_directory

    with scratch_directory("classify") as temporary:
        path = Path(temporary) / "factors.csv"
        factors.write_factors(factors.effective_factors(data_dir), path)
        click.echo(path.read_text(encoding="utf-8"), nl=False)


def register(group: click.Group) -> None:
    """Add ``impact`` to ``group``."""
    group.add_command(impact)
