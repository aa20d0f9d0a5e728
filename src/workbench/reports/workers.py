"""The report batch's worker processes: each renders on its own kernel, none outlives the batch.

The parent (:func:`workbench.reports.runner.render_reports`) starts N spawned workers and
hands each one job at a time over its own pipe (:class:`WorkerPool`); a worker answers
``started``, ``kernel`` (its kernel's PID) and ``done`` with the rendered notebook and page.
Only the parent writes files.

What keeps the batch from hanging or leaving processes behind:

* the renderer runs nbclient on a thread of the worker, so nbclient installs no signal
  handlers of its own, and with timeouts and a dead-kernel check
  (:class:`~workbench.reports.renderer.ReportRenderer`);
* a worker ignores SIGINT (Ctrl-C reaches the whole process group; the parent decides) and on
  SIGTERM kills its kernel's process group and exits at once;
* a worker learns of its parent's death within a second (``PR_SET_PDEATHSIG`` and a thread
  polling the parent PID) and then does the same; a kernel's own parent poller (ipykernel)
  ends the kernel when its worker dies;
* the parent fails a job whose worker died ("worker process died") or ran past the report
  timeout plus a grace period (the worker is killed), and starts a fresh worker.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import shutil
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

__all__ = ["GRACE_S", "Job", "WorkerPool", "worker_main"]

#: Seconds a worker may run past the report timeout before the parent kills it.
GRACE_S = 30.0
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Job:
    """One report to render: ``key`` identifies it to the caller."""

    key: Any
    template: str
    params: dict[str, Any]
    own_kernel: bool = False  # render on a kernel of its own, closed right after (overview)


def _parent_death_signal(signum: int) -> None:
    """Ask Linux to send ``signum`` when the parent dies (no-op elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent_pid:
            os.kill(os.getpid(), signal.SIGTERM)
            return


def worker_main(conn: Connection, parent_pid: int, cell_timeout: float, report_timeout: float):
    """A worker process's body: render jobs from ``conn`` until told to stop."""
    from workbench.reports.renderer import ReportRenderer, kill_kernel

    renderers: dict[str, ReportRenderer] = {}

    def stop(signum: int, frame: object) -> None:
        for renderer in list(renderers.values()):
            kill_kernel(renderer.kernel_pid)
            shutil.rmtree(renderer.workdir, ignore_errors=True)
        os._exit(128 + signum)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    _parent_death_signal(signal.SIGTERM)
    if os.getppid() != parent_pid:  # died before the request took effect
        stop(signal.SIGTERM, None)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    # nbclient runs off the main thread: there it adds no signal handlers (it would replace
    # these and fail the report in progress on Ctrl-C), and the main thread stays free to
    # handle SIGTERM at once.
    thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
    try:
        conn.send(("ready", None, None))
        while True:
            try:
                job = conn.recv()
            except EOFError:
                break
            if job is None:
                break
            renderer = renderers.get(job.template)
            if renderer is None:
                renderer = renderers[job.template] = ReportRenderer(
                    job.template, cell_timeout=cell_timeout, report_timeout=report_timeout
                )
            conn.send(("started", job.key, None))
            future, told = thread.submit(renderer.render, job.params), None
            while True:
                try:
                    result = future.result(timeout=0.2)
                    break
                except FutureTimeout:
                    if renderer.kernel_pid and renderer.kernel_pid != told:
                        told = renderer.kernel_pid
                        conn.send(("kernel", job.key, told))
            conn.send(("done", job.key, result))
            if job.own_kernel:
                thread.submit(renderer.close).result()
                del renderers[job.template]
    finally:
        for renderer in list(renderers.values()):
            with contextlib.suppress(Exception):
                thread.submit(renderer.close).result(timeout=30)
        thread.shutdown(wait=False)


@dataclass
class _Worker:
    process: Any
    conn: Connection
    job: Job | None = None
    started: float = 0.0
    kernels: set[int] = field(default_factory=set)
    gone: bool = False


class WorkerPool:
    """N spawned worker processes rendering :class:`Job` s, one job at a time each.

    Parameters
    ----------
    n
        Worker processes.
    cell_timeout, report_timeout
        Passed to each worker's renderer; the parent kills a worker whose job runs longer
        than ``report_timeout + GRACE_S``.
    """

    def __init__(self, n: int, *, cell_timeout: float, report_timeout: float) -> None:
        self.n, self.cell_timeout, self.report_timeout = n, cell_timeout, report_timeout
        self.ctx = mp.get_context("spawn")
        self.workers: list[_Worker] = []
        self.pids: set[int] = set()  # every worker and kernel PID seen, for the final sweep
        self.replaced = 0

    def start(self) -> WorkerPool:
        """Start the workers (their imports take a moment; render meanwhile elsewhere)."""
        for _ in range(self.n):
            self._spawn()
        return self

    def _spawn(self) -> None:
        parent, child = self.ctx.Pipe()
        args = (child, os.getpid(), self.cell_timeout, self.report_timeout)
        process = self.ctx.Process(target=worker_main, args=args, name="workbench-report")
        process.start()
        child.close()
        self.pids.add(process.pid)
        self.workers.append(_Worker(process, parent))

    def run(
        self,
        jobs: list[Job],
        on_result: Callable[[Any, dict[str, Any]], None],
        *,
        stop: Callable[[], bool] = lambda: False,
        on_event: Callable[[str], None] | None = None,
    ) -> list[Job]:
        """Render ``jobs``, calling ``on_result(key, result)`` in this process for each.

        Returns the jobs left unfinished because ``stop()`` became true (checked several
        times a second); their workers are then killed (:meth:`close`).
        """
        pending = deque(jobs)
        while pending or any(w.job for w in self.workers):
            if stop():
                left = [w.job for w in self.workers if w.job] + list(pending)
                self.close(kill=True)
                return left
            conns = [w.conn for w in self.workers if not w.gone]
            sentinels = [w.process.sentinel for w in self.workers if not w.gone]
            ready = wait(conns + sentinels, timeout=0.2)
            for w in list(self.workers):
                if w.gone:
                    continue
                while w.conn in ready and not w.gone:
                    try:
                        if not w.conn.poll():
                            break
                        kind, key, payload = w.conn.recv()
                    except (EOFError, OSError):
                        self._ended(w, on_result, pending, on_event)
                        break
                    if kind == "started":
                        w.started = time.monotonic()
                    elif kind == "kernel":
                        w.kernels.add(payload)
                        self.pids.add(payload)
                    elif kind == "done":
                        w.job = None
                        on_result(key, payload)
                    if kind in ("ready", "done"):
                        self._assign(w, pending)
                if not w.gone and not w.process.is_alive() and not w.conn.poll():
                    self._ended(w, on_result, pending, on_event)
                elif w.job and time.monotonic() - w.started > self.report_timeout + GRACE_S:
                    reason = f"timed out after {self.report_timeout:g} s (whole report)"
                    self._lost(w, on_result, reason, pending, on_event)
        self.close()
        return []

    def _assign(self, w: _Worker, pending: deque) -> None:
        w.job = pending.popleft() if pending else None
        w.started = time.monotonic()
        with contextlib.suppress(OSError, BrokenPipeError):
            w.conn.send(w.job)

    def _ended(self, w: _Worker, on_result, pending: deque, on_event) -> None:
        """A worker's process ended: quietly when it had no job, else its job failed."""
        if w.job is None:
            w.process.join(1)
            self._kill(w)
        else:
            self._lost(w, on_result, "worker process died", pending, on_event)

    def _lost(self, w, on_result, reason: str, pending: deque, on_event) -> None:
        """A worker died or hangs: fail its job, kill it and its kernel, start another."""
        code = w.process.exitcode
        self._kill(w)
        if w.job is not None:
            job, w.job = w.job, None
            detail = f"{reason} (exit status {code})" if code is not None else reason
            on_result(job.key, {"status": "failed", "error": detail, "traceback": detail})
        if on_event is not None:
            on_event(f"a worker process ended unexpectedly ({reason}); starting another")
        if pending:
            self.replaced += 1
            self._spawn()

    def _kill(self, w: _Worker) -> None:
        w.gone = True
        if w.process.is_alive():
            w.process.terminate()  # SIGTERM: the worker kills its kernel and exits
            w.process.join(3)
        if w.process.is_alive():
            w.process.kill()
            w.process.join(3)
        from workbench.reports.renderer import kill_kernel

        for pid in w.kernels:
            kill_kernel(pid)
        w.conn.close()

    def close(self, *, kill: bool = False) -> None:
        """End every worker: politely (no more jobs) or, with ``kill``, at once."""
        for w in self.workers:
            if w.gone:
                continue
            if not kill:
                with contextlib.suppress(OSError, BrokenPipeError):
                    w.conn.send(None)
                w.process.join(30)
            self._kill(w)
