"""/api/v1/case-studies/: the case-study library (same filters as the page), one case, own submissions.

Only live, public cases are ever listed or returned: a draft (a submission in moderation) is a 404 here
whoever asks. A contributor sees the status of their own submissions with a token.
"""

from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from civicbuy.api.auth import token_auth
from civicbuy.api.common import Language, locale_of
from civicbuy.api.errors import ErrorBody
from civicbuy.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE
from civicbuy.casestudies import queries
from civicbuy.casestudies.models import CaseStudyPage, CaseSubmission
from civicbuy.casestudies.views import case_detail, case_summary

router = Router(tags=["case studies"])


class CaseFiltersIn(Schema):
    """The library's filters: a query and facet values (several values of one facet are alternatives)."""

    lang: Language = "en"
    q: str = Field("", max_length=queries.MAX_QUERY_LENGTH, description="Words to search for.")
    country: list[str] = Field([], max_length=queries.MAX_VALUES_PER_FACET, description="ISO 3166-1 codes.")
    region: list[str] = Field([], max_length=queries.MAX_VALUES_PER_FACET)
    theme: list[str] = Field([], max_length=queries.MAX_VALUES_PER_FACET)
    sdg: list[str] = Field([], max_length=queries.MAX_VALUES_PER_FACET, description="SDG goals or targets.")
    stage: list[str] = Field([], max_length=queries.MAX_VALUES_PER_FACET)
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class CaseSummary(Schema):
    """A case in a list."""

    slug: str
    url: str
    title: str
    language: str
    country: str
    country_name: str
    region: str
    city: str
    place: str
    organisation: str
    years: str
    summary: list[str]
    stages: list[str]
    themes: list[str]
    sdg_targets: list[str]
    cpv_divisions: list[str]
    published: date
    reading_minutes: int


class CaseSourceOut(Schema):
    """A cited source (``[src:N]`` in the text refers to ``number``)."""

    number: int
    title: str
    publisher: str
    url: str
    accessed: date | None


class CaseResultOut(Schema):
    """A result sentence and the number of its source."""

    text: str
    source: int | None


class QuoteOut(Schema):
    """A quote from a public source."""

    text: str
    attribution: str
    source: int | None


class CaseOut(CaseSummary):
    """A whole case: text fields are Markdown with ``[src:N]`` citations."""

    problem: str
    approach: str
    results: list[CaseResultOut]
    challenges: str
    reusable: str
    quote: QuoteOut | None
    caveats: str
    sources: list[CaseSourceOut]
    translations: dict[str, str]
    last_published_at: datetime | None


class CasePage(Schema):
    """One page of matching cases."""

    items: list[CaseSummary]
    count: int
    page: int
    page_size: int
    pages: int


class FacetValueOut(Schema):
    """A facet value and how many cases the list would show with it added."""

    code: str
    label: str
    count: int
    selected: bool


class FacetsOut(Schema):
    """Facets of the library for the given filters, as on the page."""

    count: int
    facets: dict[str, list[FacetValueOut]]


class SubmissionOut(Schema):
    """A case the token's user proposed, and where it stands."""

    title: str
    status: str
    status_label: str
    language: str
    submitted_at: datetime
    url: str | None = Field(description="The published case, once it is live.")


def _filters(params: CaseFiltersIn) -> queries.CaseFilters:
    data = params.dict()
    return queries.CaseFilters.from_params({name: data[name] for name in ("q", *queries.FACETS)})


@router.get("/", response=CasePage, summary="Search the case studies")
def list_cases(request: HttpRequest, params: Query[CaseFiltersIn]) -> dict[str, Any]:
    """Live cases matching the filters, newest first (or by relevance when ``q`` is given)."""
    found = queries.find_cases(locale_of(params.lang), _filters(params))
    size = params.page_size
    chosen = found.page_ids[(params.page - 1) * size : params.page * size]
    return {
        "items": [case_summary(page, request) for page in queries.pages_in_order(chosen)],
        "count": found.count,
        "page": params.page,
        "page_size": size,
        "pages": (found.count + size - 1) // size,
    }


@router.get("/facets/", response=FacetsOut, summary="Facet counts for a search")
def facets(request: HttpRequest, params: Query[CaseFiltersIn]) -> dict[str, Any]:
    """The facets with counts the library page shows for these filters."""
    del request
    found = queries.find_cases(locale_of(params.lang), _filters(params))
    return {
        "count": found.count,
        "facets": {
            facet: [FacetValueOut(code=v.code, label=v.label, count=v.count, selected=v.selected) for v in values]
            for facet, values in found.facets.items()
        },
    }


@router.get(
    "/submissions/",
    response={200: list[SubmissionOut], 401: ErrorBody},
    auth=token_auth,
    summary="Your own case submissions",
)
def my_submissions(request: HttpRequest) -> list[SubmissionOut]:
    """The cases the token's user proposed through the form, newest first, with their review status."""
    owner: Any = request.user  # the token's user, set by TokenAuth
    items = CaseSubmission.objects.filter(user=owner).select_related("page")
    return [
        SubmissionOut(
            title=item.title,
            status=item.status,
            status_label=item.get_status_display(),
            language=item.language,
            submitted_at=item.created_at,
            url=request.build_absolute_uri(item.page.get_url(request))
            if item.page is not None and item.page.live
            else None,
        )
        for item in items
    ]


@router.get("/{slug}/", response={200: CaseOut, 404: ErrorBody}, summary="One case study")
def get_case(request: HttpRequest, slug: str, lang: Language = "en") -> dict[str, Any]:
    """A live, public case by slug (drafts and unpublished cases are not found)."""
    page = CaseStudyPage.objects.live().public().filter(locale=locale_of(lang), slug=slug).first()
    if page is None:
        raise Http404(slug)
    return case_detail(page, request)
