"""Open the rendered reports in a real headless Chromium, from disk, with no network."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_reports import ANNA, write_department

from workbench.reports import render_reports

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="install Debian's chromium: apt-get install chromium"
)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    data = write_department(tmp_path_factory.mktemp("dept") / "data")
    out = tmp_path_factory.mktemp("out")
    return render_reports(data, latest_month=True, managers=[ANNA], jobs=1, out=out, progress=False)


def test_index_link_headlines_and_injected_script_never_runs(rendered, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=ARGS, headless=True
        )
        try:
            page = context.new_page()
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
        finally:
            context.close()
    assert all(url.startswith(("file://", "data:")) for url in requests), requests
