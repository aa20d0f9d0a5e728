"""Reading a large Excel export: python-calamine (the loader's engine) against openpyxl.

Writes (seeded) a calls sheet of ``--rows`` rows (90,000 by default, the size of a real
CRM export) with the columns a call export has: ID, manager, start as a date-time cell,
duration as a time cell, direction and a free-text note. Then prints the wall time of
reading every cell with openpyxl (the former engine) and with python-calamine, checks that
both give the same cells, and times :func:`workbench.load_dataset` on the file end to end.
Best of ``--repeat`` runs: the machine is shared and single runs vary. Last, it renders a few
managers' reports from the export, which parses it once per batch.

Usage::

    .venv/bin/python benchmarks/excel.py [--rows 90000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np

__all__ = ["write_calls_xlsx", "main"]


def write_calls_xlsx(path: Path, rows: int, seed: int = 7) -> None:
    """A seeded calls sheet of ``rows`` rows in the canonical column names."""
    import openpyxl

    rng = np.random.default_rng(seed)
    start = dt.datetime(2025, 11, 1, 8, 0)
    offsets = np.sort(rng.integers(0, 365 * 86_400, rows))
    durations = rng.gamma(2.0, 300.0, rows).astype(int)
    managers = [f"Manager {i:03d}" for i in range(40)]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("calls")
    sheet.append(["call_id", "manager", "started_at", "duration_s", "direction", "answered"])
    for i in range(rows):
        sheet.append([
            100_000 + i,
            managers[int(rng.integers(0, len(managers)))],
            start + dt.timedelta(seconds=int(offsets[i])),
            int(durations[i]),
            "inbound" if rng.random() < 0.3 else "outbound",
            bool(durations[i] > 0),
        ])  # fmt: skip
    book.save(path)


def _best(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - began)
    return best, result


def _openpyxl_rows(path: Path) -> list[list]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return rows


def _calamine_rows(path: Path) -> list[list]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    book.close()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=90_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--managers", type=int, default=4, help="reports to render from it")
    args = parser.parse_args(argv)

    import workbench as wb
    from workbench.data.loading import _excel_cell

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "calls.xlsx"
        began = time.perf_counter()
        write_calls_xlsx(path, args.rows)
        print(f"wrote {args.rows:,} calls to {path.name} ({path.stat().st_size / 1e6:.1f} MB) "
              f"in {time.perf_counter() - began:.1f} s")  # fmt: skip
        t_open, a = _best(lambda: _openpyxl_rows(path), args.repeat)
        t_cal, b = _best(lambda: _calamine_rows(path), args.repeat)

        def text(rows):
            return [[None if v in (None, "") else _excel_cell(v) for v in r] for r in rows]

        same = text(a) == text(b)
        print(f"read every cell: openpyxl {t_open:.2f} s, calamine {t_cal:.2f} s "
              f"({t_open / t_cal:.1f}x faster); same cells: {same}")  # fmt: skip
        t_load, ds = _best(lambda: wb.load_dataset(Path(folder)), args.repeat)
        print(f"load_dataset on the folder: {t_load:.2f} s for {len(ds.calls):,} calls loaded, "
              f"{len(ds.set_aside):,} set aside")  # fmt: skip
        if not same:
            raise SystemExit("calamine and openpyxl disagree on some cell")
        # A report batch on the export: the parent parses it once and writes the snapshot;
        # the kernels read the snapshot (tests/test_reports.py checks they never read the
        # export), so the parse is paid once per batch, not once per worker.
        from workbench.reports.runner import render_reports

        names = sorted(ds.calls["manager"].unique())[: args.managers]
        began = time.perf_counter()
        run = render_reports(Path(folder), period_from="2026-09-01", period_to="2026-09-30",
                             managers=names, jobs=2, out=Path(folder) / "out", progress=False,
                             overview=False)  # fmt: skip
        total = time.perf_counter() - began
        print(f"render_reports on the export, {len(names)} managers on 2 workers: {total:.1f} s "
              f"({run.counts}); one parse ({t_load:.1f} s) instead of one per worker")  # fmt: skip


if __name__ == "__main__":
    main()
