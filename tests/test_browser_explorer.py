"""The explorer in a real browser: JupyterLab + headless Chromium, change the manager, see it.

Starts JupyterLab from this environment on a free localhost port, with its config, data,
runtime, workspace and IPython directories in a temporary folder, serving a copy of the explorer
notebook (outputs cleared; the data resolves through the project root). Headless Chromium,
driven by playwright with Debian's binary (``/usr/bin/chromium``; never ``playwright
install``), runs all cells, waits for the widgets, changes the manager and waits for the
figure's image and the table's header to change. Skips when Chromium or playwright is absent.
"""

from __future__ import annotations

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
from pathlib import Path

import pytest
from conftest import CHROMIUM, NO_CHROMIUM

from workbench.config import PROJECT_ROOT

__all__: list[str] = []

NOTEBOOK = PROJECT_ROOT / "notebooks" / "explore" / "explorer.ipynb"
SERVER_START_S = 60
KERNEL_START_S = 60
RUN_TAKES_S = 15  # a run that took shows a busy or numbered prompt by then
KERNEL_RUN_S = 45  # imports, loading the sample, the first draw
UPDATE_S = 30
ATTEMPTS = 3
# the explorer's figure and table: images and tables inside its Output widgets
FIGURE = ".widget-output .jp-RenderedImage img"
TABLE = ".widget-output table"

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _notebook_without_outputs(src: Path, dst: Path) -> None:
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


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running JupyterLab serving a copy of the explorer notebook: (base URL, token)."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "root"
    _notebook_without_outputs(NOTEBOOK, root / "explore" / "explorer.ipynb")
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
        yield base, token
    finally:
        _stop(proc, base, token)


@pytest.fixture
def page(chromium_page):
    return chromium_page


def _accept_dialogs(page) -> None:
    """Choose the proposed kernel (python3) if JupyterLab asks which one to start."""
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    if accept.count():
        accept.first.click(timeout=5_000)


def _run_all_cells(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click(timeout=5_000)
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click(timeout=5_000)


def _run_took(page, seconds: float) -> bool:
    """Whether some code cell shows "[*]" or "[n]" within ``seconds``; accept dialogs meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _accept_dialogs(page)
        if page.evaluate(_RUN_TOOK):
            return True
        page.wait_for_timeout(250)
    return False


_RUN_TOOK = """() => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt'))
    .some((p) => /\\[(\\*|\\d+)\\]/.test(p.textContent))"""


def _run_until_the_widgets_show(page) -> None:
    """Run all cells once the kernel is attached and idle; again if the run did not take.

    JupyterLab drops a Run All sent before the session has its kernel (the cells stay "[ ]")
    or asks for a kernel in a dialog that appears a little later; both were seen here.
    """
    ready = page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\(ipykernel\) \| Idle"))
    for _attempt in range(ATTEMPTS):
        _accept_dialogs(page)
        ready.first.wait_for(timeout=KERNEL_START_S * 1000)
        try:
            _run_all_cells(page)
        except sync_api.TimeoutError:  # a dialog opened over the menu: accept it, try again
            if not page.locator(".jp-Dialog").count():
                page.keyboard.press("Escape")  # close a menu left open
            continue
        if _run_took(page, RUN_TAKES_S):
            page.locator(".widget-select-multiple select").first.wait_for(
                state="visible", timeout=KERNEL_RUN_S * 1000
            )
            return
    raise AssertionError(f"Run All Cells did not start the notebook in {ATTEMPTS} attempts")


def _figure_src(page) -> str:
    return page.locator(FIGURE).first.get_attribute("src") or ""


def test_changing_the_manager_in_the_browser_changes_the_figure_and_the_table(lab, page, tmp_path):
    base, token = lab
    page.set_default_timeout(UPDATE_S * 1000)
    try:
        page.goto(f"{base}/lab/tree/explore/explorer.ipynb?token={token}", timeout=60_000)
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        _run_until_the_widgets_show(page)
        page.locator(FIGURE).first.wait_for(state="visible")
        before = _figure_src(page)
        assert before.startswith("data:image/png;base64,")
        header = page.locator(f"{TABLE} thead").first
        assert "Anna Petrova" in header.inner_text()  # the notebook's default managers
        page.locator(".widget-select-multiple select").first.select_option(label="Chen Wei")
        page.wait_for_function(
            """([selector, old]) => {
                const img = document.querySelector(selector);
                return img !== null && img.getAttribute('src') !== old;
            }""",
            arg=[FIGURE, before],
        )
        after = _figure_src(page)
        assert after.startswith("data:image/png;base64,") and after != before
        page.wait_for_function(
            """(selector) => {
                const head = document.querySelector(selector);
                return head !== null && head.innerText.includes('Chen Wei');
            }""",
            arg=f"{TABLE} thead",
        )
        head = page.locator(f"{TABLE} thead").first.inner_text()
        assert "Chen Wei" in head and "Anna Petrova" not in head
    except Exception:
        shot = tmp_path / "explorer-failed.png"
        page.screenshot(path=str(shot))
        print(f"screenshot of the failure: {shot}")
        raise
