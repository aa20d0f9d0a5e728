"""Presentation helpers of the manager report template (one call per notebook cell).

What the report computes lives in :mod:`workbench.reports.manager_view` (the privacy boundary);
this module loads the data once per kernel (from the runner's batch snapshot, or from the
export when the template runs alone), resets the look between managers, and turns
figures and words into escaped HTML in the batch's language (:mod:`workbench.i18n`): every
string that came from the CRM goes through :func:`html.escape` (or
``DataFrame.to_html(escape=True)``) before it reaches a page, and every word the report
itself says goes through the message catalogue, the section texts included, so that the
template holds no narrative of its own.

Pages are read on phones: tables take the page's width and wrap their cells (long task
descriptions too), and no element is wider than the screen (:data:`_TABLE_STYLE`).
"""

from __future__ import annotations

import copy
import html
import re
import subprocess
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

import workbench
from workbench.config import PROJECT_ROOT, resolve_data_path
from workbench.data.schema import TABLE_WORDS
from workbench.formatting import (
    capitalized,
    format_figure,
    metric_kind,
    metric_name,
    unit_text,
    window_words,
)
from workbench.i18n import N_, _, month_year, ngettext, number, percent, set_language
from workbench.reports.fingerprints import (
    code_fingerprint,
    dataset_fingerprint,
    department_fingerprint,
    manager_fingerprint,
)

__all__ = [
    "SECTIONS",
    "apply_report_style",
    "load_report_dataset",
    "title_html",
    "notes_html",
    "intro_html",
    "section_html",
    "shows",
    "section",
    "for_table",
    "headlines_html",
    "figures_html",
    "html_table",
    "kpi_table",
    "health_table",
    "provenance",
    "provenance_html",
    "prepare_report",
    "prepare_team_overview",
    "quality_html",
    "results_figure",
    "weakest_table",
    "definitions_html",
    "next_steps_html",
    "open_overdue_html",
    "report_language",
]

_LOADED: dict[tuple, tuple[Any, str]] = {}  # the last data loaded on this kernel, fingerprint
_DEPARTMENTS: dict[tuple, tuple[Any, str]] = {}  # the last department figures, fingerprint
_SNAPSHOTS: dict[tuple, tuple[Any, Any, dict]] = {}  # the last batch snapshot read, per kernel

#: The report's sections: id -> (heading level, heading, the text under it), in English
#: (translated where shown). The ids are the anchors the actions link to
#: (:data:`workbench.reports.coaching.SECTIONS`).
SECTIONS: dict[str, tuple[int, str, str]] = {
    "next-steps": (
        2,
        N_("What to do next"),
        N_(
            "Your KPIs this month, then at most three things to do, each with the figures "
            "behind it and a link to its section."
        ),
    ),
    "headlines": (2, N_("How the month went"), ""),
    "tasks": (
        2,
        N_("Tasks and deadlines"),
        N_(
            "The overdue share counts the tasks whose original deadline fell in the month and "
            "that were not completed by it, out of all tasks due that month: moving a "
            "deadline does not hide a miss. The orange steps are your KPI target; the grey "
            "band is the middle half of your colleagues, drawn for months in which at least "
            "five of them have a value."
        ),
    ),
    "open-overdue": (3, N_("Your open tasks past their deadline"), ""),
    "calls": (
        2,
        N_("Calls"),
        N_(
            "Call length counts connected calls only (answered, with talk time above zero); "
            "missed and zero-length calls are counted apart and never averaged in."
        ),
    ),
    "results": (2, N_("Leads, conversion, sales"), ""),
    "task-descriptions": (
        2,
        N_("Task descriptions"),
        N_(
            'A good task says what to do and how: "Call the client, qualify by the script '
            '<link>" rather than "Contact the client". It is brief, links the materials it '
            "names, has the CRM card's data filled in by the template, and has a deadline. "
            "Shares are of the tasks created for you in the period."
        ),
    ),
    "definitions": (2, N_("How each figure is counted"), ""),
    "health": (
        2,
        N_("Data health"),
        N_("Rows that could not be used are set aside and counted, never dropped silently."),
    ),
    "provenance": (
        2,
        N_("Where these figures come from"),
        N_(
            "The period, the data files and their fingerprint, and the version of the "
            "workbench that made this report: the same data and version give the same figures."
        ),
    ),
}

