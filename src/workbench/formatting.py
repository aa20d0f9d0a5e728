"""How a metric's value reads: its label, its unit and its display text, in one place.

Plots, the manager report, the KPI table and the index page all print figures; they take
the words and formats from here so that "17%", "22.1 min" and "21,445" look the same
everywhere. A metric's label, kind and better direction come from its definition in
:func:`workbench.catalogue.catalogue`; this module only turns a kind into unit text and
display format.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from workbench.catalogue import catalogue

__all__ = [
    "UNITS",
    "capitalized",
    "figure_with_unit",
    "format_figure",
    "metric_better",
    "metric_kind",
    "metric_label",
    "metric_name",
    "window_words",
]

#: kind -> unit text of an axis label ("" = no unit is shown).
UNITS = {
    "count": "count",
    "rate": "%",
    "money": "amount, thousands",
    "minutes": "min",
    "seconds": "s",
    "days": "days",
    "bool": "yes/no",
    "label": "",
    "value": "value",
}
# kinds whose display text does not say its unit, and the unit a sentence adds after it
_SPOKEN_UNITS = {"minutes": "min", "seconds": "s", "days": "days"}


def metric_kind(metric: str) -> str:
    """The metric's kind (see ``workbench.metrics.definition.KINDS``); for a column the
    catalogue does not define, "rate" when its name says so, else "value"."""
    d = catalogue().get(metric)
    if d is not None:
        return d.kind
    if metric.endswith(("_rate", "_share", "conversion")):
        return "rate"
    return "value"


def metric_name(metric: str) -> str:
    """The metric's label in plain words, e.g. "Overdue share of tasks due"; for a column
    the catalogue does not label, its name with spaces."""
    d = catalogue().get(metric)
    if d is not None and d.label:
        return d.label
    return metric.replace("_", " ").capitalize()


def metric_label(metric: str) -> str:
    """Label with its unit, e.g. "Overdue share of tasks due (%)" (an axis label)."""
    unit = UNITS[metric_kind(metric)]
    return f"{metric_name(metric)} ({unit})" if unit else metric_name(metric)


def metric_better(metric: str) -> str | None:
    """Which way the metric is better: "lower", "higher" or None (neither, or undefined)."""
    d = catalogue().get(metric)
    return None if d is None else d.better


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


def figure_with_unit(metric: str, value: Any) -> str:
    """:func:`format_figure` with the unit a sentence needs: "22.1 min", "3.0 days"; rates,
    counts and money read without one."""
    text = format_figure(metric, value)
    unit = _SPOKEN_UNITS.get(metric_kind(metric))
    return f"{text} {unit}" if unit and text != "–" else text


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
