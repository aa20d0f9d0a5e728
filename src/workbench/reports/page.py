"""Presentation helpers of the manager report template (one call per notebook cell).

What the report computes lives in :mod:`workbench.reports.manager_view` (the privacy boundary);
this module loads the data once per kernel (from the runner's batch snapshot, or from the
export when the template runs alone), resets the look between managers, and turns
figures into escaped HTML: every string that came from the CRM goes through
:func:`html.escape` (or ``DataFrame.to_html(escape=True)``) before it reaches a page.
"""

from __future__ import annotations

import copy
import html
import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd

import workbench
from workbench.config import PROJECT_ROOT, resolve_data_path
from workbench.formatting import format_figure
from workbench.reports.fingerprints import (
    code_fingerprint,
    dataset_fingerprint,
    department_fingerprint,
    manager_fingerprint,
)

__all__ = [
    "apply_report_style",
    "load_report_dataset",
    "title_html",
    "notes_html",
    "shows",
    "section",
    "for_table",
    "headlines_html",
    "html_table",
    "kpi_table",
    "health_table",
    "provenance",
    "prepare_report",
    "prepare_team_overview",
    "results_figure",
    "weakest_table",
    "definitions_html",
    "next_steps_html",
    "open_overdue_html",
]

_LOADED: dict[tuple, tuple[Any, str]] = {}  # the last data loaded on this kernel, fingerprint
_DEPARTMENTS: dict[tuple, tuple[Any, str]] = {}  # the last department figures, fingerprint
_SNAPSHOTS: dict[tuple, tuple[Any, Any, dict]] = {}  # the last batch snapshot read, per kernel


