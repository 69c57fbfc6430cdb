"""Scratch folders: removed by a run that ends or is sent SIGTERM, and swept later when a killed run left them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from civicbuy.analytics import scratch
from tests.processes import CIVICBUY

HOUR = 3600


def _dead_pid() -> int:
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    return int(process.stdout)


def _folder(base: Path, name: str, *, age: float) -> Path:
    folder = base / name
    (folder / "runs").mkdir(parents=True)
    (folder / "runs" / "run-0").write_bytes(b"x" * 1024)
    then = time.time() - age
    os.utime(folder, (then, then))
    return folder


def test_only_old_folders_of_processes_that_are_gone_are_swept(tmp_path: Path) -> None:
    dead = _dead_pid()
    abandoned = _folder(tmp_path, f"civicbuy-compile-{dead}-abc123", age=2 * HOUR)
    recent = _folder(tmp_path, f"civicbuy-duckdb-{dead}-def456", age=60)  # the id may be in use again
    alive = _folder(tmp_path, f"civicbuy-compile-{os.getpid()}-ghi789", age=2 * HOUR)
    other = _folder(tmp_path, f"someone-else-{dead}-jkl", age=2 * HOUR)
    link = tmp_path / f"civicbuy-compile-{dead}-link"
    link.symlink_to(other)
    assert scratch.sweep_abandoned(tmp_path) == [abandoned]
    assert not abandoned.exists()
    assert [recent.is_dir(), alive.is_dir(), other.is_dir(), link.is_symlink()] == [True] * 4


def test_a_scratch_folder_is_named_after_its_process_and_removed_after_use(tmp_path: Path) -> None:
    with scratch.scratch_directory("compile") as folder:
        assert Path(folder).name.startswith(f"civicbuy-compile-{os.getpid()}-")
        assert Path(folder).is_dir()
    assert not Path(folder).exists()


def test_sigterm_ends_a_command_with_its_scratch_folders_removed(tmp_path: Path) -> None:
    releases = tmp_path / "releases.jsonl"
    subprocess.run([CIVICBUY, "generate", "--releases", "20000", str(releases)], check=True, timeout=120)
    scratch_dir = tmp_path / "tmp"
    scratch_dir.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch_dir)}
    command = [CIVICBUY, "indicators", str(releases), "--format", "csv"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not list(scratch_dir.glob("civicbuy-*")):  # the run has made its scratch folder
        assert process.poll() is None, "the command ended before it made a scratch folder"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM
    assert b"Traceback" not in err
    assert list(scratch_dir.iterdir()) == []
