"""Safe output: atomic writes, the writable-folder check and the output lock, with real
file systems (tmpfs mounts) and real processes. No speed is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest

from workbench.files import (
    LOCK_NAME,
    OutputError,
    OutputLock,
    OutputLockedError,
    atomic_write,
    check_output_folder,
)
from workbench.terminal import safe_text


@contextmanager
def tmpfs(path, *, size="64k", readonly=False):
    """A real tmpfs at ``path`` (root only); skips with the reason where mounts are refused."""
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if readonly else "")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not root'})")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_atomic_write_replaces_whole_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "index.html"
    atomic_write(target, "first")
    atomic_write(target, "second, longer")
    assert target.read_text() == "second, longer"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_a_full_disk_fails_with_one_line_and_no_partial_file(tmp_path):
    with tmpfs(tmp_path / "small", size="64k") as folder:
        atomic_write(folder / "a.html", b"x" * 40_000)
        with pytest.raises(OutputError, match=r"cannot write .*b\.html: no space left"):
            atomic_write(folder / "b.html", b"y" * 40_000)
        assert sorted(p.name for p in folder.iterdir()) == ["a.html"]
        assert (folder / "a.html").stat().st_size == 40_000


def test_a_read_only_folder_or_a_file_is_refused_before_any_work(tmp_path):
    with tmpfs(tmp_path / "ro", readonly=True) as folder:
        with pytest.raises(OutputError, match=r"read-only file system"):
            check_output_folder(folder / "reports")
        with pytest.raises(OutputError, match=r"read-only file system"):
            check_output_folder(folder)
    a_file = tmp_path / "reports"
    a_file.write_text("not a folder")
    with pytest.raises(OutputError, match=r"it is a file, not a folder"):
        check_output_folder(a_file)
    assert a_file.read_text() == "not a folder"


_HOLD = """
import sys, time
from workbench.files import OutputLock
with OutputLock(sys.argv[1], command="holder"):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_run_is_refused_while_the_first_holds_the_lock(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", _HOLD, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(OutputLockedError, match=rf"pid {holder.pid}, holder"):
            OutputLock(tmp_path).acquire()
        began = time.monotonic()
        with pytest.raises(OutputLockedError):
            OutputLock(tmp_path, wait=True, timeout=1.0, poll=0.1).acquire()
        print(f"waited {time.monotonic() - began:.1f} s before giving up")
    finally:
        holder.kill()
        holder.wait()
    # the holder died without releasing: its lock is stale and is taken over
    lock = OutputLock(tmp_path, command="second")
    with lock:
        assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()
    assert not (tmp_path / LOCK_NAME).exists()


def test_a_lock_naming_a_reused_pid_is_stale(tmp_path):
    # our own PID, but a different process start time: a PID the system has reused
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": os.getpid(), "proc_start": "1"}))
    with OutputLock(tmp_path):
        assert json.loads((tmp_path / LOCK_NAME).read_text())["proc_start"] != "1"


def test_control_characters_are_shown_escaped():
    assert safe_text("Анна\x1b]0;x\x07\x1b[2J\nB") == "Анна\\x1b]0;x\\x07\\x1b[2J\\nB"
    assert safe_text("Ольга Смирнова-Петрова") == "Ольга Смирнова-Петрова"
    assert safe_text("A\u202eB") == "A\\u202eB"  # right-to-left override
