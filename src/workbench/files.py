"""Safe output files: atomic writes, a writable-folder check and one batch per folder.

Every file a command writes for a user goes through :func:`atomic_write`: the bytes go to a
temporary file in the same folder, are flushed to disk and renamed into place, so a reader
(or a crash, or a full disk) never sees half a file. :class:`OutputLock` keeps two batches
out of one output folder: the lock file holds the holder's PID and process start time, so a
lock left by a dead process (or by a PID the system has since reused) is taken over.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import WorkbenchError

__all__ = [
    "LOCK_NAME",
    "OutputError",
    "OutputLockedError",
    "OutputLock",
    "atomic_write",
    "check_output_folder",
    "read_json",
]

LOCK_NAME = ".workbench.lock"


class OutputError(WorkbenchError, OSError):
    """An output path that cannot be written: read-only, not a folder, disk full."""


class OutputLockedError(WorkbenchError):
    """Another batch holds the output folder's lock."""

    def __init__(self, path: Path, holder: dict) -> None:
        self.path, self.holder = path, holder
        super().__init__(
            f"{path.parent} is in use by another workbench run (pid {holder.get('pid')}, "
            f"{holder.get('command', 'a command')}, since {holder.get('started', '?')}); "
            "wait for it to finish or pass --wait"
        )


def _cause(err: OSError) -> str:
    names = {
        errno.EROFS: "read-only file system",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded",
        errno.ENOTDIR: "a path part is a file, not a folder",
        errno.EEXIST: "a file of that name exists",
    }
    return names.get(err.errno, err.strerror or type(err).__name__)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, data: bytes | str, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    Raises
    ------
    OutputError
        The folder cannot be written (the message names the path and the cause); no
        partial file is left behind.
    """
    path = Path(path)
    payload = data.encode(encoding) if isinstance(data, str) else data
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 would hide reports from readers
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        raise OutputError(err.errno, f"cannot write {path}: {_cause(err)}") from err
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return path


def read_json(path: str | Path) -> dict | None:
    """The JSON object in ``path``; None when it is missing, unreadable or not an object.

    The runner's caches and summaries are written atomically, so a file that does not parse
    was never one of ours: it is treated as absent, never as an error.
    """
    try:
        value = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def check_output_folder(folder: str | Path) -> Path:
    """Make sure ``folder`` is (or can become) a writable folder; return it resolved.

    A probe file is written and removed, so a read-only mount or a full disk is found
    before any report runs.
    """
    folder = Path(folder).resolve()
    if folder.exists() and not folder.is_dir():
        raise OutputError(errno.ENOTDIR, f"cannot write to {folder}: it is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(err.errno, f"cannot create {folder}: {_cause(err)}") from err
    atomic_write(folder / ".workbench-write-check", b"ok").unlink()
    return folder


def _process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused PID."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _alive(holder: dict) -> bool:
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    recorded, now = holder.get("proc_start"), _process_start(pid)
    return recorded is None or now is None or recorded == now


@dataclass
class OutputLock:
    """An exclusive lock on an output folder, as a context manager.

    Parameters
    ----------
    folder
        The output root (``--out``); the lock file is ``<folder>/.workbench.lock``.
    command
        What holds it, for the message another run prints.
    wait
        Wait for the holder to finish (polling) instead of raising at once.
    timeout
        With ``wait``: give up after this many seconds (None: wait for ever).
    """

    folder: Path
    command: str = "workbench"
    wait: bool = False
    timeout: float | None = None
    poll: float = 0.5

    @property
    def path(self) -> Path:
        return Path(self.folder) / LOCK_NAME

    def _record(self) -> bytes:
        return json.dumps(
            {
                "pid": os.getpid(),
                "proc_start": _process_start(os.getpid()),
                "host": socket.gethostname(),
                "command": self.command,
                "started": time.strftime("%Y-%m-%d %H:%M:%S"),
            }
        ).encode()

    def _holder(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}

    def acquire(self) -> None:
        """Take the lock; a stale lock (its process is gone) is taken over."""
        check_output_folder(self.folder)
        began = time.monotonic()
        while True:
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder()
                if not _alive(holder):  # stale: replace it, then check we won the race
                    atomic_write(self.path, self._record())
                    if self._holder().get("pid") == os.getpid():
                        return
                    continue
                if not self.wait or (
                    self.timeout is not None and time.monotonic() - began > self.timeout
                ):
                    raise OutputLockedError(self.path, holder) from None
                time.sleep(self.poll)
                continue
            except OSError as err:
                raise OutputError(err.errno, f"cannot lock {self.path}: {_cause(err)}") from err
            with os.fdopen(fd, "wb") as handle:
                handle.write(self._record())
            return

    def release(self) -> None:
        """Remove the lock file if this process holds it."""
        if self._holder().get("pid") == os.getpid():
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> OutputLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
