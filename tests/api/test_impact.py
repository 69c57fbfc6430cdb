"""/api/v1/impact/: a real ingested dataset's impact, for its own organisation only."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from civicbuy.accounts.models import Membership, Organisation
from civicbuy.analytics import api as engine
from civicbuy.analytics.synthetic import write_jsonl
from civicbuy.api.models import ApiToken
from civicbuy.dashboard import storage
from civicbuy.dashboard.models import Dataset, IngestJob
from civicbuy.impact.models import Commitment, Delivery

pytestmark = [
    pytest.mark.django_db,
    # ibis 12 calls DuckDB 2's deprecated fetch_arrow_table (as in tests/dashboard/conftest.py)
    pytest.mark.filterwarnings("ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning"),
]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An engine dataset (synthetic releases; no indicators, which take seconds) built once, copied per test."""
    root = tmp_path_factory.mktemp("api-impact")
    write_jsonl(root / "releases.jsonl", 200, seed=11)
    engine.ingest(root / "releases.jsonl", root / "job" / "data")
    return root / "job"


def _ready(organisation: Organisation, slug: str, built: Path, *, public: bool = False) -> Dataset:
    dataset = Dataset.objects.create(organisation=organisation, name=f"{slug} spend", slug=slug, public=public)
    job = IngestJob.objects.create(dataset=dataset, file_name="releases.jsonl", status="succeeded", stage="done")
    shutil.copytree(built, storage.job_dir(job), symlinks=True)
    dataset.current_job = job
    dataset.save()
    return dataset


@pytest.fixture
def world(settings: Any, tmp_path: Path, built: Path, django_user_model: Any) -> dict[str, Any]:
    settings.DATASETS_ROOT = tmp_path / "datasets"
    settings.DATA_DIR = tmp_path
    alpha = Organisation.objects.create(name="Alpha City", slug="alpha")
    beta = Organisation.objects.create(name="Beta Town", slug="beta")
    tokens = {}
    for name, organisation in (("owner", alpha), ("outsider", beta)):
        user = django_user_model.objects.create_user(name, f"{name}@example.org", f"a-long-password-{name}")
        Membership.objects.create(user=user, organisation=organisation)
        tokens[name] = ApiToken.issue(user)[1]
    mine = _ready(alpha, "alpha", built)
    promised = Commitment.objects.create(
        dataset_id=mine.pk,
        contract_id="ocds-x-1/C-1",
        supplier_name="Bakery Ltd",
        measure="jobs.local_hires",
        quantity=4,
    )
    Delivery.objects.create(commitment=promised, quantity=3, date=date(2025, 3, 1))
    return {"mine": mine, "public_of_beta": _ready(beta, "beta", built, public=True), **tokens}


def get(client: Client, path: str, token: str | None = None, **params: Any) -> Any:
    return client.get(path, params, headers={"Authorization": f"Bearer {token}"} if token else {})


def test_own_dataset_impact_summary_and_paginated_lists(client: Client, world: dict[str, Any]) -> None:
    base = f"/api/v1/impact/{world['mine'].pk}/"
    body = get(client, base, world["owner"]).json()
    carbon = body["carbon"]
    assert body["dataset"]["organisation"] == "Alpha City"
    assert body["indicators_computed"] is False
    assert 0 < carbon["total_tonnes_co2e_low"] <= carbon["total_tonnes_co2e"] <= carbon["total_tonnes_co2e_high"]
    assert 0 < carbon["coverage"] <= 1
    assert carbon["covered_spend_eur"] <= carbon["spend_eur"]
    assert body["sdg"]["targets"] > 0
    assert body["social_value"]["commitments"] == 1
    assert body["social_value"]["deliveries"] == 1

    divisions = get(client, f"{base}carbon/divisions/", world["owner"], page_size=2).json()
    assert len(divisions["items"]) == 2
    assert divisions["pages"] == -(-divisions["count"] // 2)
    tonnes = [g["tonnes_co2e"] for g in divisions["items"]]
    assert tonnes == sorted(tonnes, reverse=True)
    suppliers = get(client, f"{base}carbon/suppliers/", world["owner"]).json()
    assert suppliers["count"] > 0
    sdg = get(client, f"{base}sdg/", world["owner"], lang="es").json()
    assert sdg["count"] == body["sdg"]["targets"]
    [row] = get(client, f"{base}social-value/", world["owner"]).json()["items"]
    assert (row["supplier_name"], row["committed"], row["delivered"], row["delivered_share"]) == (
        "Bakery Ltd", 4.0, 3.0, 0.75,
    )  # fmt: skip


@pytest.mark.parametrize("suffix", ["", "carbon/divisions/", "carbon/suppliers/", "sdg/", "social-value/"])
def test_other_organisations_and_anonymous_callers_get_nothing(
    client: Client, world: dict[str, Any], suffix: str
) -> None:
    mine = f"/api/v1/impact/{world['mine'].pk}/{suffix}"
    anonymous = get(client, mine)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    outsider = get(client, mine, world["outsider"])
    assert outsider.status_code == 404
    assert outsider.json()["error"]["code"] == "not_found"
    assert "Alpha" not in outsider.content.decode()
    # Beta's public (demo-like) dataset is Beta's own analysis: visible to its member, 404 to Alpha's.
    public = f"/api/v1/impact/{world['public_of_beta'].pk}/{suffix}"
    assert get(client, public, world["outsider"]).status_code == 200
    assert get(client, public, world["owner"]).status_code == 404
    assert get(client, f"/api/v1/impact/999999/{suffix}", world["owner"]).status_code == 404
