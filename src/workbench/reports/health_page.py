"""The analyst's data-health page of a batch (``data_health.html``), in plain words.

What ``workbench check`` prints (:class:`workbench.data.check.CheckReport`), as tables a
phone can show: the files read per table (names only, never a folder of the analyst's
machine), rows read, loaded and set aside with their reasons and one example each, values
blanked, rows per month, the managers found, target rows set aside, who gets a report, the
run's notices and the data guard. Reasons and column names are said in words of the batch's
language (the reason codes of :data:`workbench.data.validation.REASONS` and the contract's
columns), so no code name reaches the page. Static, script-free, every CRM string escaped.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.data.coverage import monthly_coverage
from workbench.data.schema import TABLE_NAMES
from workbench.formatting import metric_name
from workbench.i18n import N_, _, ngettext, number, percent
from workbench.reports.index_page import TABLE_WORDS, page_head

__all__ = [
    "COLUMN_WORDS",
    "REASON_WORDS",
    "TARGET_REASONS",
    "column_words",
    "data_health_page",
    "reason_words",
]

#: Every contract column in words (translated where shown).
COLUMN_WORDS = {
    "task_id": N_("task ID"),
    "call_id": N_("call ID"),
    "deal_id": N_("deal ID"),
    "manager": N_("manager"),
    "created_at": N_("creation time"),
    "due_at": N_("deadline"),
    "original_due_at": N_("original deadline"),
    "completed_at": N_("completion time"),
    "status": N_("status"),
    "task_type": N_("task type"),
    "description": N_("description"),
    "creator": N_("task author"),
    "started_at": N_("call start"),
    "duration_s": N_("call length"),
    "direction": N_("call direction"),
    "answered": N_("answered"),
    "closed_at": N_("close time"),
    "outcome": N_("deal outcome"),
    "amount": N_("amount"),
    "metric": N_("KPI figure"),
    "target": N_("target"),
    "effective_from": N_("target start"),
    "effective_to": N_("target end"),
    "team": N_("team"),
    "role": N_("role"),
    "email": N_("e-mail"),
    "active_from": N_("active from"),
    "active_to": N_("active to"),
}

#: Every set-aside reason code in words (:data:`workbench.data.validation.REASONS`, without
#: the mapping's option names); ``unknown`` names the column.
REASON_WORDS = {
    "empty": N_("empty row"),
    "extra_fields": N_("more fields than the header has columns"),
    "missing": N_("missing value"),
    "timestamp": N_("unreadable date or time"),
    "placeholder_date": N_("placeholder or out-of-range date (before 1901 or from 2200 on)"),
    "local_time": N_("a local time that does not exist or occurs twice (clock change)"),
    "local_time_shifted": N_(
        "a local time that does not exist or occurs twice (clock change), read by the "
        "mapping's rule"
    ),
    "number": N_("unreadable number"),
    "number_ambiguous": N_(
        "ambiguous number: the decimal mark could be either (set the decimal mark in the mapping)"
    ),
    "unknown": N_("unknown {column}"),
    "duration": N_("unreadable duration"),
    "duration_range": N_("duration with a part out of range (minutes or seconds of 60 or more)"),
    "negative": N_("negative duration"),
    "long_duration": N_("implausibly long duration (see the longest duration in the mapping)"),
    "completed_early": N_("completed before created"),
    "closed_early": N_("closed before created"),
    "deadline_early": N_("deadline before creation"),
    "target_span": N_("target end not after its start"),
    "completed_no_time": N_("completed task without a completion time"),
    "open_with_time": N_("open task with a completion time"),
    "closed_no_date": N_(
        "won or lost deal without a close date: a lead, in no month's won or lost"
    ),
    "long_id": N_("numeric ID too long for Excel's number format: store IDs as text"),
    "duplicate": N_("duplicate ID"),
}

#: The reasons a target row is set aside (:func:`workbench.data.check.unusable_targets`).
TARGET_REASONS = (
    N_("unknown metric (not a metric the KPI check computes)"),
    N_("unknown manager (no rows in the data and not in the roster)"),
)

_NAME = re.compile(r"\b(" + "|".join(sorted(COLUMN_WORDS, key=len, reverse=True)) + r")\b")


def column_words(text: str) -> str:
    """``text`` (a column label, "due_at (Крайний срок)") with every contract column name in
    words of the current language ("deadline (Крайний срок)")."""
    return _NAME.sub(lambda m: _(COLUMN_WORDS[m.group(1)]), str(text))


def reason_words(code: str, reason: str) -> str:
    """The reason of a set-aside row or blanked value in words, from its stable ``code``;
    an unknown code keeps ``reason`` (its column names in words)."""
    words = REASON_WORDS.get(code)
    if words is None:
        return column_words(reason)
    column = str(reason).removeprefix("unknown ").strip() if code == "unknown" else ""
    return _(words).format(column=column_words(column))


def _table(header: list[str], rows: list[list[str]], *, numeric: tuple[int, ...] = ()) -> str:
    """An escaped table that becomes one card per row on a phone."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            cls = ' class="num"' if i in numeric else (' class="name"' if i == 0 else "")
            label = f' data-label="{escape(header[i], quote=True)}"' if i else ""
            cells.append(f"<td{cls}{label}>{escape(str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table class='cards'><thead><tr>{head}</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>\n"
    )


