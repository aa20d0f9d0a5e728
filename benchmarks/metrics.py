"""Speed and peak memory of the metric functions on a large department, against DuckDB.

Generates (numpy, seeded) 5,000,000 calls and 2,000,000 tasks for 200 managers over one
year, computes every monthly and weekly call and task metric with ``workbench`` (pandas)
and the same aggregates with DuckDB SQL, checks that the values agree and prints wall
time, peak RSS and the pandas / DuckDB ratio.

Each measurement runs in a fresh subprocess. After generating the table the child resets
the kernel's peak-RSS mark (``/proc/self/clear_refs``), so "peak" is the highest RSS while
computing (table included) and "data" the RSS just before; where the reset is not allowed,
peak falls back to ``resource.getrusage`` maxrss (which then includes data generation).
Wall time is the best of ``--repeat`` runs: the machine is shared and single runs vary 2x.

Usage::

    .venv/bin/python benchmarks/metrics.py [--calls 5000000] [--tasks 2000000]
        [--managers 200] [--repeat 3] [--only calls|tasks]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["generate_calls", "generate_tasks", "duckdb_calls", "duckdb_tasks", "main"]

_YEAR_START = pd.Timestamp("2025-11-01", tz="UTC")
_YEAR_US = 365 * 86_400 * 10**6
_DAY_US = 86_400 * 10**6


def _managers(n: int) -> np.ndarray:
    return np.array([f"Manager {i:03d}" for i in range(n)], dtype=object)


def _ts(us: np.ndarray) -> pd.Series:
    """Microseconds since the year start (NaN-able float or int) -> tz-aware timestamps."""
    base = _YEAR_START.value // 1000
    values = pd.array(np.asarray(us, dtype="float64") + base, dtype="Float64")
    out = pd.to_datetime(values.to_numpy(dtype="float64", na_value=np.nan), unit="us", utc=True)
    return pd.Series(out).dt.as_unit("us")


def generate_calls(n: int, n_managers: int, seed: int = 1) -> pd.DataFrame:
    """Synthetic calls: ~12% zero-length, log-normal talk time (median ~3 min)."""
    rng = np.random.default_rng(seed)
    answered = rng.random(n) < 0.75
    duration = np.where(answered, np.round(rng.lognormal(5.2, 1.0, n)), 0.0)
    duration[answered & (rng.random(n) < 0.05)] = 0.0
    return pd.DataFrame({
        "call_id": pd.array(np.arange(n).astype(str), dtype="str"),
        "manager": pd.array(_managers(n_managers)[rng.integers(0, n_managers, n)], dtype="str"),
        "started_at": _ts(rng.integers(0, _YEAR_US, n)),
        "duration_s": duration,
        "direction": pd.array(np.where(rng.random(n) < 0.4, "inbound", "outbound"), dtype="str"),
        "answered": answered,
    })  # fmt: skip


def generate_tasks(n: int, n_managers: int, seed: int = 2) -> pd.DataFrame:
    """Synthetic tasks: 10% without deadline, 10% postponed, 80% completed, 5% cancelled."""
    rng = np.random.default_rng(seed)
    created = rng.integers(0, _YEAR_US - 20 * _DAY_US, n).astype("float64")
    orig = created + rng.uniform(0.1, 14, n) * _DAY_US
    orig[rng.random(n) < 0.10] = np.nan
    due = np.where(rng.random(n) < 0.10, orig + rng.uniform(1, 10, n) * _DAY_US, orig)
    done_after = rng.exponential(6, n) * _DAY_US
    completed = np.where(rng.random(n) < 0.80, created + done_after, np.nan)
    status = np.where(np.isnan(completed), "open", "completed")
    cancelled = rng.random(n) < 0.05
    status[cancelled] = "cancelled"
    completed[cancelled] = np.nan
    return pd.DataFrame({
        "task_id": pd.array(np.arange(n).astype(str), dtype="str"),
        "manager": pd.array(_managers(n_managers)[rng.integers(0, n_managers, n)], dtype="str"),
        "created_at": _ts(created),
        "due_at": _ts(due),
        "original_due_at": _ts(orig),
        "completed_at": _ts(completed),
        "status": pd.array(status, dtype="str"),
    })  # fmt: skip


def duckdb_calls(calls: pd.DataFrame, *, period: str, conversation_s=60, long_call_s=1200):
    """The call metrics of ``workbench.metrics.calls`` in DuckDB SQL (business tz UTC)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("calls", calls)
    sql = f"""
    WITH c AS (SELECT *, answered AND duration_s > 0 AS conn FROM calls)
    SELECT manager, date_trunc('{period}', started_at) AS period,
      count(*) AS dials,
      count(*) FILTER (WHERE conn) AS connected,
      count(*) FILTER (WHERE conn AND duration_s >= {conversation_s}) AS conversations,
      count(*) FILTER (WHERE direction = 'inbound' AND NOT answered) AS missed_inbound,
      count(*) FILTER (WHERE duration_s = 0) AS zero_length,
      coalesce(sum(duration_s) FILTER (WHERE conn), 0) AS talk_time_total_s,
      avg(duration_s) FILTER (WHERE conn) AS talk_mean_s,
      quantile_cont(duration_s, 0.5) FILTER (WHERE conn) AS talk_median_s,
      quantile_cont(duration_s, 0.9) FILTER (WHERE conn) AS talk_p90_s,
      avg(duration_s) FILTER (WHERE conn) / 60 AS talk_mean_min,
      (count(*) FILTER (WHERE conn AND duration_s > {long_call_s}))
        / nullif(count(*) FILTER (WHERE conn), 0) AS long_call_share
    FROM c GROUP BY ALL
    """
    return con.execute(sql).df()


