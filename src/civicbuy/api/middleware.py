"""Keep API answers as the API gave them, whatever the site's language handling does to pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

API_PREFIX = "/api/"


class ApiResponseMiddleware:
    """Stop LocaleMiddleware turning an API 404 into a redirect to ``/en/api/...``.

    LocaleMiddleware redirects a 404 to the language-prefixed path whenever that path resolves, and
    Wagtail's catch-all page route resolves every path, so an API client asking for a missing case would
    get a 302 to an HTML page instead of the JSON error. LocaleMiddleware decides from ``request.urlconf``;
    pointing it (after the view has run) at the API's own URL module, which has no language prefixes,
    leaves the JSON 404 as it is. Must sit after LocaleMiddleware in MIDDLEWARE (so it runs before it on
    the way out).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        """Run the view, then mark API requests as outside the language-prefixed URL map."""
        response = self.get_response(request)
        if request.path_info.startswith(API_PREFIX):
            request.urlconf = "civicbuy.api.urls"
        return response
