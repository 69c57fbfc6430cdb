"""The install (setup.py) builds the hot modules with mypyc, and the tests refuse a build older than its source."""

import importlib
import os

from tests.native import interpreted, is_extension, native_modules, stale_builds


def test_the_install_built_every_native_module_unless_told_not_to():
    names = native_modules()
    assert names == ["civicbuy.analytics.ocds.merge", "civicbuy.analytics.store.flatten"]
    for name in names:
        module = importlib.import_module(name)
        if os.environ.get("CIVICBUY_PURE_PYTHON") == "1":
            assert not is_extension(module), name
        else:
            assert is_extension(module), f"{name} runs interpreted from {module.__file__}: run `make install` (gcc)"
        assert not is_extension(interpreted(module)), name


def test_a_build_older_than_its_source_is_found(tmp_path):
    package = tmp_path / "civicbuy" / "ocds"
    package.mkdir(parents=True)
    for name in ("merge.py", "merge.cpython-311-x86_64-linux-gnu.so", "merge__mypyc.cpython-311-x86_64-linux-gnu.so"):
        (package / name).write_text("")
    (package / "other.cpython-311-x86_64-linux-gnu.so").write_text("")  # no source beside it: not checked
    built = package / "merge.cpython-311-x86_64-linux-gnu.so"
    assert stale_builds(tmp_path) == []
    later = built.stat().st_mtime + 10
    os.utime(package / "merge.py", (later, later))
    assert stale_builds(tmp_path) == [
        f"merge.cpython-311-x86_64-linux-gnu.so is older than {package / 'merge.py'}",
        f"merge__mypyc.cpython-311-x86_64-linux-gnu.so is older than {package / 'merge.py'}",
    ]
