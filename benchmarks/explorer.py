"""Update latency of the analysts' explorer (:class:`workbench.explore.explorer.Explorer`).

Loads a department (default: the sample), builds the explorer and times each kind of control
change, as an analyst would make it: the wall time from setting the widget's value to the
return of the callback, which recomputes the table, redraws the figure, encodes the PNG and
puts both into the explorer's Image and HTML widgets (outside a kernel nothing is sent). The
split into data / draw / PNG / display comes from ``Explorer.timings``. The time in a real
browser, messages and rendering included, is ``benchmarks/explorer_browser.py``'s.
"Cold" means the panel for that period kind or threshold had not been computed yet (a fresh
explorer, or a threshold never used); "cached" means it had. Each figure is the median of
``--repeat`` runs, printed against the aim of 0.3 s per update, with the process CPU time
beside the wall time (on a shared machine the wall time includes waiting for a core). No
thresholds are enforced.

Usage::

    .venv/bin/python benchmarks/explorer.py [--data data/sample] [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time

import matplotlib

matplotlib.use("Agg")  # this script only; never for kernels

from workbench import load_dataset  # noqa: E402
from workbench.config import resolve_data_path  # noqa: E402
from workbench.explore.explorer import Explorer  # noqa: E402

__all__ = ["measure", "main"]

AIM_S = 0.3
PARTS = ("data", "draw", "png", "display")


def _timed(ex: Explorer, widget, attr: str, value) -> dict[str, float]:
    """Wall and CPU seconds of one control change, with the explorer's own split of it."""
    c0 = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):  # display() outside a kernel prints reprs
        t0 = time.perf_counter()
        setattr(widget, attr, value)  # the observer runs the update synchronously
        wall = time.perf_counter() - t0
    parts = getattr(ex, "timings", {})
    return {"wall": wall, "cpu": time.process_time() - c0} | {
        p: parts.get(p, float("nan")) for p in PARTS
    }


def _new(dataset) -> Explorer:
    with contextlib.redirect_stdout(io.StringIO()):
        return Explorer(dataset)


def measure(dataset, *, repeat: int = 5) -> dict[str, list[dict[str, float]]]:
    """Time every kind of change ``repeat`` times: wall, CPU and parts (seconds) per run."""
    names = list(dataset.managers)
    runs: dict[str, list[dict[str, float]]] = {}

    def add(kind: str, ex: Explorer, widget, attr: str, value) -> None:
        runs.setdefault(kind, []).append(_timed(ex, widget, attr, value))

    for i in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        ex = _new(dataset)
        runs.setdefault("open the explorer (month panel cold)", []).append(
            {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}
        )
        pick = (names[-1 - i % len(names)],)  # one manager: never the default pair
        add("manager", ex, ex.managers, "value", pick)
        add("months range", ex, ex.months, "index", (i % 3, len(ex.months.options) - 2))
        add("metric", ex, ex.metric, "value", ex.metric.options[(i % 5) + 1][1])
        add("period -> week (cold)", ex, ex.period, "value", "week")
        _timed(ex, ex.metric, "value", "won")  # untimed: so that the next view is a new one
        add("period -> month (cached)", ex, ex.period, "value", "month")
        _timed(ex, ex.metric, "value", "leads")
        add("period -> week (cached)", ex, ex.period, "value", "week")
        # the threshold changes the view only for the metric that counts conversations
        add("threshold, metric without it", ex, ex.conversation_s, "value", 75 + 15 * i)
        add("metric -> conversations", ex, ex.metric, "value", "conversations")
        fresh = 90 + 15 * (i + repeat)  # a threshold this explorer has not used
        add("threshold (cold)", ex, ex.conversation_s, "value", fresh)
        add("threshold (cached)", ex, ex.conversation_s, "value", 60)
        add("back to a threshold shown before", ex, ex.conversation_s, "value", fresh)
        add("back to a metric shown before", ex, ex.metric, "value", "leads")
    return runs


def main(argv: list[str] | None = None) -> None:
    """Load the data, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data/sample")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    dataset = load_dataset(resolve_data_path(args.data))
    load_s = time.perf_counter() - t0
    rows = dataset.rows_loaded
    print(
        f"{args.data}: {rows['tasks']:,} tasks, {rows['calls']:,} calls, {rows['deals']:,} deals, "
        f"{len(dataset.managers)} managers; loaded in {load_s:.2f} s"
    )
    runs = measure(dataset, repeat=args.repeat)
    print(
        f"median of {args.repeat} run(s), seconds; aim: under {AIM_S} s per update (wall); "
        "CPU = process CPU time (wall above it means the machine was shared)"
    )
    head = " ".join(f"{p:>7}" for p in PARTS)
    print(f"{'change':<38} {'wall':>6} {'CPU':>6} {head}  vs aim")
    for kind, values in runs.items():
        med = {k: statistics.median(v.get(k, float("nan")) for v in values) for k in values[0]}
        parts = " ".join(f"{med.get(p, float('nan')):>7.3f}" for p in PARTS)
        verdict = "" if kind.startswith("open") else ("ok" if med["wall"] < AIM_S else "slower")
        print(f"{kind:<38} {med['wall']:>6.3f} {med['cpu']:>6.3f} {parts}  {verdict}")


if __name__ == "__main__":
    main()
