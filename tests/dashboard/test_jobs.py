"""The background ingest: progress, success, engine errors, cancel, a dead worker; the previous data stays intact."""

from __future__ import annotations

import io
import resource
import shutil
import signal
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from civicbuy.analytics import synthetic
from civicbuy.dashboard import jobs, setup, storage, summary
from civicbuy.dashboard.models import Dataset, IngestJob
from civicbuy.dashboard.queries import dataset_path, dataset_summary
from civicbuy.dashboard.summary import Filters


def _queue(dataset: Dataset, content: bytes | Path, name: str = "upload.json") -> IngestJob:
    job = IngestJob.objects.create(dataset=dataset, file_name=name)
    path = storage.upload_path(job)
    if isinstance(content, Path):
        shutil.copyfile(content, path)
    else:
        path.write_bytes(content)
    return job


def _current(dataset: Dataset) -> IngestJob:
    assert dataset.current_job is not None
    return dataset.current_job


def _assert_previous_data_intact(dataset: Dataset, previous: IngestJob) -> None:
    dataset.refresh_from_db()
    assert dataset.current_job == previous
    assert (dataset_path(dataset) / "processes.parquet").is_file()
    figures = dataset_summary(dataset)
    assert figures.overview["processes"] == 400
    figures.close()
    leftovers = {p.name for p in storage.dataset_dir(dataset).iterdir()}
    assert leftovers == {str(previous.key)}
    assert not list(storage.uploads_dir().iterdir())


def test_a_new_version_replaces_the_data_and_the_old_files(ready_dataset: Dataset, shared_dir: Path) -> None:
    previous = _current(ready_dataset)
    sample = shared_dir / "data/ocds-samples/armenia-armeps/releases/6.json"
    job = _queue(ready_dataset, sample, "6.json")
    assert jobs.ingest_dataset.call(job.pk) == IngestJob.Status.SUCCEEDED
    job.refresh_from_db()
    ready_dataset.refresh_from_db()
    assert (job.status, job.stage, job.percent, job.processes) == ("succeeded", "done", 100, 100)
    assert job.worker_pid is not None
    assert job.heartbeat_at is not None
    assert ready_dataset.current_job == job
    figures = dataset_summary(ready_dataset)
    assert figures.overview["processes"] == 100
    assert figures.overview["source"]["format"] == "release package (OCDS 1.1)"
    figures.close()
    assert {p.name for p in storage.dataset_dir(ready_dataset).iterdir()} == {str(job.key)}
    assert not storage.job_dir(previous).exists()
    assert not list(storage.uploads_dir().iterdir())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"releases": [{"ocid": "ocds-abc123-1", "id": "1", "tag": ["tender"]', "JSON"),
        (b'{"hello": "world"}', ""),
    ],
)
def test_a_file_the_engine_cannot_read_fails_with_its_reason(
    ready_dataset: Dataset, content: bytes, message: str
) -> None:
    previous = _current(ready_dataset)
    job = _queue(ready_dataset, content)
    status = jobs.run_ingest(job.pk)
    job.refresh_from_db()
    assert status == job.status == IngestJob.Status.FAILED
    assert job.message
    assert message in job.message
    assert "Traceback" not in job.message
    _assert_previous_data_intact(ready_dataset, previous)


