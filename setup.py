"""Build hook: compile the OCDS merger to a C extension with mypyc; everything else is in pyproject.toml.

The merger (``civicbuy/analytics/ocds/merge.py``) is the hot loop of every ingest of releases, and mypyc makes it
about 2.2 times faster (benchmarks/README.md). The extension is optional: where it cannot be built (no C compiler,
or ``CIVICBUY_PURE_PYTHON=1``) the install goes on and the same source runs interpreted, with the same results.
"""

import os

from setuptools import setup

NATIVE_MODULES = ["src/civicbuy/analytics/ocds/merge.py"]


def native_extensions() -> list:
    """The mypyc extensions to build, each marked optional so that a failed C build does not fail the install."""
    if os.environ.get("CIVICBUY_PURE_PYTHON") == "1":
        return []
    from mypyc.build import mypycify

    # The project's mypy settings load the Django plugin, which the build environment does not have: the build
    # type-checks only the merger and what it imports, with its own settings.
    extensions = mypycify(["--config-file", "", "--ignore-missing-imports", *NATIVE_MODULES], opt_level="3")
    for extension in extensions:
        extension.optional = True
    return extensions


setup(ext_modules=native_extensions())
