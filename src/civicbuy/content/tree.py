"""Writing pack pages into Wagtail's page tree: create or update, publish, and keep translations linked."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import transaction
from wagtail.models import Locale, Page, Site

from civicbuy.content.errors import ContentPackError

P = TypeVar("P", bound=Page)


def locale(language: str) -> Locale:
    """Return the Wagtail locale of a language, creating it the first time."""
    found, _ = Locale.objects.get_or_create(language_code=language)
    return found


def root() -> Page:
    """The tree's root node (above every language's home page)."""
    return Page.get_first_root_node()


def _publish(page: Page) -> None:
    revision = page.save_revision(clean=True)
    revision.publish()


def _assign(page: Page, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(page, name, value)


def upsert_child(parent: Page, model: type[P], slug: str, fields: dict[str, Any], *, file: str) -> P:
    """Create or update the child ``slug`` of ``parent`` (same locale) with ``fields``, and publish it."""
    existing = Page.objects.child_of(parent).filter(slug=slug, locale_id=parent.locale_id).first()
    if existing is None:
        page = model(slug=slug, locale_id=parent.locale_id, **fields)
        parent.add_child(instance=page)
        _publish(page)
        return page
    specific = existing.specific
    if not isinstance(specific, model):
        raise ContentPackError(file, f"a {type(specific).__name__} already uses the slug {slug!r} here", "slug")
    _assign(specific, fields)
    _publish(specific)
    return specific


def upsert_translation(original: P, language: str, fields: dict[str, Any]) -> P:
    """Create or update the translation of ``original`` into ``language``, and publish it."""
    target = locale(language)
    translation = original.get_translation_or_none(target)
    if translation is None:
        translation = original.copy_for_translation(target)
    page: P = translation.specific
    _assign(page, fields)
    _publish(page)
    return page


def remove_placeholder_pages() -> None:
    """Delete Wagtail's initial "Welcome" page (a plain, childless Page below the root), if still there."""
    for page in Page.objects.filter(depth=2, numchild=0):
        if page.specific_class is Page:
            Site.objects.filter(root_page=page).delete()
            page.delete()


@transaction.atomic
def use_as_site_root(home: Page) -> None:
    """Make ``home`` the root page of the default site and remove Wagtail's placeholder welcome page."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site(hostname="localhost", port=80, is_default_site=True, site_name="CivicBuy", root_page=home)
    site.root_page = home
    site.site_name = "CivicBuy"
    site.save()
