"""What the manager report template computes and shows (placeholder body, one call per cell).

The template ``notebooks/reports/manager_report.ipynb`` calls these helpers; the lead will
replace the placeholder figures with the metric and plot modules. Figures are computed for
the whole department in one vectorised pass, so the team reference is the median of the
OTHER managers and never names anyone.

Definitions (window = [period_start 00:00, period_end + 1 day 00:00) in ``tz``):

tasks_due
    Tasks not cancelled whose ``due_at`` falls in the window.
tasks_overdue
    Of those, tasks not completed by their deadline, as known at ``as_of``: completed
    after ``due_at``, or not completed by ``as_of`` while ``due_at < as_of``.
delinquency_rate
    tasks_overdue / tasks_due (NaN when tasks_due == 0).
tasks_completed
    Tasks with ``completed_at`` in the window (and not after ``as_of``).
conversations, talk_mean_min, long_call_share
    Calls started in the window with ``duration_s >= conversation_s``; their mean duration
    in minutes; the share of them lasting ``>= long_call_s``.
leads, won, closed, conversion, sales_volume
    Deals created in the window; deals won / won or lost with ``closed_at`` in the window;
    won / closed (NaN when closed == 0); the sum of ``amount`` of won deals (empty = 0).
"""

from __future__ import annotations

import copy
import html
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import workbench
from workbench.config import PROJECT_ROOT
from workbench.fingerprint import dataset_fingerprint, manager_fingerprint
from workbench.schema import ALL_MANAGERS

__all__ = [
    "FIGURES",
    "apply_report_style",
    "load_report_dataset",
    "report_window",
    "resolve_as_of",
    "check_manager",
    "department_figures",
    "manager_vs_team",
    "kpi_status",
    "monthly_trend",
    "plot_trend",
    "overdue_tasks",
    "headline_data",
    "title_html",
    "provenance",
]

FIGURES = (
    "tasks_due",
    "tasks_overdue",
    "delinquency_rate",
    "tasks_completed",
    "conversations",
    "talk_mean_min",
    "long_call_share",
    "leads",
    "won",
    "closed",
    "conversion",
    "sales_volume",
)
_CACHE: dict[tuple, Any] = {}
_FINGERPRINTS: dict[int, str] = {}  # id of the dataset last handed out -> its fingerprint


