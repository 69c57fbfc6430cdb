"""Opening an input: a file that is refused is closed at once, whatever refused it."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from civicbuy.analytics.ocds.exceptions import AnalyticsError, InputTooLargeError
from civicbuy.analytics.ocds.source import Source


def _open_paths() -> set[str]:
    paths = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            paths.add(str(fd.readlink()))
        except OSError:
            continue
    return paths


def test_a_corrupt_gzip_file_is_closed_when_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(gzip.compress(b'{"releases": []}' * 100)[:20] + b"not deflate data" * 10)
    with pytest.raises(AnalyticsError, match="cannot decompress gzip data") as refused:
        Source(bad)
    assert str(bad) not in _open_paths()  # the error (kept in `refused`) still references the opening frame
    del refused


def test_a_gzip_bomb_is_closed_when_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b" " * (4 * 1024 * 1024)))
    with pytest.raises(InputTooLargeError) as refused:
        Source(bomb, max_ratio=2, expansion_floor=1024)
    assert str(bomb) not in _open_paths()
    del refused
