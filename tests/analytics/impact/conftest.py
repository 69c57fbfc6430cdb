"""Fixtures for the impact engine: the demo city's dataset (the seeded synthetic generator) and its carbon."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicbuy.analytics import api
from civicbuy.analytics.impact import carbon, factors, spend
from civicbuy.analytics.synthetic import write_jsonl

DEMO_RELEASES = 2000  # as civicbuy.dashboard.setup (DEMO_RELEASES, DEMO_SEED)
DEMO_SEED = 2026


@pytest.fixture(scope="session")
def demo_dataset(tmp_path_factory: pytest.TempPathFactory) -> api.Dataset:
    """The demo city: the dashboard's 2,000 synthetic releases, seed 2026, ingested."""
    folder = tmp_path_factory.mktemp("impact-demo")
    source = folder / "demo.jsonl"
    write_jsonl(source, DEMO_RELEASES, seed=DEMO_SEED)
    return api.ingest(source, folder / "datasets" / "demo")


@pytest.fixture(scope="session")
def demo_lines(demo_dataset: api.Dataset) -> list[spend.SpendLine]:
    return spend.spend_lines(demo_dataset)


@pytest.fixture(scope="session")
def demo_carbon(demo_lines: list[spend.SpendLine]) -> carbon.CarbonResult:
    return carbon.estimate(demo_lines, factors.load_factors(), factors.load_conversion())


@pytest.fixture(scope="session")
def reference(shared_dir: Path) -> Path:
    return shared_dir / "data" / "reference"
