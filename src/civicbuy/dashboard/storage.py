"""Where the dashboard keeps files, and the clean-up that leaves no orphan behind.

Layout (all under ``settings.DATASETS_ROOT / "dashboard"``)::

    uploads/<job key>.part        an upload while it streams in (renamed to <job key>.upload when complete)
    <dataset key>/<job key>/data  the engine's dataset (a link to its current version, written by api.ingest)
    <dataset key>/<job key>/summary/  the dashboard's figures and charts, precomputed at ingest

Only the current job's folder of a dataset is kept; everything else is removed when a job ends.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from civicbuy.dashboard.models import Dataset, IngestJob

#: Uploads left behind by a request that died (server killed mid-upload) are removed after this long.
STALE_UPLOAD_SECONDS = 24 * 3600


def root() -> Path:
    """The dashboard's folder."""
    return Path(settings.DATASETS_ROOT) / "dashboard"


def uploads_dir() -> Path:
    """Folder of uploads waiting to be ingested."""
    path = root() / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(job: IngestJob) -> Path:
    """The complete upload of ``job``."""
    return uploads_dir() / f"{job.key}.upload"


def dataset_dir(dataset: Dataset) -> Path:
    """Folder of every job of ``dataset``."""
    return root() / str(dataset.key)


def job_dir(job: IngestJob) -> Path:
    """Folder of one job's engine dataset and summary."""
    return dataset_dir(job.dataset) / str(job.key)


def engine_dir(job: IngestJob) -> Path:
    """The engine's dataset link of ``job`` (``api.ingest``'s target)."""
    return job_dir(job) / "data"


def summary_dir(job: IngestJob) -> Path:
    """The dashboard's precomputed summary of ``job``."""
    return job_dir(job) / "summary"


def discard_job_files(job: IngestJob) -> None:
    """Remove everything ``job`` wrote (its upload and its folder); used when it fails or is cancelled."""
    with contextlib.suppress(FileNotFoundError):
        upload_path(job).unlink()
    shutil.rmtree(job_dir(job), ignore_errors=True)


def remove_dataset_files(dataset: Dataset) -> None:
    """Remove every file of ``dataset``."""
    shutil.rmtree(dataset_dir(dataset), ignore_errors=True)


def sweep(dataset: Dataset, keep: set[str]) -> None:
    """Remove the job folders of ``dataset`` not named in ``keep`` (job keys)."""
    folder = dataset_dir(dataset)
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        if child.name not in keep:
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)


def sweep_stale_uploads(max_age: float = STALE_UPLOAD_SECONDS) -> int:
    """Remove partial uploads older than ``max_age`` seconds (a request that died mid-upload); return how many."""
    removed = 0
    cutoff = time.time() - max_age
    for part in uploads_dir().glob("*.part"):
        with contextlib.suppress(FileNotFoundError):
            if part.stat().st_mtime < cutoff:
                part.unlink()
                removed += 1
    return removed