def _example(e: pd.Series) -> str:
    value = "" if pd.isna(e["value"]) else str(e["value"])
    return _("{file}, row {row}, {column}: “{value}”").format(
        file=Path(str(e["file"])).name, row=int(e["row"]), column=column_words(e["column"]),
        value=value,
    )  # fmt: skip


def _files_and_rows(ds: Any) -> str:
    rows = []
    for table in TABLE_NAMES:
        names = ", ".join(Path(f).name for f in ds.files.get(table, []))
        read, loaded = ds.rows_read.get(table, 0), len(getattr(ds, table))
        rows.append([_(TABLE_WORDS[table]), names or _("no file: the table is empty"),
                     number(read), number(loaded), number(read - loaded)])  # fmt: skip
    header = [_("Table"), _("Files"), _("Rows read"), _("Loaded"), _("Set aside")]
    out = "<h2>" + escape(_("Files and rows")) + "</h2>\n" + _table(header, rows, numeric=(2, 3, 4))
    for f in ds.unused_files:
        text = _("{file} fed no table (a misspelt name?)").format(file=Path(f).name)
        out += f"<p class='failed'>{escape(text)}</p>\n"
    return out


def _set_aside(ds: Any) -> str:
    rows = []
    for table in TABLE_NAMES:
        aside = ds.set_aside.loc[ds.set_aside["table"] == table]
        for (code, reason), group in aside.groupby(["reason_code", "reason"], sort=False):
            rows.append([_(TABLE_WORDS[table]), reason_words(code, reason), number(len(group)),
                         _example(group.iloc[0])])  # fmt: skip
    title = "<h2>" + escape(_("Rows set aside")) + "</h2>\n"
    if not rows:
        return title + "<p>" + escape(_("No row was set aside.")) + "</p>\n"
    header = [_("Table"), _("Reason"), _("Rows"), _("For example")]
    return title + _table(header, rows, numeric=(2,))


def _blanked(ds: Any) -> str:
    rows = []
    blanked = ds.blanked
    for table in TABLE_NAMES:
        values = blanked.loc[blanked["table"] == table]
        for (column, code, reason), group in values.groupby(
            ["column", "reason_code", "reason"], sort=False
        ):
            rows.append([_(TABLE_WORDS[table]), column_words(column), reason_words(code, reason),
                         number(len(group)), _example(group.iloc[0])])  # fmt: skip
    if not rows:
        return ""
    header = [_("Table"), _("Column"), _("Reason"), _("Values"), _("For example")]
    return (
        "<h2>"
        + escape(_("Values blanked or noted"))
        + "</h2>\n"
        + _table(header, rows, numeric=(3,))
    )


def _missing_columns(missing: dict[str, list[str]]) -> str:
    if not missing:
        return ""
    rows = [[Path(f).name, ", ".join(cols)] for f, cols in missing.items()]
    title = _("Optional columns the mapping names but the files lack")
    return f"<h2>{escape(title)}</h2>\n" + _table([_("File"), _("Columns")], rows)


