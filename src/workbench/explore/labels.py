"""What the explorer offers and how its figures read: the metric menu, units, period labels.

One unit per concept: every duration is shown in minutes (the catalogue's call lengths in
seconds are divided by 60), every share in percent and money in thousands, so the menu
never offers the same kind of figure in two units, and the chart and the table of a view
always use the same one. Labels come from the metric catalogue through
:mod:`workbench.formatting`, in the current language (:mod:`workbench.i18n`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import pandas as pd
from babel.dates import format_date

from workbench.formatting import format_figure, metric_kind, metric_name, unit_text
from workbench.i18n import N_, _, language, month_year, number, percent

__all__ = [
    "METRICS",
    "MEDIAN_LABEL",
    "figure_text",
    "metric_options",
    "metric_title",
    "period_axis_labels",
    "period_labels",
    "period_word",
    "scale",
    "shown_kind",
    "tick_text",
]

#: Metrics the explorer offers, in its order (catalogue names; columns of the manager panel).
METRICS: tuple[str, ...] = (
    "delinquency_rate",
    "tasks_new",
    "tasks_completed",
    "tasks_overdue",
    "on_time_rate",
    "dials",
    "connected",
    "conversations",
    "talk_mean_min",
    "talk_median_s",
    "talk_p90_s",
    "leads",
    "won",
    "conversion",
    "sales_volume",
)

#: The dashed line of the chart and the last column of the table.
MEDIAN_LABEL = N_("Median of all managers")

# kind as stored -> (kind as shown, factor): seconds read as minutes, money in thousands
_SHOWN = {"seconds": ("minutes", 1 / 60), "money": ("money", 1 / 1000)}


def shown_kind(metric: str) -> str:
    """The kind of value the explorer shows for ``metric`` ("minutes" for seconds)."""
    kind = metric_kind(metric)
    return _SHOWN.get(kind, (kind, 1.0))[0]


def scale(metric: str) -> float:
    """What the stored value is multiplied by to read in the shown unit (1/60 for seconds)."""
    return _SHOWN.get(metric_kind(metric), ("", 1.0))[1]


def metric_title(metric: str) -> str:
    """The metric's label with the unit the explorer shows: "Median connected-call length
    (min)" for ``talk_median_s``; the catalogue's words in the current language."""
    unit = unit_text(shown_kind(metric))
    return f"{metric_name(metric)} ({unit})" if unit else metric_name(metric)


def metric_options(metrics: Sequence[str] = METRICS) -> list[tuple[str, str]]:
    """The metric menu: (label with unit, metric) pairs, in the current language."""
    return [(metric_title(m), m) for m in metrics]


def figure_text(metric: str, value: float) -> str:
    """A value already in the shown unit (see :func:`scale`) as the table shows it: "57%",
    "20", "8.6" (minutes), "17.2" (thousands); "–" when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if shown_kind(metric) == "money":  # thousands, as on the chart's axis
        return number(value, 1)
    return format_figure(metric, value)  # minutes (from seconds too) to one decimal


def tick_text(kind: str, value: float, step: float) -> str:
    """A tick of the value axis: percent for shares, else a number with as many decimals as
    the distance between ticks needs; in the current language's marks."""
    if kind == "rate":
        return percent(value, max(0, -math.floor(math.log10(100 * step))) if step else 0)
    digits = max(0, -math.floor(math.log10(step))) if step and step < 1 else 0
    return number(value, digits)


def _locale() -> str:
    return "en_US" if language() == "en" else language()


def period_word(weekly: bool) -> str:
    """The period's name as an axis or column title: "Month", "Week (starting Monday)"."""
    return _("Week (starting Monday)") if weekly else _("Month")


def period_labels(starts: pd.DatetimeIndex | Sequence[dt.date], weekly: bool) -> list[str]:
    """Rows of the table: "Nov 2025" per month, "5 Jan 2026" per week."""
    days = [pd.Timestamp(s).date() for s in starts]
    if weekly:
        return [format_date(d, "d MMM y", locale=_locale()) for d in days]
    return [month_year(d, short=True) for d in days]


def period_axis_labels(starts: Sequence[pd.Timestamp], weekly: bool) -> list[str]:
    """Ticks of the time axis on two lines: the month ("Nov", or "5 Jan" per week) over the
    year, which is written only on the first tick and where it changes."""
    out, year = [], None
    for start in starts:
        d = pd.Timestamp(start).date()
        text = format_date(d, "d MMM" if weekly else "LLL", locale=_locale())
        if d.year != year:
            text, year = f"{text}\n{d.year}", d.year
        out.append(text)
    return out
