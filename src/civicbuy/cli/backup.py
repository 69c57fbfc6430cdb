"""`civicbuy backup ARCHIVE` and `civicbuy restore ARCHIVE`: the whole site in one file and back.

An archive (``.tar.gz``) holds:

- ``manifest.json``: format name and version, CivicBuy version, time, database engine, object counts per
  model and the SHA-256 of every other member, so a damaged or foreign archive is refused before anything
  is touched;
- ``data.json``: ``dumpdata`` of every app's rows (content pages and revisions, case submissions, accounts
  and organisations, assessments, datasets and jobs, API tokens), content types and permissions included,
  with their ids, so a restore is an exact copy (natural keys cannot express Wagtail's root collection
  or the history of deleted pages). Left out: sessions, login-attempt records and the admin log. The
  case-study search index is rebuilt after a restore; Wagtail's index is restored with its rows;
- ``datasets/`` and ``media/``: the dataset directory (Parquet versions, symlinks kept) and uploaded
  images and documents.

Both commands are atomic. ``backup`` writes to a temporary file beside the archive and renames it.
``restore`` checks the archive, then replaces the database rows in one transaction and swaps the
folders in with renames; on any failure the database and folders are as they were. It refuses a
database that already has accounts or content unless ``--replace`` is given. Search indexes are rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from civicbuy import __version__
from civicbuy.cli import django_env
from civicbuy.cli.errors import UserError

FORMAT = "civicbuy-backup"
FORMAT_VERSION = 1
EXCLUDED = (
    "sessions",
    "admin.logentry",
    "axes",
)
FOLDERS = ("datasets", "media")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _folders() -> dict[str, Path]:
    from django.conf import settings

    return {"datasets": Path(settings.DATASETS_ROOT), "media": Path(settings.MEDIA_ROOT)}


def _counts() -> dict[str, int]:
    from django.apps import apps

    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower  # noqa: SLF001 - Django's documented model metadata
        if label.split(".")[0] in {"sessions", "axes"} or label in EXCLUDED:
            continue
        counts[label] = model._default_manager.count()  # noqa: SLF001
    return counts


@click.command()
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
def backup(archive: Path) -> None:
    """Write content, accounts, assessments and datasets to ARCHIVE (.tar.gz), atomically."""
    django_env.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    archive = archive.resolve()
    if not archive.parent.is_dir():
        raise UserError(f"{archive.parent} is not a folder")
    with tempfile.TemporaryDirectory(prefix=".civicbuy-backup-", dir=archive.parent) as work:
        data = Path(work) / "data.json"
        with transaction.atomic():  # one consistent snapshot of every table
            call_command(
                "dumpdata",
                *[arg for label in EXCLUDED for arg in ("--exclude", label)],
                output=str(data),
                verbosity=0,
            )
            counts = _counts()
        files = {"data.json": _sha256(data)}
        partial = Path(work) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(data, arcname="data.json")
            for name, folder in _folders().items():
                if folder.is_dir():
                    for path in sorted(folder.rglob("*")):
                        member = f"{name}/{path.relative_to(folder)}"
                        if path.is_file() and not path.is_symlink():
                            files[member] = _sha256(path)
                    tar.add(folder, arcname=name)
            manifest = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "civicbuy": __version__,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "database": connection.vendor,
                "counts": counts,
                "files": files,
            }
            payload = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(payload)
            info.mtime = int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(payload))
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        partial.replace(archive)
    total = sum(counts.values())
    click.echo(f"Backed up {total} rows and {len(files) - 1} files to {archive}")


def _read_manifest(tar: tarfile.TarFile, archive: Path) -> dict[str, Any]:
    try:
        member = tar.extractfile("manifest.json")
    except KeyError:
        member = None
    if member is None:
        raise UserError(f"{archive}: not a CivicBuy backup (no manifest.json)")
    try:
        manifest: dict[str, Any] = json.loads(member.read())
    except ValueError:
        raise UserError(f"{archive}: manifest.json is not valid JSON") from None
    if manifest.get("format") != FORMAT:
        raise UserError(f"{archive}: not a CivicBuy backup (format {manifest.get('format')!r})")
    if manifest.get("version") != FORMAT_VERSION:
        raise UserError(
            f"{archive}: backup format version {manifest.get('version')} is not supported "
            f"(this CivicBuy reads version {FORMAT_VERSION})"
        )
    return manifest


def _extract(archive: Path, target: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            manifest = _read_manifest(tar, archive)
            tar.extractall(target, filter="data")  # refuses absolute paths, "..", devices and links outside
    except (tarfile.TarError, OSError, EOFError) as error:
        raise UserError(f"{archive}: cannot read the archive ({error})") from None
    for name, expected in manifest.get("files", {}).items():
        path = target / name
        if not path.is_file() or _sha256(path) != expected:
            raise UserError(f"{archive}: {name} is missing or damaged (checksum differs); nothing was restored")
    return manifest


def _has_data() -> bool:
    from django.contrib.auth import get_user_model
    from wagtail.models import Page

    # A freshly migrated database has Wagtail's root and welcome pages (depths 1 and 2) and nothing else.
    return get_user_model().objects.exists() or Page.objects.filter(depth__gt=2).exists()


def _swap_folders(extracted: Path) -> list[tuple[Path, Path | None]]:
    """Move each restored folder into place; return (live, previous) pairs to undo or clean up."""
    moves: list[tuple[Path, Path | None]] = []
    for name, live in _folders().items():
        source = extracted / name
        live.parent.mkdir(parents=True, exist_ok=True)
        previous = None
        if live.exists():
            previous = live.with_name(f".{live.name}.before-restore-{os.getpid()}")
            live.rename(previous)
        moves.append((live, previous))
        if source.is_dir():
            shutil.move(str(source), str(live))
        else:
            live.mkdir()
    return moves


def _undo(moves: list[tuple[Path, Path | None]]) -> None:
    for live, previous in moves:
        shutil.rmtree(live, ignore_errors=True)
        if previous is not None:
            previous.rename(live)


@click.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Replace a database that already has accounts or content.")
def restore(archive: Path, replace: bool) -> None:
    """Restore a backup ARCHIVE made by `civicbuy backup` (checks the archive, then migrates the database)."""
    django_env.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    archive = archive.resolve()
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    datasets = _folders()["datasets"]
    datasets.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".civicbuy-restore-", dir=datasets.parent) as work:
        # The archive is read and checked before the database is touched: a file that is not a sound backup is
        # refused at once, and an empty target is left without a database.
        manifest = _extract(archive, Path(work))
        call_command("migrate", "--no-input", verbosity=0)
        if _has_data() and not replace:
            raise UserError("the database already has accounts or content; use --replace to overwrite it")
        moves = _swap_folders(Path(work))
        try:
            with transaction.atomic():
                # Empty every table without recreating content types: the archive brings its own, with ids.
                call_command("flush", "--no-input", inhibit_post_migrate=True, verbosity=0)
                call_command("loaddata", str(Path(work) / "data.json"), verbosity=0)
                _check_counts(manifest["counts"])
        except BaseException:
            _undo(moves)
            raise
        for _live, previous in moves:
            if previous is not None:
                shutil.rmtree(previous, ignore_errors=True)
    _rebuild_search()
    click.echo(f"Restored {sum(manifest['counts'].values())} rows from {archive} (made {manifest['created']}).")


def _check_counts(expected: dict[str, int]) -> None:
    counts = _counts()
    wrong = {label: (n, counts[label]) for label, n in expected.items() if label in counts and counts[label] != n}
    if wrong:
        raise UserError(f"restored row counts differ from the backup: {wrong}; nothing was restored")


def _rebuild_search() -> None:
    """Search indexes are derived data: rebuild them rather than trusting the archive's."""
    with contextlib.suppress(ImportError):
        from civicbuy.casestudies import search

        search.rebuild()
