"""The background ingest: an upload becomes a dataset, with progress, cancel and a clear reason when it fails.

Runs in the worker that ``civicbuy serve`` starts (django-tasks, database backend ``jobs``, queue ``ingest``).
Every stage writes progress to the job's row, which the page polls. A heartbeat thread keeps ``heartbeat_at``
fresh while the engine works; a job whose worker died (killed, restarted, machine rebooted) stops beating and is
marked failed by :func:`fail_abandoned`, its files removed; the dataset keeps showing its previous data, which
no step of a new ingest ever touches.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from civicbuy.analytics import api
from civicbuy.analytics.ocds.exceptions import StorageFullError, StorageNotWritableError, storage_error
from civicbuy.dashboard import storage, summary
from civicbuy.dashboard.models import Dataset, IngestJob

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

#: A running job whose heartbeat is older than this is considered abandoned by a dead worker.
STALE_AFTER = timedelta(seconds=90)
HEARTBEAT_SECONDS = 5.0
PROGRESS_SECONDS = 0.5
#: Share of the progress bar for each stage (reading is by far the longest).
READING_END, INDICATORS_END = 80, 92
ABANDONED = gettext_lazy(
    "The background worker stopped during the ingest (it was restarted or killed). The data shown before is "
    "unchanged; please upload the file again."
)


class IngestCancelledError(Exception):
    """Someone pressed "Cancel" while the job ran."""


def _file_position(path: Path) -> int | None:
    """Return how far this process has read ``path`` (Linux ``/proc/self/fdinfo``), or None when unknown."""
    target = path.resolve()
    try:
        descriptors = list(Path("/proc/self/fd").iterdir())
    except OSError:
        return None
    for descriptor in descriptors:
        try:
            if descriptor.readlink() != target:
                continue
            with Path(f"/proc/self/fdinfo/{descriptor.name}").open() as info:
                for line in info:
                    if line.startswith("pos:"):
                        return int(line.split()[1])
        except (OSError, ValueError):
            continue
    return None


class _Heartbeat(threading.Thread):
    """Write ``heartbeat_at`` every few seconds; note a cancel request made meanwhile."""

    def __init__(self, job_id: int) -> None:
        super().__init__(daemon=True, name=f"ingest-heartbeat-{job_id}")
        self.job_id = job_id
        self.stopped = threading.Event()
        self.cancelled = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(HEARTBEAT_SECONDS):
                IngestJob.objects.filter(pk=self.job_id).update(heartbeat_at=timezone.now())
                if IngestJob.objects.filter(pk=self.job_id, cancel_requested=True).exists():
                    self.cancelled.set()
        except Exception:  # the job itself reports errors; a heartbeat must never crash the worker
            logger.exception("heartbeat of ingest job %s failed", self.job_id)
        finally:
            connection.close()


def _progress_writer(job: IngestJob, upload: Path, heartbeat: _Heartbeat) -> Callable[[int], None]:
    size = max(upload.stat().st_size, 1)
    last = 0.0

    def progress(processes: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_SECONDS:
            return
        last = now
        position = _file_position(upload)
        percent = min(READING_END - 1, int(READING_END * position / size)) if position is not None else 0
        IngestJob.objects.filter(pk=job.pk).update(
            processes=processes, percent=max(percent, 1), heartbeat_at=timezone.now()
        )
        if heartbeat.cancelled.is_set() or IngestJob.objects.filter(pk=job.pk, cancel_requested=True).exists():
            raise IngestCancelledError

    return progress


def _stage(job: IngestJob, stage: str, percent: int, heartbeat: _Heartbeat) -> None:
    if heartbeat.cancelled.is_set() or IngestJob.objects.filter(pk=job.pk, cancel_requested=True).exists():
        raise IngestCancelledError
    IngestJob.objects.filter(pk=job.pk).update(stage=stage, percent=percent, heartbeat_at=timezone.now())


def _finish(job: IngestJob, status: str, message: str = "") -> None:
    IngestJob.objects.filter(pk=job.pk).update(
        status=status, message=message, finished_at=timezone.now(), heartbeat_at=timezone.now()
    )


def run_ingest(job_id: int) -> str:
    """Ingest the upload of job ``job_id`` into its dataset; return the final status."""
    claimed = IngestJob.objects.filter(pk=job_id, status=IngestJob.Status.QUEUED).update(
        status=IngestJob.Status.RUNNING,
        stage=IngestJob.Stage.READING,
        percent=1,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        worker_host=socket.gethostname(),
        worker_pid=os.getpid(),
    )
    job = IngestJob.objects.select_related("dataset").get(pk=job_id)
    if not claimed:  # cancelled (or taken) before the worker reached it
        return job.status
    upload = storage.upload_path(job)
    heartbeat = _Heartbeat(job.pk)
    heartbeat.start()
    status = IngestJob.Status.FAILED
    try:
        if not upload.exists():
            _finish(job, status, _("The uploaded file is missing; please upload it again."))
            return status
        storage.job_dir(job).mkdir(parents=True, exist_ok=True)
        dataset = api.ingest(upload, storage.engine_dir(job), progress=_progress_writer(job, upload, heartbeat))
        IngestJob.objects.filter(pk=job.pk).update(processes=int(dataset.manifest.get("processes", 0)))
        _stage(job, IngestJob.Stage.INDICATORS, READING_END, heartbeat)
        api.store_indicators(dataset)  # batch by batch: the whole result table is never held
        _stage(job, IngestJob.Stage.SUMMARY, INDICATORS_END, heartbeat)
        summary.build(dataset.path, storage.summary_dir(job))
        _stage(job, IngestJob.Stage.SUMMARY, 99, heartbeat)
        _publish(job)
        status = IngestJob.Status.SUCCEEDED
    except IngestCancelledError:
        status = IngestJob.Status.CANCELLED
        _finish(job, status, _("Cancelled. The data shown before is unchanged."))
    except Exception as error:  # noqa: BLE001 - every failure becomes the job's message; the log keeps the rest
        _finish(job, status, _failure_message(job, error))
    finally:
        heartbeat.stopped.set()
        heartbeat.join(timeout=HEARTBEAT_SECONDS * 2)
        storage.upload_path(job).unlink(missing_ok=True)
        if status != IngestJob.Status.SUCCEEDED:
            storage.discard_job_files(job)
    return status


def _failure_message(job: IngestJob, error: Exception) -> str:
    """What the user is told when an ingest fails, and what the log keeps.

    The engine's own errors say what is wrong with the file. A full disk or a read-only dataset folder (raised as
    such by the engine, or met while writing the results or the summary) is the server's fault, not the file's,
    and is said so. Anything else is logged with its traceback and named only by its type.
    """
    if isinstance(error, OSError):
        error = storage_error(error, storage.job_dir(job).parent) or error
    if isinstance(error, StorageFullError | StorageNotWritableError):
        logger.error("ingest job %s: %s", job.pk, error.user_message())  # the operator's to fix
        if isinstance(error, StorageFullError):
            return str(
                _(
                    "The server ran out of disk space while saving this dataset. Your file is not at fault and the "
                    "data shown before is unchanged. Please ask your administrator to free some space, then upload "
                    "again."
                )
            )
        return str(
            _(
                "The server cannot write to its dataset folder (it is read-only or not permitted). Your file is "
                "not at fault and the data shown before is unchanged. Please tell your administrator, then upload "
                "again."
            )
        )
    if isinstance(error, api.AnalyticsError):
        return error.user_message()
    logger.error("ingest job %s failed", job.pk, exc_info=error)
    return str(_("The file could not be read (%(error)s).") % {"error": type(error).__name__})


def _publish(job: IngestJob) -> None:
    """Make the job's data the dataset's current data (one database write), then remove the old files."""
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().get(pk=job.dataset_id)
        dataset.current_job = job
        dataset.save(update_fields=["current_job"])
        IngestJob.objects.filter(pk=job.pk).update(
            status=IngestJob.Status.SUCCEEDED,
            stage=IngestJob.Stage.DONE,
            percent=100,
            finished_at=timezone.now(),
            message="",
        )
    active = {str(key) for key in dataset.jobs.filter(status__in=IngestJob.ACTIVE).values_list("key", flat=True)}
    storage.sweep(dataset, keep={str(job.key), *active})


@task(backend="jobs", queue_name="ingest")
def ingest_dataset(job_id: int) -> str:
    """Background task: ingest job ``job_id`` (see :func:`run_ingest`)."""
    if not connection.in_atomic_block:  # a long-lived worker: drop a connection the database has closed
        close_old_connections()
    return run_ingest(job_id)


def _worker_alive(job: IngestJob) -> bool:
    if job.worker_host != socket.gethostname() or not job.worker_pid:
        return True  # another machine: only the heartbeat can tell
    try:
        os.kill(job.worker_pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_abandoned(jobs: list[IngestJob] | None = None) -> int:
    """Mark running jobs whose worker died as failed, removing their files; return how many."""
    candidates = jobs if jobs is not None else list(IngestJob.objects.filter(status=IngestJob.Status.RUNNING))
    stale_before = timezone.now() - STALE_AFTER
    failed = 0
    for job in candidates:
        if job.status != IngestJob.Status.RUNNING:
            continue
        if _worker_alive(job) and job.heartbeat_at is not None and job.heartbeat_at >= stale_before:
            continue
        updated = IngestJob.objects.filter(pk=job.pk, status=IngestJob.Status.RUNNING).update(
            status=IngestJob.Status.FAILED, message=str(ABANDONED), finished_at=timezone.now()
        )
        if updated:
            storage.discard_job_files(job)
            job.refresh_from_db()
            failed += 1
    return failed


def cancel(job: IngestJob) -> None:
    """Cancel ``job``: at once when it has not started, at the worker's next progress report otherwise."""
    if IngestJob.objects.filter(pk=job.pk, status=IngestJob.Status.QUEUED).update(
        status=IngestJob.Status.CANCELLED,
        message=_("Cancelled before it started. The data shown before is unchanged."),
        finished_at=timezone.now(),
        cancel_requested=True,
    ):
        storage.discard_job_files(job)
    else:
        IngestJob.objects.filter(pk=job.pk, status=IngestJob.Status.RUNNING).update(cancel_requested=True)
    job.refresh_from_db()


