"""atheris harness: the content-pack reader on arbitrary bytes in place of a pack file.

    /tmp/fuzz-venv/bin/python tools/fuzz/fuzz_packs.py -max_total_time=300 tools/fuzz/corpus/packs

Contract: reading a pack either succeeds or raises ``ContentPackErrors`` (file and field in each message).
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

import atheris

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicbuy.config.settings")
os.environ.setdefault("CIVICBUY_DATA_DIR", tempfile.mkdtemp(prefix="fuzz-packs-data-"))

with atheris.instrument_imports():
    import django

    django.setup()
    from civicbuy.content.errors import ContentPackErrors
    from civicbuy.content.packs import bundled_pack, read_pack

BUNDLED = bundled_pack()
ROOT = Path(tempfile.mkdtemp(prefix="fuzz-packs-")) / "pack"
shutil.copytree(BUNDLED / "site", ROOT / "site")
CASE = next((BUNDLED / "cases").glob("*.en.yaml"))
TARGET = ROOT / "cases" / CASE.name
TARGET.parent.mkdir(parents=True)
shutil.copy(CASE.with_name(CASE.name.replace(".en.", ".es.")), TARGET.with_name(CASE.name.replace(".en.", ".es.")))


def test_one_input(data: bytes) -> None:
    """Put ``data`` in the English file of one case and read the pack."""
    TARGET.write_bytes(data)
    try:
        read_pack(ROOT)
    except ContentPackErrors as errors:
        if not errors.errors:
            raise AssertionError("ContentPackErrors without a message") from None


def main() -> None:
    """Start libFuzzer with the command-line options."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
