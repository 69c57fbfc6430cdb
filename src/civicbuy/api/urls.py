"""The REST API, mounted at /api/ by the project URL map.

Routes are versioned (``/api/v1/...``); the OpenAPI document is at ``/api/openapi.json`` and a browsable
page at ``/api/docs`` (served from the app's own static files, no CDN). One router module per part.
Every error, including an unknown path under /api/, has the body ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, URLResolver, path, re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Router, Schema
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from civicbuy import __version__
from civicbuy.api import errors
from civicbuy.api.routers import assessments, casestudies, guide, taxonomy
from civicbuy.config import env
from civicbuy.config.client_ip import client_ip
from civicbuy.config.parts import module_exists

VERSION = "v1"


class CivicBuyAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares the error answers every operation can give."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The generated document, with the house error responses added (see :mod:`civicbuy.api.errors`)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        errors.document(schema)
        return schema


class AnonymousThrottle(AnonRateThrottle):
    """django-ninja's anonymous limit, keyed by :func:`client_ip` (ninja's own reading trusts any X-Forwarded-For)."""

    def get_ident(self, request: HttpRequest) -> str | None:
        """The client's address, honouring CIVICBUY_PROXY_COUNT."""
        return client_ip(request)


class TokenThrottle(AuthRateThrottle):
    """django-ninja's per-token limit; a request without a token is counted by :func:`client_ip`."""

    def get_ident(self, request: HttpRequest) -> str | None:
        """The client's address, honouring CIVICBUY_PROXY_COUNT."""
        return client_ip(request)


api = CivicBuyAPI(
    title="CivicBuy API",
    version=f"{VERSION} ({__version__})",
    description=(
        "Read the guide, the case-study library and the taxonomy; read your own assessments, submissions "
        "and (with an API token) your organisation's private data. Errors always have the body "
        '`{"error": {"code", "message", "details"}}`. Lists are paginated with `page` and `page_size`.'
    ),
    urls_namespace="api",
    throttle=[
        AnonymousThrottle(env.get("CIVICBUY_API_RATE_ANONYMOUS")),
        TokenThrottle(env.get("CIVICBUY_API_RATE_TOKEN")),
    ],
)
errors.install(api)


class VersionOut(Schema):
    """Where each part of this API version lives."""

    version: str
    parts: dict[str, str]


PARTS: dict[str, Router] = {
    "taxonomy": taxonomy.router,
    "guide": guide.router,
    "case-studies": casestudies.router,
    "assessments": assessments.router,
}
# Parts built separately plug in once they exist (their public query functions are what the routers use).
if module_exists("civicbuy.dashboard.queries"):
    from civicbuy.api.routers import datasets

    PARTS["datasets"] = datasets.router
    if module_exists("civicbuy.impact.services"):
        from civicbuy.api.routers import impact

        PARTS["impact"] = impact.router
for prefix, router in PARTS.items():
    api.add_router(f"/{VERSION}/{prefix}/", router)


@api.get(f"/{VERSION}/", response=VersionOut, tags=["meta"], summary="This API version and its parts")
def index(request: HttpRequest) -> VersionOut:
    """Links to each part of the API."""
    return VersionOut(version=VERSION, parts={name: request.build_absolute_uri(f"{name}/") for name in PARTS})


@csrf_exempt  # reads nothing and changes nothing: a POST must get the JSON 405, not Django's HTML CSRF page
def root(request: HttpRequest) -> HttpResponse:
    """/api/: where the versions, the OpenAPI document and the docs page are."""
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(request, ["GET", "HEAD"])
    return JsonResponse(
        {
            "versions": {VERSION: request.build_absolute_uri(f"{VERSION}/")},
            "openapi": request.build_absolute_uri("openapi.json"),
            "docs": request.build_absolute_uri("docs"),
        }
    )


@csrf_exempt  # as root: every method gets the JSON 404
def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other path under /api/: a JSON 404 in the house shape (never the HTML error page)."""
    del request, rest
    return errors.error_response(404, "There is no API resource at this address; see /api/docs.")


def _not_allowed(request: HttpRequest, allowed: list[str]) -> HttpResponse:
    """A JSON 405 in the house shape, with the ``Allow`` header HTTP requires."""
    methods = ", ".join(sorted(allowed))
    response = errors.error_response(405, f"This address does not accept {request.method}; it accepts {methods}.")
    response["Allow"] = methods
    return response


def _json_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap one of django-ninja's path views so that its 405 is JSON in the house shape (it answers plain text)."""

    @wraps(view)  # keeps the view's attributes, csrf_exempt among them
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        is_json = response.get("Content-Type", "").startswith("application/json")
        if response.status_code == HTTPStatus.METHOD_NOT_ALLOWED and not is_json:
            allowed = [method.strip() for method in response.get("Allow", "").split(",") if method.strip()]
            return _not_allowed(request, allowed)
        return response

    return wrapped


def _with_json_errors(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """Return ``patterns`` with every view wrapped by :func:`_json_not_allowed`."""
    return [
        URLPattern(pattern.pattern, _json_not_allowed(pattern.callback), pattern.default_args, pattern.name)
        if isinstance(pattern, URLPattern)
        else pattern
        for pattern in patterns
    ]


_ninja_patterns, _app_name, _namespace = api.urls
urlpatterns: list[URLPattern | URLResolver] = [
    path("", root, name="api-root"),
    path("", (_with_json_errors(_ninja_patterns), _app_name, _namespace)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
