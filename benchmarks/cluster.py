"""The report batch's size envelope: local processes against Dask, and memory by data size.

Two measurements, figures only (no thresholds; aim: Dask / local <= 1.15x):

``speed``
    Seconds per report for a generated 200-manager department (the sample's 10 managers
    copied 20 times, :func:`benchmarks.reports.generate_department`), rendered with
    ``--force`` and no team overview on 2 local worker processes and then on a 2-worker Dask
    ``LocalCluster`` (``cluster="local:2"``), each once warm-up-free: kernel starts and
    imports are part of the cost, as in a real batch. The ratio is the engine's overhead.
``memory``
    Peak memory of the parent (load and validation, snapshot, department figures, results)
    and of each Dask worker process and its kernel (one report each), with N generated calls
    (numpy, seeded, :func:`benchmarks.metrics.generate_calls`, spread over the 200 managers,
    written as calls.parquet) beside the department's tasks and deals. Each size runs in a
    fresh subprocess: after generating the data it resets its peak-RSS mark
    (``/proc/self/clear_refs``), so the parent's peak is the batch's; the workers' and
    kernels' peaks are their own ``VmHWM`` (read from /proc several times a second while they
    live: the kernel's high-water mark, so no peak is missed between reads).

Usage::

    .venv/bin/python benchmarks/cluster.py speed [--copies 20]
    .venv/bin/python benchmarks/cluster.py memory [--calls 1000000 5000000 10000000]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import pandas as pd  # noqa: E402
from metrics import generate_calls  # noqa: E402
from reports import generate_department  # noqa: E402

from workbench.reports.runner import render_reports  # noqa: E402

PERIOD = {"period_from": "2026-10-01", "period_to": "2026-10-31"}


def speed(copies: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = generate_department(Path(tmp) / "data", copies)
        results = {}
        for label, kw in (("local processes (2)", {"jobs": 2}), ("Dask LocalCluster (2)", {
            "cluster": "local:2"
        })):  # fmt: skip
            began = time.perf_counter()
            summary = render_reports(
                data, out=Path(tmp) / label.split()[0], force=True, progress=False,
                overview=False, **PERIOD, **kw,
            )  # fmt: skip
            seconds = time.perf_counter() - began
            n = len(summary.reports)
            results[label] = seconds / n
            print(
                f"{label:<24} {n:>4} reports {seconds:7.1f} s {seconds / n:6.3f} s/report "
                f"{summary.counts}",
                flush=True,
            )
        local, dask = results.values()
        print(f"Dask / local: {dask / local:.2f}x")


def _status_kb(pid: int | str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(root: int) -> dict[int, str]:
    """PID -> command line of every process below ``root``."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = {}, {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier}
        for pid in frontier:
            try:
                found[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
    return {pid: cmd.decode(errors="replace") for pid, cmd in found.items()}


def _memory_child(n_calls: int, copies: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = generate_department(Path(tmp) / "data", copies)
        names = sorted(pd.read_csv(data / "tasks.csv", dtype="str")["manager"].unique())
        calls = generate_calls(n_calls, len(names))
        lookup = {f"Manager {i:03d}": name for i, name in enumerate(names)}
        calls["manager"] = calls["manager"].map(lookup)
        (data / "calls.csv").unlink()
        calls.to_parquet(data / "calls.parquet", index=False)
        del calls
        gc.collect()
        before = _status_kb("self", "VmRSS")
        Path("/proc/self/clear_refs").write_text("5")  # the peak from here on
        peaks: dict[int, tuple[str, int]] = {}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                for pid, cmd in _descendants(os.getpid()).items():
                    if "resource_tracker" in cmd:  # multiprocessing's helper, not a worker
                        continue
                    kind = "kernel" if "ipykernel" in cmd else "worker"
                    hwm = _status_kb(pid, "VmHWM")
                    if hwm:
                        peaks[pid] = (kind, max(hwm, peaks.get(pid, (kind, 0))[1]))
                time.sleep(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        began = time.perf_counter()
        summary = render_reports(
            data, out=Path(tmp) / "out", force=True, progress=False, overview=False,
            managers=names[:2], cluster="local:2", **PERIOD,
        )  # fmt: skip
        seconds = time.perf_counter() - began
        done.set()
        sampler.join()
        parent = _status_kb("self", "VmHWM")
        print(json.dumps({
            "calls": n_calls,
            "seconds": round(seconds, 1),
            "counts": summary.counts,
            "parent_before_mb": round(before / 1024),
            "parent_peak_mb": round(parent / 1024),
            "workers_mb": sorted(round(kb / 1024) for k, kb in peaks.values() if k == "worker"),
            "kernels_mb": sorted(round(kb / 1024) for k, kb in peaks.values() if k == "kernel"),
        }), flush=True)  # fmt: skip


def memory(sizes: list[int], copies: int, timeout: float) -> None:
    print(
        f"{'calls':>10} {'s':>6} {'parent MB (data, peak)':>24} {'Dask workers MB':>16} "
        f"{'their kernels MB':>17}"
    )
    for n in sizes:
        try:
            done = subprocess.run(
                [sys.executable, __file__, "_memory", "--calls", str(n), "--copies", str(copies)],
                capture_output=True, text=True, timeout=timeout,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            print(f"{n:>10,} did not finish within {timeout:g} s")
            continue
        if done.returncode != 0:
            print(f"{n:>10,} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{n:>10,} {r['seconds']:>6} {r['parent_before_mb']:>11} {r['parent_peak_mb']:>12} "
            f"{str(r['workers_mb']):>16} {str(r['kernels_mb']):>17} {r['counts']}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["speed", "memory", "_memory"])
    parser.add_argument("--copies", type=int, default=20, help="copies of the sample's 10")
    parser.add_argument("--calls", type=int, nargs="+", default=[1_000_000, 5_000_000, 10_000_000])
    parser.add_argument("--timeout", type=float, default=900, help="seconds per size")
    args = parser.parse_args()
    if args.what == "speed":
        speed(args.copies)
    elif args.what == "memory":
        memory(args.calls, args.copies, args.timeout)
    else:
        _memory_child(args.calls[0], args.copies)


if __name__ == "__main__":
    main()
