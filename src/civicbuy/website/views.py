"""Site-wide views: search, page feedback, sitemap, health check and friendly error pages."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST
from wagtail.models import Locale, Page

from civicbuy.config.client_ip import client_ip
from civicbuy.website.forms import FeedbackForm, SearchForm
from civicbuy.website.models import PageFeedback

logger = logging.getLogger(__name__)

FEEDBACK_LIMIT_PER_HOUR = 20
SEARCH_PAGE_SIZE = 20


def _client_key(request: HttpRequest, scope: str) -> str:
    """A rate-limit key from the client's address (behind proxies: :func:`client_ip`), hashed so none is stored."""
    address = client_ip(request)
    return f"ratelimit:{scope}:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def over_limit(request: HttpRequest, scope: str, limit: int, seconds: int = 3600) -> bool:
    """Count one request for this client in ``scope``; True when it exceeds ``limit`` per window."""
    key = _client_key(request, scope)
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count > limit


def current_locale() -> Locale:
    """The Wagtail locale of the active language."""
    return Locale.objects.get(language_code=(get_language() or "en")[:2])


def search_words(query: str) -> list[str]:
    """The words of a query, without the punctuation that search engines read as query syntax.

    Quotes, brackets and operators in a visitor's query must never reach FTS5's or PostgreSQL's query
    parser: they would turn a typo into an error page.
    """
    return re.findall(r"\w+", query)[:20]


def search(request: HttpRequest) -> HttpResponse:
    """Search every live page of the current language (accent-insensitive)."""
    form = SearchForm(request.GET or None)
    results: Any = []
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"]
        words = search_words(query)
        if words:
            pages = Page.objects.live().public().filter(locale=current_locale()).specific()
            results = pages.search(" ".join(words), operator="or")
    paginator = Paginator(results, SEARCH_PAGE_SIZE) if query else None
    page_obj = paginator.get_page(request.GET.get("page")) if paginator else None
    return render(
        request,
        "website/search.html",
        {"form": form, "query": query, "page_obj": page_obj, "count": paginator.count if paginator else 0},
    )


@require_POST
def feedback(request: HttpRequest, page_id: int) -> HttpResponse:
    """Record "Is this page useful?" (yes/no, optional comment). No personal data is kept."""
    page = get_object_or_404(Page.objects.live().public(), pk=page_id)
    target = page.get_url(request) or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    form = FeedbackForm(request.POST)
    htmx = bool(request.headers.get("HX-Request"))
    if over_limit(request, "feedback", FEEDBACK_LIMIT_PER_HOUR):
        status, message, ok = 429, _("Too many answers from your connection. Please try again later."), False
    elif not form.is_valid():
        # The form again, with each error next to its field and the visitor's answer and comment kept:
        # in place with htmx (422, which base.html lets htmx swap in), else as a page of its own.
        context = {"feedback_form": form, "feedback_page": page, "back_url": target, "status": 400}
        if htmx:
            return render(request, "includes/feedback_fields.html", context, status=422)
        return render(request, "website/feedback_form.html", context, status=400)
    else:
        if not form.cleaned_data["website"]:  # the honeypot stays empty for people
            PageFeedback.objects.create(
                page=page,
                useful=form.cleaned_data["useful"] == "yes",
                comment=form.cleaned_data["comment"],
                language=(get_language() or "")[:8],
            )
        status, message, ok = 200, _("Thank you for your feedback."), True
    if htmx:
        return render(request, "website/feedback_result.html", {"message": message, "ok": ok}, status=status)
    (messages.success if ok else messages.error)(request, message)
    return HttpResponseRedirect(f"{target}#feedback")


class PagesSitemap(Sitemap):
    """Every live, public page in every language."""

    def items(self) -> list[Page]:
        """Pages below the root, in tree order."""
        return list(Page.objects.live().public().filter(depth__gt=1).specific().order_by("path"))

    def location(self, item: Page) -> str:
        """The page's path (with its language prefix)."""
        return item.get_url() or "/"

    def lastmod(self, item: Page) -> Any:
        """When the page was last published."""
        return item.last_published_at


class ToolsSitemap(Sitemap):
    """Pages that are not CMS pages (pathfinder, search), in both languages."""

    names = ("pathfinder",)

    def items(self) -> list[tuple[str, str]]:
        """(language, URL name) pairs."""
        return [(language, name) for name in self.names for language in ("en", "es")]

    def location(self, item: tuple[str, str]) -> str:
        """The tool's path in its language."""
        language, name = item
        with override(language):
            return reverse(name)


def sitemap(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: every published page in English and Spanish."""
    return django_sitemap(request, sitemaps={"pages": PagesSitemap(), "tools": ToolsSitemap()})


def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and the load test."""
    del request
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


FAVICON = Path(__file__).parent / "static" / "civicbuy" / "favicon.svg"


@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, asked for by browsers and feed readers whatever the page says: the site's SVG icon."""
    del request
    return HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml")


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "website/error.html", {"title": title, "message": message, "status": status}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 with a plain explanation and the way back."""
    del exception
    return _error(
        request,
        404,
        _("Page not found"),
        _("We could not find a page at this address. CivicBuy is available in English (/en/) and Spanish (/es/)."),
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400 without technical details."""
    del exception
    return _error(request, 400, _("Something in the request was wrong"), _("Please go back and try again."))


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403 without technical details."""
    del exception
    return _error(request, 403, _("You cannot open this page"), _("You may need to sign in, or ask for access."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form whose CSRF check failed (``CSRF_FAILURE_VIEW``), in the site's layout and the page's language.

    A visitor gets here when their browser blocks or has cleared this site's cookies, or the form's token went
    stale while the page was open. Django's own page is a developer's page (in English, about "CSRF"); this one
    says what to do and that going back may still find their answers in the form. Django's reason is logged
    for the operators, not shown.
    """
    logger.warning("form check (CSRF) failed for %s %s: %s", request.method, request.path, reason)
    return render(request, "website/csrf_failure.html", {"status": 403}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 with no traceback: the error is logged for the operators."""
    return _error(
        request, 500, _("Sorry, something went wrong"), _("The problem has been logged. Please try again later.")
    )
