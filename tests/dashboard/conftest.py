"""Fixtures of the dashboard tests: a small real dataset ingested once per session, organisations and members.

The engine's ingest and indicator runs are real (no mocks); they take seconds, so one synthetic dataset is built
per session and copied into each test's own dataset folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from civicbuy.accounts.models import Membership, Organisation
from civicbuy.analytics import api, synthetic
from civicbuy.dashboard import storage, summary
from civicbuy.dashboard.models import Dataset, IngestJob

RELEASES = 400


@pytest.fixture(scope="session")
def built_job(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A job folder (the engine's dataset and the dashboard's summary) built once from synthetic releases."""
    root = tmp_path_factory.mktemp("dashboard-built")
    source = root / "synthetic.jsonl"
    synthetic.write_jsonl(source, RELEASES, seed=7)
    dataset = api.ingest(source, root / "job" / "data")
    api.compute_indicators(dataset)
    prerender, summary.PRERENDER_BUYERS = summary.PRERENDER_BUYERS, 1  # fewer charts: faster, same code paths
    try:
        summary.build(dataset.path, root / "job" / "summary")
    finally:
        summary.PRERENDER_BUYERS = prerender
    return root / "job"


@pytest.fixture(autouse=True)
def own_cache(settings: Any) -> None:
    """Each test counts its own uploads against the rate limit (the site's file cache is shared by every run)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()


@pytest.fixture
def dashboard_root(settings: Any, tmp_path: Path) -> Path:
    """Each test gets its own datasets folder."""
    settings.DATASETS_ROOT = tmp_path / "datasets"
    return Path(settings.DATASETS_ROOT)


@pytest.fixture
def organisation(db: None) -> Organisation:
    return Organisation.objects.create(name="Riverton", slug="riverton")


@pytest.fixture
def other_organisation(db: None) -> Organisation:
    return Organisation.objects.create(name="Hillside", slug="hillside")


def _user(name: str, organisation: Organisation | None) -> Any:
    user = get_user_model().objects.create_user(name, f"{name}@example.org", "a-long-password-for-tests")
    if organisation is not None:
        Membership.objects.create(user=user, organisation=organisation)
    return user


@pytest.fixture
def member(organisation: Organisation) -> Any:
    return _user("maria", organisation)


@pytest.fixture
def outsider(other_organisation: Organisation) -> Any:
    return _user("oscar", other_organisation)


@pytest.fixture
def member_client(member: Any) -> Client:
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def outsider_client(outsider: Any) -> Client:
    client = Client()
    client.force_login(outsider)
    return client


def install(built: Path, dataset: Dataset, **job_fields: Any) -> IngestJob:
    """Give ``dataset`` a finished job whose files are a copy of ``built``."""
    job = IngestJob.objects.create(
        dataset=dataset,
        file_name="synthetic.jsonl",
        status=IngestJob.Status.SUCCEEDED,
        stage=IngestJob.Stage.DONE,
        percent=100,
        processes=RELEASES,
        **job_fields,
    )
    shutil.copytree(built, storage.job_dir(job), symlinks=True)
    dataset.current_job = job
    dataset.save()
    return job


@pytest.fixture
def ready_dataset(dashboard_root: Path, built_job: Path, organisation: Organisation) -> Dataset:
    """A private dataset of ``organisation`` with ingested data."""
    dataset = Dataset.objects.create(organisation=organisation, name="Riverton buying", slug="riverton-buying")
    install(built_job, dataset)
    return dataset


def pytest_configure(config: pytest.Config) -> None:
    """Ignore one known third-party deprecation: ibis 12 calls DuckDB 2's deprecated ``fetch_arrow_table``."""
    config.addinivalue_line("filterwarnings", "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning")
