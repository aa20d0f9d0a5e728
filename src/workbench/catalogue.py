"""The metric catalogue: the written definition of every metric column.

A number nobody can define is not reported. Each module declares the definitions of the
columns it computes beside its code, as a ``DEFINITIONS`` tuple of
:class:`~workbench.metrics.definition.Definition` records; this module gathers them with
plain imports into one catalogue and rejects a name declared twice. It sits above every
module it gathers from and below plots, reports and the explorer, which read labels and
definitions from it.

A definition also says how its metric reads (``label``, ``kind``), which way is better
(``better``: "lower", "higher" or None) and how a rate pools over a window (``ratio``,
``scale``): :mod:`workbench.formatting`, the reports, the overview and the explorer take
those from here, so one metric has one name and one direction everywhere.

Common rules (apply to every row unless it says otherwise)
-----------------------------------------------------------
- Periods are calendar weeks (Monday 00:00) or months in the business time zone; a row is
  one (manager, period). Every manager and period in range has a row: zero is a finding.
- ``as_of`` is the instant "now" is evaluated at (default: the latest event in the table);
  events after it are treated as not happened yet.
- A rate is NaN (empty) when its denominator is 0.
- Cancelled tasks have no cancellation time in the data: they are left out of every task
  metric except ``tasks_new``, ``tasks_no_deadline`` and ``tasks_postponed``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import pandas as pd

from workbench.i18n import N_, _
from workbench.metrics.calls import DEFINITIONS as _CALLS
from workbench.metrics.deals import DEFINITIONS as _DEALS
from workbench.metrics.definition import Definition, definitions_frame, pooling_text
from workbench.metrics.guardrails import DEFINITIONS as _GUARDRAILS
from workbench.metrics.kpi import DEFINITIONS as _KPI
from workbench.metrics.tasks import DEFINITIONS as _TASKS
from workbench.metrics.window import DEFINITIONS as _WINDOW
from workbench.quality.score import DEFINITIONS as _QUALITY
from workbench.stats.correlation import DEFINITIONS as _CORRELATION
from workbench.stats.decomposition import DEFINITIONS as _DECOMPOSITION
from workbench.stats.team import DEFINITIONS as _TEAM

__all__ = [
    "Definition",
    "SOURCES",
    "catalogue",
    "definitions",
    "definitions_frame",
    "definitions_markdown",
    "metric",
    "plain_definitions",
    "PLAIN_COLUMNS",
]

#: Where each module's ``DEFINITIONS`` come from, in the order pages list them.
SOURCES: dict[str, tuple[Definition, ...]] = {
    "workbench.metrics.tasks": _TASKS,
    "workbench.metrics.calls": _CALLS,
    "workbench.metrics.deals": _DEALS,
    "workbench.metrics.window": _WINDOW,
    "workbench.metrics.kpi": _KPI,
    "workbench.metrics.guardrails": _GUARDRAILS,
    "workbench.stats.team": _TEAM,
    "workbench.stats.correlation": _CORRELATION,
    "workbench.stats.decomposition": _DECOMPOSITION,
    "workbench.quality.score": _QUALITY,
}


@functools.cache
def catalogue() -> dict[str, Definition]:
    """Every definition by name, in :data:`SOURCES` order.

    Raises
    ------
    ValueError
        A name is declared by two modules (one name, one meaning).
    """
    out: dict[str, Definition] = {}
    for module, declared in SOURCES.items():
        for d in declared:
            if d.name in out:
                raise ValueError(f"metric {d.name!r} is defined twice ({module})")
            out[d.name] = d
    return out


def metric(name: str) -> Definition:
    """The definition of one metric.

    Raises
    ------
    KeyError
        No module defines ``name``.
    """
    try:
        return catalogue()[name]
    except KeyError:
        raise KeyError(f"no definition for {name!r}") from None


def definitions(names=None) -> pd.DataFrame:
    """The catalogue as a table, one row per metric column; ``names`` picks some, in order.

    Raises
    ------
    KeyError
        A name in ``names`` that no module defines.
    """
    cat = catalogue()
    if names is None:
        return definitions_frame(cat.values())
    unknown = [n for n in names if n not in cat]
    if unknown:
        raise KeyError(f"no definition for {unknown}")
    return definitions_frame(cat[n] for n in names)


#: Column headers of :func:`plain_definitions`, in English (translated where shown).
PLAIN_COLUMNS = (
    N_("Figure"),
    N_("What it counts"),
    N_("Whose"),
    N_("Which time"),
    N_("Counted"),
    N_("Out of"),
    N_("Left out"),
    N_("Better when"),
)
_BETTER_WORDS = {"lower": N_("lower"), "higher": N_("higher"), None: N_("neither")}


def plain_definitions(names: Iterable[str]) -> pd.DataFrame:
    """The definitions of ``names`` in plain words, in the current language: what a page
    shows a manager or a head (no column names or formulas; those are in docs/metrics.md).

    One row per metric with the columns of :data:`PLAIN_COLUMNS` (translated): its label,
    its description, population, time anchor, numerator, denominator, exclusions, and
    which way is better. A "-" field reads as an empty cell.

    Raises
    ------
    KeyError
        A name that no module defines.
    """
    names = list(names)
    cat = catalogue()
    unknown = [n for n in names if n not in cat]
    if unknown:
        raise KeyError(f"no definition for {unknown}")

    def words(text: str) -> str:
        return "" if text in ("", "-") else _(text)

    rows = []
    for n in names:
        d = cat[n]
        fields = (d.label or n, d.description, d.population, d.time_anchor, d.numerator,
                  d.denominator, d.exclusions)  # fmt: skip
        rows.append([words(f) for f in fields] + [_(_BETTER_WORDS[d.better])])
    return pd.DataFrame(rows, columns=[_(c) for c in PLAIN_COLUMNS])


def definitions_markdown() -> str:
    """Every definition as a Markdown page (``docs/metrics.md`` is this text, checked by a test)."""
    lines = [
        "# Metric definitions",
        "",
        "Generated by `workbench definitions` from `workbench.definitions()`; every report prints",
        "the definitions of the figures it shows. Do not edit by hand: run `make docs`.",
        "",
    ]
    for d in catalogue().values():
        ratio = d.numerator if d.denominator in ("-", "") else f"{d.numerator} / {d.denominator}"
        title = (
            f"## `{d.name}` ({d.unit})" if not d.label else f"## `{d.name}`: {d.label} ({d.unit})"
        )
        lines += [title, "", d.description, ""]
        if d.label:
            better = d.better or "neither (more is not better, nor worse)"
            lines += [f"- **Better when:** {better}"]
        lines += [
            f"- **Population:** {d.population}",
            f"- **Time anchor:** {d.time_anchor}",
            f"- **Computed as:** {ratio}",
            f"- **Exclusions:** {d.exclusions}",
        ]
        if d.ratio is not None:
            lines.append(f"- **Pooled over a window as:** {pooling_text(d.ratio, d.scale)}")
        lines.append("")
    return "\n".join(lines)