def _months(ds: Any) -> str:
    title = "<h2>" + escape(_("Rows per month (by creation or start time)")) + "</h2>\n"
    cov = monthly_coverage(ds)
    if cov.empty:
        return title + "<p>" + escape(_("No dated rows.")) + "</p>\n"
    wide = cov.pivot_table(index="month", columns="table", values="rows", fill_value=0)
    tables = [t for t in ("tasks", "calls", "deals") if t in wide.columns]
    rows = [[month, *(number(int(wide.loc[month, t])) for t in tables)] for month in wide.index]
    header = [_("Month"), *(_(TABLE_WORDS[t]) for t in tables)]
    return title + _table(header, rows, numeric=tuple(range(1, len(header))))


def _managers(ds: Any) -> str:
    parts = {t: getattr(ds, t)["manager"].value_counts() for t in ("tasks", "calls", "deals")}
    frame = pd.DataFrame(parts).fillna(0).astype("int64").sort_index()
    title = ngettext("{n} manager found", "{n} managers found", len(ds.managers)).format(
        n=len(ds.managers)
    )
    out = f"<h2>{escape(title)}</h2>\n"
    if frame.empty:
        return out
    rows = [[name, *(number(int(v)) for v in row)] for name, row in frame.iterrows()]
    header = [_("Manager"), *(_(TABLE_WORDS[t]) for t in frame.columns)]
    return out + _table(header, rows, numeric=(1, 2, 3))


def _targets(aside: pd.DataFrame | None) -> str:
    if aside is None:
        return ""
    title = ngettext("{n} target row set aside", "{n} target rows set aside", len(aside)).format(
        n=len(aside)
    )
    out = f"<h2>{escape(title)}</h2>\n"
    if aside.empty:
        return out
    rows = [
        [row.manager, metric_name(row.metric),
         _(row.reason) if row.reason in TARGET_REASONS else column_words(row.reason)]
        for row in aside.itertuples()
    ]  # fmt: skip
    return out + _table([_("Manager"), _("KPI figure"), _("Reason")], rows)


def data_health_page(
    report: Any, *, title: str = "", people: list[str] | None = None,
    notes: list[str] | None = None,
) -> str:  # fmt: skip
    """The data-health page of a batch, in the current language.

    Parameters
    ----------
    report : CheckReport
        :func:`workbench.data.check.check_dataset` of the batch's dataset.
    title : str
        The page's heading (default "Data health").
    people : list of str
        Who gets a report and who does not, in words (the runner's lines).
    notes : list of str
        The run's notices (the month chosen and why, coverage warnings).
    """
    ds = report.dataset
    title = title or _("Data health")
    intro = _(
        "For the analyst: what the export held, what was set aside and why, who gets a "
        "report. Not for the managers (it names everyone)."
    )
    source = _("Export: {name} (time zone {tz}).").format(name=Path(str(ds.source)).name, tz=ds.tz)
    out = [page_head(title), f"<h1>{escape(title)}</h1>\n<p>{escape(intro)}</p>\n"]
    out.append(f"<p>{escape(source)}</p>\n")
    if notes:
        out.append(
            "<h2>"
            + escape(_("This run"))
            + "</h2>\n<ul>"
            + "".join(f"<li>{escape(n)}</li>" for n in notes)
            + "</ul>\n"
        )
    out += [_files_and_rows(ds), _missing_columns(report.missing_sources), _set_aside(ds)]
    out += [_blanked(ds), _months(ds), _managers(ds), _targets(report.targets_aside)]
    if people:
        out.append(
            "<h2>"
            + escape(_("Who gets a report"))
            + "</h2>\n<ul>"
            + "".join(f"<li>{escape(p)}</li>" for p in people)
            + "</ul>\n"
        )
    guard = _("Data guard: at most {share} of a table's rows may be set aside").format(
        share=percent(report.threshold)
    )
    out.append(f"<h2>{escape(guard)}</h2>\n")
    if report.ok:
        out.append("<p class='met'>" + escape(_("Passed.")) + "</p>\n")
    else:
        for loss in report.losses:
            text = _("Tripped: {table}, {aside} of {read} rows set aside ({share}).").format(
                table=_(TABLE_WORDS.get(loss.table, loss.table)), aside=number(loss.set_aside),
                read=number(loss.read), share=percent(loss.share),
            )  # fmt: skip
            out.append(f"<p class='failed'>{escape(text)}</p>\n")
    out.append("</body></html>\n")
    return "".join(out)
