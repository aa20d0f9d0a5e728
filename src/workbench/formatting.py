"""How a metric's value reads: its label, its unit and its display text, in one place.

Plots, the manager report, the KPI table and the index page all print figures; they take
the words and formats from here so that "17%", "22.1 min" and "21,445" look the same
everywhere.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = [
    "METRIC_INFO",
    "UNITS",
    "capitalized",
    "format_figure",
    "metric_kind",
    "metric_label",
    "window_words",
]

# metric column -> (axis label, kind); kind picks the unit and the tick format.
METRIC_INFO = {
    "tasks_new": ("Tasks created", "count"),
    "tasks_completed": ("Tasks completed", "count"),
    "tasks_due": ("Tasks due", "count"),
    "tasks_overdue": ("Tasks overdue", "count"),
    "open_overdue_at_end": ("Open overdue tasks at period end", "count"),
    "tasks_in_work_at_end": ("Tasks in work at period end", "count"),
    "delinquency_rate": ("Overdue share of tasks due", "rate"),
    "on_time_rate": ("On-time share of tasks due", "rate"),
    "overdue_share_in_work": ("Overdue share of tasks in work", "rate"),
    "lateness_median_days": ("Median lateness", "days"),
    "lateness_p90_days": ("90th-percentile lateness", "days"),
    "dials": ("Dials", "count"),
    "connected": ("Connected calls", "count"),
    "conversations": ("Conversations", "count"),
    "missed_inbound": ("Missed inbound calls", "count"),
    "talk_mean_min": ("Mean connected-call length", "minutes"),
    "talk_mean_s": ("Mean connected-call length", "seconds"),
    "talk_median_s": ("Median connected-call length", "seconds"),
    "talk_p90_s": ("90th-percentile connected-call length", "seconds"),
    "long_call_share": ("Share of long calls", "rate"),
    "leads": ("Leads handled", "count"),
    "won": ("Deals won", "count"),
    "lost": ("Deals lost", "count"),
    "closed": ("Deals closed", "count"),
    "conversion": ("Conversion (won / closed)", "rate"),
    "cohort_conversion": ("Cohort conversion", "rate"),
    "sales_volume": ("Sales volume", "money"),
    "avg_deal": ("Average deal", "money"),
}
UNITS = {
    "count": "count",
    "rate": "%",
    "money": "amount, thousands",
    "minutes": "min",
    "seconds": "s",
    "days": "days",
    "value": "value",
}


def metric_kind(metric: str) -> str:
    """The metric's kind: count, rate, money, minutes, seconds, days or value."""
    if metric in METRIC_INFO:
        return METRIC_INFO[metric][1]
    if metric.endswith(("_rate", "_share", "conversion")):
        return "rate"
    return "value"


def metric_label(metric: str) -> str:
    """Label with its unit, e.g. "Overdue share of tasks due (%)"."""
    name = METRIC_INFO.get(metric, (metric.replace("_", " ").capitalize(), ""))[0]
    return f"{name} ({UNITS[metric_kind(metric)]})"


def format_figure(metric: str, value: Any, *, rate_digits: int = 0) -> str:
    """A value as shown to people: rates in percent, money and counts with thousands
    separators, minutes and other values to one decimal; "–" when there is no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    kind = metric_kind(metric)
    if kind == "rate":
        return f"{value:.{rate_digits}%}"
    if kind == "money":
        return f"{value:,.0f}"
    if kind == "count":
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{value:,.1f}"


def window_words(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """A window ``[start, end)`` of whole months in words: "October 2026" or
    "Sep 2026 to Oct 2026"."""
    last = end - pd.Timedelta(days=1)
    if (start.year, start.month) == (last.year, last.month):
        return start.strftime("%B %Y")
    return f"{start:%b %Y} to {last:%b %Y}"


def capitalized(text: str) -> str:
    """First letter upper-case, the rest untouched (``str.capitalize`` lowers names)."""
    return text[:1].upper() + text[1:]
