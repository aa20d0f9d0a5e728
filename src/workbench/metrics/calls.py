"""Call metrics per manager x period: dials, connections, conversations, talk time.

Every column is defined in :mod:`workbench.catalogue`. Talk-time statistics are over
connected calls only (answered and longer than 0 s): a zero-length call is counted in
``dials`` and ``zero_length`` and would otherwise drag every mean towards zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import require_columns
from workbench.metrics.definition import from_rows
from workbench.metrics.grid import make_grid, safe_ratio

__all__ = ["CALL_COLUMNS", "call_metrics"]

_C = "calls of the manager started in the period (started_at)"
_CONN = "connected calls (answered and duration_s > 0)"
_CALL_ROWS = [
    ("dials", _C, "started_at", "all calls, inbound and outbound", "-", "none", "calls",
     "Every call attempt."),
    ("connected", _C, "started_at", _CONN, "-", "unanswered or zero-length calls", "calls",
     "Calls where someone talked; answered missing = duration_s > 0."),
    ("conversations", _C, "started_at", "connected calls with duration_s >= conversation_s "
     "(default 60 s)", "-", "shorter connected calls", "calls", "Calls long enough to be a "
     "real conversation."),
    ("missed_inbound", _C, "started_at", "inbound calls not answered", "-", "outbound calls",
     "calls", "Customers who called and got no answer."),
    ("zero_length", _C, "started_at", "calls with duration_s == 0", "-", "none", "calls",
     "Zero-length calls (dropped, voicemail, misdials)."),
    ("talk_time_total_s", _CONN, "started_at", "sum of duration_s", "-", "not connected",
     "seconds", "Total talk time."),
    ("talk_mean_s", _CONN, "started_at", "talk_time_total_s", "connected", "not connected",
     "seconds", "Mean talk time of a connected call."),
    ("talk_median_s", _CONN, "started_at", "median of duration_s", "-", "not connected",
     "seconds", "Median talk time of a connected call."),
    ("talk_p90_s", _CONN, "started_at", "90th percentile (linear interpolation) of "
     "duration_s", "-", "not connected", "seconds", "Talk time of the longest tenth."),
    ("talk_mean_min", _CONN, "started_at", "talk_mean_s / 60", "-", "not connected",
     "minutes", "Mean talk time in minutes (the unit of KPI targets)."),
    ("long_call_share", _CONN, "started_at", "connected calls with duration_s > long_call_s "
     "(default 1200 s)", "connected", "not connected", "fraction 0..1",
     "Share of connected calls longer than the long-call threshold."),
]  # fmt: skip

# name: (label, kind, better). Call length has no better direction in itself (a long call
# may be a good call); "lower" follows the department's call-length KPI (at most N minutes)
# and is read relative to the team's norm. Zero-length calls are noise, not performance.
_CALL_READING = {
    "dials": ("Dials", "count", "higher"),
    "connected": ("Connected calls", "count", "higher"),
    "conversations": ("Conversations", "count", "higher"),
    "missed_inbound": ("Missed inbound calls", "count", "lower"),
    "zero_length": ("Zero-length calls", "count", None),
    "talk_time_total_s": ("Total talk time", "seconds", None),
    "talk_mean_s": ("Mean connected-call length", "seconds", "lower"),
    "talk_median_s": ("Median connected-call length", "seconds", "lower"),
    "talk_p90_s": ("90th-percentile connected-call length", "seconds", "lower"),
    "talk_mean_min": ("Mean connected-call length", "minutes", "lower"),
    "long_call_share": ("Share of long calls", "rate", "lower"),
}
_CALL_POOLING = {
    "talk_mean_s": (("talk_time_total_s", ("connected",)), 1.0),
    "talk_mean_min": (("talk_time_total_s", ("connected",)), 1 / 60),
}

DEFINITIONS = from_rows(_CALL_ROWS, _CALL_READING, _CALL_POOLING)


CALL_COLUMNS = (
    "dials",
    "connected",
    "conversations",
    "missed_inbound",
    "zero_length",
    "talk_time_total_s",
    "talk_mean_s",
    "talk_median_s",
    "talk_p90_s",
    "talk_mean_min",
    "long_call_share",
)


def call_metrics(
    calls: pd.DataFrame,
    *,
    period: str = "month",
    tz: str = "UTC",
    start=None,
    end=None,
    managers: Sequence[str] | None = None,
    conversation_s: float = 60,
    long_call_s: float = 1200,
) -> pd.DataFrame:
    """Call metrics, one row per manager x period (columns: ``CALL_COLUMNS``).

    Parameters
    ----------
    calls : canonical calls table (see :mod:`workbench.data.schema`); without ``answered``, a
        call counts as answered when ``duration_s > 0``.
    period : ``"week"`` (Monday start) or ``"month"``, in the business time zone ``tz``.
    tz : business time zone of the period buckets.
    start, end : first and last period reported; default = the span of ``started_at``.
    managers : managers that get rows even with no calls (added to those in the data).
    conversation_s : a connected call at least this long is a conversation.
    long_call_s : a connected call longer than this is a long call.

    Returns
    -------
    DataFrame with ``manager``, ``period`` and ``CALL_COLUMNS``; talk statistics are NaN
    for a manager-period without connected calls.
    """
    require_columns(
        calls,
        table="calls table",
        columns=["manager", "started_at", "duration_s", "direction"],
        not_null=["manager", "started_at", "duration_s"],
    )
    negative = (calls["duration_s"] < 0).to_numpy(dtype=bool)
    if negative.any():
        raise ValueError(
            f"calls table: column 'duration_s' is negative in {int(negative.sum())} row(s), "
            f"first at row (index label) {calls.index[negative.argmax()]}"
        )
    grid = make_grid(
        [calls["manager"]],
        [calls["started_at"]],
        period=period,
        tz=tz,
        start=start,
        end=end,
        managers=managers,
    )
    cells = grid.cells(grid.manager_index(calls["manager"]), calls["started_at"], "started_at")
    duration = calls["duration_s"].to_numpy(dtype=np.float64, na_value=np.nan)
    positive = duration > 0
    if "answered" in calls.columns:
        answered = calls["answered"].fillna(False).to_numpy(dtype=bool)
    else:
        answered = positive
    connected = answered & positive
    inbound = (calls["direction"] == "inbound").to_numpy(dtype=bool)

    cols: dict[str, np.ndarray] = {}
    cols["dials"] = grid.count(cells)
    cols["connected"] = grid.count(cells, connected)
    cols["conversations"] = grid.count(cells, connected & (duration >= conversation_s))
    cols["missed_inbound"] = grid.count(cells, inbound & ~answered)
    cols["zero_length"] = grid.count(cells, duration == 0)
    cols["talk_time_total_s"] = grid.sum(cells, np.where(connected, duration, 0.0), connected)
    cols["talk_mean_s"] = safe_ratio(cols["talk_time_total_s"], cols["connected"])
    long_calls = grid.count(cells, connected & (duration > long_call_s))
    cols["long_call_share"] = safe_ratio(long_calls, cols["connected"])
    cols["talk_median_s"], cols["talk_p90_s"] = grid.quantiles(
        cells, duration, [0.5, 0.9], mask=connected
    )
    cols["talk_mean_min"] = cols["talk_mean_s"] / 60
    return grid.frame({name: cols[name] for name in CALL_COLUMNS})
