"""KPI attainment: did each manager meet the target in force, period by period.

A target row (see ``workbench.data.schema``, table ``targets``) applies to instants t with
``effective_from <= t < effective_to`` (``effective_to`` NaT = open-ended); a row for a named
manager overrides a ``*`` (all managers) row. A period is judged against the target in force
at the period START, so a KPI that changes mid-period takes effect from the next period;
such periods are flagged in ``target_step_in_period`` rather than hidden.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from workbench.data.check import unusable_targets
from workbench.data.schema import ALL_MANAGERS, TARGET_DIRECTIONS
from workbench.errors import require_columns
from workbench.i18n import N_
from workbench.metrics.calls import DEFINITIONS as _CALL_DEFINITIONS
from workbench.metrics.deals import DEFINITIONS as _DEAL_DEFINITIONS
from workbench.metrics.definition import Definition
from workbench.metrics.tasks import DEFINITIONS as _TASK_DEFINITIONS

__all__ = ["KPI_METRICS", "PERIOD_OFFSETS", "kpi_attainment", "usable_targets"]

#: The metrics a target may name: the metric columns of the manager panel
#: (:func:`workbench.metrics.panel.manager_panel`), which the KPI check reads.
KPI_METRICS: tuple[str, ...] = tuple(
    d.name for defs in (_TASK_DEFINITIONS, _CALL_DEFINITIONS, _DEAL_DEFINITIONS) for d in defs
)

PERIOD_OFFSETS = {"month": pd.DateOffset(months=1), "week": pd.DateOffset(weeks=1)}

# The words a manager reads (translated where shown; docs/metrics.md maps them to columns).
_POP = N_("The manager's periods with a KPI target in force at the start of the period")
_START = N_("The start of the period: the target in force then applies to the whole period")
DEFINITIONS = (
    Definition(
        "met",
        population=_POP,
        time_anchor=_START,
        numerator=N_(
            "Met when the figure is at or below the target (for an at-most target), or at or "
            "above it (for an at-least target)"
        ),
        exclusions=N_("No verdict when the figure is empty (for example, no task was due)"),
        unit=N_("yes/no"),
        description=N_("Whether the manager met the KPI in the period."),
        label=N_("KPI met"),
        kind="bool",
    ),
    Definition(
        "gap_to_target",
        population=_POP,
        time_anchor=_START,
        numerator=N_(
            "How far the figure is on the wrong side of the target: the figure minus the "
            "target for an at-most target, the target minus the figure for an at-least target"
        ),
        exclusions=N_("Empty when the figure is empty"),
        unit=N_("the figure's own unit"),
        description=N_(
            "Above zero: the KPI was missed by that much; zero or below: it was met with that "
            "margin."
        ),
        label=N_("Gap to the KPI target"),
        kind="value",
        better="lower",
    ),
    Definition(
        "target_step_in_period",
        population=_POP,
        time_anchor=N_("The period, strictly between its start and its end"),
        numerator=N_(
            "Yes when a target that applies to the manager (a personal one or the whole "
            "department's) starts or ends strictly inside the period"
        ),
        unit=N_("yes/no"),
        description=N_(
            "The KPI changed during the period; the period was judged on the target in force "
            "at its start."
        ),
        label=N_("KPI changed mid-period"),
        kind="bool",
    ),
    Definition(
        "kpi_periods_met",
        population=N_(
            "The periods of the span in which a target for the metric was in force at the "
            "period start, for the manager (a personal target, else the whole department's)"
        ),
        time_anchor=N_("The start of each period (see KPI met)"),
        numerator=N_("Periods in which the KPI was met"),
        denominator=N_("Periods with a target"),
        exclusions=N_(
            "A period without a figure (for example, no task due) counts among the periods "
            "with a target, as neither met nor missed"
        ),
        unit=N_("periods"),
        description=N_(
            "KPI attainment over the span, shown as periods met out of periods with a target."
        ),
        label=N_("Periods the KPI was met"),
        kind="count",
        better="higher",
    ),
)

_OUTPUT_COLUMNS = [
    "manager",
    "period",
    "metric",
    "target",
    "direction",
    "actual",
    "met",
    "gap_to_target",
    "target_scope",
    "target_from",
    "target_step_in_period",
]


def _in_tz(values: pd.Series, tz: str) -> pd.Series:
    """Timestamps in ``tz``: aware ones converted, naive ones read as ``tz`` local time."""
    ts = pd.to_datetime(values)
    if ts.dt.tz is None:
        return ts.dt.tz_localize(tz)
    return ts.dt.tz_convert(tz)


def _clean_targets(targets: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Validate the targets table; raise naming the row and column of the first bad value."""
    required = ["manager", "metric", "target", "direction", "effective_from"]
    require_columns(targets, required, table="targets")
    t = targets.copy()
    if "effective_to" not in t.columns:
        t["effective_to"] = pd.NaT
    t["target"] = pd.to_numeric(t["target"], errors="coerce")
    t["effective_from"] = _in_tz(t["effective_from"], tz)
    t["effective_to"] = _in_tz(t["effective_to"], tz)
    checks = [
        ("direction", ~t["direction"].isin(TARGET_DIRECTIONS), f"not one of {TARGET_DIRECTIONS}"),
        ("target", t["target"].isna(), "not a number"),
        ("effective_from", t["effective_from"].isna(), "missing"),
        ("manager", t["manager"].isna(), "missing"),
        ("metric", t["metric"].isna(), "missing"),
        ("effective_to", t["effective_to"] <= t["effective_from"], "not after effective_from"),
    ]
    for column, bad, problem in checks:
        if bad.any():
            row = bad.idxmax()
            raise ValueError(
                f"targets row {row!r}, column {column!r}: {targets.loc[row, column]!r} is "
                f"{problem} ({int(bad.sum())} such row(s))"
            )
    # two rows of the same scope in force at once would make the target ambiguous
    t = t.sort_values(["manager", "metric", "effective_from"])
    nxt_from = t.groupby(["manager", "metric"])["effective_from"].shift(-1)
    nxt_row = pd.Series(t.index, index=t.index).groupby([t["manager"], t["metric"]]).shift(-1)
    overlap = nxt_from.notna() & (t["effective_to"].isna() | (nxt_from < t["effective_to"]))
    if overlap.any():
        row = overlap.idxmax()
        raise ValueError(
            f"targets rows {row!r} and {nxt_row[row]!r} overlap: both set {t.loc[row, 'metric']!r} "
            f"for manager {t.loc[row, 'manager']!r} at {nxt_from[row]}"
        )
    return t


