"""Public read functions of the dashboard, for its own views and for other parts (assessment, impact, API).

Access rule: a dataset is visible to members of its organisation (and site administrators, through
:func:`civicbuy.accounts.access.organisations_of`), and to everyone when it is public (the demo city's).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from civicbuy.accounts.access import organisations_of
from civicbuy.dashboard import storage
from civicbuy.dashboard.models import Dataset, IngestJob
from civicbuy.dashboard.summary import ALL, Filters, Summary, process_flags


def visible_datasets(user: Any) -> QuerySet[Dataset]:
    """Datasets ``user`` may see: public ones and those of the user's organisations."""
    return (
        Dataset.objects.filter(Q(public=True) | Q(organisation__in=organisations_of(user)))
        .select_related("organisation", "current_job")
        .distinct()
    )


def get_visible_dataset(user: Any, pk: int) -> Dataset:
    """The dataset ``pk`` if ``user`` may see it; Http404 otherwise (never reveal that it exists)."""
    try:
        return visible_datasets(user).get(pk=pk)
    except Dataset.DoesNotExist as error:
        raise Http404 from error


def get_visible_job(user: Any, pk: int) -> IngestJob:
    """The ingest job ``pk`` if ``user`` may see its dataset; Http404 otherwise."""
    try:
        return IngestJob.objects.select_related("dataset").get(pk=pk, dataset__in=visible_datasets(user))
    except IngestJob.DoesNotExist as error:
        raise Http404 from error


def latest_dataset(user: Any) -> Dataset | None:
    """The most recently ingested dataset of ``user``'s own organisations (public demo data is not theirs)."""
    return (
        Dataset.objects.filter(organisation__in=organisations_of(user), current_job__isnull=False)
        .select_related("current_job")
        .order_by("-current_job__finished_at", "-pk")
        .first()
    )


def dataset_path(dataset: Dataset) -> Path:
    """The engine's dataset directory of ``dataset``'s current data (for ``civicbuy.analytics.api`` calls)."""
    if dataset.current_job is None:
        raise ValueError(f"dataset {dataset.pk} has no ingested data yet")
    return storage.engine_dir(dataset.current_job).resolve()


def dataset_summary(dataset: Dataset) -> Summary:
    """The precomputed figures of ``dataset``'s current data."""
    if dataset.current_job is None:
        raise ValueError(f"dataset {dataset.pk} has no ingested data yet")
    return Summary(storage.summary_dir(dataset.current_job), engine=storage.engine_dir(dataset.current_job))


def measured_figure(user: Any, indicator_code: str) -> float | None:
    """The value of indicator ``indicator_code`` over the whole of ``user``'s latest dataset (None if unknown).

    For a red flag (``R018``...) the value is the share of processes it applies to that raise it.
    """
    dataset = latest_dataset(user)
    if dataset is None:
        return None
    summary = dataset_summary(dataset)
    try:
        if indicator_code in process_flags():
            return summary.flag_rates(Filters())[indicator_code].share
        return summary.indicator_values(ALL).get((indicator_code, "dataset", "dataset"))
    finally:
        summary.close()
