"""Redraw time of the analysts' explorer in a real browser: JupyterLab + headless Chromium.

Starts JupyterLab from this environment (temporary config and runtime folders, a free port),
opens a copy of ``notebooks/explore/explorer.ipynb`` with its outputs cleared, runs all
cells, and then changes a control ``--changes`` times, alternating the metric and the
manager so that every change asks for a view never shown before (the explorer remembers the
views it drew; going back to one is timed apart, as "revisits"). Each redraw is timed inside
the page, from the ``change`` event on the control to the new chart image being in the DOM
(and, beside it, to the new table), with a MutationObserver: no round trip to this script
is counted. Prints every time, the median and the 90th percentile, against the aim of
0.3 s. The kernel's own share is read from the explorer's status line when it shows one.
No threshold is enforced.

Chromium is Debian's ``/usr/bin/chromium`` driven by playwright (never ``playwright
install``). ``--screenshot PATH`` also saves the explorer as it looks at ``--width`` px.
To time another version (say, main's), run it with ``PYTHONPATH=<its src>`` (the kernel
inherits it) and ``--notebook <its explorer.ipynb>``.

Usage::

    .venv/bin/python benchmarks/explorer_browser.py [--changes 20] [--revisits 6]
        [--width 1200] [--screenshot /tmp/explorer-1200.png]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the JupyterLab helpers shared with the browser test

from jupyter_lab import lab_server, open_and_run  # noqa: E402

from workbench.delivery.pdf import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

__all__ = ["measure", "main"]

NOTEBOOK = ROOT / "notebooks" / "explore" / "explorer.ipynb"
AIM_S = 0.3
# The live explorer: its chart is the image and its table the table inside the widgets'
# box (the static copy of the chart further down the notebook is outside it).
IMAGE = ".widget-vbox img"
TABLE = ".widget-vbox table"
METRIC = ".widget-vbox .widget-dropdown select"
MANAGERS = ".widget-vbox .widget-select-multiple select"
STATUS = ".widget-vbox .widget-html"

# One control change, timed in the page: resolves with the milliseconds from the change
# event to the new image in the DOM and to the new table (null if it never came).
_CHANGE_JS = """
async ([image, table, control, label, timeoutMs]) => {
  const srcOf = () => { const i = document.querySelector(image); return i ? i.src : null; };
  const htmlOf = () => { const t = document.querySelector(table); return t ? t.outerHTML : null; };
  const src0 = srcOf(), html0 = htmlOf();
  const select = document.querySelector(control);
  const option = Array.from(select.options).find((o) => o.textContent.trim() === label);
  if (!option) return {error: `no option ${label}`};
  return await new Promise((resolve) => {
    let tImage = null, tTable = null, t0 = 0;
    const done = (extra) => { obs.disconnect(); clearTimeout(timer);
                              resolve({image: tImage, table: tTable, ...extra}); };
    const check = () => {
      const now = performance.now();
      if (tImage === null && srcOf() !== null && srcOf() !== src0) tImage = now - t0;
      if (tTable === null && htmlOf() !== null && htmlOf() !== html0) tTable = now - t0;
      if (tImage !== null && tTable !== null) done({});
    };
    const obs = new MutationObserver(check);
    obs.observe(document.body, {subtree: true, childList: true, attributes: true,
                                characterData: true});
    const timer = setTimeout(() => done({timeout: true}), timeoutMs);
    t0 = performance.now();
    if (select.multiple) {
      for (const o of select.options) o.selected = (o === option);
    } else {
      select.value = option.value;
    }
    select.dispatchEvent(new Event('change', {bubbles: true}));
  });
}
"""


def _options(page, selector: str) -> list[str]:
    return page.eval_on_selector(
        selector, "(s) => Array.from(s.options).map((o) => o.textContent.trim())"
    )


def _selected(page, selector: str) -> list[str]:
    return page.eval_on_selector(
        selector,
        "(s) => Array.from(s.options).filter((o) => o.selected).map((o) => o.textContent.trim())",
    )


def _kernel_seconds(page) -> float | None:
    """The update time the explorer's status line reports ("... 0.12 s"), if it shows one."""
    texts = page.locator(STATUS).all_inner_texts()
    for text in texts:
        found = re.search(r"(\d+[.,]\d+)\s*(s|с)\b", text)
        if found:
            return float(found.group(1).replace(",", "."))
    return None


def _change(page, control: str, label: str) -> dict:
    page.wait_for_timeout(150)  # let the previous update's messages settle
    result = page.evaluate(_CHANGE_JS, [IMAGE, TABLE, control, label, 30_000])
    if result.get("error"):
        raise RuntimeError(result["error"])
    page.wait_for_timeout(50)
    result["kernel"] = _kernel_seconds(page)
    return result


