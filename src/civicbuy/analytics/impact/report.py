"""The impact report: carbon, scenario, SDG and social-value sections as one JSON-ready dict (and as text).

Used by ``civicbuy impact FILE`` and by the web app's page and PDF. The input is an ingested dataset (its flat
Parquet tables) or any OCDS file, which is ingested into a temporary dataset first.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from civicbuy.analytics import api
from civicbuy.analytics.impact import carbon, factors, scenarios, sdg, social_value
from civicbuy.analytics.impact.exceptions import ImpactError
from civicbuy.analytics.impact.sources import sources
from civicbuy.analytics.impact.spend import spend_lines
from civicbuy.analytics.scratch import scratch_directory

if TYPE_CHECKING:
    from collections.abc import Iterator

    from civicbuy.analytics.impact.classify import Classifier
    from civicbuy.analytics.impact.social_value import Commitment, Delivery, Framework


def open_dataset(path: str | Path) -> api.Dataset:
    """Return the dataset stored at ``path`` (a directory with ``manifest.json`` written by ``api.ingest``)."""
    resolved = Path(path).resolve()
    try:
        manifest = orjson.loads((resolved / "manifest.json").read_bytes())
    except (OSError, orjson.JSONDecodeError):
        raise ImpactError("is not an ingested dataset (manifest.json missing or unreadable)", path=str(path)) from None
    return api.Dataset(resolved, manifest)


@contextlib.contextmanager
def dataset_for(source: api.Dataset | str | Path) -> Iterator[api.Dataset]:
    """Yield a dataset for ``source``: itself, the dataset directory, or a temporary ingest of an OCDS file."""
    if isinstance(source, api.Dataset):
        yield source
    elif not _is_file(source):
        yield open_dataset(source)
    else:
        with scratch_directory("impact") as temporary:
            yield api.ingest(source, Path(temporary) / "input")


def _is_file(source: str | Path) -> bool:
    """Return whether ``source`` names an OCDS file (or standard input), not a dataset directory."""
    return str(source) == "-" or not Path(source).is_dir()


def indicator_rows(dataset: api.Dataset) -> list[dict[str, Any]]:
    """Return the dataset's stored indicator results, or compute them (without storing) when there are none."""
    try:
        table = api.load_results(dataset)
    except api.AnalyticsError:
        table = api.compute_indicators(dataset, store=False)
    return [row for row in table.to_pylist() if row.get("level") == "dataset"]


@dataclass
class Inputs:
    """Everything a report is built from besides the dataset (all optional; bundled defaults otherwise)."""

    factors: factors.FactorTable | None = None
    scenario: scenarios.Scenario | None = None
    framework: Framework | None = None
    commitments: tuple[Commitment, ...] = ()
    deliveries: tuple[Delivery, ...] = ()
    indicators: list[dict[str, Any]] | None = None
    problems: tuple[str, ...] = ()
    classifier: Classifier | None = None  # opt-in: give lines with no CPV code a division from their description


def build_report(
    source: api.Dataset | str | Path, inputs: Inputs | None = None, language: str = "en"
) -> dict[str, Any]:
    """Return the impact report of ``source`` (a dataset, dataset directory or OCDS file)."""
    inputs = inputs or Inputs()
    with dataset_for(source) as dataset:
        lines = spend_lines(dataset)
        indicators = inputs.indicators if inputs.indicators is not None else indicator_rows(dataset)
        manifest = dataset.manifest
    name = manifest.get("name", "")
    problems = list(inputs.problems)
    if not isinstance(source, api.Dataset) and _is_file(source):
        # A file read just for this report: name it, not the temporary dataset ("input"), and say what of it was
        # skipped or read as null, since the figures leave that out (a stored dataset said so when ingested).
        name = "standard input" if str(source) == "-" else Path(source).name
        problems += api.describe_warnings(manifest.get("warnings", []), str(source))
    classification = None
    if inputs.classifier is not None:
        from civicbuy.analytics.impact.classify import classify_lines

        lines, classification = classify_lines(lines, inputs.classifier)
    table = inputs.factors or factors.load_factors()
    result = carbon.estimate(lines, table, factors.load_conversion())
    framework = inputs.framework or social_value.load_framework()
    scenario_result = scenarios.run_scenario(result, inputs.scenario) if inputs.scenario else None
    return {
        "report": "civicbuy-impact",
        "version": 1,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "language": language,
        "dataset": {
            "name": name,
            "processes": manifest.get("processes"),
            "period": manifest.get("period", {}),
        },
        "currency": "EUR",
        "carbon": result.summary(language),
        "classification": classification,
        "scenario": scenario_result.as_dict() if scenario_result else None,
        "sdg": sdg.sdg_view(result.estimates, indicators, language=language),
        "social_value": {
            "framework": framework.as_dict(language),
            "delivery": social_value.summarise(framework, list(inputs.commitments), list(inputs.deliveries), language),
        },
        "problems": problems,
        "sources": [source.as_dict() for source in sources().values()],
    }


def _tonnes(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"  # noqa: PLR2004 - rounding for display


def format_text(report: dict[str, Any]) -> str:
    """Return a short plain-text reading of the report for a terminal."""
    c = report["carbon"]
    out = [
        (
            f"Impact of {report['dataset']['name'] or 'the data'} "
            f"({report['dataset']['processes']} contracting processes)"
        ),
        "",
        "Carbon of spend (spend-based estimate, Scope 3)",
        (
            f"  {_tonnes(c['total_tonnes_co2e'])} t CO2e "
            f"(range {_tonnes(c['total_tonnes_co2e_low'])} to {_tonnes(c['total_tonnes_co2e_high'])})"
        ),
        (
            f"  coverage: {c['coverage']:.1%} of EUR {c['spend_eur']:,.0f} spend; "
            f"{c['covered_lines']} of {c['lines']} contracts estimated"
        ),
    ]
    classified = c["coverage_by_source"]["classified"]
    if report.get("classification"):
        out.append(
            f"  of which classified from item descriptions, not published: {classified['share_of_spend']:.1%} of "
            f"spend, {classified['lines']} contracts, {_tonnes(classified['tonnes_co2e'])} t CO2e"
        )
    out.extend(f"  gap: {g['lines']} contracts - {g['description']}" for g in c["gaps"])
    out.append("  hot spots by CPV division:")
    out.extend(
        f"    {g['key']} {g['label']}: {_tonnes(g['tonnes_co2e'])} t ({g['share_of_emissions']:.0%})"
        for g in c["by_division"][:5]
    )
    if report["scenario"]:
        s = report["scenario"]
        out += ["", f"Scenario: {s['name']}", f"  {s['change_tonnes_co2e']:+,.1f} t CO2e ({s['change_share']:+.1%})"]
        out.extend(f"    {a['assumption']['label']}: {a['change_tonnes_co2e']:+,.1f} t" for a in s["assumptions"])
    out += ["", "Spend by SDG target (overlapping)"]
    out.extend(
        f"  {t['target']} {t['label']}: EUR {t['spend_eur']:,.0f} ({t['share_of_spend']:.0%})"
        + (f"; evidence: {', '.join(e['indicator'] for e in t['evidence'])}" if t["evidence"] else "")
        for t in report["sdg"]["targets"]
    )
    delivery = report["social_value"]["delivery"]
    out += [
        "",
        (
            f"Social value ({delivery['framework']}): {delivery['commitments']} commitments, "
            f"{delivery['deliveries']} deliveries recorded"
        ),
    ]
    out.extend(f"  problem: {p}" for p in report["problems"])
    return "\n".join(out)
