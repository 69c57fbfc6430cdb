"""Page-number pagination with the totals a client needs to walk every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000


class Pages(PaginationBase):
    """``?page=N&page_size=M`` (1-based; at most 100 a page); answers ``items``, ``count``, ``page``, ``pages``."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
        page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Items on all pages.")
        page: int
        page_size: int
        pages: int = Field(description="Number of pages.")

    items_attribute = "items"

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        """Slice ``queryset`` (a QuerySet or a list) to the asked page."""
        del request, params
        size = pagination.page_size
        offset = (pagination.page - 1) * size
        count = queryset.count() if hasattr(queryset, "count") and not isinstance(queryset, list) else len(queryset)
        return {
            "items": list(queryset[offset : offset + size]),
            "count": count,
            "page": pagination.page,
            "page_size": size,
            "pages": (count + size - 1) // size,
        }
