"""The explorer in a real browser: JupyterLab + headless Chromium, change the manager, see it.

Starts JupyterLab from this environment serving a copy of the explorer notebook with its
outputs cleared (``tests/jupyter_lab.py``); headless Chromium, driven by playwright with
Debian's binary (``/usr/bin/chromium``; never ``playwright install``), runs all cells, waits
for the widgets, reads the table and the metric menu, changes the manager and waits for the
chart's image and the table's header to change, then clears the choice and reads the hint.
Skips when Chromium or playwright is absent.
"""

from __future__ import annotations

import pytest
from conftest import CHROMIUM, NO_CHROMIUM
from jupyter_lab import lab_server, open_and_run

from workbench.config import PROJECT_ROOT

__all__: list[str] = []

NOTEBOOK = PROJECT_ROOT / "notebooks" / "explore" / "explorer.ipynb"
UPDATE_S = 30
# the live explorer: its chart, table and controls inside the widgets' box
EXPLORER = ".workbench-explorer"
FIGURE = f"{EXPLORER} img"
TABLE = f"{EXPLORER} table"
MANAGERS = f"{EXPLORER} .widget-select-multiple select"
METRIC = f"{EXPLORER} .widget-dropdown select"

if not CHROMIUM.exists():
    pytest.skip(NO_CHROMIUM, allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running JupyterLab serving a copy of the explorer notebook: the notebook's URL."""
    with lab_server(NOTEBOOK, tmp_path_factory.mktemp("lab")) as url:
        yield url


@pytest.fixture
def page(chromium_page):
    return chromium_page


# Each option's text, measured in the menu's font, against the room the menu gives it (its
# inner width less the arrow): the labels that would be cut off.
_CUT_OPTIONS = """(select) => {
    const style = getComputedStyle(select);
    const ctx = document.createElement('canvas').getContext('2d');
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = select.clientWidth - parseFloat(style.paddingLeft)
        - parseFloat(style.paddingRight) - 4;
    return Array.from(select.options).map((o) => o.textContent.trim())
        .filter((t) => ctx.measureText(t).width > room)
        .map((t) => `${t}: ${Math.round(ctx.measureText(t).width)} px in ${room} px`);
}"""


def _figure_src(page) -> str:
    return page.locator(FIGURE).first.get_attribute("src") or ""


def test_changing_the_manager_in_the_browser_changes_the_figure_and_the_table(lab, page, tmp_path):
    page.set_default_timeout(UPDATE_S * 1000)
    try:
        open_and_run(page, lab, ready=MANAGERS)
        page.locator(FIGURE).first.wait_for(state="visible")
        before = _figure_src(page)
        assert before
        table = page.locator(TABLE).first
        assert "Anna Petrova" in table.locator("thead").inner_text()  # the notebook's default
        # the table reads in the chart's unit: percent, no fractions
        cells = table.locator("tbody td").all_inner_texts()
        figures = [c for c in cells if c[:1].isdigit()]
        assert figures and all(c.endswith("%") for c in figures), cells[:8]
        assert "Overdue share of tasks due (%)" in table.locator("caption").inner_text()
        # the metric menu shows every label whole
        assert page.locator(METRIC).first.evaluate(_CUT_OPTIONS) == []

        page.locator(MANAGERS).first.select_option(label="Chen Wei")
        page.wait_for_function(
            """([selector, old]) => {
                const img = document.querySelector(selector);
                return img !== null && img.getAttribute('src') !== old;
            }""",
            arg=[FIGURE, before],
        )
        assert _figure_src(page) not in ("", before)
        page.wait_for_function(
            """(selector) => {
                const head = document.querySelector(selector);
                return head !== null && head.innerText.includes('Chen Wei');
            }""",
            arg=f"{TABLE} thead",
        )
        head = page.locator(f"{TABLE} thead").first.inner_text()
        assert "Chen Wei" in head and "Anna Petrova" not in head

        # no manager chosen: a readable hint instead of the chart and the table
        page.locator(MANAGERS).first.select_option([])
        hint = page.get_by_text("Choose one or more managers")
        hint.first.wait_for(state="visible")
        assert not page.locator(FIGURE).first.is_visible()
        assert page.locator(TABLE).count() == 0
    except Exception:
        shot = tmp_path / "explorer-failed.png"
        page.screenshot(path=str(shot))
        print(f"screenshot of the failure: {shot}")
        raise