def _check_period_starts(periods: pd.Series, period: str) -> None:
    midnight = periods.dt.normalize() == periods
    start = periods.dt.day == 1 if period == "month" else periods.dt.day_of_week == 0
    bad = periods.notna() & ~(midnight & start)
    if bad.any():
        row = bad.idxmax()
        raise ValueError(
            f"panel row {row!r}, column 'period': {periods[row]} is not the start of a "
            f"{period}; pass the matching period= ('month' or 'week')"
        )


def kpi_attainment(
    panel: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    period: str = "month",
    tz: str = "UTC",
    tol: float = 1e-9,
) -> pd.DataFrame:
    """Compare each manager x period x KPI metric with the target in force at the period start.

    Parameters
    ----------
    panel : DataFrame
        Metric panel: ``manager``, ``period`` (period start) and one column per metric named
        by ``targets.metric``.
    targets : DataFrame
        The canonical targets table (``workbench.data.schema``).
    period : {"month", "week"}
        Length of the panel's periods (weeks start on Monday); used to check the period
        starts and to find target steps inside a period.
    tz : str
        Business time zone in which periods start.
    tol : float
        A gap up to ``tol`` still counts as met, so that 27.000000000000004 minutes meets a
        27-minute target (float rounding, not performance).

    Returns
    -------
    DataFrame
        ``manager``, ``period``, ``metric``, ``target``, ``direction``, ``actual``, ``met``
        (nullable bool, NA when actual is NaN), ``gap_to_target`` (positive = worse than the
        target), ``target_scope`` (``personal`` / ``team``), ``target_from`` (effective_from
        of the applied row), ``target_step_in_period``. Periods without a target in force do
        not appear.

    Raises
    ------
    KeyError
        When the panel lacks a metric the targets name, or required columns are missing.
    ValueError
        On a bad targets row (named) or overlapping target rows of the same scope.
    """
    if period not in PERIOD_OFFSETS:
        raise ValueError(f"period must be one of {list(PERIOD_OFFSETS)}, got {period!r}")
    require_columns(panel, ["manager", "period"], table="panel")
    t = _clean_targets(targets, tz)
    metrics = list(dict.fromkeys(t["metric"]))
    missing = [m for m in metrics if m not in panel.columns]
    if missing:
        raise KeyError(
            f"targets name metric(s) {missing} that the panel lacks; pass a panel with these "
            "columns or filter the targets"
        )
    periods = _in_tz(panel["period"], tz)
    _check_period_starts(periods, period)

    long = (
        panel[["manager", *metrics]]
        .assign(period=periods)
        .melt(id_vars=["manager", "period"], var_name="metric", value_name="actual")
    )
    long["actual"] = long["actual"].astype("float64")
    rules = t.rename(columns={"manager": "scope"})
    cand = long.merge(rules, on="metric")
    applies = (cand["scope"] == cand["manager"]) | (cand["scope"] == ALL_MANAGERS)
    cand = cand.loc[applies]
    period_end = cand["period"] + PERIOD_OFFSETS[period]

    starts_inside = (cand["effective_from"] > cand["period"]) & (
        cand["effective_from"] < period_end
    )
    ends_inside = (cand["effective_to"] > cand["period"]) & (cand["effective_to"] < period_end)
    keys = ["manager", "period", "metric"]
    step = (starts_inside | ends_inside).groupby([cand[k] for k in keys]).any()
    step = step.rename("target_step_in_period")

    in_force = (cand["effective_from"] <= cand["period"]) & (
        cand["effective_to"].isna() | (cand["period"] < cand["effective_to"])
    )
    cand = cand.loc[in_force].assign(personal=lambda d: d["scope"] != ALL_MANAGERS)
    # a personal row wins over '*'; overlaps within one scope were rejected above
    out = cand.sort_values("personal", ascending=False, kind="stable").drop_duplicates(keys)
    out = out.join(step, on=keys)

    at_most = out["direction"] == "at_most"
    gap = (out["actual"] - out["target"]).where(at_most, out["target"] - out["actual"])
    out = out.assign(
        gap_to_target=gap,
        met=(gap <= tol).astype("boolean").mask(out["actual"].isna()),
        target_scope=out["personal"].map({True: "personal", False: "team"}).astype("str"),
        target_from=out["effective_from"],
    )
    out = out[_OUTPUT_COLUMNS].sort_values(["metric", "manager", "period"], ignore_index=True)
    return out


def usable_targets(
    targets: pd.DataFrame, *, managers: Iterable[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The target rows the KPI check can judge, and the rows set aside with a reason.

    A row naming a metric outside :data:`KPI_METRICS` (``no_such_metric``, a misspelt
    ``delinquncy_rate``) or, when ``managers`` is given, a manager who is neither ``*`` nor
    one of ``managers`` is set aside (see
    :func:`workbench.data.check.unusable_targets`): one bad row would otherwise make
    :func:`kpi_attainment` fail every report. The set-aside rows belong in the data-health
    page, never in a manager's report (a misspelt name may be a colleague's).
    """
    aside = unusable_targets(targets, metrics=KPI_METRICS, managers=managers)
    return targets.drop(index=aside.index), aside
