"""One error body for every API failure: ``{"error": {"code", "message", "details"}}``.

Clients branch on ``code`` (stable, lowercase), show ``message`` (plain language) and may read
``details`` (for validation errors: which parameter, and what is wrong with it). No traceback or
internal detail reaches a client; unexpected errors are logged and answered with code ``server_error``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.errors import Throttled as NinjaThrottled

logger = logging.getLogger("civicbuy.api")

CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    410: "gone",
    422: "invalid_request",
    429: "too_many_requests",
    500: "server_error",
}


class ErrorDetail(Schema):
    """What went wrong."""

    code: str
    message: str
    details: list[dict[str, Any]]


class ErrorBody(Schema):
    """The body of every error response."""

    error: ErrorDetail


def error_response(status: int, message: str, details: list[dict[str, Any]] | None = None) -> JsonResponse:
    """A JSON error response with the house shape."""
    body = {"error": {"code": CODES.get(status, "error"), "message": message, "details": details or []}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _validation_details(errors: list[Any]) -> list[dict[str, Any]]:
    details = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        details.append({"location": location, "message": str(error.get("msg", "invalid value"))})
    return details


COMMON_ERRORS = (404, 422, 429)


def document(schema: dict[str, Any]) -> None:
    """Add the error responses every operation can give to an OpenAPI ``schema`` (in place).

    Any operation can answer 404 (unknown object), 422 (invalid parameters) and 429 (rate limit);
    operations behind a token can also answer 401. All use the :class:`ErrorBody` shape.
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorDetail", ErrorDetail.model_json_schema())
    body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    body.pop("$defs", None)
    components.setdefault("ErrorBody", body)
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            statuses = [*COMMON_ERRORS, *((401,) if operation.get("security") else ())]
            for status in statuses:
                responses.setdefault(str(status), {"description": CODES[status].replace("_", " "), "content": content})


def install(api: NinjaAPI) -> None:
    """Register the handlers that give every error the house shape."""

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        del request
        return error_response(422, "Some parameters are missing or not valid.", _validation_details(exc.errors))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        del request, exc
        response = error_response(401, "This resource needs an API token: send 'Authorization: Bearer <token>'.")
        response["WWW-Authenticate"] = 'Bearer realm="civicbuy"'
        return response

    @api.exception_handler(NinjaThrottled)
    def throttled(request: HttpRequest, exc: NinjaThrottled) -> HttpResponse:
        del request
        response = error_response(429, "Too many requests; slow down and try again later.")
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait) + 1)
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        del request
        return error_response(exc.status_code, str(exc.message))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        del request, exc
        return error_response(404, "Not found.")

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.error("API error on %s %s", request.method, request.path, exc_info=exc)
        return error_response(500, "Something went wrong on our side; the error has been logged.")
