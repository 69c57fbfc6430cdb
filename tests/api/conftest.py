"""Fixtures for the API tests: users with tokens, a draft case, an assessment; clean rate limits."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from civicbuy.api.models import ApiToken


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def ana(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("ana", "ana@example.org", "a-long-password-for-ana")


@pytest.fixture
def ben(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user("ben", "ben@example.org", "a-long-password-for-ben")


@pytest.fixture
def ana_token(ana: Any) -> str:
    return ApiToken.issue(ana, name="tests")[1]


@pytest.fixture
def ben_token(ben: Any) -> str:
    return ApiToken.issue(ben, name="tests")[1]


def draft_case(title: str = "A draft nobody may see", owner: Any = None) -> Any:
    """A case page in moderation (not live), as a public submission leaves it."""
    from civicbuy.casestudies.models import CaseStudyIndexPage, CaseStudyPage

    index = CaseStudyIndexPage.objects.filter(locale__language_code="en").first()
    page = CaseStudyPage(
        title=title,
        slug="secret-draft-case",
        live=False,
        owner=owner,
        country="PT",
        organisation="Testville",
        years="2024",
        summary=["one", "two", "three"],
        problem="p",
        approach="a",
    )
    index.add_child(instance=page)
    page.save_revision(user=owner)
    return page


@pytest.fixture
def draft(db: None) -> Any:
    return draft_case()
