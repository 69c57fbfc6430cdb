"""`civicbuy serve`'s start: the sweep of ingests a killed server left running (real killed processes)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from civicbuy.accounts.models import Organisation
from civicbuy.cli.serve import sweep_abandoned_jobs
from civicbuy.dashboard import jobs, storage
from civicbuy.dashboard.models import Dataset, IngestJob

pytestmark = pytest.mark.django_db


def _job(organisation: Organisation, slug: str, pid: int, started_ago: float, **fields: Any) -> IngestJob:
    dataset = Dataset.objects.create(organisation=organisation, name=slug, slug=slug)
    now = timezone.now()
    job = IngestJob.objects.create(
        dataset=dataset, file_name=f"{slug}.json", status="running", stage="reading", worker_host=socket.gethostname(),
        worker_pid=pid, started_at=now - timedelta(seconds=started_ago), heartbeat_at=now, **fields,
    )  # fmt: skip
    partial = storage.engine_dir(job).parent / ".versions" / "data-20261125.partial"  # the engine's half-written copy
    partial.mkdir(parents=True)
    (partial / "processes.parquet").write_bytes(b"half")
    storage.upload_path(job).write_bytes(b"[]")
    jobs.ingest_dataset.enqueue(job.pk)  # the task queue's own row of this run, taken by the worker:
    DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).update(status="RUNNING", started_at=now)
    return job


def test_jobs_of_killed_workers_are_failed_and_their_files_removed(settings: Any, tmp_path: Path, capsys: Any) -> None:
    settings.DATASETS_ROOT = tmp_path
    city = Organisation.objects.create(name="Riverton", slug="riverton")
    killed = subprocess.Popen(["sleep", "60"])
    killed.kill()  # SIGKILL, as when the server is killed mid-ingest
    killed.wait()
    dead = _job(city, "killed", killed.pid, started_ago=10)
    reused_by = subprocess.Popen(["sleep", "60"])  # the old worker's id, now another, younger process's
    try:
        reused = _job(city, "reused", reused_by.pid, started_ago=120)
        live = _job(city, "live", os.getpid(), started_ago=0)  # a worker alive and beating (this process)
        done = IngestJob.objects.create(dataset=live.dataset, file_name="old.json", status="succeeded", stage="done")
        storage.summary_dir(done).mkdir(parents=True)
        Dataset.objects.filter(pk=live.dataset_id).update(current_job=done)
        leftover = storage.dataset_dir(live.dataset) / str(uuid.uuid4())  # a failed job's folder left behind
        (leftover / "summary").mkdir(parents=True)
        orphan = storage.uploads_dir() / f"{uuid.uuid4()}.upload"  # an upload no job will read
        orphan.write_bytes(b"[]")
        old = time.time() - 7200
        os.utime(orphan, (old, old))

        sweep_abandoned_jobs()
    finally:
        reused_by.kill()
        reused_by.wait()

    assert "Marked 2 interrupted ingest(s) as failed" in capsys.readouterr().out
    for job in (dead, reused):
        job.refresh_from_db()
        assert job.status == "failed"
        assert "please upload the file again" in job.message
        assert job.finished_at is not None
        assert not storage.job_dir(job).exists()
        assert not storage.upload_path(job).exists()
    for job in (dead, reused):  # the task queue's rows too: an operator reads them in the admin
        row = DBTaskResult.objects.get(args_kwargs__args=[job.pk])
        assert (row.status, row.finished_at is not None) == ("FAILED", True)
        assert "please upload the file again" in row.traceback
    live.refresh_from_db()
    assert live.status == "running"
    assert DBTaskResult.objects.get(args_kwargs__args=[live.pk]).status == "RUNNING"
    assert (storage.engine_dir(live).parent / ".versions").is_dir()
    assert storage.upload_path(live).exists()
    assert storage.summary_dir(done).is_dir()
    assert not leftover.exists()
    assert not orphan.exists()
