"""Every manager report of the sample month as a manager reads it: in a real browser at
phone (390 CSS px) and desktop (1200 CSS px) width; and one report rendered in Russian.

The month is the session's ``rendered_sample`` (rendered once); only the Russian report is
rendered here, one manager on one kernel.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from screens import code_names_in, full_text, sideways_scrollers

from workbench.config import SAMPLE_DIR

PO = Path(__file__).resolve().parents[1] / "src/workbench/locale/ru/LC_MESSAGES/workbench.po"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _reports(root: Path) -> list[Path]:
    reports = sorted((root / "2026-10").glob("*/report.html"))
    assert len(reports) == 10, reports  # the sample's ten managers
    return reports


def test_no_element_of_any_report_scrolls_sideways(rendered_sample, screen_page):
    for report in _reports(rendered_sample):
        screen_page.goto(report.as_uri())
        assert sideways_scrollers(screen_page) == [], report.parent.name


_HEADINGS_JS = "() => [...document.querySelectorAll('h2')].map(h => [h.innerText, h.id || ''])"


def test_what_to_do_next_is_the_first_section_and_on_the_first_screen(rendered_sample, screen_page):
    for report in _reports(rendered_sample):
        page = screen_page
        page.goto(report.as_uri())
        headings = page.evaluate(_HEADINGS_JS)
        assert headings[0][0].startswith("What to do next"), (report.parent.name, headings[:3])
        block = page.locator("div.next-steps")
        assert block.count() == 1
        # its first verdict is on the first screen, without scrolling
        first = page.locator("li.verdict").first.bounding_box()
        assert first["y"] < page.viewport_size["height"], report.parent.name
        # every action links to a section that is there
        for href in page.locator("div.next-steps a").evaluate_all("a => a.map(x => x.hash)"):
            assert page.locator(href).count() == 1, href


_DROP_DEFINITIONS_JS = (
    "() => document.querySelectorAll('details.definitions').forEach(d => d.remove())"
)
# The manager's own CRM texts (task descriptions) are quoted as written, escaped: an
# unrendered template placeholder such as "{deal_id}" in one is the CRM's, not the page's.
_DROP_CRM_TEXT_JS = "() => document.querySelectorAll('.crm-text').forEach(d => d.remove())"


def test_no_code_name_or_path_in_any_report(rendered_sample, screen_page):
    # the report's own words: everything but the definitions' texts (the catalogue's)
    for report in _reports(rendered_sample):
        screen_page.goto(report.as_uri())
        assert "Show the definitions" in full_text(screen_page)
        screen_page.evaluate(_DROP_DEFINITIONS_JS)
        screen_page.evaluate(_DROP_CRM_TEXT_JS)
        text = full_text(screen_page)
        assert "What to do next" in text
        assert code_names_in(text) == [], report.parent.name
        # provenance names the files, never a folder of the analyst's machine
        for folder in (SAMPLE_DIR.resolve(), rendered_sample.resolve()):
            assert str(folder) not in text, report.parent.name
        assert "tasks.csv" in text


def test_no_code_name_in_the_folded_definitions_either(rendered_sample, screen_page):
    # the definitions come from workbench.catalogue.plain_definitions: in words, folded
    for report in _reports(rendered_sample):
        screen_page.goto(report.as_uri())
        screen_page.evaluate(_DROP_CRM_TEXT_JS)
        text = full_text(screen_page)
        assert code_names_in(text) == [], report.parent.name


# ---------------------------------------------------------------------------- Russian


@pytest.fixture(scope="module")
def russian(tmp_path_factory) -> Path:
    """Anna Petrova's October report rendered in Russian (one manager, one kernel)."""
    from workbench.reports.runner import render_reports

    out = tmp_path_factory.mktemp("ru")
    # ``lang=`` of the runner; before it had one, the template parameter itself
    how = inspect.signature(render_reports).parameters
    lang = {"lang": "ru"} if "lang" in how else {"params": {"lang": "ru"}}
    run = render_reports(
        SAMPLE_DIR, period_from="2026-10-01", period_to="2026-10-31",
        managers=["Anna Petrova"], jobs=1, out=out, progress=False, overview=False, **lang,
    )  # fmt: skip
    [report] = run.reports
    assert report.status == "rendered", report
    return run.out_dir / report.html


def _english_fragments() -> set[str]:
    """The literal parts (between placeholders) of every catalogue entry's English text
    that are longer than 12 characters: any of them on a Russian page is an entry that
    was not translated."""
    with PO.open("rb") as f:
        catalog = read_po(f, locale="ru")
    out = set()
    for message in catalog:
        if not message.id:
            continue
        for msgid in message.id if isinstance(message.id, tuple) else (message.id,):
            out |= {p.strip() for p in PLACEHOLDER.split(msgid) if len(p.strip()) > 12}
    return out


def _left_in_english(text: str) -> list[str]:
    return sorted(f for f in _english_fragments() if f in text)


def test_a_russian_report_has_no_untranslated_entry(russian, chromium_page):
    page = chromium_page
    page.goto(russian.as_uri())
    page.evaluate(_DROP_CRM_TEXT_JS)  # the manager's own texts are as she wrote them
    headings = page.evaluate(_HEADINGS_JS)
    assert headings[0] == ["Что сделать дальше", "next-steps"]
    assert sideways_scrollers(page) == []
    text = full_text(page)
    assert "Отчёт за месяц: Anna Petrova" in text
    assert _left_in_english(text) == [], "English catalogue text on the Russian page"


def test_a_russian_report_in_russian_but_for_the_metric_catalogue(russian, chromium_page):
    # The report's own words, without the metric catalogue's labels and definitions
    # (workbench.catalogue: translated where they are marked for the catalogue)
    from workbench.catalogue import catalogue

    page = chromium_page
    page.goto(russian.as_uri())
    page.evaluate(_DROP_CRM_TEXT_JS)
    page.evaluate(_DROP_DEFINITIONS_JS)
    text = full_text(page)
    for definition in catalogue().values():
        if definition.label:
            text = text.replace(definition.label, " ")
    assert _left_in_english(text) == []
