"""Reports printed to PDF by headless Chromium (playwright's ``page.pdf``), A4.

The system's Chromium (``/usr/bin/chromium``, or ``WORKBENCH_CHROMIUM``) is driven through
playwright's ``executable_path``; playwright's own browser download is never used. A print
style sheet keeps each figure, table and output block on one page (``break-inside: avoid``).
The report is opened from disk and needs no network (it is self-contained).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from workbench.delivery.errors import DeliveryError
from workbench.files import atomic_write

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "PRINT_CSS", "chromium_path", "print_pdfs"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PRINT_CSS = """
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none !important; }
  img, svg, figure, table, pre,
  .jp-OutputArea-child, .jp-OutputArea-output, .jp-RenderedImage, .jp-RenderedHTMLCommon table {
    break-inside: avoid; page-break-inside: avoid;
  }
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  .jp-OutputArea-output { overflow: visible !important; }
}
"""


def chromium_path() -> Path:
    """The Chromium binary to print with; :class:`DeliveryError` when it is not there."""
    path = Path(os.environ.get("WORKBENCH_CHROMIUM") or CHROMIUM)
    if not path.exists():
        raise DeliveryError(
            f"--pdf needs Chromium at {path} (apt-get install chromium, or set "
            "WORKBENCH_CHROMIUM); nothing was sent"
        )
    return path


def print_pdfs(pages: list[tuple[Path, Path]]) -> list[Path]:
    """Print each ``(html, pdf)`` pair, A4, figures not split; return the PDFs written.

    One browser serves every page. It is driven from a thread of its own: playwright's
    synchronous API refuses to start in a thread where an asyncio loop runs (a notebook, or
    another playwright session of the same process). Raises :class:`DeliveryError` without
    Chromium or playwright.
    """
    if not pages:
        return []
    executable = chromium_path()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        raise DeliveryError("--pdf needs playwright (pip install playwright)") from exc
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf") as pool:
        return pool.submit(_print, pages, executable).result()


def _print(pages: list[tuple[Path, Path]], executable: Path) -> list[Path]:
    from playwright.sync_api import Error, sync_playwright

    written = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=str(executable), headless=True, args=CHROMIUM_ARGS
            )
            try:
                page = browser.new_page()
                for html, pdf in pages:
                    page.goto(Path(html).resolve().as_uri(), wait_until="load")
                    page.add_style_tag(content=PRINT_CSS)
                    page.emulate_media(media="print")
                    data = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
                    written.append(atomic_write(pdf, data))
            finally:
                browser.close()
    except Error as exc:
        raise DeliveryError(f"printing a report to PDF failed: {exc}") from exc
    return written
