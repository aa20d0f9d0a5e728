"""Execute the report template for one manager after another on ONE reused kernel.

A kernel start costs ~0.8 s and importing pandas/matplotlib another ~0.7 s; a report
costs ~0.3 s. So a :class:`ReportRenderer` starts one kernel, runs many notebooks on it
with nbclient (``%reset -f`` between managers) and exports HTML with one in-process
``HTMLExporter``. Reuse must not leak: the template resets matplotlib itself, and a kernel
that raised is shut down and replaced before the next manager.

The kernel always runs this interpreter (``sys.executable``), whatever a globally
registered ``python3`` kernelspec says.
"""

from __future__ import annotations

import asyncio
import copy
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import jinja2
import nbformat
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

__all__ = [
    "REMOVED_TAGS",
    "ReportRenderer",
    "ReportTimeout",
    "build_exporter",
    "kill_kernel",
    "start_kernel",
]

REMOVED_TAGS = ("parameters", "injected-parameters")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

# The lab template without the CDN scripts (require.js, MathJax, mermaid, widgets): a report
# opens from disk with no network. Images are embedded as data URIs by nbconvert already.
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block extra_css -%}
<style>
img, svg { max-width: 100%; height: auto; }
body { margin: 0 auto; max-width: 960px; }
.jp-OutputArea-output { overflow-x: auto; }
@media (max-width: 600px) { body { padding: 4px; } table { font-size: 12px; } }
</style>
{%- endblock extra_css -%}
"""


def build_exporter() -> HTMLExporter:
    """An HTML exporter with no code, no prompts, no parameter cells, no CDN scripts."""
    exporter = HTMLExporter(
        template_name="lab",
        template_file="workbench_report.html.j2",
        extra_loaders=[jinja2.DictLoader({"workbench_report.html.j2": _TEMPLATE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    remover = TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True)
    exporter.register_preprocessor(remover, enabled=True)
    return exporter


def _kernel_spec() -> KernelSpec:
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        spec = KernelSpec(display_name="Python 3", language="python")
    spec.argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    return spec


def start_kernel(workdir: Path, *, asynchronous: bool = False) -> KernelManager:
    """Start a kernel running ``sys.executable`` in ``workdir`` (inline plots, no MPLBACKEND).

    ``asynchronous``: ``km.client()`` gives an asynchronous client (what
    :class:`ReportRenderer` needs), else a blocking one. The kernel watches the process that
    started it (ipykernel's parent poller) and exits within a second of its death.
    """
    kind = "asynchronous.AsyncKernelClient" if asynchronous else "blocking.BlockingKernelClient"
    km = KernelManager(
        kernel_name="python3",
        transport_encryption="auto",
        client_class=f"jupyter_client.{kind}",
    )
    km._kernel_spec = _kernel_spec()  # pin the interpreter; see the module docstring
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    km.start_kernel(cwd=str(workdir), env=env)
    return km


def _without_template_defaults(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Blank the template's own ``parameters`` cell once values are injected below it.

    Its defaults name the sample's manager; the kept ``report.ipynb`` goes to another
    manager, and the injected cell already holds every value that ran.
    """
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            cell.source = "# Template defaults removed: the values used are in the next cell."
            cell.outputs = []
    return nb


def _error_text(exc: BaseException) -> tuple[str, str]:
    """(one line for the summary, full text for the log), without ANSI colours."""
    full = _ANSI.sub("", "".join(traceback.format_exception(exc)))
    ename, evalue = getattr(exc, "ename", type(exc).__name__), getattr(exc, "evalue", str(exc))
    short = _ANSI.sub("", f"{ename}: {evalue}").strip().splitlines()
    return (short[0] if short else ename), full


_TITLE = re.compile(r"<title>.*?</title>", re.S)
_FIRST_HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def _titled(page: str) -> str:
    """The page with its browser-tab title taken from its first heading, which is written in
    the page's language ("Monthly report: Anna Petrova"), instead of nbconvert's
    notebook name."""
    heading = _FIRST_HEADING.search(page)
    if heading is None:
        return page
    text = re.sub(r"<[^>]+>", "", heading.group(1)).replace("¶", "").strip()
    return _TITLE.sub(lambda _m: f"<title>{text}</title>", page, count=1)


class ReportTimeout(Exception):
    """The whole report took longer than ``report_timeout`` seconds."""


def _reason(exc: BaseException, cell_timeout: float, report_timeout: float) -> str | None:
    """A plain reason for a kernel-level failure ("kernel died", "timed out ..."), else None."""
    if isinstance(exc, DeadKernelError):
        return "kernel died"
    if isinstance(exc, CellTimeoutError):
        return f"timed out after {cell_timeout:g} s (one cell; --cell-timeout)"
    if isinstance(exc, ReportTimeout):
        return f"timed out after {report_timeout:g} s (whole report; --report-timeout)"
    return None


class ReportRenderer:
    """Render templates one at a time on a kernel it owns.

    nbclient runs each notebook with an *asynchronous* kernel client, so while it waits for
    output it also polls ``km.is_alive()`` every second: a kernel that dies (the OOM
    killer) fails that report with "kernel died" instead of hanging the worker. A cell that
    runs longer than ``cell_timeout`` or a report longer than ``report_timeout`` fails with
    "timed out after N s". Any failure shuts the kernel down; the next report gets a fresh
    one.

    Parameters
    ----------
    template
        Path of the template notebook (with a papermill ``parameters`` cell).
    cell_timeout
        Seconds one cell may run.
    report_timeout
        Seconds one whole report (all cells) may run.
    """

    def __init__(
        self, template: Path, *, cell_timeout: float = 300, report_timeout: float = 900
    ) -> None:
        self.template = load_notebook_node(str(template))
        for cell in self.template.cells:  # the committed sample outputs: never rendered
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        self.cell_timeout, self.report_timeout = cell_timeout, report_timeout
        self.exporter = build_exporter()
        self.workdir = Path(tempfile.mkdtemp(prefix="workbench-report-"))
        self.km: KernelManager | None = None
        self.kc = None
        self.kernels_started = 0

    @property
    def kernel_pid(self) -> int | None:
        """The running kernel's process ID (it leads its own process group), or None."""
        provisioner = getattr(self.km, "provisioner", None)
        return getattr(provisioner, "pid", None) if provisioner is not None else None

    def _ensure_kernel(self) -> None:
        if self.km is not None and not self.km.is_alive():  # died while idle: replace it
            self._drop_kernel()
        if self.km is None:
            self.km = start_kernel(self.workdir, asynchronous=True)
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=60)
            self.kernels_started += 1

    def _drop_kernel(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None:
            try:
                self.km.shutdown_kernel(now=True)
            except Exception:  # already gone: make sure of it
                kill_kernel(self.kernel_pid)
        self.km = self.kc = None

    async def _execute(self, client: NotebookClient) -> None:
        async def run() -> None:
            await client.async_execute(reset_kc=False, cleanup_kc=False)
            await self.kc.execute_interactive("%reset -f", timeout=self.cell_timeout)

        try:
            await asyncio.wait_for(run(), timeout=self.report_timeout)
        except CellTimeoutError:  # a TimeoutError too: one cell, not the whole report
            raise
        except TimeoutError:
            raise ReportTimeout(f"report took over {self.report_timeout:g} s") from None

    def render(self, params: dict[str, Any]) -> dict[str, Any]:
        """Execute the template with ``params``; return the notebook and its HTML page.

        Writes nothing: the caller (the runner's parent process) writes every output file.
        Never raises for a notebook or kernel error. Returns ``status`` (rendered/failed),
        ``seconds``, ``error`` (one line: "kernel died", "timed out after N s ..." or the
        exception), ``traceback`` (the full text, for the log; None when rendered),
        ``notebook`` (nbformat JSON text, partially executed on failure) and ``html``
        (None on failure: the caller writes the failure page).
        """
        began = time.perf_counter()
        nb = _without_template_defaults(parameterize_notebook(copy.deepcopy(self.template), params))
        error = None
        try:
            self._ensure_kernel()
            client = NotebookClient(
                nb, km=self.km, timeout=self.cell_timeout, kernel_name="python3"
            )
            client.kc = self.kc
            run_sync(self._execute)(client)
        except Exception as exc:  # any failure of this report: record it, go on
            short, full = _error_text(exc)
            reason = _reason(exc, self.cell_timeout, self.report_timeout)
            error = (reason or short, full if reason is None else f"{reason}\n{full}")
            self._drop_kernel()
        page = None
        if error is None:
            page, _resources = self.exporter.from_notebook_node(nb)
            page = _titled(page)
        return {
            "status": "rendered" if error is None else "failed",
            "seconds": round(time.perf_counter() - began, 3),
            "error": None if error is None else error[0],
            "traceback": None if error is None else error[1],
            "notebook": nbformat.writes(nb),
            "html": page,
        }

    def close(self) -> None:
        """Shut the kernel down and remove the working directory."""
        self._drop_kernel()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> ReportRenderer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def kill_kernel(pid: int | None) -> None:
    """SIGKILL a kernel's whole process group (it leads one: jupyter starts it in a new
    session), so a subprocess it started goes too. Quiet when it is already gone."""
    if not pid:
        return
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
            return
        except (ProcessLookupError, PermissionError):
            continue
