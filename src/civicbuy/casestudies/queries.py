"""Public read functions of the case-study library, used by the guide, the assessment and the API."""

from __future__ import annotations

from typing import Any

from wagtail.models import Locale


def related(locale: Locale, *, limit: int = 3, **tags: Any) -> list[Any]:
    """Return up to ``limit`` live case studies in ``locale`` that share any of the given tags.

    The case-study page model arrives with the case-study library; until then there are none.
    """
    del locale, limit, tags
    return []
