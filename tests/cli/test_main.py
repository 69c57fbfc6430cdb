"""The console script's last line of defence: an error nobody foresaw is still one line, never a traceback."""

from __future__ import annotations

import sys

import pytest

from civicbuy.analytics import api
from civicbuy.cli import main as cli_main


def test_an_unexpected_multi_line_error_is_printed_on_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(_path: str) -> None:
        # as DuckDB words its errors: the message, then the statement and a marker on lines of their own
        raise RuntimeError('IO Error: No files found\n\nLINE 1: SELECT * FROM "x"\n                      ^')

    monkeypatch.setattr(api, "detect", fail)  # no real input makes this happen on purpose
    monkeypatch.setattr(sys, "argv", ["civicbuy", "detect", "anything.json"])
    monkeypatch.delenv("CIVICBUY_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exited:
        cli_main.main()
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("Error: unexpected problem (RuntimeError: IO Error: No files found LINE 1: SELECT")
    assert "Traceback" not in err
