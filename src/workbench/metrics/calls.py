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
from workbench.i18n import N_
from workbench.metrics.definition import from_rows
from workbench.metrics.grid import make_grid, safe_ratio

__all__ = ["CALL_COLUMNS", "call_metrics"]

# The words a manager reads (translated where shown; docs/metrics.md maps them to columns).
_C = N_("The manager's calls, inbound and outbound")
_CONN = N_(
    "The manager's connected calls: answered and longer than 0 s (when the export does not "
    "say whether calls were answered, every call longer than 0 s counts as answered)"
)
_STARTED = N_("When the call started")
_NOT_CONNECTED = N_("Unanswered calls and calls of 0 s")
_CONNECTED = N_("Connected calls")
_CALLS = N_("calls")
_SECONDS = N_("seconds")
_CALL_ROWS = [
    ("dials", _C, _STARTED, N_("All calls started in the period, inbound and outbound, "
     "answered or not"), "-", N_("Nothing"), _CALLS, N_("Every call attempt.")),
    ("connected", _C, _STARTED, N_("Calls answered and longer than 0 s (when the export "
     "does not say whether calls were answered: every call longer than 0 s)"), "-",
     _NOT_CONNECTED, _CALLS, N_("Calls in which someone talked.")),
    ("conversations", _C, _STARTED, N_("Connected calls lasting 60 s or more"), "-",
     N_("Unanswered calls and connected calls shorter than 60 s"), _CALLS,
     N_("Calls long enough to be a real conversation.")),
    ("missed_inbound", _C, _STARTED, N_("Inbound calls nobody answered (when the "
     "export does not say whether calls were answered: inbound calls of 0 s)"), "-",
     N_("Outbound calls"), _CALLS, N_("Customers who called and got no answer.")),
    ("zero_length", _C, _STARTED, N_("Calls lasting 0 s"), "-", N_("Nothing"), _CALLS,
     N_("Calls of zero length: dropped, voicemail or misdialled.")),
    ("talk_time_total_s", _CONN, _STARTED, N_("Total length of the connected calls, in "
     "seconds"), "-", _NOT_CONNECTED, _SECONDS, N_("Total talk time.")),
    ("talk_mean_s", _CONN, _STARTED, N_("Total length of the connected calls, in seconds"),
     N_("Number of connected calls"), _NOT_CONNECTED, _SECONDS,
     N_("Average length of a connected call, in seconds.")),
    ("talk_median_s", _CONN, _STARTED, N_("The middle length of the connected calls, in "
     "seconds: half of the calls were shorter, half longer"), "-", _NOT_CONNECTED, _SECONDS,
     N_("Length of a typical connected call.")),
    ("talk_p90_s", _CONN, _STARTED, N_("The length, in seconds, that 90% of the connected "
     "calls do not exceed (interpolated between the two nearest calls)"), "-",
     _NOT_CONNECTED, _SECONDS, N_("Length of the longest tenth of the connected calls.")),
    ("talk_mean_min", _CONN, _STARTED, N_("Total length of the connected calls, in minutes"),
     N_("Number of connected calls"), _NOT_CONNECTED, N_("minutes"),
     N_("Average length of a connected call in minutes, the unit of call-length KPI "
        "targets.")),
    ("long_call_share", _CONN, _STARTED, N_("Connected calls longer than 20 min"), _CONNECTED,
     _NOT_CONNECTED, N_("share, in %"), N_("Share of connected calls longer than 20 min.")),
]  # fmt: skip

# name: (label, kind, better). Call length has no better direction in itself (a long call
# may be a good call); "lower" follows the department's call-length KPI (at most N minutes)
# and is read relative to the team's norm. Zero-length calls are noise, not performance.
_CALL_READING = {
    "dials": (N_("Dials"), "count", "higher"),
    "connected": (_CONNECTED, "count", "higher"),
    "conversations": (N_("Conversations"), "count", "higher"),
    "missed_inbound": (N_("Missed inbound calls"), "count", "lower"),
    "zero_length": (N_("Zero-length calls"), "count", None),
    "talk_time_total_s": (N_("Total talk time"), "seconds", None),
    "talk_mean_s": (N_("Mean connected-call length"), "seconds", "lower"),
    "talk_median_s": (N_("Median connected-call length"), "seconds", "lower"),
    "talk_p90_s": (N_("90th-percentile connected-call length"), "seconds", "lower"),
    "talk_mean_min": (N_("Mean connected-call length"), "minutes", "lower"),
    "long_call_share": (N_("Share of long calls"), "rate", "lower"),
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
