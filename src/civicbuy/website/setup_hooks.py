"""First-run set-up steps contributed by other parts (e.g. the demo city's dataset).

A part adds a module ``civicbuy.<part>.setup`` with a ``run() -> str`` function; `civicbuy setup` calls
each one that is installed and prints what it did.
"""

from __future__ import annotations

from importlib import import_module

from civicbuy.config.parts import module_exists

HOOK_MODULES = ("civicbuy.dashboard.setup", "civicbuy.impact.setup")


def run_setup_hooks() -> list[str]:
    """Run every installed set-up hook; return their messages."""
    return [import_module(name).run() for name in HOOK_MODULES if module_exists(name)]
