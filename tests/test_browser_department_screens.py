"""The pages of the head of sales and the team heads in a real Chromium, phone and desktop.

The sample month is rendered once per session (``rendered_sample``); every page the head
of sales or a team head reads, and the analyst's data-health page and the archive, must
show no element that scrolls sideways at 390 px and no code name in their text, folded
parts included (``tests/screens.py``). The index is a table on a desktop and one card per
manager on a phone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from screens import code_names_in, full_text, sideways_scrollers

PERIOD = "2026-10"


def _pages(root: Path) -> dict[str, list[Path]]:
    period = root / PERIOD
    teams = sorted((period / "teams").iterdir())
    return {
        "index": [period / "index.html"],
        "overview": [period / "team_overview.html"],
        "team index": [t / "index.html" for t in teams],
        "team overview": [t / "team_overview.html" for t in teams],
        "data health": [period / "data_health.html"],
        "archive": [root / "index.html"],
    }


NAMES = ["index", "overview", "team index", "team overview", "data health", "archive"]


@pytest.mark.parametrize("name", NAMES)
def test_no_element_scrolls_sideways(rendered_sample, screen_page, name):
    pages = _pages(rendered_sample)[name]
    assert pages and all(p.is_file() for p in pages), pages
    for path in pages:
        screen_page.goto(path.as_uri())
        assert sideways_scrollers(screen_page) == [], path


@pytest.mark.parametrize("name", NAMES)
def test_no_code_name_folded_parts_included(rendered_sample, screen_page, name):
    for path in _pages(rendered_sample)[name]:
        screen_page.goto(path.as_uri())
        assert code_names_in(full_text(screen_page)) == [], path


_ROWS = """
() => [...document.querySelectorAll('table.index tbody tr')].map(r => ({
  display: getComputedStyle(r).display,
  height: r.getBoundingClientRect().height,
  width: r.getBoundingClientRect().width,
}))
"""


def test_the_index_is_cards_on_a_phone_and_a_table_on_a_desktop(rendered_sample, screen_page):
    page = screen_page
    page.goto((rendered_sample / PERIOD / "index.html").as_uri())
    width = page.viewport_size["width"]
    rows = page.evaluate(_ROWS)
    assert len(rows) == 11  # the department median and the ten managers
    head = page.evaluate("getComputedStyle(document.querySelector('table.index thead')).display")
    if width == 390:
        assert head == "none"  # each card names its figures itself
        assert {r["display"] for r in rows} == {"block"}
        assert all(r["width"] <= 390 for r in rows)
        assert max(r["height"] for r in rows) < 400  # not the 650 px rows of a squeezed table
        label = page.evaluate(
            "getComputedStyle(document.querySelector('td[data-label]'), '::before').content"
        )
        assert "Overdue share of tasks due" in label
    else:
        assert head == "table-header-group"
        assert {r["display"] for r in rows} == {"table-row"}
        assert max(r["height"] for r in rows) < 150
    text = page.inner_text("body")
    assert "Your" not in text and "your" not in text  # the head of sales' voice
    assert "Department median" in text and "tasks due were late" in text


_IMAGES = "() => [...document.images].map(i => [i.naturalWidth, i.getBoundingClientRect().width])"


@pytest.mark.parametrize("name", ["overview", "team overview"])
def test_the_overviews_figures_show_text_of_11_css_px_at_least(rendered_sample, screen_page, name):
    from workbench.reports.overview_page import MIN_FONT_PT

    dpi = 100  # the overview's figures: overview_page._figure
    for path in _pages(rendered_sample)[name]:
        screen_page.goto(path.as_uri())
        images = screen_page.evaluate(_IMAGES)
        assert len(images) == 5, path  # four bar charts and the scatter
        for natural, shown in images:
            assert natural > 0 and shown <= screen_page.viewport_size["width"]
            smallest = MIN_FONT_PT * dpi / 72 * min(1.0, shown / natural)  # CSS px on screen
            assert smallest >= 11, (path, natural, shown, smallest)
