"""A throwaway JupyterLab for browser tests and benchmarks, and how to run a notebook in it.

Shared by ``tests/test_browser_explorer.py`` and ``benchmarks/explorer_browser.py``. The
server runs from this environment on a free localhost port, with its config, data, runtime,
workspace and IPython directories in a temporary folder, serving a copy of one notebook with
its outputs cleared (what the browser shows is the live kernel's). The page is driven by
playwright with Debian's Chromium (never ``playwright install``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

__all__ = ["lab_server", "open_and_run", "notebook_without_outputs"]

SERVER_START_S = 60
KERNEL_START_S = 60
RUN_TAKES_S = 15  # a run that took shows a busy or numbered prompt by then
KERNEL_RUN_S = 45  # imports, loading the sample, the first draw
ATTEMPTS = 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def notebook_without_outputs(src: Path, dst: Path) -> None:
    """Copy a notebook with its outputs cleared: what the browser shows is the live kernel's."""
    nb = json.loads(src.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    nb.get("metadata", {}).pop("widgets", None)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def _wait_for_server(proc: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(
        f"jupyter lab did not answer {url} in {SERVER_START_S} s:\n{log.read_text()}"
    )


def _stop(proc: subprocess.Popen, base: str, token: str) -> None:
    """Ask the server to shut down (it stops its kernels); SIGTERM, then SIGKILL, if it hangs."""
    if proc.poll() is not None:
        return
    request = urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST")
    try:
        urllib.request.urlopen(request, timeout=5).close()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # its own session: the server and its kernels
        proc.wait(timeout=10)


@contextlib.contextmanager
def lab_server(notebook: Path, tmp: Path, *, subdir: str = "explore") -> Iterator[str]:
    """Run JupyterLab serving a cleared copy of ``notebook``; yields the notebook's URL.

    The copy lives at ``<root>/<subdir>/<name>`` so that the notebook's relative paths
    resolve as they do in the project.
    """
    root = tmp / "root"
    notebook_without_outputs(notebook, root / subdir / notebook.name)
    token, port = secrets.token_hex(16), _free_port()
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # kernels draw inline
    for var, sub in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),  # the notebook-trust database, among others
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTERLAB_SETTINGS_DIR", "settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
        ("IPYTHONDIR", "ipython"),
    ]:
        env[var] = str(tmp / sub)
    log = tmp / "lab.log"
    cmd = [
        str(Path(sys.executable).with_name("jupyter")),
        "lab",
        "--no-browser",
        "--allow-root",
        f"--port={port}",
        "--port-retries=0",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=False",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for_server(proc, f"{base}/api/status?token={token}", log)
        yield f"{base}/lab/tree/{subdir}/{notebook.name}?token={token}"
    finally:
        _stop(proc, base, token)


def _accept_dialogs(page) -> None:
    """Choose the proposed kernel (python3) if JupyterLab asks which one to start."""
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    if accept.count():
        accept.first.click(timeout=5_000)


def _run_all_cells(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click(timeout=5_000)
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click(timeout=5_000)


_RUN_TOOK = """() => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt'))
    .some((p) => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""


def _run_took(page, seconds: float) -> bool:
    """Whether some code cell shows "[*]" or "[n]" within ``seconds``; accept dialogs meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _accept_dialogs(page)
        if page.evaluate(_RUN_TOOK):
            return True
        page.wait_for_timeout(250)
    return False


def open_and_run(page, url: str, *, ready: str) -> None:
    """Open the notebook at ``url``, run all cells, wait until ``ready`` (a selector) shows.

    Runs all cells once the kernel is attached and idle; again if the run did not take:
    JupyterLab drops a Run All sent before the session has its kernel (the cells stay "[ ]")
    or asks for a kernel in a dialog that appears a little later; both were seen here.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(url, timeout=60_000)
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    idle = page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\(ipykernel\) \| Idle"))
    for _attempt in range(ATTEMPTS):
        _accept_dialogs(page)
        idle.first.wait_for(timeout=KERNEL_START_S * 1000)
        try:
            _run_all_cells(page)
        except PlaywrightTimeout:  # a dialog opened over the menu: accept it, try again
            if not page.locator(".jp-Dialog").count():
                page.keyboard.press("Escape")  # close a menu left open
            continue
        if _run_took(page, RUN_TAKES_S):
            page.locator(ready).first.wait_for(state="visible", timeout=KERNEL_RUN_S * 1000)
            return
    raise AssertionError(f"Run All Cells did not start the notebook in {ATTEMPTS} attempts")
