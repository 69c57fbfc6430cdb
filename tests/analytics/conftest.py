"""Fixtures for the analytics tests: the shared real OCDS samples, located outside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """Return ../shared (or $CIVICBUY_SHARED_DIR); fail clearly when it is absent."""
    path = Path(os.environ.get("CIVICBUY_SHARED_DIR") or REPO.parent / "shared")
    samples = path / "data" / "ocds-samples"
    if not samples.is_dir():
        pytest.fail(f"The shared OCDS samples are missing: expected {samples} (set CIVICBUY_SHARED_DIR)")
    return path


@pytest.fixture(scope="session")
def samples(shared_dir: Path) -> Path:
    """Return the folder of real OCDS samples."""
    return shared_dir / "data" / "ocds-samples"


@pytest.fixture(scope="session")
def compiled_jsonl(samples: Path) -> Path:
    """Return derived/compiled-releases.jsonl (143 compiled releases; Cardinal results in its README)."""
    return samples / "derived" / "compiled-releases.jsonl"


@pytest.fixture(scope="session")
def release_schema(samples: Path) -> Path:
    """Return the official OCDS 1.1 release schema."""
    return samples / "schema-1.1" / "release-schema.json"


@pytest.fixture(scope="session")
def publisher_folders(samples: Path) -> list[Path]:
    """Return every publisher sub-folder holding JSON files."""
    return sorted(p for p in samples.glob("*/*") if p.is_dir() and any(p.glob("*.json")))


def concatenate(folder: Path, target: Path) -> Path:
    """Write the JSON files of ``folder`` one after another (concatenated JSON) into ``target``."""
    with target.open("wb") as out:
        for file in sorted(folder.glob("*.json")):
            out.write(file.read_bytes().strip() + b"\n")
    return target


@pytest.fixture(scope="session")
def concatenated_publishers(
    publisher_folders: list[Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Return, per publisher folder ("armenia-armeps/releases"), one temporary file of its concatenated JSON."""
    directory = tmp_path_factory.mktemp("publishers")
    return {
        f"{folder.parent.name}/{folder.name}": concatenate(
            folder, directory / f"{folder.parent.name}-{folder.name}.json"
        )
        for folder in publisher_folders
    }


def pytest_configure(config: pytest.Config) -> None:
    """Ignore one known third-party deprecation: ibis 12 calls DuckDB 2's deprecated ``fetch_arrow_table``."""
    config.addinivalue_line("filterwarnings", "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning")
