"""Fixtures shared by the whole suite.

- ``shared_dir``: the read-only ``shared/`` folder beside the repository (real OCDS files, reference data).
  Tests reach it only through this fixture, which fails with a clear message when it is absent.
- The test database gets the bundled content pack once per session (see ``django_db_setup``), so tests
  that use ``db`` see the real guide and case studies and each test's changes are rolled back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _shared_dir() -> Path:
    return Path(os.environ.get("CIVICBUY_SHARED_DIR", REPO.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared reference folder (OCDS samples, reference data); fail clearly when it is missing."""
    path = _shared_dir()
    if not (path / "data").is_dir():
        pytest.fail(
            f"These tests need the shared reference data at {path} (set CIVICBUY_SHARED_DIR to its location).",
            pytrace=False,
        )
    return path


@pytest.fixture(autouse=True)
def _english_unless_a_test_says_otherwise() -> Iterator[None]:
    """Start every test in English: Django keeps the active language per thread, so a Spanish request in one
    test would otherwise leak into code run directly (e.g. a background job) by the next."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """Create the test database (pytest-django), then load the bundled content pack into it once."""
    from civicbuy.content.loader import load_pack
    from civicbuy.content.packs import bundled_pack

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        load_pack(bundled_pack())