# Tables take the page's width and wrap every cell (a long task description or a URL
# breaks anywhere rather than pushing the page sideways on a phone); text reads left to
# right (nbconvert's stylesheet right-aligns every table cell).
_TABLE_STYLE = (
    "<style>"
    ".jp-RenderedHTMLCommon table.wb-table {width: 100%; max-width: 100%; table-layout: auto;"
    " border-collapse: collapse;}"
    " .jp-RenderedHTMLCommon table.wb-table td, .jp-RenderedHTMLCommon table.wb-table th,"
    " .jp-RenderedHTMLCommon table.wb-table tr {text-align: left; vertical-align: top;"
    " white-space: normal; overflow-wrap: break-word; padding: 0.25em 0.35em;}"
    " .jp-RenderedHTMLCommon table.wb-table .wb-num {white-space: nowrap;}"
    " .jp-RenderedHTMLCommon table.wb-table .wb-wrap {overflow-wrap: anywhere;}"
    " .jp-RenderedHTMLCommon .wb-note {font-size: 0.9em; color: #555;}"
    " .jp-RenderedHTMLCommon li, .jp-RenderedHTMLCommon p, .jp-RenderedHTMLCommon dd"
    " {overflow-wrap: anywhere;}"
    "</style>"
)
# a cell that holds a figure ("12%", "10.7", "1,234", "22 min"): never broken inside
_FIGURE_CELL = re.compile(r"^[-+−–]?[\d\s.,\u00a0\u202f%]+(?:\s?\w{1,4}\.?)?$")

_BETTER = {
    "lower": N_("better when lower"),
    "higher": N_("better when higher"),
    None: N_("neither higher nor lower is better"),
}
_STATUS = {True: N_("met"), False: N_("missed")}
_SCOPE = {"personal": N_("your own target"), "team": N_("the team's target")}
_BOUND = {"at_most": N_("at most {value}"), "at_least": N_("at least {value}")}


def apply_report_style() -> None:
    """Reset matplotlib to one explicit style, so no earlier notebook on the kernel leaks in.

    The theme (:func:`workbench.plots.set_theme`) sets the figure width and font sizes that
    keep every figure's text readable on a phone. Figures use constrained layout and the
    inline backend saves them without ``bbox_inches="tight"``, which would draw every
    figure twice: saving the PNGs was most of a report's time on a reused kernel.
    """
    from workbench.plots import set_theme

    plt.close("all")
    mpl.rcdefaults()
    set_theme()
    mpl.rcParams.update(
        {
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.constrained_layout.use": True,
        }
    )
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: no inline backend to configure
        return
    shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("config", "InlineBackend.print_figure_kwargs = {'bbox_inches': None}")


def _stat_key(path: Path) -> tuple:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


def _load_cached(data: str, mapping: str, tz: str) -> tuple[Any, str]:
    """The dataset and its fingerprint, parsed once per kernel while the files are unchanged.

    The runner renders many managers on one kernel; parsing the files once is what keeps a
    report under a second. The key holds every file's path, mtime and size. The cached
    dataset is shared: code here only reads it.
    """
    from workbench.data.loading import load_dataset

    source = resolve_data_path(data).resolve()
    mapping_key = _stat_key(Path(mapping)) if mapping and Path(mapping).exists() else mapping
    key = (_stat_key(source), mapping_key, tz)
    if key not in _LOADED:
        _LOADED.clear()
        loaded = load_dataset(source, mapping=mapping or None, tz=tz)
        _LOADED[key] = (loaded, dataset_fingerprint(loaded)[:16])
    return _LOADED[key]


def _load_snapshot(batch: str) -> tuple[Any, Any, dict]:
    """The batch snapshot's dataset, department figures and record, read once per kernel.

    The key holds every file's path, mtime and size: a new batch in the same folder is read
    again.
    """
    from workbench.reports.snapshot import read_dataset, read_department, read_meta

    key = _stat_key(Path(batch))
    if key not in _SNAPSHOTS:
        _SNAPSHOTS.clear()
        _SNAPSHOTS[key] = (read_dataset(batch), read_department(batch), read_meta(batch))
    return _SNAPSHOTS[key]


