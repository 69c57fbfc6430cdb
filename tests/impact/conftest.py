"""Fixtures for the impact web app: an engine dataset (the demo city's generator) behind a stand-in for the
dashboard's public query functions, so these tests need neither the dashboard's models nor its worker."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from civicbuy.analytics import api
from civicbuy.analytics.synthetic import write_jsonl


@pytest.fixture(scope="session")
def engine_dataset(tmp_path_factory: pytest.TempPathFactory) -> api.Dataset:
    folder = tmp_path_factory.mktemp("impact-web")
    source = folder / "demo.jsonl"
    write_jsonl(source, 600, seed=2026)
    return api.ingest(source, folder / "datasets" / "demo")


@pytest.fixture
def dataset(engine_dataset: api.Dataset, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> Any:
    """A public dataset (pk 7) visible to everyone, served from ``engine_dataset``."""
    from django.http import Http404

    from civicbuy.dashboard import queries

    settings.DATA_DIR = tmp_path
    stand_in = SimpleNamespace(pk=7, name="Demo City procurement", slug="demo", public=True, current_job_id=1)

    def get_visible(user: Any, pk: int) -> Any:
        if pk != stand_in.pk:
            raise Http404
        return stand_in

    monkeypatch.setattr(queries, "get_visible_dataset", get_visible)
    monkeypatch.setattr(queries, "dataset_path", lambda _d: engine_dataset.path)
    monkeypatch.setattr(queries, "latest_dataset", lambda _user: None)
    monkeypatch.setattr(queries, "visible_datasets", lambda _user: [stand_in])
    return stand_in


@pytest.fixture
def staff_client(client: Any, django_user_model: Any) -> Any:
    user = django_user_model.objects.create_user("officer", password="a-long-password-2026", is_staff=True)
    client.force_login(user)
    return client
