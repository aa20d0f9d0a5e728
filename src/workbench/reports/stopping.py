"""Stopping a report batch on SIGINT (Ctrl-C) or SIGTERM, cleanly and within seconds.

:class:`StopSignals` records the first signal. While the parent only computes (loading,
validation, the snapshot) the signal raises :class:`BatchInterrupted` at once; while it
renders (``deferred``) the render loop polls :attr:`StopSignals.signum` several times a
second, kills the workers and their kernels and keeps every report already finished.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["BatchInterrupted", "StopSignals", "exit_status"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def exit_status(signum: int) -> int:
    """The shell's exit status for a run stopped by ``signum``: 130 (SIGINT), 143 (SIGTERM)."""
    return 128 + int(signum)


class BatchInterrupted(Exception):  # noqa: N818 (it is not an error of the program)
    """The batch was stopped by a signal before any report could be rendered."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")


class StopSignals:
    """A context manager catching SIGINT and SIGTERM in the main thread (else inert)."""

    def __init__(self) -> None:
        self.signum: int | None = None
        self.raising = True
        self._old: dict[int, object] = {}

    def _handle(self, signum: int, frame: object) -> None:
        if self.signum is None:
            self.signum = signum
        if self.raising:
            self.raising = False  # a second Ctrl-C during clean-up does not cut it short
            raise BatchInterrupted(signum)

    def check(self) -> None:
        """Raise :class:`BatchInterrupted` if a signal came while raising was deferred."""
        if self.signum is not None:
            raise BatchInterrupted(self.signum)

    @contextmanager
    def deferred(self) -> Iterator[StopSignals]:
        """Inside: a signal is only recorded (the caller polls :attr:`signum`)."""
        before, self.raising = self.raising, False
        try:
            yield self
        finally:
            self.raising = before and self.signum is None

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for signum in _SIGNALS:
                self._old[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, old in self._old.items():
            signal.signal(signum, old)
        self._old.clear()
