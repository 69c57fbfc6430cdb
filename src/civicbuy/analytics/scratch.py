"""The engine's scratch folders in the system's temporary directory, and the removal of abandoned ones.

A compile spills sorted runs to disk and DuckDB spills joins and sorts: on large files that is gigabytes. A run that
ends normally, or by an exception or Ctrl-C, removes its folders; a run that is killed (SIGKILL, the kernel's
out-of-memory killer, a container stopped) cannot. So every folder's name carries its process id
(``civicbuy-<kind>-<pid>-<random>``), and the first scratch folder a process asks for removes the folders of
processes that are gone, when they belong to the same user and have not changed for :data:`ABANDONED_AFTER`
seconds (a process id can be reused; a folder in use changes as it is written).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

#: Seconds without a change after which a dead process's scratch folder is removed.
ABANDONED_AFTER = 3600
NAME = re.compile(r"civicbuy-[a-z]+-(\d+)-[^/]+")

_swept = False
_sweep_lock = threading.Lock()


def scratch_directory(kind: str) -> tempfile.TemporaryDirectory[str]:
    """Return a new scratch folder for ``kind`` (a lowercase word), removed when the context or object ends."""
    global _swept  # noqa: PLW0603 - once per process
    with _sweep_lock:
        if not _swept:
            _swept = True
            sweep_abandoned()
    return tempfile.TemporaryDirectory(prefix=f"civicbuy-{kind}-{os.getpid()}-")


def sweep_abandoned(base: Path | None = None, *, older_than: float = ABANDONED_AFTER) -> list[Path]:
    """Remove the scratch folders in ``base`` (default: the temporary directory) left by processes that are gone.

    Returns the folders removed. Never follows a link, never touches another user's folder or a live process's.
    """
    base = base or Path(tempfile.gettempdir())
    removed: list[Path] = []
    cutoff = time.time() - older_than
    try:
        children = list(base.iterdir())
    except OSError:
        return removed
    for child in children:
        match = NAME.fullmatch(child.name)
        if match is None or _alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            status = child.lstat()
            if child.is_symlink() or not child.is_dir() or status.st_uid != os.getuid() or status.st_mtime > cutoff:
                continue
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child)
    return removed


def _alive(pid: int) -> bool:
    """Tell whether process ``pid`` exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or not a process id: leave its folders alone
    return True
