"""Datasets (an organisation's OCDS data, ingested by the analytics engine) and their ingest jobs.

Files live under ``settings.DATASETS_ROOT / "dashboard" / <dataset key> / <job key>/``: the engine's dataset
(``data``) and the dashboard's precomputed summary (``summary``). A dataset shows the files of its
``current_job``; a new upload gets its own job folder, so a failed or cancelled ingest is removed with one
``rmtree`` and never touches the data on show (see :mod:`civicbuy.dashboard.storage`).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicbuy.accounts.models import Organisation


class Dataset(models.Model):
    """An organisation's procurement data as the dashboard shows it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="datasets", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80)
    public = models.BooleanField(
        _("public"), default=False, help_text=_("Anyone may see a public dataset, not only the organisation.")
    )
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    current_job = models.OneToOneField(
        "IngestJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dataset")
        ordering: ClassVar[list[str]] = ["organisation__name", "name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="dashboard_dataset_unique_slug")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ready(self) -> bool:
        """Return whether the dataset has ingested data to show."""
        return self.current_job_id is not None


class IngestJob(models.Model):
    """One upload being (or having been) read into a dataset by the background worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Reading the data")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Stage(models.TextChoices):
        WAITING = "waiting", _("Waiting for the background worker")
        READING = "reading", _("Reading and compiling the releases")
        INDICATORS = "indicators", _("Computing the indicators")
        SUMMARY = "summary", _("Preparing the dashboard")
        DONE = "done", _("Done")

    ACTIVE: ClassVar[tuple[str, str]] = (Status.QUEUED, Status.RUNNING)

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="jobs")
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    file_name = models.CharField(_("file"), max_length=255)
    file_size = models.BigIntegerField(_("size in bytes"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.WAITING)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    processes = models.BigIntegerField(_("processes read"), default=0)
    message = models.TextField(_("message"), blank=True)
    cancel_requested = models.BooleanField(default=False)
    worker_host = models.CharField(max_length=255, blank=True)
    worker_pid = models.IntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ingest job")
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # Two uploads at once into one dataset: the database refuses the second.
            models.UniqueConstraint(
                fields=["dataset"],
                condition=Q(status__in=["queued", "running"]),
                name="dashboard_one_active_ingest_per_dataset",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} -> {self.dataset} ({self.status})"

    @property
    def is_active(self) -> bool:
        """Return whether the job is waiting or running."""
        return self.status in self.ACTIVE