def load_report_dataset(data: str, *, mapping: str = "", tz: str = "UTC") -> Any:
    """Load ``data`` (:func:`workbench.data.loading.load_dataset`), reusing a parse of unchanged
    files on this kernel; the caller gets its own deep copy, so nothing it changes reaches
    the next report."""
    return copy.deepcopy(_load_cached(data, mapping, tz)[0])


def _html(text: str):
    from IPython.display import HTML

    return HTML(text)


def _warnings(view: Any) -> str:
    e = html.escape
    warning = e(_("Warning:"))
    items = [f"<li><b>{warning}</b> {e(w)}</li>" for w in view.coverage]
    return f"<ul class='report-warnings'>{''.join(items)}</ul>" if items else ""


def title_html(view: Any):
    """The report heading as HTML: the manager (escaped), the period in words, the as-of
    instant, warnings about a period the data covers only in part, and the page's table
    style (once, at the top)."""
    e = html.escape
    period = window_words(view.start, view.end)
    title = _("Monthly report: {manager}").format(manager=e(view.manager))
    line = _("{period}; figures as of {as_of}.").format(
        period=e(capitalized(period)), as_of=e(f"{view.as_of:%Y-%m-%d %H:%M %Z}")
    )
    return _html(f"{_TABLE_STYLE}<h1>{title}</h1><p>{line}</p>{_warnings(view)}")


def notes_html(view: Any, *, warnings: bool = True):
    """Who the team figures are of (the manager's team, or the department and why), after
    the coverage warnings (a period the data covers in part) unless ``warnings=False``
    (the report shows those under its title)."""
    e = html.escape
    items = [f"<li>{e(view.comparison_note)}</li>"] if view.comparison_note else []
    out = _warnings(view) if warnings else ""
    return _html(out + (f"<ul class='report-notes'>{''.join(items)}</ul>" if items else ""))


def intro_html(view: Any):
    """What the report is, and what a team figure means (said once, used everywhere)."""
    e = html.escape
    text = _(
        "This report is about you and your own work. Your colleagues appear only as "
        "anonymous team figures. A team figure is the team median: the middle value of your "
        "colleagues' own figures for the same period (half of them above it, half below); "
        "it is shown only when at least three colleagues have a value. How each figure is "
        "counted is explained at the end of the report."
    )
    return _html(f"<p class='report-intro'>{e(text)}</p>")


def section_html(key: str):
    """The heading of a report section (with its anchor id) and the text under it, in the
    current language (see :data:`SECTIONS`)."""
    level, heading, text = SECTIONS[key]
    e = html.escape
    out = f"<h{level} id='{e(key)}'>{e(_(heading))}</h{level}>"
    if text:
        out += f"<p>{e(_(text))}</p>"
    return _html(out)


def shows(view: Any, table: str) -> bool:
    """Whether the export had a file for ``table`` (its figures are shown)."""
    return table not in view.absent_tables


def _absent(table: str) -> str:
    from workbench.reports.manager_view import absent_words

    return f"<p class='absent'>{html.escape(absent_words(table))}</p>"


def section(view: Any, table: str) -> bool:
    """Start a section on ``table``: display one line saying it is absent, and say whether
    to draw its figures (a table without a file is said once, never drawn as zeros)."""
    if shows(view, table):
        return True
    from IPython.display import display

    display(_html(_absent(table)))
    return False


def for_table(view: Any, table: str, make):
    """``make()`` when the export had a file for ``table``, else the one-line notice."""
    return make() if shows(view, table) else _html(_absent(table))


def headlines_html(sentences: list[str]):
    """The headline findings as an escaped HTML list."""
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return _html(f"<ul class='headlines'>{items}</ul>")


