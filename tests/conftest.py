"""Fixtures shared by the whole suite.

- ``shared_dir``: the read-only ``shared/`` folder beside the repository (real OCDS files, reference data).
  Tests reach it only through this fixture, which fails with a clear message when it is absent.
- The test database gets the bundled content pack once per session (see ``django_db_setup``), so tests
  that use ``db`` see the real guide and case studies and each test's changes are rolled back.
- ``prepared_site``: a data folder as ``civicbuy setup --no-demo`` leaves it (SQLite), prepared once per session
  and copied for each test server or operator test that needs a fresh site (the migrations and the content pack
  take ~30 s of CPU each time).
- ``--database-tests-only`` keeps the tests that use the test database. ``scripts/test.sh`` runs the whole suite
  on SQLite, then these again on PostgreSQL: a test without database access gives the same result on either engine
  (pytest-django refuses database access to a test that did not ask for it, and the tests that start a
  ``civicbuy`` process remove ``DATABASE_URL`` from its environment).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.processes import CIVICBUY, sqlite_env

REPO = Path(__file__).resolve().parent.parent

#: Fixtures that give a test the database; any fixture that needs one of these lists it too.
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"})


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once when a mypyc extension is older than its source: the tests would check the old code.

    ``make install`` rebuilds them when their source changes (see ``setup.py``); running pytest alone does not.
    """
    from tests.native import stale_builds

    stale = stale_builds(REPO / "src" / "civicbuy")
    if stale:
        pytest.exit(f"{'; '.join(stale)}: run `make install` to rebuild", returncode=4)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the test database (the PostgreSQL run of scripts/test.sh)",
    )


def uses_database(item: pytest.Item) -> bool:
    """True when ``item`` can reach the test database: a ``django_db`` mark or a database fixture."""
    if item.get_closest_marker("django_db") is not None:
        return True
    return bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-tests-only"):
        return
    kept: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        (kept if uses_database(item) else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


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


@pytest.fixture(scope="session")
def _prepared_site_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run ``civicbuy setup --no-demo`` once, on SQLite in a folder of its own (never the test database)."""
    data = tmp_path_factory.mktemp("prepared-site")
    result = subprocess.run(
        [CIVICBUY, "setup", "--no-demo"],
        env=sqlite_env(data),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"civicbuy setup --no-demo failed ({result.returncode}):\n{result.stderr}", pytrace=False)
    return data


@pytest.fixture(scope="session")
def prepared_site(_prepared_site_template: Path) -> Callable[[Path], Path]:
    """Return a function that fills an empty folder with a copy of a freshly set-up site and returns it."""

    def copy(target: Path) -> Path:
        shutil.copytree(_prepared_site_template, target, symlinks=True, dirs_exist_ok=True)
        return target

    return copy