def apply_report_style() -> None:
    """Reset matplotlib to one explicit style, so no earlier notebook on the kernel leaks in.

    Figures use constrained layout and the inline backend saves them without
    ``bbox_inches="tight"``, which would draw every figure twice: saving the PNGs was
    most of a report's time on a reused kernel.
    """
    from workbench.plots import set_theme

    plt.close("all")
    mpl.rcdefaults()
    set_theme()
    mpl.rcParams.update(
        {
            "figure.figsize": (8.0, 3.4),
            "figure.dpi": 80,
            "savefig.dpi": 80,
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


def title_html(manager: str, period_start: str, period_end: str, as_of: pd.Timestamp):
    """The report heading as HTML, with the CRM-supplied name escaped."""
    from IPython.display import HTML

    return HTML(
        f"<h1>Monthly report: {html.escape(manager)}</h1>"
        f"<p>Period {html.escape(period_start)} to {html.escape(period_end)}; "
        f"figures as of {as_of:%Y-%m-%d %H:%M %Z}.</p>"
    )


def notes_html(view: Any):
    """The lines under the title: coverage warnings (a period the data covers in part) and
    who the team figures are of (the manager's team, or the department and why)."""
    from IPython.display import HTML

    items = [f"<li><b>Warning:</b> {html.escape(w)}</li>" for w in view.coverage]
    if view.comparison_note:
        items.append(f"<li>{html.escape(view.comparison_note)}</li>")
    return HTML(f"<ul class='report-notes'>{''.join(items)}</ul>" if items else "")


def shows(view: Any, table: str) -> bool:
    """Whether the export had a file for ``table`` (its figures are shown)."""
    return table not in view.absent_tables


def _absent(table: str) -> str:
    return f"<p class='absent'>The export had no {table} file: no {table} figures.</p>"


def section(view: Any, table: str) -> bool:
    """Start a section on ``table``: display one line saying it is absent, and say whether
    to draw its figures (a table without a file is said once, never drawn as zeros)."""
    if shows(view, table):
        return True
    from IPython.display import HTML, display

    display(HTML(_absent(table)))
    return False


def for_table(view: Any, table: str, make):
    """``make()`` when the export had a file for ``table``, else the one-line notice."""
    from IPython.display import HTML

    return make() if shows(view, table) else HTML(_absent(table))


def headlines_html(sentences: list[str]):
    """The headline findings as an escaped HTML list."""
    from IPython.display import HTML

    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return HTML(f"<ul class='headlines'>{items}</ul>")


def next_steps_html(view: Any):
    """The "What to do next" block: KPI verdicts, then at most three actions, each with
    its evidence and a link to its section (:func:`workbench.reports.coaching.next_steps`).

    Every string is escaped: the verdicts and actions quote CRM text (task descriptions).
    """
    from IPython.display import HTML

    from workbench.reports.coaching import next_steps

    steps = next_steps(view)
    e = html.escape
    verdicts = "".join(
        f"<li class='verdict verdict-{e(v.status.replace(' ', '-'))}'>{e(v.text)}</li>"
        for v in steps.verdicts
    )
    items = []
    for a in steps.actions:
        evidence = "".join(f"<li>{e(x)}</li>" for x in a.evidence)
        examples = "".join(
            f"<li>&ldquo;{e(x['description'])}&rdquo; breaks the principle: "
            f"{e(x['principle'])}. A better pattern: {e(x['pattern'])}.</li>"
            for x in a.examples
        )
        items.append(
            f"<li class='action action-{e(a.rule)}'><p>{e(a.text)} "
            f"<a href='#{e(a.section)}'>See the section</a></p>"
            f"<ul class='evidence'>{evidence}{examples}</ul></li>"
        )
    actions = f"<ol class='actions'>{''.join(items)}</ol>" if items else ""
    well = f"<p class='all-well'>{e(steps.all_well)}</p>" if steps.all_well else ""
    return HTML(
        f"<div class='next-steps'><ul class='verdicts'>{verdicts}</ul>{actions}{well}</div>"
    )


def open_overdue_html(view: Any, n: int = 15):
    """The manager's open overdue tasks: the total, the window's first (newest first), then
    the older ones, ``n`` rows at most, and how many more there are; escaped."""
    from IPython.display import HTML

    from workbench.formatting import window_words

    late = view.open_overdue
    if late.empty:
        return HTML("<p>None of your open tasks is past its deadline.</p>")
    ours = int(late["in_period"].sum())
    total = (
        f"<p class='open-overdue-total'>{len(late)} open task"
        f"{'' if len(late) == 1 else 's'} past the deadline; {ours} with a deadline in "
        f"{html.escape(window_words(view.start, view.end))} (listed first, newest first).</p>"
    )
    shown = late.head(n).assign(
        when=lambda f: f["in_period"].map({True: "this period", False: "earlier"})
    )
    table = html_table(shown[["due", "days late", "when", "description"]]).data
    more = len(late) - len(shown)
    rest = f"<p class='open-overdue-more'>and {more} more.</p>" if more > 0 else ""
    return HTML(total + table + rest)


def html_table(frame: pd.DataFrame, *, percent: tuple[str, ...] = (), digits: int = 1):
    """A DataFrame as escaped HTML, rate columns in percent, without the index."""
    from IPython.display import HTML

    formatters = {c: (lambda v: "–" if pd.isna(v) else f"{v:.0%}") for c in percent}
    text = frame.to_html(
        index=False, escape=True, na_rep="–", formatters=formatters,
        float_format=lambda v: f"{v:,.{digits}f}", border=0, classes="wb-table",
    )  # fmt: skip
    return HTML(_TABLE_STYLE + text)


# Text reads left to right; nbconvert's stylesheet right-aligns every table cell.
_TABLE_STYLE = (
    "<style>.jp-RenderedHTMLCommon table.wb-table td, .jp-RenderedHTMLCommon table.wb-table th,"
    " .jp-RenderedHTMLCommon table.wb-table tr {text-align: left; vertical-align: top;}</style>"
)


def definitions_html(defs: pd.DataFrame):
    """Written definitions as a readable list (narrow screens too), every string escaped."""
    from IPython.display import HTML

    items = []
    for d in defs.itertuples():
        ratio = d.numerator if d.denominator in ("-", "") else f"{d.numerator} / {d.denominator}"
        items.append(
            f"<dt><code>{html.escape(d.name)}</code> ({html.escape(d.unit)})</dt>"
            f"<dd>{html.escape(d.description)}<br>"
            f"<b>Population:</b> {html.escape(d.population)}. "
            f"<b>Time anchor:</b> {html.escape(d.time_anchor)}. "
            f"<b>Computed as:</b> {html.escape(ratio)}. "
            f"<b>Exclusions:</b> {html.escape(d.exclusions)}.</dd>"
        )
    return HTML("<dl>" + "".join(items) + "</dl>")


def kpi_table(view: Any):
    """The manager's KPI status per month of the report history, as escaped HTML."""
    k = view.kpi.loc[view.kpi["manager"] == view.manager]
    if k.empty:
        from IPython.display import HTML

        return HTML("<p>No KPI target was in force for you in these months.</p>")
    rows = pd.DataFrame(
        {
            "month": k["period"].dt.strftime("%Y-%m"),
            "KPI": k["metric"],
            "target": [
                f"{'≤' if d == 'at_most' else '≥'} {format_figure(m, t, rate_digits=1)}"
                for m, t, d in zip(k["metric"], k["target"], k["direction"], strict=True)
            ],
            "you": [
                format_figure(m, a, rate_digits=1)
                for m, a in zip(k["metric"], k["actual"], strict=True)
            ],
            "met": k["met"].map({True: "met", False: "missed"}).fillna("n/a"),
            "scope": k["target_scope"],
        }
    )
    return html_table(rows)


def health_table(view: Any):
    """The manager's own rows, and what loading read, loaded and set aside (counts only).

    Department-wide counts are shown only when the view carries them (enough colleagues);
    a view without ``own_rows`` (the team overview) shows the department's counts.
    """
    from IPython.display import HTML

    text = ""
    own = getattr(view, "own_rows", None)
    if own is not None:
        parts = ", ".join(f"{n:,} {table}" for table, n in own.items())
        text += f"<p>Your rows in the data: {html.escape(parts)}.</p>"
    h = view.health
    if h is None:
        return HTML(text + "<p>Department-wide counts are not shown in a team this small.</p>")
    wide = h.loc[h["measure"].isin(["read", "loaded", "set_aside"])].pivot_table(
        index="table", columns="measure", values="rows", aggfunc="sum"
    )
    reasons = h.loc[h["measure"] == "reason", ["table", "reason", "rows"]]
    text += "<p>The department's data:</p>" + html_table(wide.reset_index()).data
    if len(reasons):
        text += "<p>Rows set aside, by reason:</p>" + html_table(reasons).data
    else:
        text += "<p>No row was set aside.</p>"
    return HTML(text)


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
) -> tuple[Any, pd.DataFrame]:
    """Load the data and return the manager's view and the report's provenance table.

    Only these two leave this function: the loaded dataset (every manager's rows) is never
    bound to a name in the notebook (it stays in this module's private per-kernel cache).

    ``batch`` is the folder of the runner's snapshot (:mod:`workbench.reports.snapshot`):
    the validated tables and the department figures, computed once for the batch. Its
    figures must have been computed for this report's window and thresholds. Empty: the
    template runs on its own, loading ``data`` and computing the department here.
    """
    from workbench.reports.manager_view import department_figures, view_for

    params = dict(
        manager=manager, period_start=period_start, period_end=period_end, data=data,
        mapping=mapping, tz=tz, as_of=as_of, conversation_s=conversation_s,
        long_call_s=long_call_s,
    )  # fmt: skip
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
        ds, params, fingerprint=fingerprint, manager_key=own, department_key=department_key
    )
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
    figures is most of its time).
    """
    from workbench.plots import results_over_time

    fig, axes = plt.subplots(3, 1, figsize=(8, 9.5), layout="constrained", sharex=True)
    for ax, metric in zip(axes, ("leads", "conversion", "sales_volume"), strict=True):
        results_over_time(view.panel, manager=view.manager, metric=metric, ax=ax)
    for ax in axes:
        ax.label_outer(remove_inner_ticks=True)
    return fig


def weakest_table(view: Any, n: int = 5):
    """The manager's weakest written task descriptions of the window, escaped, with reasons.

    Tasks with no description at all are counted in a sentence instead of listed.
    """
    from IPython.display import HTML

    from workbench.quality.score import weakest_examples

    scored = view.quality
    empty = int(scored["flag_empty"].sum()) if len(scored) else 0
    note = f"<p>{empty} of {len(scored)} tasks created in the period had no description.</p>"
    worst = weakest_examples(scored, manager=view.manager, n=n, written_only=True)
    if worst.empty:
        return HTML(note + "<p>No task with a written description was created in the period.</p>")
    table = html_table(worst[["description", "score", "explanation"]], digits=0)
    return HTML(note + table.data)


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


def provenance(
    ds: Any,
    params: dict[str, Any],
    *,
    fingerprint: str | None = None,
    manager_key: str | None = None,
    department_key: str | None = None,
) -> pd.DataFrame:
    """Where the report's numbers come from: fingerprints, code, commit, parameters, time.

    ``fingerprint`` is the dataset's and ``manager_key`` the manager's, if already known
    (the manager's is over their own rows and the targets that apply to them);
    ``department_key`` is the fingerprint of the department figures the report compares
    the manager with (omitted when not given).
    """
    own = manager_key or manager_fingerprint(ds, params["manager"])
    rows = {
        "manager's input fingerprint": own[:16],
        "dataset fingerprint": (fingerprint or dataset_fingerprint(ds))[:16],
    }
    if department_key:
        rows["department figures fingerprint"] = department_key[:16]
    return pd.DataFrame(
        {
            "value": [
                *rows.values(),
                f"{workbench.__version__} (code {code_fingerprint()[:16]})",
                _git_commit(),
                json.dumps(params, sort_keys=True, ensure_ascii=False),
                datetime.now(UTC).isoformat(timespec="seconds"),
            ]
        },
        index=pd.Index(
            [
                *rows,
                "workbench version",
                "git commit",
                "parameters",
                "rendered at (UTC)",
            ],
            name="provenance",
        ),
    )
