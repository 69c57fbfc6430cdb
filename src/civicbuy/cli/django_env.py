"""Start Django on demand, so commands that do not need it (the analytics engine) stay fast."""

from __future__ import annotations

import os
from typing import Any

_ready = False


def setup() -> None:
    """Configure Django once per process."""
    global _ready  # noqa: PLW0603 - process-wide, idempotent
    if _ready:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbuy.config.settings")
    import django

    django.setup()
    _ready = True


def manage(*args: str, **options: Any) -> None:
    """Run a Django management command in this process."""
    setup()
    from django.core.management import call_command

    call_command(*args, **options)