def next_steps_html(view: Any):
    """The "What to do next" block: KPI verdicts, then at most three actions, each with
    its evidence and a link to its section (:func:`workbench.reports.coaching.next_steps`).

    Every string is escaped: the verdicts and actions quote CRM text (task descriptions).
    """
    from workbench.reports.coaching import next_steps

    steps = next_steps(view)
    e = html.escape
    verdicts = "".join(
        f"<li class='verdict verdict-{e(v.status.replace(' ', '-'))}'>{e(v.text)}</li>"
        for v in steps.verdicts
    )
    example = e(
        _("“{description}” breaks the principle: {principle}. A better pattern: {pattern}.")
    )
    see = e(_("See the section"))
    items = []
    for a in steps.actions:
        evidence = "".join(f"<li>{e(x)}</li>" for x in a.evidence)
        examples = "".join(
            "<li>"
            + example.format(
                description=f"<span class='crm-text'>{e(x['description'])}</span>",
                principle=e(x["principle"]),
                pattern=e(x["pattern"]),
            )
            + "</li>"
            for x in a.examples
        )
        items.append(
            f"<li class='action action-{e(a.rule)}'><p>{e(a.text)} "
            f"<a href='#{e(a.section)}'>{see}</a></p>"
            f"<ul class='evidence'>{evidence}{examples}</ul></li>"
        )
    actions = f"<ol class='actions'>{''.join(items)}</ol>" if items else ""
    well = f"<p class='all-well'>{e(steps.all_well)}</p>" if steps.all_well else ""
    return _html(
        f"<div class='next-steps'><ul class='verdicts'>{verdicts}</ul>{actions}{well}</div>"
    )


def _days(value: float) -> str:
    days = int(round(float(value)))
    return ngettext("{n} day", "{n} days", days).format(n=number(days))


def open_overdue_html(view: Any, n: int = 15):
    """The manager's open overdue tasks: the total, the window's first (newest first), then
    the older ones, ``n`` rows at most, and how many more there are; escaped."""
    late = view.open_overdue
    if late.empty:
        return _html(
            "<p>{}</p>".format(html.escape(_("None of your open tasks is past its deadline.")))
        )
    ours = int(late["in_period"].sum())
    total = ngettext(
        "{n} open task is past its deadline; {ours} of them had the deadline in {period} "
        "(listed first, newest first).",
        "{n} open tasks are past their deadline; {ours} of them had the deadline in {period} "
        "(listed first, newest first).",
        len(late),
    ).format(n=number(len(late)), ours=number(ours), period=window_words(view.start, view.end))
    shown = late.head(n)
    no_text = _("(no description)")
    rows = pd.DataFrame(
        {
            _("Deadline"): shown["due"],
            _("Late by"): shown["days late"].map(_days),
            _("Task"): shown["description"].map(lambda t: t.strip() if t.strip() else no_text),
        }
    )
    table = html_table(rows, wrap=(_("Task"),)).data
    more = len(late) - len(shown)
    rest = (
        "<p class='open-overdue-more'>{}</p>".format(
            html.escape(_("and {n} more.").format(n=number(more)))
        )
        if more > 0
        else ""
    )
    return _html(f"<p class='open-overdue-total'>{html.escape(total)}</p>" + table + rest)


def _td(cell: str, *, wrap: bool = False) -> str:
    """One cell of already escaped HTML: free text from the CRM (``wrap``; marked
    ``crm-text``, shown as written) may break anywhere, a figure never (one line)."""
    if wrap:
        return f"<td class='wb-wrap crm-text'>{cell}</td>"
    if _FIGURE_CELL.match(html.unescape(cell)):
        return f"<td class='wb-num'>{cell}</td>"
    return f"<td>{cell}</td>"


