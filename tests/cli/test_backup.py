"""`civicbuy backup` / `civicbuy restore` as an operator runs them: back up a site, restore it into an
empty database and folder, and compare rows and files; damaged archives and non-empty targets are refused."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.processes import CIVICBUY, sqlite_env

SNAPSHOT = (
    "import json; from django.apps import apps; "
    "from civicbuy.accounts.models import Organisation; from civicbuy.assessment.models import Assessment; "
    "from civicbuy.api.models import ApiToken; from django.contrib.auth.models import User; "
    "print(json.dumps({'counts': {m._meta.label_lower: m._default_manager.count() for m in apps.get_models() "
    "if m._meta.app_label not in ('sessions', 'axes', 'admin')}, "
    "'users': sorted(User.objects.values_list('username', 'password')), "
    "'organisations': sorted(Organisation.objects.values_list('slug', flat=True)), "
    "'assessments': sorted(Assessment.objects.values_list('token', 'organisation', 'targets')), "
    "'tokens': sorted(ApiToken.objects.values_list('token_hash', flat=True))}, default=str))"
)
SEED = (
    "from django.contrib.auth.models import User; from civicbuy.accounts.models import Organisation, Membership; "
    "from civicbuy.assessment.models import Assessment, Department; from civicbuy.api.models import ApiToken; "
    "u = User.objects.create_user('ana', 'a@example.org', 'a-long-password-for-ana'); "
    "o = Organisation.objects.create(name='Alpha City', slug='alpha'); "
    "Membership.objects.create(user=u, organisation=o); ApiToken.issue(u, name='backup test'); "
    "a = Assessment.objects.create(organisation='Alpha City', targets={'strategy': 3}); "
    "Department.objects.create(assessment=a, name='Finance', answers={'q1': {'level': 2}})"
)


def run(*args: str, data: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [CIVICBUY, *args], env=sqlite_env(data), capture_output=True, text=True, timeout=600, check=False
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def snapshot(data: Path) -> dict[str, object]:
    return json.loads(run("manage", "shell", "-c", SNAPSHOT, data=data).stdout.strip().splitlines()[-1])


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, prepared_site: Callable[[Path], Path]) -> dict[str, Path]:
    """A site with content, an account, an organisation, an assessment, a token, a dataset file and media."""
    data = prepared_site(tmp_path_factory.mktemp("source"))  # as `civicbuy setup --no-demo` leaves it
    run("manage", "shell", "-c", SEED, data=data)
    dataset = data / "datasets" / ".versions" / "alpha-1"
    dataset.mkdir(parents=True)
    (dataset / "manifest.json").write_text('{"name": "alpha"}')
    (dataset / "processes.parquet").write_bytes(os.urandom(4096))
    (data / "datasets" / "alpha").symlink_to(Path(".versions") / "alpha-1")
    (data / "media" / "documents").mkdir(parents=True)
    (data / "media" / "documents" / "report.pdf").write_bytes(b"%PDF-1.4 test")
    archive = tmp_path_factory.mktemp("archives") / "site.tar.gz"
    result = run("backup", str(archive), data=data)
    assert "Backed up" in result.stdout
    return {"data": data, "archive": archive}


def test_restore_into_an_empty_site_gives_back_the_same_rows_and_files(site: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "restored"
    result = run("restore", str(site["archive"]), data=target)
    assert "Restored" in result.stdout
    before, after = snapshot(site["data"]), snapshot(target)
    assert after == before
    assert after["organisations"] == ["alpha"]
    assert files_of(target / "datasets") == files_of(site["data"] / "datasets")
    assert (target / "datasets" / "alpha").is_symlink()
    assert files_of(target / "media")["documents/report.pdf"] == b"%PDF-1.4 test"


def test_restored_site_serves_its_content(site: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "served"
    run("restore", str(site["archive"]), data=target)
    probe = (
        "from django.test import Client; c = Client(HTTP_HOST='127.0.0.1'); "
        "print(c.get('/en/guide/').status_code, c.get('/api/v1/case-studies/?q=school').json()['count'] > 0)"
    )
    assert run("manage", "shell", "-c", probe, data=target).stdout.strip().splitlines()[-1] == "200 True"


def test_manifest_is_versioned_and_lists_checksums(site: dict[str, Path]) -> None:
    with tarfile.open(site["archive"]) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["format"] == "civicbuy-backup"
    assert manifest["version"] == 1
    assert "data.json" in manifest["files"]
    assert "datasets/.versions/alpha-1/processes.parquet" in manifest["files"]
    assert manifest["counts"]["assessment.assessment"] == 1


def test_a_non_empty_site_is_not_overwritten_without_replace(site: dict[str, Path]) -> None:
    result = run("restore", str(site["archive"]), data=site["data"], check=False)
    assert result.returncode == 1
    assert "use --replace" in result.stderr


def test_a_damaged_archive_is_refused_and_changes_nothing(site: dict[str, Path], tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(site["archive"]) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            content = source.extractfile(member) if member.isfile() else None
            if member.name == "datasets/.versions/alpha-1/processes.parquet":
                data = b"tampered"
                member.size = len(data)
                target.addfile(member, __import__("io").BytesIO(data))
            else:
                target.addfile(member, content)
    empty = tmp_path / "empty"
    result = run("restore", str(damaged), data=empty, check=False)
    assert result.returncode == 1
    assert "processes.parquet is missing or damaged" in result.stderr
    assert not (empty / "datasets" / "alpha").exists()
    assert not (empty / "civicbuy.sqlite3").exists()  # refused before the database was created


@pytest.mark.parametrize("content", [b"not an archive", gzip.compress(b"not a tar")])
def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path, content: bytes) -> None:
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(content)
    result = run("restore", str(bogus), data=tmp_path / "empty", check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "empty" / "civicbuy.sqlite3").exists()
