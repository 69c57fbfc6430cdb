"""`civicbuy content load`: put a whole content pack into the CMS, all or nothing.

Every file is read and checked first (:func:`civicbuy.content.packs.read_pack`); then all pages are
written inside one database transaction. Any failure rolls the transaction back, so the content that
was there before stays exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from civicbuy.content.errors import ContentPackError, ContentPackErrors
from civicbuy.content.packs import read_pack


@dataclass(frozen=True)
class LoadSummary:
    """How many pages of each kind a load wrote (each in English and Spanish)."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        """Pages written, counting each language once."""
        return sum(self.counts.values())


def load_pack(root: Path) -> LoadSummary:
    """Validate the pack at ``root`` and write it; raise :class:`ContentPackErrors` and change nothing on failure."""
    pages = read_pack(root)
    from civicbuy.content.packs import kinds

    try:
        with transaction.atomic():
            for kind in kinds():
                kind.apply(pages.get(kind.name, []))
    except ContentPackError as error:
        raise ContentPackErrors([error]) from None
    return LoadSummary({name: len(found) for name, found in pages.items()})


def site_has_content() -> bool:
    """True when a home page exists (so a first-run load must not overwrite editors' work)."""
    from civicbuy.website.models import HomePage

    return HomePage.objects.exists()
