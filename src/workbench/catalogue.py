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

Every text a definition holds, but its code name, is in plain words a sales manager reads
(no column names, no formulas), precise enough to recompute the figure by hand; it is
marked for the message catalogue and translated where shown. The code names, the columns
the words stand for and the pooling formulas are in ``docs/metrics.md``, for analysts
(:func:`definitions_markdown`).

Common rules (apply to every definition unless it says otherwise; :data:`COMMON_RULES`)
-----------------------------------------------------------------------------------------
- A period is a calendar month (or a week from Monday 00:00) in the department's time
  zone; every manager has a figure for every period in range, and zero is a finding.
- The report's cut-off time (``as_of``) is the moment the report treats as now (by
  default, the latest event in the data); anything after it has not happened yet.
- A share or an average whose base is zero is left empty (NaN).
- The original deadline (``original_due_at``) is the deadline as first set; the current
  deadline (``due_at``) is the one in the CRM now, after any postponement.
- Cancelled tasks have no cancellation time in the data: they are left out of every task
  figure except tasks created, tasks created without a deadline and tasks with a postponed
  deadline (``tasks_new``, ``tasks_no_deadline``, ``tasks_postponed``).
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
    "COMMON_RULES",
    "catalogue",
    "definitions",
    "definitions_frame",
    "definitions_markdown",
    "metric",
    "plain_definitions",
    "plain_rules",
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
# a metric with no better direction reads "–" (neither more nor less is better)
_BETTER_WORDS = {"lower": N_("lower"), "higher": N_("higher"), None: "–"}

#: The rules every definition follows unless it says otherwise, in plain words (English;
#: translated by :func:`plain_rules`): a page prints them once above its definitions.
COMMON_RULES = (
    N_(
        "A period is a calendar month (or a week from Monday) in the department's time zone. "
        "Every manager has a figure for every period: zero is a finding."
    ),
    N_(
        "The report's cut-off time is the moment the report treats as now (by default, the "
        "latest event in the data); anything after it has not happened yet."
    ),
    N_("A share or an average whose base is zero is left empty."),
    N_(
        "The original deadline is the deadline as first set; the current deadline is the one "
        "in the CRM now, after any postponement."
    ),
    N_(
        "Cancelled tasks have no cancellation time in the data, so they are left out of every "
        "task figure except tasks created, tasks created without a deadline and tasks with a "
        "postponed deadline."
    ),
)

#: Analysts' key from the words of the definitions to the data's columns and the code's
#: parameters (docs/metrics.md only; no page a manager or a head reads shows it).
_WORDS_TO_CODE = (
    ("the report's cut-off time", "`as_of` (default: the latest event in the tables)"),
    ("the period", "`period` (`month` or `week`) in the business time zone `tz`"),
    ("original deadline / current deadline", "`original_due_at` / `due_at`"),
    ("when the task was created / completed", "`created_at` / `completed_at`"),
    ("cancelled, completed", "`status`"),
    ("when the call started; its length; answered; inbound", "`started_at`; `duration_s`; "
     "`answered` (missing = not answered; without the column: `duration_s > 0`); `direction`"),
    ("when the deal was created / closed; won / lost; amount", "`created_at` / `closed_at`; "
     "`outcome`; `amount`"),
    ("a conversation: 60 s or more", "`conversation_s=60` of `call_metrics`"),
    ("a long call: longer than 20 min", "`long_call_s=1200` of `call_metrics`"),
    ("a very short call: shorter than 30 s", "`short_call_s=30` of `guardrails`"),
    ("the last hour before the deadline", "`last_minute_hours=1` of `guardrails`"),
    ("KPI target, at most / at least, the whole department", "targets table: `target`, "
     "`direction` (`at_most` / `at_least`), `manager` = `*`"),
    ("the 3 recent periods; flat within 5%", "`periods=3`, `rel_tol=0.05` of `trend`"),
    ("an outlier: more than 3.5", "`threshold=3.5` of `compare_to_team`"),
    ("3 / 40 words; good 80, fair 50; problem points", "`min_words`, `max_words`, `good_min`, "
     "`fair_min` of `score_descriptions`; `workbench.quality.rules.DEFAULT_WEIGHTS`"),
    ("empty (a figure)", "NaN (NA for yes/no)"),
)  # fmt: skip


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
        better = _BETTER_WORDS[d.better]
        rows.append([words(f) for f in fields] + [_(better) if better != "–" else better])
    return pd.DataFrame(rows, columns=[_(c) for c in PLAIN_COLUMNS])


def plain_rules() -> list[str]:
    """:data:`COMMON_RULES` in the current language, for a page to print above the
    definitions it shows."""
    return [_(rule) for rule in COMMON_RULES]


def definitions_markdown() -> str:
    """Every definition as a Markdown page for analysts (``docs/metrics.md`` is this text,
    checked by a test): the common rules, the key from the words to the data's columns,
    then each metric's code name, its plain-word fields and its pooling formula."""
    lines = [
        "# Metric definitions",
        "",
        "Generated by `workbench definitions` from `workbench.catalogue`; do not edit by hand:",
        "run `make docs`. The words are the ones every page prints (translated in",
        "`src/workbench/locale`); each heading gives the metric's code name, the column of",
        'the panel, and "pooled over a window" gives the formula over summed columns.',
        "",
        "## Common rules",
        "",
        *(f"- {rule}" for rule in COMMON_RULES),
        "",
        "## From the words to the columns",
        "",
        "| in the definitions | in the data and the code |",
        "|---|---|",
        *(f"| {words} | {code} |" for words, code in _WORDS_TO_CODE),
        "",
    ]
    for d in catalogue().values():
        lines += [f"## `{d.name}`: {d.label or d.name} ({d.unit})", "", d.description, ""]
        better = d.better or "neither (more is not better, nor worse)"
        lines += [
            f"- **Better when:** {better}",
            f"- **Population:** {d.population}",
            f"- **Time anchor:** {d.time_anchor}",
            f"- **Counted:** {d.numerator}",
        ]
        if d.denominator not in ("-", ""):
            lines.append(f"- **Out of:** {d.denominator}")
        lines.append(f"- **Exclusions:** {d.exclusions}")
        if d.ratio is not None:
            lines.append(f"- **Pooled over a window as:** {pooling_text(d.ratio, d.scale)}")
        lines.append("")
    return "\n".join(lines)
