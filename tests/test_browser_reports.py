"""Open the rendered reports in a real headless Chromium, from disk, with no network."""

from __future__ import annotations

import pytest
from test_reports import ANNA, write_department

from workbench.reports.runner import render_reports


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    data = write_department(tmp_path_factory.mktemp("dept") / "data")
    out = tmp_path_factory.mktemp("out")
    return render_reports(
        data, latest_month=True, managers=[ANNA], jobs=1, out=out, progress=False, overview=False
    )


def test_index_link_headlines_and_injected_script_never_runs(rendered, chromium_page):
    page = chromium_page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto((rendered.out_dir / "index.html").as_uri())
    assert "67%" in page.inner_text("body")  # Anna's overdue share on the index
    page.click(f"text={ANNA}")
    page.wait_for_load_state("load")
    assert page.url.endswith("/report.html")
    body = page.inner_text("body")
    assert ANNA in body  # the headline figure, worked out in test_reports:
    assert "67% of your tasks due in October 2026 were late (2 of 3)" in body
    assert "<script>window.__pwned=1;" in body  # the CRM text shows literally
    assert page.evaluate("window.__pwned === undefined")
    assert page.title() != "pwned"
    assert page.evaluate("document.images.length") >= 1
    assert page.evaluate("[...document.images].every(i => i.naturalWidth > 0)")
    assert all(url.startswith(("file://", "data:")) for url in requests), requests
