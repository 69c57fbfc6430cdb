"""`civicbuy manage rebuild_case_search`: rebuild the case-study full-text index from the live pages.

Publishing and unpublishing keep the index up to date; run this after restoring a database dump or
changing the indexed fields.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from civicbuy.casestudies import search


class Command(BaseCommand):
    """Rebuild the case-study search index."""

    help = "Rebuild the case-study full-text search index from the live case pages."

    def handle(self, *args: Any, **options: Any) -> None:
        """Reindex every live case page."""
        del args, options
        count = search.rebuild()
        self.stdout.write(f"Indexed {count} live case pages.")
