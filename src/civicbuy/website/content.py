"""Content-pack kind for the home page (``site/home.<lang>.yaml``)."""

from __future__ import annotations

from typing import Any

from civicbuy.content import tree
from civicbuy.content.errors import ContentPackError
from civicbuy.content.packs import Kind, PackPage
from civicbuy.content.spec import FieldSpec
from civicbuy.website.blocks import sources_to_data
from civicbuy.website.models import HomePage

HOME_FIELDS = {
    "slug": FieldSpec("slug", required=True),
    "title": FieldSpec("line", required=True, max_length=255),
    "summary": FieldSpec("line", max_length=300),
    "introduction": FieldSpec("text"),
    "sources": FieldSpec("sources", translated=False),
}


def _page_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": data["title"],
        "summary": data.get("summary") or "",
        "introduction": data.get("introduction") or "",
        "sources": [("source", source) for source in data.get("sources") or []],
    }


def home_page(language: str = "en") -> HomePage | None:
    """The home page of a language, if loaded."""
    return HomePage.objects.filter(locale__language_code=language).first()


def apply_home(pages: list[PackPage]) -> None:
    """Create or update the home page in every language and make it the site root."""
    for page in pages:
        if page.slug != "home":
            raise ContentPackError(page.relative, "only site/home is a site page", "slug")
        tree.locale("en")
        tree.remove_placeholder_pages()
        english = tree.upsert_child(tree.root(), HomePage, "home", _page_fields(page.merged("en")), file=page.relative)
        tree.upsert_translation(english, "es", _page_fields(page.merged("es")))
        tree.use_as_site_root(english)


def export_home() -> list[tuple[str, dict[str, dict[str, Any]]]]:
    """Return the home page in pack form."""
    english = home_page("en")
    if english is None:
        return []
    languages: dict[str, dict[str, Any]] = {}
    for page in [english, *[p.specific for p in english.get_translations()]]:
        data: dict[str, Any] = {
            "slug": "home",
            "title": page.title,
            "summary": page.summary,
            "introduction": page.introduction,
        }
        if page.locale.language_code == "en":
            data["sources"] = sources_to_data(page.sources)
        languages[page.locale.language_code] = data
    return [("home", languages)]


KINDS = [Kind("site", "site", 0, HOME_FIELDS, 10, apply_home, export_home)]
