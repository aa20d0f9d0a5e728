"""A case page and the coaches' index in a real browser, at phone and desktop width: nothing
scrolls sideways, no code name in the text (folded parts included), the conclusion first."""

from __future__ import annotations

import pytest
from case_batch_data import case_batch  # noqa: F401 (a fixture)
from screens import code_names_in, full_text, sideways_scrollers

pytestmark = pytest.mark.notebook  # the fixture renders the batch on kernels


def _pages(case_batch) -> dict[str, object]:  # noqa: F811
    _export, run = case_batch
    a = next(c for c in run.cases if c.manager == "A")
    team = next(c for c in run.cases if c.manager == "*")
    return {
        "index": run.out_dir / "index.html",
        "case": run.out_dir / a.html,
        "team case": run.out_dir / team.html,
    }


@pytest.mark.parametrize("name", ["index", "case", "team case"])
def test_no_sideways_scrolling_and_no_code_names(screen_page, case_batch, name):  # noqa: F811
    page = screen_page
    page.goto(_pages(case_batch)[name].as_uri())
    assert sideways_scrollers(page) == []
    assert code_names_in(full_text(page)) == []


def test_the_case_page_opens_with_its_conclusion(screen_page, case_batch):  # noqa: F811
    page = screen_page
    page.goto(_pages(case_batch)["case"].as_uri())
    headings = page.locator("h2").all_inner_texts()
    assert headings[0] == "Conclusion", headings
    # the conclusion is formatted prose, not a monospace block
    assert page.locator("pre").count() == 0
    verdict = page.locator(".verdict").first
    assert verdict.is_visible() and verdict.bounding_box()["y"] < 900


def test_the_index_is_cards_on_a_phone_and_a_table_on_a_desktop(screen_page, case_batch):  # noqa: F811
    page = screen_page
    page.goto(_pages(case_batch)["index"].as_uri())
    header = page.locator("thead")
    width = page.viewport_size["width"]
    assert header.is_visible() == (width > 640)
    assert page.get_by_text("skipped: only 1 month of data before the change").is_visible()