def _table(
    head: list[str], rows: list[list[str]], *, name: str = "", wrap: Iterable[int] = ()
) -> str:
    """An HTML table of already escaped cells, the page's style first; the columns at the
    positions ``wrap`` hold free text."""
    wrap = set(wrap)
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(_td(c, wrap=i in wrap) for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    thead = f"<thead><tr>{th}</tr></thead>" if head else ""
    return f"{_TABLE_STYLE}<table class='wb-table {name}'>{thead}<tbody>{body}</tbody></table>"


def html_table(
    frame: pd.DataFrame,
    *,
    percent: tuple[str, ...] = (),
    digits: int = 1,
    wrap: tuple[str, ...] = (),
):
    """A DataFrame as escaped HTML that fits a phone, without the index: rate columns in
    percent, other decimals with ``digits`` in the current language's marks, "–" for no
    value. The cells of ``wrap`` columns (free text from the CRM: descriptions, links) may
    break anywhere, so that a long word or URL never pushes the page sideways."""

    def cell(column, value) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return "–"
        if column in percent:
            return html.escape(_percent(value))
        if isinstance(value, float):
            return html.escape(number(value, digits))
        return html.escape(str(value))

    columns = list(frame.columns)
    head = [html.escape(str(c)) for c in columns]
    rows = [
        [cell(c, v) for c, v in zip(columns, values, strict=True)]
        for values in frame.itertuples(index=False, name=None)
    ]
    wrapped = [i for i, c in enumerate(columns) if c in wrap]
    return _html(_table(head, rows, wrap=wrapped))


def _percent(value: float) -> str:
    return percent(value)


def definitions_html(names: Iterable[str] | pd.DataFrame):
    """How each figure is counted, in words, folded (``<details>``): from
    :func:`workbench.catalogue.plain_definitions` of ``names`` (or of the ``name`` column
    of a definitions table); every string escaped.

    A page people read shows no column names or formulas: those are in docs/metrics.md.
    """
    from workbench.catalogue import plain_definitions

    if isinstance(names, pd.DataFrame):
        names = list(names["name"])
    table = plain_definitions(names)
    e = html.escape
    label, *fields = table.columns
    items = []
    for row in table.itertuples(index=False):
        values = dict(zip(table.columns, row, strict=True))
        parts = [
            f"<b>{e(column)}:</b> {e(str(values[column]))}"
            for column in fields
            if str(values[column]).strip()
        ]
        items.append(f"<dt><b>{e(values[label])}</b></dt><dd>{'<br>'.join(parts)}</dd>")
    summary = e(_("Show the definitions"))
    return _html(
        f"<details class='definitions'><summary>{summary}</summary>"
        f"<dl>{''.join(items)}</dl></details>"
    )


def _bound(direction: str, metric: str, target: float) -> str:
    words = _BOUND.get(direction, _BOUND["at_least"])
    if metric_kind(metric) == "minutes":  # a target in whole minutes reads "12 min"
        digits = 0 if float(target).is_integer() else 1
        return _(words).format(value=_("{value} min").format(value=number(target, digits)))
    digits = 0 if round(float(target) * 100, 6).is_integer() else 1
    return _(words).format(value=_value_with_unit(metric, target, rate_digits=digits))


def _value_with_unit(metric: str, value: Any, *, rate_digits: int = 0) -> str:
    """A figure with the unit a reader needs in a table cell: "20%", "22 min", "1,234"."""
    text = format_figure(metric, value, rate_digits=rate_digits)
    if text != "–" and metric_kind(metric) == "minutes":
        text = _("{value} min").format(value=text)
    return text


def kpi_table(view: Any):
    """The manager's KPI status per month of the report history, in words, escaped."""
    k = view.kpi.loc[view.kpi["manager"] == view.manager]
    if k.empty:
        text = _("No KPI target was in force for you in these months.")
        return _html(f"<p>{html.escape(text)}</p>")
    k = k.sort_values(["metric", "period"], kind="stable")
    e = html.escape
    head = [e(h) for h in (_("Month"), _("KPI"), _("Target"), _("You"), _("Result"))]
    rows = []
    for r in k.itertuples():
        scope = _(_SCOPE.get(r.target_scope, r.target_scope))
        result = _("no value") if pd.isna(r.met) else _(_STATUS[bool(r.met)])
        rows.append(
            [
                e(month_year(r.period.date(), short=True)),
                f"{e(metric_name(r.metric))}<br><span class='wb-note'>{e(scope)}</span>",
                e(_bound(r.direction, r.metric, r.target)),
                e(_value_with_unit(r.metric, r.actual, rate_digits=1)),
                e(result),
            ]
        )
    return _html(_table(head, rows, name="kpi"))


def figures_html(view: Any):
    """The manager's figures of the window beside the team median, in words and units.

    Each figure's name carries its unit and which way is better, spelled out; "colleagues
    doing better" counts the colleagues on the better side of the manager's figure (by
    the figure's own direction), so it reads the same for "lower is better" and "higher
    is better" figures.
    """
    from workbench.reports.manager_view import figures_table

    table = figures_table(view)
    e = html.escape
    head = [e(h) for h in (_("Figure"), _("You"), _("Team median"), _("Colleagues doing better"))]
    rows = []
    for row in table.to_dict("records"):
        metric = row["definition"]
        unit = _unit_words(metric)
        name = metric_name(metric) + (f", {unit}" if unit else "")
        direction = row["better when"] if isinstance(row["better when"], str) else None
        doing_better = "–"
        if row["colleagues"] and direction is not None:
            doing_better = _("{k} of {n}").format(
                k=number(row["colleagues better"]), n=number(row["colleagues"])
            )
        rows.append(
            [
                f"{e(name)}<br><span class='wb-note'>{e(_(_BETTER[direction]))}</span>",
                e(format_figure(metric, row["you"])),
                e(format_figure(metric, row["team median"])),
                e(doing_better),
            ]
        )
    return _html(_table(head, rows, name="figures"))


def _unit_words(metric: str) -> str:
    """The unit a table's figure name carries: "%", "min"; none for counts and amounts
    (a count needs none; an amount is shown in full, in the data's currency)."""
    kind = metric_kind(metric)
    return "" if kind in ("count", "money", "label", "value") else unit_text(kind)


def quality_html(view: Any):
    """Share of the manager's new tasks with each description problem, beside the team
    median, in words."""
    from workbench.reports.manager_view import quality_table

    q = quality_table(view)
    rows = pd.DataFrame(
        {
            _("What the description lacks or gets wrong"): q["flag"],
            _("Your tasks"): q["your tasks"],
            _("Team median"): q["team median"],
        }
    )
    return html_table(rows, percent=(_("Your tasks"), _("Team median")))


def health_table(view: Any):
    """The manager's own rows, and what loading read, loaded and set aside (counts only).

    Department-wide counts are shown only when the view carries them (enough colleagues);
    a view without ``own_rows`` (the team overview) shows the department's counts.
    """
    e = html.escape
    text = ""
    own = getattr(view, "own_rows", None)
    if own is not None:
        parts = ", ".join(f"{number(n)} {_(TABLE_WORDS.get(t, t))}" for t, n in own.items())
        text += "<p>{}</p>".format(e(_("Your rows in the data: {parts}.").format(parts=parts)))
    h = view.health
    if h is None:
        note = _("Department-wide counts are not shown in a team this small.")
        return _html(text + f"<p>{e(note)}</p>")
    wide = (
        h.loc[h["measure"].isin(["read", "loaded", "set_aside"])]
        .pivot_table(index="table", columns="measure", values="rows", aggfunc="sum")
        .reindex(columns=["read", "loaded", "set_aside"], fill_value=0)
        .fillna(0)
        .astype("int64")
        .reset_index()
    )
    shown = pd.DataFrame(
        {
            _("Table"): [_(TABLE_WORDS.get(t, t)) for t in wide["table"]],
            _("Rows read"): wide["read"].map(number),
            _("Loaded"): wide["loaded"].map(number),
            _("Set aside"): wide["set_aside"].map(number),
        }
    )
    text += "<p>{}</p>".format(e(_("The department's data:"))) + html_table(shown).data
    reasons = h.loc[h["measure"] == "reason", ["table", "reason", "rows"]]
    if len(reasons):
        listed = pd.DataFrame(
            {
                _("Table"): [_(TABLE_WORDS.get(t, t)) for t in reasons["table"]],
                _("Reason"): reasons["reason"].to_numpy(),
                _("Rows"): reasons["rows"].map(number).to_numpy(),
            }
        )
        text += "<p>{}</p>".format(e(_("Rows set aside, by reason:"))) + html_table(listed).data
    else:
        text += "<p>{}</p>".format(e(_("No row was set aside.")))
    return _html(text)


def report_language(lang: str = "", mapping: str = "") -> str:
    """The report's language: ``lang``; else the mapping's ``language:`` (when the mapping
    says one); else English. Sets it (:func:`workbench.i18n.set_language`) and returns it."""
    from workbench.data.mappings import batch_language

    return set_language(batch_language(lang, mapping or None))


def prepare_report(
    *,
    manager: str,
    period_start: str,
    period_end: str,
    data: str,
    mapping: str,
    tz: str,
    as_of: str,
    conversation_s: float,
    long_call_s: float,
    batch: str = "",
    lang: str = "",
) -> tuple[Any, pd.DataFrame]:
    """Set the report's language, load the data and return the manager's view and the
    report's provenance table.

    Only these two leave this function: the loaded dataset (every manager's rows) is never
    bound to a name in the notebook (it stays in this module's private per-kernel cache).

    ``batch`` is the folder of the runner's snapshot (:mod:`workbench.reports.snapshot`):
    the validated tables and the department figures, computed once for the batch. Its
    figures must have been computed for this report's window and thresholds. Empty: the
    template runs on its own, loading ``data`` and computing the department here.
    ``lang``: see :func:`report_language` ("" = the mapping's language, else English).
    """
    from workbench.reports.manager_view import department_figures, view_for

    report_language(lang, mapping)
    figures = dict(
        period_start=period_start, period_end=period_end, as_of=as_of or None,
        conversation_s=conversation_s, long_call_s=long_call_s,
    )  # fmt: skip
    if batch:
        ds, department, meta = _load_snapshot(batch)
        if meta["figures"] != figures or ds.tz != tz:
            raise ValueError(
                f"the batch snapshot {batch} holds figures for {meta['figures']} in {ds.tz}, "
                f"not for {figures} in {tz}"
            )
        prints = meta["fingerprints"]
        fingerprint, department_key = prints["dataset"][:16], prints["department"]
        own = prints["managers"].get(manager)
    else:
        ds, fingerprint = _load_cached(data, mapping, tz)
        # The department's figures do not depend on the manager: on a reused kernel they
        # are computed once per (data, window, thresholds); each report takes its slice.
        key = (fingerprint, tz, tuple(sorted(figures.items())))
        if key not in _DEPARTMENTS:
            _DEPARTMENTS.clear()
            computed = department_figures(ds, **figures)
            _DEPARTMENTS[key] = (computed, department_fingerprint(computed))
        department, department_key = _DEPARTMENTS[key]
        own = None
    view = view_for(department, ds.tasks, manager)
    table = provenance(
        ds, {"manager": manager}, period=window_words(view.start, view.end),
        fingerprint=fingerprint, manager_key=own, department_key=department_key,
    )  # fmt: skip
    return view, table


def prepare_team_overview(
    *,
    period_start: str,
    period_end: str,
    data: str,
    mapping: str,
    tz: str,
    as_of: str,
    history_months: int,
    team: str = "",
    batch: str = "",
) -> Any:
    """The team overview's figures (:func:`workbench.reports.team_overview.prepare_overview`).

    ``batch`` is the folder of the runner's snapshot: its validated tables, and the
    members and their roster teams the runner selected for the window (its department
    figures), so no kernel parses the export. Empty: the template runs on its own, loading
    ``data``. ``team`` restricts every figure to that roster team's managers.
    """
    from workbench.reports.team_overview import prepare_overview

    figures = dict(period_start=period_start, period_end=period_end, as_of=as_of or None)
    members = teams = None
    if batch:
        ds, department, meta = _load_snapshot(batch)
        held = {k: meta["figures"].get(k) for k in figures}
        if held != figures or ds.tz != tz:
            raise ValueError(
                f"the batch snapshot {batch} holds figures for {held} in {ds.tz}, "
                f"not for {figures} in {tz}"
            )
        members, teams = department.managers, dict(department.teams)
    else:
        ds = _load_cached(data, mapping, tz)[0]
    # The dataset is shared with this kernel's cache: prepare_overview only reads it.
    return prepare_overview(
        ds, period_start=period_start, period_end=period_end, as_of=as_of,
        history_months=history_months, team=team, members=members, teams=teams,
    )  # fmt: skip


def results_figure(view: Any):
    """Leads handled, conversion and sales volume per month, each against the team.

    The three panels share the month axis, labelled once at the bottom: the same months
    read down the page, and a third of the tick labels to lay out (saving a report's
    figures is most of its time). Their legend is one, above the panels, outside them.
    """
    from workbench.plots import FIGURE_WIDTH, results_over_time

    fig, axes = plt.subplots(3, 1, figsize=(FIGURE_WIDTH, 9.5), layout="constrained", sharex=True)
    for ax, metric in zip(axes, ("leads", "conversion", "sales_volume"), strict=True):
        results_over_time(view.panel, manager=view.manager, metric=metric, ax=ax)
        ax.set_ylabel(unit_text(metric_kind(metric)))  # the panel's title names the figure
    entries: dict[str, Any] = {}
    for ax in axes:
        ax.label_outer(remove_inner_ticks=True)
        handles, labels = ax.get_legend_handles_labels()
        for handle, label in zip(handles, labels, strict=True):
            entries.setdefault(label, handle)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    if entries:
        fig.legend(
            list(entries.values()), list(entries), loc="outside upper center", ncol=1,
            frameon=False,
        )  # fmt: skip
    return fig


def weakest_table(view: Any, n: int = 5):
    """The manager's weakest written task descriptions of the window, escaped, with what
    each lacks in words. Tasks with no description at all are counted in a sentence."""
    from workbench.quality import rules
    from workbench.quality.score import weakest_examples

    e = html.escape
    scored = view.quality
    empty = int(scored["flag_empty"].sum()) if len(scored) else 0
    note = _("{empty} of {n} tasks created in the period had no description.").format(
        empty=number(empty), n=number(len(scored))
    )
    note = f"<p>{e(note)}</p>"
    worst = weakest_examples(scored, manager=view.manager, n=n, written_only=True)
    if worst.empty:
        none = _("No task with a written description was created in the period.")
        return _html(note + f"<p>{e(none)}</p>")
    flags = [f for f in rules.FLAGS if f != "flag_empty" and f in scored.columns]
    raised = scored.drop_duplicates("task_id").set_index("task_id")[flags].astype(bool)
    lacks = [
        "; ".join(metric_name(f) for f in flags if raised.loc[task, f]) or "–"
        for task in worst["task_id"]
    ]
    rows = pd.DataFrame(
        {
            _("Description"): worst["description"].to_numpy(),
            _("Score (0-100)"): worst["score"].map(lambda v: number(v)).to_numpy(),
            _("What it lacks"): lacks,
        }
    )
    return _html(note + html_table(rows, wrap=(_("Description"),)).data)


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


def _file_names(ds: Any) -> str:
    """The data's file names (never their folders): "tasks.csv, calls.csv, ..."."""
    files = getattr(ds, "files", None) or {}
    names = [Path(str(p)).name for paths in files.values() for p in (paths or [])]
    return ", ".join(dict.fromkeys(names)) or "–"


def provenance(
    ds: Any,
    params: dict[str, Any],
    *,
    period: str = "",
    fingerprint: str | None = None,
    manager_key: str | None = None,
    department_key: str | None = None,
) -> pd.DataFrame:
    """Where the report's numbers come from, in the current language: the period, the
    data's file names and fingerprints, the workbench version and commit, the render time.

    One row per item (``item``, ``value``). Never a path: a folder on the analyst's
    machine says nothing to the reader and may say too much. ``fingerprint`` is the
    dataset's and ``manager_key`` the manager's (over their own rows and the targets that
    apply to them), if already known; ``department_key`` is the fingerprint of the
    department figures the report compares the manager with (omitted when not given).
    """
    own = manager_key or manager_fingerprint(ds, params["manager"])
    rows = []
    if period:
        rows.append((_("Period"), capitalized(period)))
    rows += [
        (_("Data files"), _file_names(ds)),
        (_("Fingerprint of the data"), (fingerprint or dataset_fingerprint(ds))[:16]),
        (_("Fingerprint of your rows and targets"), own[:16]),
    ]
    if department_key:
        rows.append((_("Fingerprint of the team figures"), department_key[:16]))
    rows += [
        (_("Workbench version"), f"{workbench.__version__} ({code_fingerprint()[:16]})"),
        (_("Git commit"), _git_commit()),
        (_("Rendered at (UTC)"), datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def provenance_html(table: pd.DataFrame):
    """:func:`provenance` as a two-column table, one item per row, no header row; escaped."""
    e = html.escape
    body = "".join(
        f"<tr><th>{e(str(item))}</th><td>{e(str(value))}</td></tr>"
        for item, value in zip(table["item"], table["value"], strict=True)
    )
    return _html(f"{_TABLE_STYLE}<table class='wb-table provenance'><tbody>{body}</tbody></table>")
