"""Speed and peak memory of description scoring (:func:`workbench.score_descriptions`).

Generates (seeded) synthetic task descriptions, English and Russian, good and bad: vague
verbs, scripts with and without links, unrendered placeholders, empty substitutions, empty
and long texts. Client names and deal numbers vary per row, so the texts are not a handful of
repeated strings. Each size is scored in a fresh subprocess, so peak RSS
(``resource.getrusage`` maxrss) belongs to that one computation: "data" is the resident memory
after generating the table, "peak" the process maximum (generation included: "gen peak" says
whether it was set before scoring). Prints a table; no thresholds.

Usage::

    .venv/bin/python benchmarks/quality.py [--sizes 10000 2000000] [--managers 200] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

__all__ = ["generate_tasks", "main"]

# {n} a client, {d} a deal number; the rest is literal CRM text, placeholders included.
_TEMPLATES = (
    "Contact the client",
    "Follow up",
    "Call {n}, conduct qualification according to the script https://wiki.example.com/qual",
    "Call {n} about deal #{d}: confirm the budget and the decision maker by Friday",
    "Send the commercial offer to {n} (deal #{d}) and confirm receipt by phone",
    "Send the price list to {n}",
    "Call {{{{contact.name}}}} about {{deal}}",
    "Call  about ",
    "Meeting with {n} () re: ",
    "Send %NAME% the checklist",
    "Check status",
    "see above",
    "",
    "   ",
    "Связаться с клиентом",
    "Уточнить",
    "Позвонить {n}, провести квалификацию по скрипту https://wiki.example.ru/script",
    "Отправить КП {n} по сделке {d} и договориться о встрече",
    "Позвонить {{{{contact.name}}}} по сделке {{deal_id}}",
    "Позвонить  по сделке #",
    "Поработать с клиентом {n}",
    "Prepare the demo for {n}: " + "walk through the reporting module step by step, " * 6,
)
_CLIENTS = ("Globex", "Initech", "Umbrella", "ООО Ромашка", "Hooli", "АО Вектор", "Acme")


def generate_tasks(n: int, n_managers: int, seed: int = 3) -> pd.DataFrame:
    """Synthetic tasks with the columns :func:`workbench.score_descriptions` needs."""
    rng = np.random.default_rng(seed)
    template = rng.integers(0, len(_TEMPLATES), n)
    client = rng.integers(0, len(_CLIENTS), n)
    deal = rng.integers(1000, 99999, n)
    rows = zip(template, client, deal, strict=True)
    texts = [_TEMPLATES[t].format(n=_CLIENTS[c], d=d) for t, c, d in rows]
    description = pd.Series(texts, dtype="str")
    del texts
    due = pd.Series(pd.Timestamp("2026-01-01", tz="UTC"), index=range(n)).where(
        rng.random(n) >= 0.1
    )
    return pd.DataFrame({
        "task_id": pd.array(np.char.add("T-", np.arange(n).astype(str)), dtype="str"),
        "manager": pd.array(np.char.add("Manager ", (np.arange(n) % n_managers).astype(str)),
                            dtype="str"),
        "description": description.where(description != ""),  # empty cells load as missing
        "due_at": due,
        "task_type": pd.array(np.where(rng.random(n) < 0.5, "call", "other"), dtype="str"),
    })  # fmt: skip


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _current_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _child(n: int, n_managers: int, repeat: int) -> None:
    """Measure one size in this process and print one JSON line."""
    from workbench.quality.score import quality_by_manager, score_descriptions

    tasks = generate_tasks(n, n_managers)
    data_mb, before_mb = _current_mb(), _peak_mb()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        scored = score_descriptions(tasks)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    quality_by_manager(scored)
    summary_s = time.perf_counter() - t0
    seconds = float(np.median(times))
    print(json.dumps({
        "rows": n,
        "seconds": seconds,
        "rows_per_s": n / seconds,
        "summary_s": summary_s,
        "data_mb": data_mb,
        "peak_mb": _peak_mb(),
        "generation_peak_mb": before_mb,
        "poor_share": float((scored["band"] == "poor").mean()),
    }))  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    """Run every size in a subprocess and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 2_000_000])
    parser.add_argument("--managers", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1, help="runs per size (median)")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.managers, args.repeat)
        return
    print(f"score_descriptions, median of {args.repeat} run(s); pandas {pd.__version__}")
    names = ("rows", "seconds", "rows/s", "by mgr s", "data MB", "peak MB", "gen peak")
    print(" ".join(f"{h:>{w}}" for h, w in zip(names, (10, 8, 10, 9, 8, 8, 8), strict=True)))
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--child", str(n), "--managers", str(args.managers),
               "--repeat", str(args.repeat)]  # fmt: skip
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        print(
            f"{r['rows']:>10,} {r['seconds']:>8.2f} {r['rows_per_s']:>10,.0f} "
            f"{r['summary_s']:>9.2f} {r['data_mb']:>8.0f} {r['peak_mb']:>8.0f} "
            f"{r['generation_peak_mb']:>8.0f}"
        )


if __name__ == "__main__":
    main()
