"""Where a report batch renders: local worker processes or a Dask distributed cluster.

The runner hands an :class:`Executor` a list of :class:`~workbench.reports.workers.Job` s and
an ``on_result(key, result)`` callback; whichever executor runs them, every result (the
notebook, the HTML page, the status) comes back to the parent process, which writes every
file, keeps the cache, the index and the summary. Two executors:

:class:`LocalProcesses`
    Spawned worker processes on this machine, one warm kernel each
    (:class:`~workbench.reports.workers.WorkerPool`); the default.
:class:`DaskCluster`
    A Dask distributed cluster (``--cluster tcp://scheduler:8786``), or a ``LocalCluster``
    of N single-threaded worker processes on this machine (``--cluster local:N``). Each Dask
    worker keeps one warm kernel for its whole share of the batch
    (:mod:`workbench.reports.dask_worker`, a ``WorkerPlugin``). The workers read the batch
    snapshot at the path the parent wrote it, so on several machines ``--out`` (and the
    export, for the team overview) must be on a folder every worker mounts at the same path
    (see ``docs/scaling.md``); this is checked before anything is submitted.

Importing this module imports no Dask: only :meth:`DaskCluster.start` does (``pip install
sales-workbench[cluster]``).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from workbench.errors import ParameterError
from workbench.reports.workers import Job, WorkerPool

__all__ = [
    "DEFAULT_RETRIES",
    "ClusterError",
    "DaskCluster",
    "Executor",
    "LocalProcesses",
    "make_executor",
    "parse_cluster",
]

#: Times a report whose Dask worker died is tried again on another worker before it fails.
DEFAULT_RETRIES = 1


class ClusterError(ParameterError):
    """The cluster cannot be reached or cannot run this batch (names the cause)."""


class Executor(Protocol):
    """Renders jobs somewhere and hands each result back in this process."""

    def start(self) -> Executor:
        """Get the workers going (they may still be importing when this returns)."""
        ...

    def run(
        self,
        jobs: list[Job],
        on_result: Callable[[Any, dict[str, Any]], None],
        *,
        stop: Callable[[], bool] = ...,
        on_event: Callable[[str], None] | None = ...,
    ) -> list[Job]:
        """Render ``jobs``, calling ``on_result`` once per job; return those left unfinished
        because ``stop()`` became true."""
        ...

    def close(self, *, kill: bool = False) -> None:
        """Release the workers (at once with ``kill``)."""
        ...


class LocalProcesses(WorkerPool):
    """The local executor: :class:`~workbench.reports.workers.WorkerPool` under its role name."""


def parse_cluster(spec: str) -> tuple[str, int | None]:
    """``"local:N"`` -> ("local", N); a scheduler address -> (address, None).

    Raises :class:`ClusterError` for ``local:`` without a positive count or an address
    without a scheme (``tcp://host:8786``).
    """
    spec = spec.strip()
    if spec.startswith("local:"):
        count = spec.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise ClusterError(f"--cluster {spec!r}: local:N needs a worker count N >= 1")
        return "local", int(count)
    if "://" not in spec:
        raise ClusterError(
            f"--cluster {spec!r}: give a scheduler address such as tcp://scheduler:8786, or local:N"
        )
    return spec, None


def make_executor(
    cluster: str | None, n_workers: int, *, cell_timeout: float, report_timeout: float
) -> Executor:
    """The executor for ``cluster`` (None: local processes, ``n_workers`` of them)."""
    if not cluster:
        return LocalProcesses(n_workers, cell_timeout=cell_timeout, report_timeout=report_timeout)
    return DaskCluster(cluster, cell_timeout=cell_timeout, report_timeout=report_timeout)


class DaskCluster:
    """Render on a Dask distributed cluster, one warm kernel per (single-threaded) worker.

    Parameters
    ----------
    spec
        ``tcp://host:port`` of a running scheduler, or ``local:N`` for a ``LocalCluster`` of
        N worker processes with one thread each, started and closed with the batch.
    cell_timeout, report_timeout
        The renderer's timeouts on every worker (a report over either fails as locally).
    retries
        Times a report is tried again on another worker when its worker dies (Dask's
        ``allowed-failures``; applied to a ``local:N`` cluster, while a running scheduler
        keeps its own setting, ``DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES``); then
        the report fails with "worker lost ...".
    """

    def __init__(
        self,
        spec: str,
        *,
        cell_timeout: float,
        report_timeout: float,
        retries: int = DEFAULT_RETRIES,
    ) -> None:
        self.address, self.n_local = parse_cluster(spec)
        self.spec = spec
        self.cell_timeout, self.report_timeout, self.retries = cell_timeout, report_timeout, retries
        self.client = None
        self.cluster = None

    def start(self) -> DaskCluster:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise ClusterError(
                "--cluster needs Dask distributed: pip install 'sales-workbench[cluster]'"
            ) from exc
        from workbench.reports.dask_worker import KernelPlugin

        if self.n_local is not None:
            settings = {
                "distributed.scheduler.allowed-failures": self.retries,
                # one report at a time per worker thread: the others wait at the scheduler,
                # so a worker that dies takes only the report it was rendering with it
                "distributed.scheduler.worker-saturation": 1.0,
            }
            with dask.config.set(settings):
                self.cluster = LocalCluster(
                    n_workers=self.n_local,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=50,  # CRITICAL only: a killed worker is reported by us
                )
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(self.address, timeout=30)
            except (OSError, TimeoutError) as exc:
                raise ClusterError(
                    f"cannot reach the Dask scheduler at {self.address}: {exc}"
                ) from exc
        plugin = KernelPlugin(self.cell_timeout, self.report_timeout, parent_pid=os.getpid())
        self.client.register_plugin(plugin, name=KernelPlugin.name)
        return self

    def _check_workers(self, jobs: list[Job]) -> None:
        """Every worker runs this code and sees the files the jobs read, else ClusterError."""
        from workbench.reports.dask_worker import worker_facts
        from workbench.reports.fingerprints import code_fingerprint

        paths = sorted(
            {str(j.params[k]) for j in jobs for k in ("batch", "data") if j.params.get(k)}
        )
        facts = self.client.run(worker_facts, paths)
        if not facts:
            raise ClusterError(f"the Dask cluster at {self.spec} has no workers")
        mine = code_fingerprint()
        for worker, (code, missing) in sorted(facts.items()):
            if code != mine:
                raise ClusterError(
                    f"Dask worker {worker} runs other workbench code than this process "
                    "(install the same version on every worker)"
                )
            if missing:
                raise ClusterError(
                    f"Dask worker {worker} cannot read {', '.join(missing)}: the batch "
                    "snapshot and the export must be on a folder every worker mounts at the "
                    "same path (docs/scaling.md)"
                )

    def run(
        self,
        jobs: list[Job],
        on_result: Callable[[Any, dict[str, Any]], None],
        *,
        stop: Callable[[], bool] = lambda: False,
        on_event: Callable[[str], None] | None = None,
    ) -> list[Job]:
        """Render ``jobs`` on the cluster; see :meth:`Executor.run`.

        At most one job per worker thread is on the cluster at a time (the others wait
        here, in order): a worker that dies then takes only the report it was rendering
        with it (Dask counts a death against every task assigned to that worker), and a
        worker that joins mid-batch gets the next job.
        """
        from distributed import as_completed
        from distributed.client import FutureCancelledError

        from workbench.reports.dask_worker import render_job

        if not jobs:
            return []
        self._check_workers(jobs)
        templates: dict[str, str] = {}
        queue = deque(jobs)
        running: dict[Any, Job] = {}
        finished = as_completed()
        slots, checked = 1, 0.0
        seen: set[str] = set(self.client.nthreads())
        while queue or running:
            if stop():
                left = [*running.values(), *queue]
                self.client.cancel(list(running), force=True)
                self.close(kill=True)
                return left
            if time.monotonic() - checked > 1.0:  # workers come and go
                nthreads, checked = self.client.nthreads(), time.monotonic()
                slots = max(1, sum(nthreads.values()))
                self._note_lost_workers(set(nthreads), seen, on_event)
            while queue and len(running) < slots:
                job = queue.popleft()
                if job.template not in templates:
                    templates[job.template] = Path(job.template).read_text(encoding="utf-8")
                future = self.client.submit(
                    render_job, templates[job.template], job.params, job.own_kernel,
                    key=f"workbench-report-{os.urandom(8).hex()}", pure=False,
                )  # fmt: skip
                running[future] = job
                finished.add(future)
            if not finished.has_ready():
                time.sleep(0.05)
                continue
            for future in finished.next_batch(block=False):
                job = running.pop(future)
                try:
                    result = future.result()
                except FutureCancelledError:
                    result = _failed("cancelled by the Dask cluster")
                except Exception as exc:  # KilledWorker, a worker error: this job only
                    result = _failed(_lost_reason(exc, self.retries))
                future.release()
                on_result(job.key, result)
        self.close()
        return []

    def _note_lost_workers(self, workers: set[str], seen: set[str], on_event) -> None:
        """Tell the progress when a worker leaves the cluster mid-batch."""
        for address in sorted(seen - workers):
            if on_event is not None:
                on_event(f"Dask worker {address} left the cluster; its report is tried again")
        seen.clear()
        seen.update(workers)

    def close(self, *, kill: bool = False) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            with contextlib.suppress(Exception):  # a cluster already gone: nothing to release
                client.close(timeout=5 if kill else 30)
        if self.cluster is not None:
            cluster, self.cluster = self.cluster, None
            with contextlib.suppress(Exception):
                cluster.close(timeout=5 if kill else 30)


def _failed(reason: str) -> dict[str, Any]:
    return {"status": "failed", "error": reason, "traceback": reason}


def _lost_reason(exc: BaseException, retries: int) -> str:
    if type(exc).__name__ == "KilledWorker":
        return f"worker lost (its Dask worker died {retries + 1} times while rendering it)"
    return f"{type(exc).__name__}: {exc}"
