"""/api/v1/datasets/: procurement datasets and their indicator results, for the token's organisations.

Who sees what is the dashboard's rule (:func:`civicbuy.dashboard.queries.visible_datasets`): datasets of the
token user's organisations, and public ones (the demo city). Any other dataset is a 404, never a 403, so
the API does not reveal that it exists.
"""

import math
from datetime import datetime
from typing import Any, Literal

import pyarrow.compute as pc
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from civicbuy.analytics import api as engine
from civicbuy.api.auth import token_auth
from civicbuy.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, Pages
from civicbuy.dashboard import queries

router = Router(tags=["datasets"], auth=token_auth)


class DatasetOut(Schema):
    """A dataset and the state of its current data."""

    id: int
    name: str
    slug: str
    organisation: str
    public: bool
    ready: bool
    ingested_at: datetime | None
    source_file: str | None
    processes: int | None


class IndicatorResultOut(Schema):
    """One indicator result, as ``civicbuy indicators --format jsonl`` prints it."""

    indicator: str
    level: str
    id: str
    value: float | None
    flagged: bool | None
    reason: str | None


class ResultFilters(Schema):
    """Narrow the results to one indicator, level or object."""

    indicator: str | None = Field(None, max_length=100, description="An indicator code, e.g. R018.")
    level: Literal["process", "buyer", "dataset"] | None = None
    id: str | None = Field(None, max_length=500, description="An ocid, buyer id or 'dataset'.")
    flagged: bool | None = None
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class ResultPage(Schema):
    """One page of indicator results."""

    items: list[IndicatorResultOut]
    count: int
    page: int
    page_size: int
    pages: int


def _out(dataset: Any) -> DatasetOut:
    job = dataset.current_job
    return DatasetOut(
        id=dataset.pk,
        name=dataset.name,
        slug=dataset.slug,
        organisation=dataset.organisation.name,
        public=dataset.public,
        ready=job is not None,
        ingested_at=job.finished_at if job else None,
        source_file=job.file_name if job else None,
        processes=job.processes if job else None,
    )


@router.get("/", response=list[DatasetOut], summary="Datasets you may see")
@paginate(Pages)
def list_datasets(request: HttpRequest) -> list[DatasetOut]:
    """Datasets of your organisations, and public ones."""
    return [_out(dataset) for dataset in queries.visible_datasets(request.user)]


@router.get("/{dataset_id}/", response=DatasetOut, summary="One dataset")
def get_dataset(request: HttpRequest, dataset_id: int) -> DatasetOut:
    """A dataset you may see (404 otherwise)."""
    return _out(queries.get_visible_dataset(request.user, dataset_id))


@router.get("/{dataset_id}/indicators/", response=ResultPage, summary="Indicator results of a dataset")
def indicator_results(request: HttpRequest, dataset_id: int, filters: Query[ResultFilters]) -> dict[str, Any]:
    """The stored indicator results of the dataset's current data, filtered and paginated."""
    dataset = queries.get_visible_dataset(request.user, dataset_id)
    if not dataset.is_ready:
        raise HttpError(404, "This dataset has no ingested data yet.")
    try:
        table = engine.load_results(queries.dataset_path(dataset))
    except engine.AnalyticsError:
        raise HttpError(404, "This dataset has no indicator results yet.") from None
    wanted = {
        k: v for k, v in filters.dict().items() if k in {"indicator", "level", "id", "flagged"} and v is not None
    }
    mask = None
    for key, value in wanted.items():
        condition = pc.equal(table[key], value)
        mask = condition if mask is None else pc.and_(mask, condition)
    if mask is not None:
        table = table.filter(mask)
    size = filters.page_size
    count = table.num_rows
    rows = table.slice((filters.page - 1) * size, size).to_pylist() if (filters.page - 1) * size < count else []
    return {
        "items": [{**row, "id": str(row.get("id") or ""), "value": _number(row.get("value"))} for row in rows],
        "count": count,
        "page": filters.page,
        "page_size": size,
        "pages": (count + size - 1) // size,
    }


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None  # JSON has no NaN or infinity
