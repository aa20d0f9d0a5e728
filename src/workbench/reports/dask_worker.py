"""What runs inside a Dask worker: one warm kernel per worker for its share of the batch.

Imported only by :class:`workbench.reports.executors.DaskCluster` (it imports Dask).
:class:`KernelPlugin` is registered on every worker: it keeps the worker's
:class:`~workbench.reports.renderer.ReportRenderer` s (one per template, so one kernel) and a
thread of their own for nbclient, and closes them when the worker closes. :func:`render_job`
is the task: it renders one manager on the worker's renderer and returns the result dict
(notebook, HTML, status) to the parent, which writes the files.

A ``local:N`` cluster's worker processes are children of the batch's parent: the plugin
watches that parent and ends the worker's kernel and the worker with it, as a local worker
does (:mod:`workbench.reports.workers`). A kernel's own parent poller ends it when its worker
dies.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from distributed import WorkerPlugin, get_worker

from workbench.reports.renderer import ReportRenderer, kill_kernel

__all__ = ["KernelPlugin", "render_job", "worker_facts"]


class KernelPlugin(WorkerPlugin):
    """A Dask worker's renderers (warm kernels), created on first use, closed at teardown."""

    name = "workbench-kernels"

    def __init__(self, cell_timeout: float, report_timeout: float, parent_pid: int) -> None:
        self.cell_timeout, self.report_timeout = cell_timeout, report_timeout
        self.parent_pid = parent_pid

    def setup(self, worker: Any) -> None:
        self.renderers: dict[str, ReportRenderer] = {}
        self.folder = Path(tempfile.mkdtemp(prefix="workbench-dask-"))
        # nbclient off the worker's task thread: one thread for every render, so the async
        # kernel client always runs on the same thread (and installs no signal handlers).
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
        self.lock = threading.Lock()
        if os.getppid() == self.parent_pid:  # a local:N worker: end with the batch's parent
            threading.Thread(target=self._watch_parent, daemon=True).start()

    def _watch_parent(self) -> None:
        while os.getppid() == self.parent_pid:
            time.sleep(0.5)
        self._kill_kernels()
        os.kill(os.getpid(), signal.SIGKILL)

    def _kill_kernels(self) -> None:
        for renderer in list(getattr(self, "renderers", {}).values()):
            kill_kernel(renderer.kernel_pid)

    def render(self, template: str, params: dict[str, Any], own_kernel: bool) -> dict[str, Any]:
        """Render ``params`` with the template text ``template`` on this worker's kernel."""
        digest = hashlib.sha256(template.encode()).hexdigest()[:16]
        with self.lock:  # nthreads=1 in practice; a worker with more threads queues here
            renderer = self.renderers.get(digest)
            if renderer is None:
                path = self.folder / f"{digest}.ipynb"
                path.write_text(template, encoding="utf-8")
                renderer = ReportRenderer(
                    path, cell_timeout=self.cell_timeout, report_timeout=self.report_timeout
                )
                self.renderers[digest] = renderer
            result = self.thread.submit(renderer.render, params).result()
            if own_kernel:
                self.thread.submit(renderer.close).result()
                del self.renderers[digest]
        return result

    def teardown(self, worker: Any) -> None:
        for renderer in list(self.renderers.values()):
            try:
                self.thread.submit(renderer.close).result(timeout=30)
            except Exception:  # noqa: BLE001 (closing anyway)
                kill_kernel(renderer.kernel_pid)
        self.renderers.clear()
        self.thread.shutdown(wait=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def render_job(template: str, params: dict[str, Any], own_kernel: bool) -> dict[str, Any]:
    """The Dask task: one report on this worker's warm kernel (see :class:`KernelPlugin`)."""
    plugin = get_worker().plugins[KernelPlugin.name]
    return plugin.render(template, params, own_kernel)


def worker_facts(paths: list[str]) -> tuple[str, list[str]]:
    """(this worker's code fingerprint, the ``paths`` it cannot see)."""
    from workbench.reports.fingerprints import code_fingerprint

    return code_fingerprint(), [p for p in paths if not os.path.exists(p)]
