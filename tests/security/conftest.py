"""Two organisations with one member each, and one private thing of each kind belonging to the first."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from civicbuy.accounts.models import Membership, Organisation
from civicbuy.api.models import ApiToken


@pytest.fixture(autouse=True)
def _clean(settings: Any, tmp_path: Path) -> None:
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    owner: Any  # member of Alpha City
    outsider: Any  # member of Beta Town
    owner_token: str
    outsider_token: str
    dataset: Any  # Alpha City's private dataset
    draft: Any  # a case in moderation
    assessment: Any


@pytest.fixture
def world(db: None, django_user_model: Any) -> World:
    from civicbuy.assessment.models import Assessment
    from civicbuy.dashboard.models import Dataset
    from tests.api.conftest import draft_case

    alpha = Organisation.objects.create(name="Alpha City", slug="alpha")
    beta = Organisation.objects.create(name="Beta Town", slug="beta")
    owner = django_user_model.objects.create_user("owner", "o@alpha.example", "a-long-password-owner")
    outsider = django_user_model.objects.create_user("outsider", "x@beta.example", "a-long-password-outsider")
    Membership.objects.create(user=owner, organisation=alpha, role=Membership.Role.ADMIN)
    Membership.objects.create(user=outsider, organisation=beta, role=Membership.Role.ADMIN)
    return World(
        owner=owner,
        outsider=outsider,
        owner_token=ApiToken.issue(owner)[1],
        outsider_token=ApiToken.issue(outsider)[1],
        dataset=Dataset.objects.create(organisation=alpha, name="Alpha spend", slug="alpha-spend"),
        draft=draft_case(owner=owner),
        assessment=Assessment.objects.create(organisation="Alpha City"),
    )
