"""Speed of the report runner: seconds per report, against a naive loop and a cached re-run.

Renders (1) the sample department, (2) a generated department of 200 managers (the sample's
10 managers copied 20 times under new names), each with ``render_reports`` on ``--jobs``
workers and then again (all cache hits), and (3) a naive loop over 10 of the 200 managers:
the papermill CLI then ``jupyter nbconvert --to html`` CLI, one manager after another.
Prints figures only; no thresholds (aims: <= 0.5 s/report at 200 managers on 2 cores,
<= 0.1x naive, cached re-run <= 0.05x). Besides wall seconds it prints CPU seconds per
report (this process, its workers and their kernels), which other load on a shared
machine disturbs far less than wall time; on an idle machine wall ~ CPU / cores.

Usage: ``python benchmarks/reports.py [--jobs 2] [--copies 20] [--naive 10]``
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from workbench.config import SAMPLE_DIR
from workbench.reports.runner import TEMPLATE, render_reports

BIN = Path(sys.executable).parent


def generate_department(out: Path, copies: int) -> Path:
    """Write ``copies`` renamed copies of the sample department into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    ids = {"tasks": ["task_id", "deal_id"], "calls": ["call_id", "deal_id"], "deals": ["deal_id"]}
    for table, id_cols in ids.items():
        src = pd.read_csv(SAMPLE_DIR / f"{table}.csv", dtype="str", keep_default_na=False)
        parts = []
        for k in range(copies):
            part = src.copy()
            part["manager"] = part["manager"] + f" #{k:03d}"
            for col in id_cols:
                if col in part:
                    filled = part[col] != ""
                    part.loc[filled, col] = f"c{k:03d}-" + part.loc[filled, col]
            parts.append(part)
        pd.concat(parts).to_csv(out / f"{table}.csv", index=False)
    targets = pd.read_csv(SAMPLE_DIR / "targets.csv", dtype="str", keep_default_na=False)
    own = targets["manager"] != "*"
    copied = [targets.loc[~own]] + [
        targets.loc[own].assign(manager=targets.loc[own, "manager"] + f" #{k:03d}")
        for k in range(copies)
    ]
    pd.concat(copied).to_csv(out / "targets.csv", index=False)
    return out


def _cpu() -> float:
    """CPU seconds of this process and of every child process that has ended."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed_run(label: str, data: Path, out: Path, jobs: int, **kw) -> float:
    began, cpu = time.perf_counter(), _cpu()
    summary = render_reports(data, latest_month=True, jobs=jobs, out=out, progress=False, **kw)
    seconds, cpu = time.perf_counter() - began, _cpu() - cpu
    n = len(summary.reports)
    print(
        f"{label:<34} {n:>4} reports {seconds:8.1f} s {seconds / n:7.3f} s/report "
        f"{cpu / n:7.3f} CPU s/report {summary.counts}",
        flush=True,
    )
    return seconds / n


def _naive(data: Path, managers: list[str], start: str, end: str, work: Path) -> float:
    began = time.perf_counter()
    for i, manager in enumerate(managers):
        nb = work / f"naive-{i}.ipynb"
        subprocess.run(
            [str(BIN / "papermill"), str(TEMPLATE), str(nb), "-k", "python3", "--cwd", str(work),
             "-p", "manager", manager, "-p", "period_start", start, "-p", "period_end", end,
             "-p", "data", str(data)],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)],
            check=True,
            capture_output=True,
        )
    per = (time.perf_counter() - began) / len(managers)
    print(
        f"{'naive papermill + nbconvert CLI':<34} {len(managers):>4} reports {per:17.3f} s/report"
    )
    return per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--naive", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        work = Path(tmp)
        sample = _timed_run("sample: render", SAMPLE_DIR, work / "s", args.jobs)
        sample_cached = _timed_run("sample: cached re-run", SAMPLE_DIR, work / "s", args.jobs)
        big = generate_department(work / "big", args.copies)
        n = 10 * args.copies
        full = _timed_run(f"{n} managers: render", big, work / "b", args.jobs)
        cached = _timed_run(f"{n} managers: cached re-run", big, work / "b", args.jobs)
        summary = pd.read_json(next((work / "b").glob("*/run_summary.json")), typ="series")
        start, end = summary["period_start"], summary["period_end"]
        managers = [r["manager"] for r in summary["reports"]][: args.naive]
        print(f"sample cached / render: {sample_cached / sample:.3f}x")
        print(f"{n} managers: cached / render: {cached / full:.3f}x")
        if args.naive:  # --naive 0 skips the slow naive loop
            naive = _naive(big, managers, start, end, work)
            print(f"{n} managers: runner / naive: {full / naive:.3f}x")


if __name__ == "__main__":
    main()
