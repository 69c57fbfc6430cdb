"""URL map. Public paths carry a language prefix (/en/, /es/); the contract is in ARCHITECTURE.md."""

from __future__ import annotations

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.static import serve as serve_media
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from civicbuy.config.parts import module_exists
from civicbuy.guide import views as guide_views
from civicbuy.website import views as website_views

# Parts that publish their own URLs under a language prefix, when installed: (prefix, module).
PART_URLS = (
    ("case-studies/", "civicbuy.casestudies.urls"),
    ("assessment/", "civicbuy.assessment.urls"),
    ("dashboard/", "civicbuy.dashboard.urls"),
    ("impact/", "civicbuy.impact.urls"),
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", website_views.sitemap, name="sitemap"),
    path("healthz", website_views.health, name="health"),
    path("favicon.ico", website_views.favicon, name="favicon"),
]
if module_exists("civicbuy.api.urls"):
    urlpatterns.append(path("api/", include("civicbuy.api.urls")))

_localised: list[URLPattern | URLResolver] = [
    path("search/", website_views.search, name="search"),
    path("feedback/<int:page_id>/", website_views.feedback, name="feedback"),
    path("guide/plan-a-purchase/", guide_views.pathfinder_view, name="pathfinder"),
]
_localised += [path(prefix, include(module)) for prefix, module in PART_URLS if module_exists(module)]
_localised.append(path("", include(wagtail_urls)))

if not settings.PRODUCTION:
    # Uploaded images (published case studies) in the embedded set-up, images only: documents stay behind
    # Wagtail's permission-checked /documents/ view; in production the web server serves
    # CIVICBUY_MEDIA_DIR at /media/ (docs/security.md).
    urlpatterns.append(
        re_path(
            r"^media/(?P<path>(?:original_images|images)/[^/]+)$", serve_media, {"document_root": settings.MEDIA_ROOT}
        )
    )

urlpatterns += i18n_patterns(*_localised, prefix_default_language=True)

handler404 = "civicbuy.website.views.not_found"
handler500 = "civicbuy.website.views.server_error"
handler400 = "civicbuy.website.views.bad_request"
handler403 = "civicbuy.website.views.forbidden"
