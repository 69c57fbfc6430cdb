from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _published(sender: Any, instance: Any, **kwargs: Any) -> None:
    del sender, kwargs
    from civicbuy.casestudies import search, submissions

    search.index_page(instance)
    submissions.release_files(instance)


def _unpublished(sender: Any, instance: Any, **kwargs: Any) -> None:
    del sender, kwargs
    from civicbuy.casestudies import search

    search.remove_page(instance.pk)


class CaseStudiesConfig(AppConfig):
    """Case studies: sourced, searchable, growing through reviewed submissions."""

    name = "civicbuy.casestudies"
    label = "casestudies"
    verbose_name = "Case studies"

    def ready(self) -> None:
        """Keep the case search index in step with what is published."""
        from django.db.models.signals import pre_delete
        from wagtail.signals import page_published, page_unpublished

        from civicbuy.casestudies.models import CaseStudyPage

        page_published.connect(_published, sender=CaseStudyPage, dispatch_uid="casestudies-index")
        page_unpublished.connect(_unpublished, sender=CaseStudyPage, dispatch_uid="casestudies-unindex")
        pre_delete.connect(_unpublished, sender=CaseStudyPage, dispatch_uid="casestudies-delete")
