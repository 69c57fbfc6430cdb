"""Optional parts: CivicBuy's parts plug into the URL map, the CLI and set-up by module name.

A part that is not installed (or not written yet) is simply absent; these helpers make that check
without importing anything that does not exist.
"""

from __future__ import annotations

from importlib.util import find_spec


def module_exists(name: str) -> bool:
    """True when the dotted module ``name`` can be imported (its parents included)."""
    try:
        return find_spec(name) is not None
    except ModuleNotFoundError:
        return False
