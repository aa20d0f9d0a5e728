"""Shared fixtures and markers.

Headless plotting with figures closed after every test; the sample department loaded once per
session (``sample``, ``sample_panel``, ``sample_csv``) and checked at the end not to have been
changed by any test; nbval's notebook items marked ``notebook``.
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from workbench import load_dataset  # noqa: E402
from workbench.config import NOTEBOOKS_DIR, SAMPLE_DIR  # noqa: E402
from workbench.data.schema import TABLES  # noqa: E402
from workbench.metrics.panel import manager_panel  # noqa: E402

# Calls that start a Jupyter kernel: a test is marked ``notebook`` when its own source or the
# source of a fixture it uses makes one of them (``_run(`` is the quality notebook's wrapper).
KERNEL_CALLS = ("run_notebook(", "render_reports(", "start_kernel(", "_run(")


# Tests over ~3 s on their own (`make test` prints --durations=15) that start no kernel.
SLOW = {
    "tests/test_manager_view.py::test_pseudonyms_depend_on_the_data_not_only_on_the_names",
    "tests/test_explorer.py::test_a_redraw_after_many_changes_equals_a_fresh_explorer_and_a_plain_savefig",
    "tests/test_real_exports.py::test_contact_center_excel_calls",
}
# Tests that start a kernel in a way the source scan cannot see (through the CLI).
NOTEBOOK = {"tests/test_reports.py::test_cli_report_exit_status"}


@functools.cache  # a fixture's source is read once, not once per test that uses it
def _source(func) -> str:
    try:
        return inspect.getsource(func)
    except (OSError, TypeError):
        return ""


def _starts_a_kernel(item) -> bool:
    funcs = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for defs in info.name2fixturedefs.values() if info else []:
        funcs += [d.func for d in defs]
    return any(call in _source(f) for f in funcs if f is not None for call in KERNEL_CALLS)


def pytest_collection_modifyitems(config, items):
    """Markers: ``notebook`` for nbval's items (cells of the committed notebooks) and for tests
    that start a kernel; ``browser`` for the playwright modules; ``slow`` from SLOW below."""
    for item in items:
        path = Path(str(item.path))
        nodeid = item.nodeid.split("[")[0]
        if (
            path.suffix == ".ipynb"
            or NOTEBOOKS_DIR in path.parents
            or nodeid in NOTEBOOK
            or _starts_a_kernel(item)
        ):
            item.add_marker(pytest.mark.notebook)
        if path.name.startswith("test_browser_"):
            item.add_marker(pytest.mark.browser)
        if nodeid in SLOW:
            item.add_marker(pytest.mark.slow)


def _fingerprint(frame: pd.DataFrame) -> tuple:
    """Columns, dtypes and a hash of every cell: changes when a test edits the table in place."""
    hashed = pd.util.hash_pandas_object(frame, index=True) if len(frame.columns) else frame.index
    return (list(frame.columns), [str(t) for t in frame.dtypes], int(pd.Series(hashed).sum()))


@pytest.fixture(scope="session")
def sample():
    """The sample department (``data/sample``) as one shared ``Dataset``.

    Shared by every test of the session, so a test must not change it: copy a table before
    editing it (``sample.tasks.copy()``). The teardown fails if any table was changed.
    """
    if not (SAMPLE_DIR / "tasks.csv").exists():
        pytest.skip("sample department not generated (make sample)")
    ds = load_dataset(SAMPLE_DIR)
    before = {name: _fingerprint(getattr(ds, name)) for name in [*TABLES, "set_aside"]}
    yield ds
    after = {name: _fingerprint(getattr(ds, name)) for name in [*TABLES, "set_aside"]}
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"a test changed the shared sample Dataset in place: {changed}"


@pytest.fixture(scope="session")
def sample_panel(sample):
    """The sample's manager x month panel (``manager_panel`` in the sample's time zone)."""
    return manager_panel(sample.tasks, sample.calls, sample.deals, period="month", tz=sample.tz)


@pytest.fixture(scope="session")
def sample_csv() -> dict[str, pd.DataFrame]:
    """The sample's CSV files read with plain pandas, timestamps parsed as UTC: the oracle side
    of tests that work a figure out without the workbench. Copy before changing a table."""
    parse = {
        "tasks": ["created_at", "due_at", "original_due_at", "completed_at"],
        "calls": ["started_at"],
        "deals": ["created_at", "closed_at"],
        "targets": ["effective_from", "effective_to"],
        "roster": ["active_from", "active_to"],
    }
    out = {}
    for name, columns in parse.items():
        frame = pd.read_csv(SAMPLE_DIR / f"{name}.csv")
        for col in columns:
            frame[col] = pd.to_datetime(frame[col], utc=True)
        out[name] = frame
    return out


# Real-browser tests: Debian's Chromium driven by playwright (never `playwright install`),
# with the same path and flags as the PDF printer of the delivery package.
from workbench.delivery.pdf import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

NO_CHROMIUM = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session (each test gets its own context)."""
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def _page(browser, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height})
    return context, context.new_page()


@pytest.fixture
def chromium_page(chromium):
    """A desktop-sized page (1400 x 1000 CSS px) in a fresh browser context."""
    context, page = _page(chromium, 1400, 1000)
    yield page
    context.close()


@pytest.fixture(params=[390, 1200], ids=["phone", "desktop"])
def screen_page(chromium, request):
    """A page at phone (390 CSS px) and desktop (1200 CSS px) width: tests of how pages read."""
    context, page = _page(chromium, request.param, 844 if request.param == 390 else 900)
    yield page
    context.close()


@pytest.fixture(scope="session")
def rendered_sample(tmp_path_factory) -> Path:
    """The sample's latest full month rendered ONCE for the session: the output root
    (``<root>/2026-10``). Tests only read it; a test that changes files copies it first."""
    from workbench.reports.runner import render_reports

    root = tmp_path_factory.mktemp("rendered-sample")
    summary = render_reports(SAMPLE_DIR, latest_month=True, out=root, jobs=2, progress=False)
    assert summary.ok and summary.out_dir.name == "2026-10", summary.to_dict()
    return root