@pytest.fixture
def file_size_limit() -> Any:
    """Make writing a file beyond ``limit`` bytes fail with EFBIG in this process, as on a full disk; restore after.

    SIGXFSZ is ignored meanwhile, so the write returns the error instead of killing the test process.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def apply(limit: int) -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))

    yield apply
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    signal.signal(signal.SIGXFSZ, handler)


def test_a_full_disk_fails_the_job_in_plain_words_and_keeps_the_previous_data(
    ready_dataset: Dataset, tmp_path: Path, file_size_limit: Any
) -> None:
    previous = _current(ready_dataset)
    upload = tmp_path / "bigger.jsonl"
    synthetic.write_jsonl(upload, 3000, seed=5)
    job = _queue(ready_dataset, upload, "bigger.jsonl")
    file_size_limit(64 * 1024)
    status = jobs.run_ingest(job.pk)
    file_size_limit(resource.RLIM_INFINITY)
    job.refresh_from_db()
    assert status == job.status == IngestJob.Status.FAILED
    assert job.message.startswith("The server ran out of disk space while saving this dataset.")
    assert "Errno" not in job.message
    assert str(storage.dataset_dir(ready_dataset)) not in job.message  # no server path for the user
    _assert_previous_data_intact(ready_dataset, previous)


def test_cancel_before_the_worker_starts(ready_dataset: Dataset) -> None:
    previous = _current(ready_dataset)
    job = _queue(ready_dataset, b"{}")
    jobs.cancel(job)
    assert job.status == IngestJob.Status.CANCELLED
    assert jobs.run_ingest(job.pk) == IngestJob.Status.CANCELLED  # the worker finds it cancelled
    _assert_previous_data_intact(ready_dataset, previous)


def test_cancel_while_running(ready_dataset: Dataset, shared_dir: Path) -> None:
    previous = _current(ready_dataset)
    job = _queue(ready_dataset, shared_dir / "data/ocds-samples/armenia-armeps/releases/6.json")
    IngestJob.objects.filter(pk=job.pk).update(cancel_requested=True)  # as if pressed once the worker started
    assert jobs.run_ingest(job.pk) == IngestJob.Status.CANCELLED
    job.refresh_from_db()
    assert "Cancelled" in job.message
    _assert_previous_data_intact(ready_dataset, previous)


def test_a_job_whose_worker_died_is_marked_failed(ready_dataset: Dataset) -> None:
    previous = _current(ready_dataset)
    dead = subprocess.Popen(["true"])
    dead.wait()
    job = _queue(ready_dataset, b"{}")
    storage.engine_dir(job).mkdir(parents=True)  # half-written files of the dead worker
    (storage.engine_dir(job) / "processes.parquet").write_bytes(b"partial")
    IngestJob.objects.filter(pk=job.pk).update(
        status=IngestJob.Status.RUNNING, worker_host=jobs.socket.gethostname(), worker_pid=dead.pid,
        heartbeat_at=timezone.now(),
    )  # fmt: skip
    assert jobs.fail_abandoned() == 1
    job.refresh_from_db()
    assert job.status == IngestJob.Status.FAILED
    assert "worker stopped" in job.message
    _assert_previous_data_intact(ready_dataset, previous)


def test_a_job_without_heartbeat_on_another_machine_is_marked_failed(ready_dataset: Dataset) -> None:
    job = _queue(ready_dataset, b"{}")
    IngestJob.objects.filter(pk=job.pk).update(
        status=IngestJob.Status.RUNNING, worker_host="elsewhere", worker_pid=1,
        heartbeat_at=timezone.now() - jobs.STALE_AFTER - timedelta(seconds=1),
    )  # fmt: skip
    alive = IngestJob.objects.create(
        dataset=Dataset.objects.create(organisation=ready_dataset.organisation, name="B", slug="b"), file_name="b.json"
    )
    IngestJob.objects.filter(pk=alive.pk).update(
        status=IngestJob.Status.RUNNING, worker_host="elsewhere", heartbeat_at=timezone.now()
    )
    assert jobs.fail_abandoned() == 1
    alive.refresh_from_db()
    assert alive.status == IngestJob.Status.RUNNING


def test_the_job_page_reports_a_dead_worker(member_client: Any, ready_dataset: Dataset) -> None:
    job = _queue(ready_dataset, b"{}")
    IngestJob.objects.filter(pk=job.pk).update(
        status=IngestJob.Status.RUNNING, worker_host="elsewhere", heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    page = member_client.get(f"/en/dashboard/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'data-status="failed"' in page
    assert "worker stopped" in page
    assert "hx-trigger" not in page  # polling stops


def test_cancel_button(member_client: Any, ready_dataset: Dataset) -> None:
    job = _queue(ready_dataset, b"{}")
    response = member_client.post(f"/en/dashboard/jobs/{job.pk}/cancel/", follow=True)
    assert "The upload was cancelled." in response.content.decode()
    job.refresh_from_db()
    assert job.status == IngestJob.Status.CANCELLED
    assert not storage.upload_path(job).exists()


def test_setup_loads_the_demo_city_at_once(dashboard_root: Path, db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summary, "PRERENDER_BUYERS", 0)  # fewer charts drawn: faster, same code path
    progress = io.StringIO()
    message = setup.run(releases=60, out=progress)
    assert "Loading the demo city's dataset (60 processes)" in progress.getvalue()
    assert "Loaded the demo city's dataset (60 processes)" in message
    dataset = Dataset.objects.get(slug=setup.DEMO_SLUG)
    assert dataset.public
    assert dataset.organisation.slug == "demo-city"
    assert dataset.is_ready  # before any worker runs: the dashboard is full as soon as `serve` answers
    assert dataset_summary(dataset).counts(Filters())["processes"] == 60
    assert not DBTaskResult.objects.exists()
    assert setup.run(releases=60, out=progress) == "The demo city's dataset is already loaded."  # idempotent
    assert dataset.jobs.count() == 1


def test_delete_a_dataset_removes_its_files(member_client: Any, ready_dataset: Dataset) -> None:
    folder = storage.dataset_dir(ready_dataset)
    assert folder.exists()
    response = member_client.post(f"/en/dashboard/{ready_dataset.pk}/delete/")
    assert response.status_code == 302
    assert not Dataset.objects.filter(pk=ready_dataset.pk).exists()
    assert not folder.exists()
