"""How a metric's value reads: its label, its unit and its display text, in one place.

Plots, the manager report, the KPI table and the index page all print figures; they take
the words and formats from here so that "17%", "22.1 min" and "21,445" look the same
everywhere. A metric's label, kind and better direction come from its definition in
:func:`workbench.catalogue.catalogue`; this module only turns a kind into unit text and
display format.

Every word and number goes through :mod:`workbench.i18n`: labels are translated where they
are shown (``_(definition.label)``), and numbers, percentages and months take the current
language's marks ("17 %" and "22,1 мин" in Russian).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from workbench.catalogue import catalogue
from workbench.i18n import N_, _, month_year, number, percent

__all__ = [
    "UNITS",
    "capitalized",
    "figure_with_unit",
    "format_figure",
    "metric_better",
    "metric_kind",
    "metric_label",
    "metric_name",
    "unit_text",
    "window_words",
]

#: kind -> unit text of an axis label, in English ("" = no unit is shown); :func:`unit_text`
#: gives it in the current language.
UNITS = {
    "count": N_("count"),
    "rate": "%",
    "money": N_("amount, thousands"),
    "minutes": N_("min"),
    "seconds": N_("s"),
    "days": N_("days"),
    "bool": N_("yes/no"),
    "label": "",
    "value": N_("value"),
}
# kinds whose display text does not say its unit, and the unit a sentence adds after it
_SPOKEN_UNITS = {"minutes": N_("min"), "seconds": N_("s"), "days": N_("days")}


def unit_text(kind: str) -> str:
    """The unit of a kind of value in the current language ("min", "мин"; "" for none)."""
    unit = UNITS[kind]
    return _(unit) if unit and unit != "%" else unit


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
        return _(d.label)
    return metric.replace("_", " ").capitalize()


def metric_label(metric: str) -> str:
    """Label with its unit, e.g. "Overdue share of tasks due (%)" (an axis label)."""
    unit = unit_text(metric_kind(metric))
    return f"{metric_name(metric)} ({unit})" if unit else metric_name(metric)


def metric_better(metric: str) -> str | None:
    """Which way the metric is better: "lower", "higher" or None (neither, or undefined)."""
    d = catalogue().get(metric)
    return None if d is None else d.better


def format_figure(metric: str, value: Any, *, rate_digits: int = 0) -> str:
    """A value as shown to people: rates in percent, money and counts with thousands
    separators, minutes and other values to one decimal; "–" when there is no value. The
    marks are the current language's ("21,445" / "21 445")."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    kind = metric_kind(metric)
    if kind == "rate":
        return percent(value, rate_digits)
    if kind == "money":
        return number(value)
    if kind == "count":
        return number(value) if float(value).is_integer() else number(value, 1)
    return number(value, 1)


def figure_with_unit(metric: str, value: Any) -> str:
    """:func:`format_figure` with the unit a sentence needs: "22.1 min", "3.0 days"; rates,
    counts and money read without one."""
    text = format_figure(metric, value)
    unit = _SPOKEN_UNITS.get(metric_kind(metric))
    return f"{text} {_(unit)}" if unit and text != "–" else text


def window_words(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """A window ``[start, end)`` of whole months in words: "October 2026" or
    "Sep 2026 to Oct 2026"."""
    last = end - pd.Timedelta(days=1)
    if (start.year, start.month) == (last.year, last.month):
        return month_year(start.date())
    return _("{first} to {last}").format(
        first=month_year(start.date(), short=True), last=month_year(last.date(), short=True)
    )


def capitalized(text: str) -> str:
    """First letter upper-case, the rest untouched (``str.capitalize`` lowers names)."""
    return text[:1].upper() + text[1:]