def measure(page, *, changes: int, revisits: int) -> tuple[list[dict], list[dict]]:
    """Change the metric and the manager ``changes`` times (new views), then go back to
    ``revisits`` views shown before; the times of each change, in milliseconds."""
    metrics, managers = _options(page, METRIC), _options(page, MANAGERS)
    current = [tuple(_selected(page, MANAGERS)), _selected(page, METRIC)[0]]
    seen = [tuple(current)]
    fresh = []
    for k in range(changes):
        kind = k % 2  # 0: the metric, 1: the manager
        pool = metrics if kind == 0 else [(m,) for m in managers]
        start = (k // 2 + 1) % len(pool)
        for step in range(len(pool)):
            value = pool[(start + step) % len(pool)]
            view = (current[0], value) if kind == 0 else (value, current[1])
            if view not in seen:
                break
        else:
            raise RuntimeError("no new view left to ask for; use fewer --changes")
        label = value if kind == 0 else value[0]
        result = _change(page, METRIC if kind == 0 else MANAGERS, label)
        result["what"] = f"metric -> {label}" if kind == 0 else f"manager -> {label}"
        fresh.append(result)
        current = list(view)
        seen.append(view)
    back = []
    for k in range(min(revisits, len(fresh))):  # undo the last changes: views shown before
        view = seen[-2 - k]
        kind = 0 if view[0] == current[0] else 1
        label = view[1] if kind == 0 else view[0][0]
        result = _change(page, METRIC if kind == 0 else MANAGERS, label)
        back.append(result | {"what": f"back to {label}"})
        current = list(view)
    return fresh, back


def _summary(title: str, runs: list[dict]) -> None:
    image = [r["image"] / 1000 for r in runs if r.get("image") is not None]
    table = [r["table"] / 1000 for r in runs if r.get("table") is not None]
    kernel = [r["kernel"] for r in runs if r.get("kernel") is not None]
    lost = sum(1 for r in runs if r.get("timeout"))
    if not image:
        print(f"{title}: no redraw was seen")
        return

    def p90(values: list[float]) -> float:
        return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]

    med = statistics.median(image)
    verdict = "under the aim" if med < AIM_S else "over the aim"
    print(
        f"{title}: {len(image)} redraws; to the new image: median {med:.3f} s, "
        f"p90 {p90(image):.3f} s ({verdict} of {AIM_S} s); to the new table: median "
        f"{statistics.median(table):.3f} s, p90 {p90(table):.3f} s"
        + (f"; the kernel's share (status line): median {statistics.median(kernel):.3f} s"
           if kernel else "")
        + (f"; {lost} timed out" if lost else "")
    )  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Start JupyterLab and Chromium, run the explorer, time the redraws, print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=20, help="redraws of new views")
    parser.add_argument("--revisits", type=int, default=6, help="views shown again")
    parser.add_argument("--width", type=int, default=1200, help="browser width, CSS px")
    parser.add_argument("--height", type=int, default=1000, help="browser height, CSS px")
    parser.add_argument("--screenshot", type=Path, help="save the explorer as shown here")
    parser.add_argument(
        "--notebook", type=Path, default=NOTEBOOK, help="another copy of the explorer notebook"
    )
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory() as tmp,
        lab_server(args.notebook, Path(tmp)) as url,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.set_default_timeout(60_000)
        t0 = time.perf_counter()
        open_and_run(page, url, ready=MANAGERS)
        page.locator(IMAGE).first.wait_for(state="visible")
        page.locator(TABLE).first.wait_for(state="visible")
        took = time.perf_counter() - t0
        print(f"JupyterLab open, notebook run, explorer shown in {took:.1f} s")
        page.locator(MANAGERS).first.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)  # the cells below finish; the first draw settles
        if args.screenshot:
            _screenshot(page, args.screenshot)
        fresh, back = measure(page, changes=args.changes, revisits=args.revisits)
        browser.close()
    print(f"{'change':<52} {'image s':>8} {'table s':>8} {'kernel s':>9}")
    for r in fresh + back:
        kernel = f"{r['kernel']:>9.3f}" if r.get("kernel") is not None else f"{'':>9}"
        image = f"{r['image'] / 1000:>8.3f}" if r.get("image") is not None else f"{'-':>8}"
        table = f"{r['table'] / 1000:>8.3f}" if r.get("table") is not None else f"{'-':>8}"
        print(f"{r['what'][:52]:<52} {image} {table} {kernel}")
    _summary("new views", fresh)
    _summary("views shown before", back)


def _screenshot(page, path: Path) -> None:
    """The explorer's controls, chart and table, as the analyst sees them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    news = page.get_by_role("button", name="No", exact=True)
    if news.count():  # JupyterLab asks once whether to fetch its news; it covers the table
        news.first.click()
    page.locator(MANAGERS).first.evaluate(
        "(e) => (e.closest('.jp-OutputArea') || e).scrollIntoView({block: 'start'})"
    )
    page.wait_for_timeout(500)
    page.screenshot(path=str(path))
    print(f"screenshot: {path}")


if __name__ == "__main__":
    main()