def duckdb_tasks(tasks: pd.DataFrame, *, period: str):
    """The task metrics of ``workbench.metrics.tasks`` in DuckDB SQL (default as_of, tz UTC)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("tasks", tasks)
    p = period
    sql = f"""
    WITH a AS (SELECT greatest(max(created_at), max(completed_at)) AS as_of FROM tasks),
    t AS (
      SELECT manager, created_at, due_at, coalesce(original_due_at, due_at) AS od, status,
        status <> 'cancelled' AS live,
        CASE WHEN status <> 'cancelled' AND completed_at <= a.as_of THEN completed_at END
          AS done_at,
        a.as_of
      FROM tasks, a WHERE created_at <= a.as_of
    ),
    cr AS (
      SELECT manager, date_trunc('{p}', created_at) AS period, count(*) AS tasks_new,
        count(*) FILTER (WHERE due_at IS NULL AND od IS NULL) AS tasks_no_deadline,
        count(*) FILTER (WHERE due_at > od) AS tasks_postponed
      FROM t GROUP BY ALL
    ),
    du AS (
      SELECT manager, date_trunc('{p}', od) AS period, count(*) AS tasks_due,
        count(*) FILTER (WHERE done_at IS NULL OR done_at > od) AS tasks_overdue,
        count(*) FILTER (WHERE done_at > od) AS tasks_overdue_late,
        count(*) FILTER (WHERE done_at IS NULL) AS tasks_overdue_open
      FROM t WHERE live AND od <= as_of GROUP BY ALL
    ),
    co AS (
      SELECT manager, date_trunc('{p}', done_at) AS period, count(*) AS tasks_completed,
        count(*) FILTER (WHERE done_at <= od) AS tasks_completed_on_time,
        count(od) AS with_deadline,
        quantile_cont(late, 0.5) AS lateness_median_days,
        quantile_cont(late, 0.9) AS lateness_p90_days,
        count(*) FILTER (WHERE late < 1) AS late_lt_1d,
        count(*) FILTER (WHERE late >= 1 AND late < 7) AS late_1_7d,
        count(*) FILTER (WHERE late >= 7 AND late < 30) AS late_7_30d,
        count(*) FILTER (WHERE late >= 30) AS late_gt_30d
      FROM (SELECT *, CASE WHEN done_at > od
                      THEN (epoch_us(done_at) - epoch_us(od)) / 86400e6 END AS late
            FROM t WHERE done_at IS NOT NULL)
      GROUP BY ALL
    ),
    ev AS (  -- greatest() skips NULLs, so NULL deadlines are filtered out explicitly
      SELECT manager, created_at AS t, 1 AS w_in, 0 AS w_od FROM t WHERE live
      UNION ALL SELECT manager, greatest(created_at, done_at), -1, 0
        FROM t WHERE live AND done_at IS NOT NULL
      UNION ALL SELECT manager, greatest(created_at, due_at), 0, 1
        FROM t WHERE live AND due_at IS NOT NULL AND greatest(created_at, due_at) <= as_of
      UNION ALL SELECT manager, greatest(created_at, due_at, done_at), 0, -1
        FROM t WHERE live AND done_at IS NOT NULL AND due_at IS NOT NULL
          AND greatest(created_at, due_at) <= as_of
    ),
    dl AS (
      SELECT manager, date_trunc('{p}', t) AS period, sum(w_in) AS d_in, sum(w_od) AS d_od
      FROM ev GROUP BY ALL
    ),
    g AS (  -- every manager x period, so that a quiet period still carries the snapshot
      SELECT m.manager, q.period FROM (SELECT DISTINCT manager FROM t) AS m,
        (SELECT unnest(generate_series(min(period), max(period), INTERVAL 1 {p})) AS period
         FROM (SELECT period FROM cr UNION SELECT period FROM du UNION SELECT period FROM co
               UNION SELECT period FROM dl)) AS q
    ),
    sn AS (
      SELECT manager, period,
        sum(coalesce(d_in, 0)) OVER w AS tasks_in_work_at_end,
        sum(coalesce(d_od, 0)) OVER w AS open_overdue_at_end
      FROM g LEFT JOIN dl USING (manager, period)
      WINDOW w AS (PARTITION BY manager ORDER BY period)
    )
    SELECT * EXCLUDE (with_deadline),
      tasks_overdue / nullif(tasks_due, 0) AS delinquency_rate,
      tasks_completed_on_time / nullif(with_deadline, 0) AS on_time_rate,
      open_overdue_at_end / nullif(tasks_in_work_at_end, 0) AS overdue_share_in_work
    FROM cr FULL JOIN du USING (manager, period) FULL JOIN co USING (manager, period)
      FULL JOIN sn USING (manager, period)
    """
    return con.execute(sql).df()


def _workbench(kind: str, df: pd.DataFrame, period: str) -> pd.DataFrame:
    from workbench.metrics.calls import call_metrics
    from workbench.metrics.tasks import task_metrics

    fn = call_metrics if kind == "calls" else task_metrics
    return fn(df, period=period, tz="UTC")


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS, VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux >= 4.0); False where not permitted."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _child(args: argparse.Namespace) -> None:
    """One measurement: generate, compute once, print JSON, save the result for checking."""
    n = args.calls if args.kind == "calls" else args.tasks
    gen = generate_calls if args.kind == "calls" else generate_tasks
    df = gen(n, args.managers)
    if args.engine == "duckdb":
        import duckdb  # noqa: F401  (import time is not part of the computation)

        def fn():
            return (duckdb_calls if args.kind == "calls" else duckdb_tasks)(df, period=args.period)
    else:
        import workbench.metrics.calls  # noqa: F401
        import workbench.metrics.tasks  # noqa: F401

        def fn():
            return _workbench(args.kind, df, args.period)

    gc.collect()
    reset = _reset_peak_rss()
    data_mb = _status_mb("VmRSS")
    walls = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        out = fn()
        walls.append(time.perf_counter() - t0)
    wall = min(walls)
    if reset:
        peak_mb = _status_mb("VmHWM")
    else:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.to_parquet(args.out)
    print(json.dumps({"wall_s": wall, "peak_mb": peak_mb, "data_mb": data_mb}))


def _measure(engine: str, kind: str, period: str, args, out: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", "--engine", engine, "--kind", kind,
           "--period", period, "--calls", str(args.calls), "--tasks", str(args.tasks),
           "--managers", str(args.managers), "--repeat", str(args.repeat),
           "--out", str(out)]  # fmt: skip
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode:
        raise RuntimeError(f"{engine} {kind} {period} failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _compare(ours: pd.DataFrame, theirs: pd.DataFrame) -> tuple[bool, str]:
    """Do the two tables agree on every metric of every (manager, period)?"""
    ours = ours.assign(period=ours["period"].dt.as_unit("us").dt.tz_convert("UTC"))
    theirs = theirs.assign(period=theirs["period"].dt.as_unit("us").dt.tz_convert("UTC"))
    merged = ours.merge(theirs, on=["manager", "period"], how="outer", suffixes=("", "_db"),
                        indicator=True)  # fmt: skip
    if (merged["_merge"] == "right_only").any():
        return False, "DuckDB has (manager, period) rows the workbench lacks"
    only_ours = merged["_merge"] == "left_only"
    bad = []
    for col in ours.columns.drop(["manager", "period"]):
        a = merged[col].to_numpy(dtype="float64")
        b = merged[col + "_db"].to_numpy(dtype="float64", na_value=np.nan)
        if ours[col].dtype.kind == "i":  # SQL has no row (or a NULL) where nothing happened
            b = np.where(np.isnan(b), 0.0, b)
        if not np.allclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True):
            bad.append(f"{col} ({int((~np.isclose(a, b, equal_nan=True)).sum())} cells)")
    cells = f"{len(ours)} cells, {int(only_ours.sum())} without DuckDB row"
    return (not bad), (cells if not bad else "differ: " + ", ".join(bad))


def main(argv: list[str] | None = None) -> int:
    """Run every measurement in its own subprocess and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=5_000_000)
    ap.add_argument("--tasks", type=int, default=2_000_000)
    ap.add_argument("--managers", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; best is shown")
    ap.add_argument("--only", choices=["calls", "tasks"])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--engine", choices=["workbench", "duckdb"], help=argparse.SUPPRESS)
    ap.add_argument("--kind", choices=["calls", "tasks"], help=argparse.SUPPRESS)
    ap.add_argument("--period", choices=["month", "week"], help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args)
        return 0
    import duckdb

    sizes = f"{args.calls:,} calls, {args.tasks:,} tasks, {args.managers} managers, one year"
    print(f"pandas {pd.__version__}, numpy {np.__version__}, duckdb {duckdb.__version__}; {sizes}")
    print(f"{'metrics':<14}{'workbench s':>12}{'duckdb s':>10}{'ratio':>7}"
          f"{'peak MB wb':>12}{'(data)':>8}{'peak MB db':>12}{'(data)':>8}  agree")  # fmt: skip
    ok = True
    kinds = [args.only] if args.only else ["calls", "tasks"]
    with tempfile.TemporaryDirectory() as tmp:
        for kind in kinds:
            for period in ("month", "week"):
                paths = {e: Path(tmp) / f"{e}-{kind}-{period}.parquet" for e in ("wb", "db")}
                wb = _measure("workbench", kind, period, args, paths["wb"])
                db = _measure("duckdb", kind, period, args, paths["db"])
                agree, note = _compare(pd.read_parquet(paths["wb"]), pd.read_parquet(paths["db"]))
                ok &= agree
                print(f"{kind + ' ' + period:<14}{wb['wall_s']:>12.3f}{db['wall_s']:>10.3f}"
                      f"{wb['wall_s'] / db['wall_s']:>7.2f}{wb['peak_mb']:>12.0f}"
                      f"{wb['data_mb']:>8.0f}{db['peak_mb']:>12.0f}{db['data_mb']:>8.0f}  "
                      f"{'yes' if agree else 'NO'}: {note}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
