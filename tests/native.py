"""The modules the install builds with mypyc (setup.py): which they are, whether a build is stale, and the same
modules loaded from their source so that they run interpreted.

Tests run each such module both ways and compare: the extension must behave exactly as its source.
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent


def native_modules() -> list[str]:
    """The module names listed in setup.py's ``NATIVE_MODULES`` (read from its text: running it would build)."""
    tree = ast.parse((REPO / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "NATIVE_MODULES" for t in node.targets):
            paths = ast.literal_eval(node.value)
            return [path.removeprefix("src/").removesuffix(".py").replace("/", ".") for path in paths]
    raise AssertionError("setup.py has no NATIVE_MODULES")


def is_extension(module: ModuleType) -> bool:
    """Whether ``module`` was loaded from a compiled extension."""
    return str(module.__file__).endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def interpreted(module: ModuleType) -> ModuleType:
    """``module`` loaded again from its ``.py`` source, under another name, so that it runs in the interpreter."""
    source = Path(str(module.__file__)).parent / f"{module.__name__.rsplit('.', 1)[1]}.py"
    name = f"{module.__name__}__interpreted"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, source)
    assert spec is not None
    assert spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    spec.loader.exec_module(loaded)
    return loaded


def stale_builds(package: Path) -> list[str]:
    """The extensions under ``package`` older than their ``.py`` source: tests would check the old code.

    mypyc builds ``name.<suffix>.so`` and its library ``name__mypyc.<suffix>.so`` beside ``name.py``.
    """
    stale = []
    for built in sorted(package.rglob("*.so")):
        source = built.with_name(built.name.split(".", 1)[0].removesuffix("__mypyc") + ".py")
        if source.exists() and built.stat().st_mtime < source.stat().st_mtime:
            stale.append(f"{built.name} is older than {source}")
    return stale
