"""Compile the interface translations (.po -> .mo) when a .po file is newer than its .mo.

Runs during `make install`; needs GNU gettext's msgfmt (installed by scripts/install-system-deps.sh).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "civicbuy"


def main() -> int:
    """Compile every out-of-date catalogue; return the exit status."""
    for po in sorted(PACKAGE.glob("**/locale/*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        result = subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=False)
        if result.returncode != 0:
            print(f"Error: {po} does not compile (see msgfmt's message above)", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
