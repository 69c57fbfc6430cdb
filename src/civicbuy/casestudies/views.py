"""Views of the case-study library: the searchable list (HTML, htmx fragment, JSON), case JSON, submission.

JSON (for the REST API that comes later; documented in docs/case-studies-json.md):
``/<lang>/case-studies/?format=json`` takes the same ``q``, ``country``, ``region``, ``theme``, ``sdg``,
``stage`` and ``page`` parameters as the HTML list; ``/<lang>/case-studies/<slug>/?format=json`` is one case.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from wagtail.models import Locale

from civicbuy.casestudies import queries, submissions
from civicbuy.casestudies.forms import Submission
from civicbuy.casestudies.models import CaseStudyIndexPage, CaseStudyPage, CaseSubmission
from civicbuy.casestudies.worldmap import world_map
from civicbuy.taxonomy import registry
from civicbuy.website.views import over_limit

PAGE_SIZE = 20
SUBMIT_ATTEMPTS_PER_HOUR = 20
SUBMISSIONS_PER_HOUR = 5


def _language() -> str:
    return (get_language() or "en")[:2]


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _query_string(pairs: list[tuple[str, str]], **extra: Any) -> str:
    items = [*pairs, *[(k, str(v)) for k, v in extra.items() if v is not None]]
    return "?" + urlencode(items) if items else "?"


def case_summary(page: CaseStudyPage, request: HttpRequest) -> dict[str, Any]:
    """A case in list form (JSON)."""
    return {
        "slug": page.slug,
        "url": request.build_absolute_uri(page.get_url(request) or page.url_path),
        "title": page.title,
        "language": page.language,
        "country": page.country,
        "country_name": page.country_name,
        "region": page.region,
        "city": page.city,
        "place": page.place,
        "organisation": page.organisation,
        "years": page.years,
        "summary": list(page.summary),
        "stages": list(page.stages),
        "themes": list(page.themes),
        "sdg_targets": list(page.sdg_targets),
        "cpv_divisions": list(page.cpv_divisions),
        "published": page.published.isoformat(),
        "reading_minutes": page.reading_minutes,
    }


def case_detail(page: CaseStudyPage, request: HttpRequest) -> dict[str, Any]:
    """A whole case (JSON): text fields are Markdown with [src:N] citations numbered as in ``sources``."""
    sources = [
        {
            "number": number,
            "title": child.value["title"],
            "publisher": child.value.get("publisher") or "",
            "url": child.value["url"],
            "accessed": child.value["accessed"].isoformat() if child.value.get("accessed") else None,
        }
        for number, child in enumerate(page.sources, start=1)
    ]
    translations = {
        str(p.locale.language_code): request.build_absolute_uri(p.get_url(request) or p.url_path)
        for p in page.get_translations().live().select_related("locale")
    }
    return {
        **case_summary(page, request),
        "problem": page.problem,
        "approach": page.approach,
        "results": [{"text": c.value["text"], "source": c.value["source"]} for c in page.results],
        "challenges": page.challenges,
        "reusable": page.reusable,
        "quote": (
            {"text": page.quote_text, "attribution": page.quote_attribution, "source": page.quote_source}
            if page.has_quote
            else None
        ),
        "caveats": page.caveats,
        "sources": sources,
        "translations": translations,
        "last_published_at": page.last_published_at.isoformat() if page.last_published_at else None,
    }


def case_json(page: CaseStudyPage, request: HttpRequest) -> JsonResponse:
    """One case as JSON."""
    response = JsonResponse(case_detail(page, request), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _active_filters(filters: queries.CaseFilters, language: str) -> list[dict[str, str]]:
    """Chosen values with a link that removes each one."""
    chips = []
    kinds = queries.TAXONOMY_KIND
    for facet in queries.FACETS:
        for code in filters.chosen(facet):
            label = registry.label(kinds[facet], code, language)
            if facet == "sdg":
                label = _("SDG %(code)s") % {"code": code}
            chips.append({"label": label, "url": _query_string(filters.without(facet, code).params())})
    if filters.q:
        chips.insert(0, {"label": f"“{filters.q}”", "url": _query_string(filters.without("q").params())})
    return chips


def serve_index(index: CaseStudyIndexPage, request: HttpRequest) -> HttpResponse:
    """The library: search box, facets with counts, results, map; or the same as JSON."""
    filters = queries.CaseFilters.from_params(request.GET)
    found = queries.find_cases(index.locale, filters)
    paginator = Paginator(found.page_ids, PAGE_SIZE)
    page_obj = paginator.get_page(_page_number(request))
    cases = queries.pages_in_order(list(page_obj.object_list))
    if request.GET.get("format") == "json":
        base = filters.params()
        json_response = JsonResponse(
            {
                "query": filters.as_dict(),
                "count": found.count,
                "page": page_obj.number,
                "pages": paginator.num_pages,
                "page_size": PAGE_SIZE,
                "next": _query_string(base, format="json", page=page_obj.next_page_number())
                if page_obj.has_next()
                else None,
                "previous": _query_string(base, format="json", page=page_obj.previous_page_number())
                if page_obj.has_previous()
                else None,
                "results": [case_summary(case, request) for case in cases],
                "facets": {
                    facet: [
                        {"code": v.code, "label": v.label, "count": v.count, "selected": v.selected} for v in values
                    ]
                    for facet, values in found.facets.items()
                },
            },
            json_dumps_params={"ensure_ascii": False},
        )
        json_response["Access-Control-Allow-Origin"] = "*"
        return json_response
    language = str(index.locale.language_code)[:2]
    countries = found.countries
    base_params = filters.params()
    context = index.get_context(request)
    context.update(
        filters=filters,
        found=found,
        cases=cases,
        page_obj=page_obj,
        paginator=paginator,
        facet_groups=[
            ("country", _("Country"), found.facets["country"]),
            ("region", _("Region"), found.facets["region"]),
            ("theme", _("Theme"), found.facets["theme"]),
            ("sdg", _("SDG target"), found.facets["sdg"]),
            ("stage", _("Lifecycle stage"), found.facets["stage"]),
        ],
        active_filters=_active_filters(filters, language),
        clear_url=index.get_url(request) or "",
        query_base=_query_string(base_params)[1:],
        json_url=_query_string(base_params, format="json"),
        countries=countries,
        world_map=world_map(countries, base_params),
        spelling=found.corrected,
    )
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    template = "casestudies/_library.html" if partial else "casestudies/case_study_index_page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _index_or_404() -> CaseStudyIndexPage:
    locale = Locale.objects.filter(language_code=_language()).first()
    index = queries.index_page(locale) if locale else None
    if index is None:
        raise Http404(_("The case-study library has no content yet."))
    return index


@never_cache
def submit(request: HttpRequest) -> HttpResponse:
    """The guided form (GET), or store a submission as a draft in moderation (POST)."""
    index = _index_or_404()
    language = _language()
    if request.method != "POST":
        return render(request, "casestudies/submit.html", _submit_context(index, Submission.bind(language=language)))
    if over_limit(request, "case-submit-attempt", SUBMIT_ATTEMPTS_PER_HOUR):
        return _refuse(request, index, language)
    bound = Submission.bind(request.POST, request.FILES, language=language)
    if bound.form.is_spam:  # the hidden field people never see: answer as if all went well, store nothing
        return render(request, "casestudies/submitted.html", {"page": None, "index_page": index, "spam": True})
    if not bound.is_valid():
        return render(request, "casestudies/submit.html", _submit_context(index, bound), status=400)
    if over_limit(request, "case-submit", SUBMISSIONS_PER_HOUR):
        return _refuse(request, index, language)
    created = submissions.create(bound, index, request.user)
    return redirect(created.status_path + "?new=1")


def _refuse(request: HttpRequest, index: CaseStudyIndexPage, language: str) -> HttpResponse:
    bound = Submission.bind(request.POST, language=language)
    context = _submit_context(index, bound)
    context["limit_error"] = _("You have sent too many submissions from this connection. Please try again in an hour.")
    context["errors"] = [("", context["limit_error"])]
    response = render(request, "casestudies/submit.html", context, status=429)
    response["Retry-After"] = "3600"
    return response


def _submit_context(index: CaseStudyIndexPage, bound: Submission) -> dict[str, Any]:
    errors = bound.error_list() if bound.form.is_bound else []
    return {
        "index_page": index,
        "submission": bound,
        "form": bound.form,
        "results": bound.results,
        "sources": bound.sources,
        "errors": errors,
        "max_image_mb": 5,
        "max_file_mb": 10,
    }


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def submission_status(request: HttpRequest, token: str) -> HttpResponse:
    """The submitter's status page, reached only through the unguessable link."""
    submission = submissions.find(token)
    if submission is None:
        raise Http404(_("No submission has this link."))
    context = {
        "submission": submission,
        "new": request.GET.get("new") == "1",
        "status_url": request.build_absolute_uri(request.path),
        "index_page": _index_or_404(),
    }
    return _private(render(request, "casestudies/submission_status.html", context))


@login_required(login_url=settings.LOGIN_URL)
def my_submissions(request: HttpRequest) -> HttpResponse:
    """A contributor's own submissions and where each stands."""
    items = CaseSubmission.objects.filter(user_id=int(request.user.pk or 0)).select_related("page")
    return _private(
        render(request, "casestudies/my_submissions.html", {"items": items, "index_page": _index_or_404()})
    )