def _fail_task_rows(job: IngestJob) -> None:
    """Mark the task queue's own row of ``job``'s killed run failed too (it would say "running" for ever).

    django-tasks' database backend records each run of :func:`ingest_dataset` in ``DBTaskResult``; a worker killed
    mid-run never finishes that row, and operators read it in the admin.
    """
    DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, task_path__endswith=".ingest_dataset", args_kwargs__args=[job.pk]
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path="civicbuy.dashboard.jobs.WorkerStopped",
        traceback=str(ABANDONED),
    )


def sweep_at_worker_start(orphan_age: float = 3600.0) -> dict[str, int]:
    """Before a worker takes its first job: fail the jobs a dead worker left running and remove orphaned files.

    Called by ``civicbuy serve`` before it starts the worker. A job of this machine was abandoned when its worker
    process is gone, or when that process id now belongs to a process started after the job (ids are reused: a
    container restarted gives its worker the same one); a job of another machine, or any job whose heartbeat is
    stale, as :func:`fail_abandoned` decides. An abandoned job is marked failed with :data:`ABANDONED` and its
    folder (with the engine's half-written ``.partial`` version) removed. Then every job folder that is neither a
    dataset's current data nor an active job's goes, and so do uploads older than ``orphan_age`` seconds that no
    waiting job will read (younger ones may be streaming in on another server). Returns counts of what was done.
    """

    def started_after(pid: int, moment: float) -> bool:
        try:  # /proc/<pid>/stat field 22: start time in clock ticks after boot
            ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
            stat = Path("/proc/stat").read_text().splitlines()
            boot = next(int(line.split()[1]) for line in stat if line.startswith("btime"))
        except (OSError, IndexError, ValueError, StopIteration):
            return False
        return boot + ticks / os.sysconf("SC_CLK_TCK") > moment + 2.0  # btime is whole seconds

    stale_before = timezone.now() - STALE_AFTER
    failed = 0
    for job in IngestJob.objects.filter(status=IngestJob.Status.RUNNING).select_related("dataset"):
        reused = bool(
            job.worker_host == socket.gethostname()
            and job.worker_pid
            and job.started_at is not None
            and started_after(job.worker_pid, job.started_at.timestamp())
        )
        fresh = job.heartbeat_at is not None and job.heartbeat_at >= stale_before
        if not reused and _worker_alive(job) and fresh:
            continue  # a live worker (another server's, or one started by hand) is still on it
        if IngestJob.objects.filter(pk=job.pk, status=IngestJob.Status.RUNNING).update(
            status=IngestJob.Status.FAILED, message=str(ABANDONED), finished_at=timezone.now()
        ):
            storage.discard_job_files(job)
            _fail_task_rows(job)
            failed += 1
    active = IngestJob.objects.filter(status__in=IngestJob.ACTIVE)
    keys = {str(key) for key in active.values_list("key", flat=True)}
    folders = 0
    datasets = {str(d.key): d for d in Dataset.objects.select_related("current_job")}
    uploads_dir = storage.uploads_dir()  # creates the dashboard's folder when missing
    for folder in storage.root().iterdir():
        dataset = datasets.get(folder.name)
        if dataset is None:
            continue  # uploads/, or a folder this code does not own
        keep = keys | ({str(dataset.current_job.key)} if dataset.current_job else set())
        before = sum(1 for _ in folder.iterdir())
        storage.sweep(dataset, keep)
        folders += before - sum(1 for _ in folder.iterdir())
    uploads = storage.sweep_stale_uploads(orphan_age)
    cutoff = time.time() - orphan_age
    for upload in (path for path in uploads_dir.glob("*.upload") if path.stem not in keys):
        with contextlib.suppress(FileNotFoundError):  # gone meanwhile: nothing to do
            if upload.stat().st_mtime < cutoff:
                upload.unlink()
                uploads += 1
    return {"jobs_failed": failed, "job_folders_removed": folders, "uploads_removed": uploads}