def apply_report_style() -> None:
    """Reset matplotlib to one explicit style, so no earlier notebook on the kernel leaks in."""
    plt.close("all")
    mpl.rcdefaults()
    mpl.rcParams.update(
        {
            "figure.figsize": (8.0, 3.2),
            "figure.dpi": 90,
            "savefig.dpi": 90,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


def _stat_key(path: Path) -> tuple:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


def load_report_dataset(data: str, *, mapping: str = "", tz: str = "UTC") -> Any:
    """Load ``data`` (:func:`workbench.loading.load_dataset`), reusing a parse of unchanged files.

    The runner renders many managers on one kernel; parsing the CSVs once per kernel is
    what keeps a report under a second. The key holds every file's path, mtime and size,
    and the caller gets a deep copy, so nothing one report does reaches the next.
    """
    from workbench.loading import load_dataset

    source = Path(data).resolve()
    mapping_key = _stat_key(Path(mapping)) if mapping and Path(mapping).exists() else mapping
    key = (_stat_key(source), mapping_key, tz)
    if key not in _CACHE:
        _CACHE.clear()
        loaded = load_dataset(source, mapping=mapping or None, tz=tz)
        _CACHE[key] = (loaded, dataset_fingerprint(loaded)[:16])
    loaded, fingerprint = _CACHE[key]
    _FINGERPRINTS.clear()
    dataset = copy.deepcopy(loaded)
    _FINGERPRINTS[id(dataset)] = fingerprint
    return dataset


def report_window(period_start: str, period_end: str, *, tz: str) -> tuple[pd.Timestamp, ...]:
    """Return ``(start, end)``: the half-open window of the inclusive ISO dates, in ``tz``."""
    start = pd.Timestamp(period_start).tz_localize(tz)
    end = (pd.Timestamp(period_end) + pd.Timedelta(days=1)).tz_localize(tz)
    if end <= start:
        raise ValueError(f"period_end {period_end} is before period_start {period_start}")
    return start, end


def _data_end(ds: Any) -> pd.Timestamp:
    cols = {
        "tasks": ["created_at", "completed_at"],
        "calls": ["started_at"],
        "deals": ["created_at", "closed_at"],
    }
    ends = [getattr(ds, t)[c].max() for t, cs in cols.items() for c in cs]
    return max(e for e in ends if pd.notna(e))


def resolve_as_of(ds: Any, as_of: str, *, tz: str) -> pd.Timestamp:
    """``as_of`` as an instant in ``tz``; ``""`` means the last timestamp in the data."""
    if not as_of:
        return _data_end(ds).tz_convert(tz)
    ts = pd.Timestamp(as_of)
    return ts.tz_localize(tz) if ts.tzinfo is None else ts.tz_convert(tz)


def check_manager(ds: Any, manager: str) -> None:
    """Raise ``LookupError`` when ``manager`` has no row in tasks, calls or deals."""
    if not any((getattr(ds, t)["manager"] == manager).any() for t in ("tasks", "calls", "deals")):
        raise LookupError(f"manager {manager!r} has no rows in tasks, calls or deals")


def _in(ts: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    return (ts >= start) & (ts < end)


def department_figures(
    ds: Any,
    *,
    start: pd.Timestamp,
    end: pd.Timestamp,
    as_of: pd.Timestamp,
    conversation_s: float = 60,
    long_call_s: float = 1200,
) -> pd.DataFrame:
    """One row per manager (index ``manager``) with the :data:`FIGURES` of the window."""
    t = ds.tasks
    due = t.loc[_in(t["due_at"], start, end) & (t["status"] != "cancelled")]
    done_by = due["completed_at"].where(due["completed_at"] <= as_of)
    late = due["due_at"] < done_by.fillna(as_of)
    completed = t.loc[_in(t["completed_at"], start, min(end, as_of + pd.Timedelta(1, "us")))]
    c = ds.calls
    conv = c.loc[_in(c["started_at"], start, end) & (c["duration_s"] >= conversation_s)]
    d = ds.deals
    closed = d.loc[_in(d["closed_at"], start, end) & d["outcome"].isin(["won", "lost"])]
    won = closed.loc[closed["outcome"] == "won"]
    out = pd.DataFrame(
        {
            "tasks_due": due.groupby("manager").size(),
            "tasks_overdue": late.groupby(due["manager"]).sum(),
            "tasks_completed": completed.groupby("manager").size(),
            "conversations": conv.groupby("manager").size(),
            "talk_mean_min": conv.groupby("manager")["duration_s"].mean() / 60,
            "long_call_share": (conv["duration_s"] >= long_call_s).groupby(conv["manager"]).mean(),
            "leads": d.loc[_in(d["created_at"], start, end)].groupby("manager").size(),
            "won": won.groupby("manager").size(),
            "closed": closed.groupby("manager").size(),
            "sales_volume": won.groupby("manager")["amount"].sum(),
        },
        index=pd.Index(sorted(ds.managers), name="manager"),
    )
    counts = ["tasks_due", "tasks_overdue", "tasks_completed", "conversations"]
    counts += ["leads", "won", "closed", "sales_volume"]
    out[counts] = out[counts].fillna(0)
    out["delinquency_rate"] = out["tasks_overdue"] / out["tasks_due"].where(out["tasks_due"] > 0)
    out["conversion"] = out["won"] / out["closed"].where(out["closed"] > 0)
    return out.loc[:, list(FIGURES)].astype("float64")


def manager_vs_team(figures: pd.DataFrame, manager: str) -> pd.DataFrame:
    """The manager's figures beside the median of the OTHER managers (anonymous)."""
    others = figures.drop(index=manager)
    return pd.DataFrame(
        {"you": figures.loc[manager], "team median (others)": others.median()},
        index=pd.Index(FIGURES, name="figure"),
    )


def kpi_status(targets: pd.DataFrame, figures: pd.DataFrame, manager: str, *, at: pd.Timestamp):
    """KPI targets in force for ``manager`` at instant ``at``, with the actual value and status.

    A manager-specific row overrides the ``*`` row of the same metric. ``met`` is NaN when the
    figure is missing or not computed by this report.
    """
    live = targets.loc[
        targets["manager"].isin([manager, ALL_MANAGERS])
        & (targets["effective_from"] <= at)
        & (targets["effective_to"].isna() | (at < targets["effective_to"]))
    ]
    live = live.assign(own=live["manager"] != ALL_MANAGERS).sort_values(["metric", "own"])
    live = live.drop_duplicates("metric", keep="last")
    row = figures.loc[manager]
    actual = live["metric"].map(lambda m: row.get(m, np.nan)).astype("float64")
    met = np.where(
        live["direction"] == "at_most", actual <= live["target"], actual >= live["target"]
    )
    return pd.DataFrame(
        {
            "metric": live["metric"].to_numpy(),
            "target": live["target"].to_numpy(dtype="float64"),
            "direction": live["direction"].to_numpy(),
            "actual": actual.to_numpy(),
            "met": pd.array(np.where(actual.isna(), None, met), dtype="boolean"),
        }
    )


def monthly_trend(ds: Any, manager: str, *, end: pd.Timestamp, as_of, months: int = 6, **kw):
    """Delinquency and talk time per month for the ``months`` months before ``end``."""
    rows = []
    first = (end - pd.Timedelta(days=1)).normalize().replace(day=1)
    for k in range(months - 1, -1, -1):
        s = first - pd.DateOffset(months=k)
        f = department_figures(ds, start=s, end=s + pd.DateOffset(months=1), as_of=as_of, **kw)
        mine = manager_vs_team(f, manager)
        for fig in ("delinquency_rate", "talk_mean_min"):
            rows.append({"month": s, "figure": fig, **mine.loc[fig].to_dict()})
    return pd.DataFrame(rows)


def plot_trend(trend: pd.DataFrame, *, axes=None):
    """Two panels (delinquency %, talk minutes): the manager against the team median."""
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    labels = {
        "delinquency_rate": ("Overdue share of due tasks", 100, "%"),
        "talk_mean_min": ("Mean conversation length", 1, "min"),
    }
    for ax, (fig, (title, scale, unit)) in zip(axes, labels.items(), strict=True):
        part = trend.loc[trend["figure"] == fig]
        x = part["month"].dt.strftime("%Y-%m")
        ax.plot(x, part["you"] * scale, marker="o", label="you")
        ax.plot(x, part["team median (others)"] * scale, ls="--", label="team median")
        ax.set(title=title, ylabel=unit)
        ax.tick_params(axis="x", labelrotation=45)
        ax.legend()
    return axes


def overdue_tasks(ds: Any, manager: str, *, as_of: pd.Timestamp, limit: int = 10) -> pd.DataFrame:
    """The manager's open tasks past their deadline at ``as_of``, oldest deadline first."""
    t = ds.tasks
    done = t["completed_at"].notna() & (t["completed_at"] <= as_of)
    mask = (t["manager"] == manager) & (t["status"] != "cancelled") & ~done
    late = t.loc[mask & (t["due_at"] < as_of) & (t["created_at"] <= as_of)]
    late = late.sort_values("due_at").head(limit)
    days = (as_of - late["due_at"]).dt.total_seconds() / 86400
    return pd.DataFrame(
        {
            "due": late["due_at"].dt.strftime("%Y-%m-%d"),
            "days late": days.round(1),
            "description": late["description"].fillna(""),
        }
    ).reset_index(drop=True)


def headline_data(figures: pd.DataFrame, kpis: pd.DataFrame, manager: str) -> dict:
    """The JSON the runner reads for the index page: key figures, KPI status, sentences."""
    row = figures.loc[manager]

    def num(v):
        return None if pd.isna(v) else round(float(v), 4)

    kpi = {
        r.metric: {
            "target": r.target,
            "direction": r.direction,
            "met": None if pd.isna(r.met) else bool(r.met),
        }
        for r in kpis.itertuples()
    }
    sentences = []
    if pd.notna(row["delinquency_rate"]):
        sentences.append(f"{row['delinquency_rate']:.0%} of due tasks were overdue.")
    if pd.notna(row["talk_mean_min"]):
        sentences.append(f"Mean conversation lasted {row['talk_mean_min']:.1f} min.")
    sentences.append(f"{row['leads']:.0f} new leads, {row['won']:.0f} deals won.")
    return {
        "manager": manager,
        **{k: num(row[k]) for k in ("delinquency_rate", "talk_mean_min", "leads", "won")},
        "sales_volume": num(row["sales_volume"]),
        "conversion": num(row["conversion"]),
        "kpi_delinquency": kpi.get("delinquency_rate"),
        "kpi_talk": kpi.get("talk_mean_min"),
        "kpis": kpi,
        "headlines": sentences,
    }


def title_html(manager: str, period_start: str, period_end: str):
    """The report heading as HTML, with the CRM-supplied name escaped."""
    from IPython.display import HTML

    return HTML(
        f"<h1>{html.escape(manager)}</h1>"
        f"<p>Period {html.escape(period_start)} to {html.escape(period_end)}</p>"
    )


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "none"
    return out.stdout.strip() or "none"


def provenance(ds: Any, params: dict[str, Any]) -> pd.DataFrame:
    """Where the report's numbers come from: fingerprints, version, commit, parameters, time.

    The dataset fingerprint is the one of the data as loaded (computed once per kernel by
    :func:`load_report_dataset`); the manager's is over their own rows and targets.
    """
    return pd.DataFrame(
        {
            "value": [
                manager_fingerprint(ds, params["manager"])[:16],
                _FINGERPRINTS.get(id(ds)) or dataset_fingerprint(ds)[:16],
                workbench.__version__,
                _git_commit(),
                json.dumps(params, sort_keys=True, ensure_ascii=False),
                datetime.now(UTC).isoformat(timespec="seconds"),
            ]
        },
        index=pd.Index(
            [
                "manager's input fingerprint",
                "dataset fingerprint",
                "workbench version",
                "git commit",
                "parameters",
                "rendered at (UTC)",
            ],
            name="provenance",
        ),
    )
