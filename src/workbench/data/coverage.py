"""What the data covers, and the guards that stop a batch of silent zeros.

A report on a month the data does not cover, or on a table that lost most of its rows to
validation, would print zeros that look like findings. These functions say what the data
covers (rows per table and month), pick the latest month that is really covered (not one
reached by a few stray dates), and trip a guard when a table lost too many rows.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from workbench.data.schema import TABLE_WORDS
from workbench.errors import ParameterError, WorkbenchError
from workbench.i18n import _, ngettext, number

__all__ = [
    "ANCHORS",
    "DEFAULT_MAX_LOSS",
    "DataGuardError",
    "RowLoss",
    "latest_covered_month",
    "monthly_coverage",
    "period_coverage",
    "row_losses",
]

#: The time that places a row of each activity table in a month.
ANCHORS = {"tasks": "created_at", "calls": "started_at", "deals": "created_at"}
#: A table that sets aside more than this share of its rows stops a batch.
DEFAULT_MAX_LOSS = 0.10
_LOOKBACK = 6  # months before a candidate month that its activity is judged against
#: Days without rows at either end of a period that are quiet days (a weekend and a
#: holiday), not a gap in the data: no warning for a table whose rows end on Friday the 29th.
_QUIET_DAYS = 3


@dataclass(frozen=True)
class RowLoss:
    """A table that lost more of its rows than the guard allows."""

    table: str
    read: int
    set_aside: int
    reasons: list[tuple[str, int]] = field(default_factory=list)  # most frequent first
    examples: list[dict[str, Any]] = field(default_factory=list)  # file, row, column, value

    @property
    def share(self) -> float:
        return self.set_aside / self.read if self.read else 0.0

    def describe(self) -> str:
        top = "; ".join(f"{reason}: {n:,}" for reason, n in self.reasons[:3])
        lines = [
            f"{self.table}: {self.set_aside:,} of {self.read:,} rows set aside "
            f"({self.share:.0%}); top reasons: {top}"
        ]
        lines += [
            f"    e.g. {e['file']} row {e['row']}, column {e['column']}: {e['value']!r} "
            f"({e['reason']})"
            for e in self.examples
        ]
        return "\n".join(lines)


class DataGuardError(WorkbenchError):
    """A data guard tripped: the batch would rest on too little of the data."""

    def __init__(self, losses: list[RowLoss], threshold: float) -> None:
        self.losses, self.threshold = losses, threshold
        body = "\n".join(loss.describe() for loss in losses)
        super().__init__(
            f"data guard: more than {threshold:.0%} of the rows of "
            f"{', '.join(loss.table for loss in losses)} were set aside; fix the mapping or "
            f"the export (or raise the limit with --max-loss):\n{body}"
        )


def row_losses(dataset: Any, *, threshold: float = DEFAULT_MAX_LOSS) -> list[RowLoss]:
    """Tables whose set-aside rows exceed ``threshold`` of the rows read, with the top
    reasons and the first three example rows."""
    out = []
    aside = dataset.set_aside
    for table, read in dataset.rows_read.items():
        rows = aside.loc[aside["table"] == table]
        if not read or len(rows) / read <= threshold:
            continue
        reasons = rows["reason"].value_counts()
        examples = rows.head(3)[["file", "row", "column", "value", "reason"]]
        out.append(
            RowLoss(
                table,
                int(read),
                len(rows),
                [(str(r), int(n)) for r, n in reasons.items()],
                examples.to_dict("records"),
            )
        )
    return out


def monthly_coverage(dataset: Any) -> pd.DataFrame:
    """Rows per activity table and calendar month (business time zone), by each table's
    anchor time (:data:`ANCHORS`). Columns ``table``, ``month`` (``YYYY-MM``), ``rows``."""
    frames = []
    for table, anchor in ANCHORS.items():
        times = getattr(dataset, table)[anchor].dropna()
        if times.empty:
            continue
        months = times.dt.tz_convert(dataset.tz).dt.strftime("%Y-%m")
        counts = months.value_counts().sort_index()
        frames.append(pd.DataFrame({"table": table, "month": counts.index, "rows": counts.values}))
    if not frames:
        return pd.DataFrame({"table": [], "month": [], "rows": []}).astype(
            {"table": "str", "month": "str", "rows": "int64"}
        )
    return pd.concat(frames, ignore_index=True)


def _month_bounds(month: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{month}-01")
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return first, last


#: Event times that show the data runs to a day (besides the anchors): a task completed or
#: a deal closed on the 31st means the export reaches the 31st.
_EVENTS = {"tasks": ("completed_at",), "deals": ("closed_at",)}


def _data_end_day(dataset: Any, last_month: str) -> date:
    """The last day the data runs to: its latest anchor or completion/close time, but no
    later than the end of ``last_month`` (the latest month with an anchor), so that a close
    date mistyped into a later year does not stretch the data."""
    cap = _month_bounds(last_month)[1]
    days = []
    for table, anchor in ANCHORS.items():
        for column in (anchor, *_EVENTS.get(table, ())):
            times = getattr(dataset, table)[column].dropna()
            if len(times):
                local = times.dt.tz_convert(dataset.tz).dt.date
                local = local[local <= cap]
                if len(local):
                    days.append(local.max())
    return max(days)


def latest_covered_month(dataset: Any, *, as_of: str | None = None) -> tuple[date, date, str]:
    """The latest full calendar month the data really covers, and why it was chosen.

    A month is full when the data runs to its last day (the latest anchor, completion or
    close time, or ``as_of`` when given, is on or after it; a completion or close after the
    latest anchor month counts as a typo and is ignored). Among full months, the latest is
    taken whose rows (tasks, calls and deals together) reach at least half the median of the (up to)
    six earlier months that have rows: a month reached only by a few stray or mistyped
    dates is passed over, and the reason says so.

    Raises
    ------
    ParameterError
        No month qualifies.
    """
    cov = monthly_coverage(dataset)
    per_month = cov.groupby("month")["rows"].sum().sort_index()
    if per_month.empty:
        raise ParameterError(f"{dataset.source}: no dated rows; give --from and --to")
    if as_of:
        end = pd.Timestamp(as_of)
        end = end.tz_localize(dataset.tz) if end.tzinfo is None else end.tz_convert(dataset.tz)
        end_day = end.date()
    else:
        end_day = _data_end_day(dataset, per_month.index[-1])
    skipped = []
    months = [m for m in per_month.index if _month_bounds(m)[1] <= end_day]
    for i in range(len(months) - 1, -1, -1):
        month, rows = months[i], int(per_month[months[i]])
        earlier = [int(per_month[m]) for m in months[max(0, i - _LOOKBACK) : i]]
        typical = statistics.median(earlier) if earlier else 0
        if rows > 0 and rows >= typical / 2:
            first, last = _month_bounds(month)
            if earlier:
                why = _(
                    "the latest full month with regular activity ({rows}; median of the "
                    "months before: {typical})"
                ).format(rows=_rows(rows), typical=number(typical))
            else:
                why = _("the latest full month with regular activity ({rows})").format(
                    rows=_rows(rows)
                )
            if skipped:
                why += "; " + _("passed over {months}").format(months=", ".join(skipped))
            return first, last, why
        skipped.append(
            _("{month} ({rows} against a median of {typical})").format(
                month=month, rows=_rows(rows), typical=number(typical)
            )
        )
    raise ParameterError(
        f"{dataset.source}: no full calendar month with regular activity (data to {end_day}); "
        "give --from and --to"
    )


def _rows(n: int) -> str:
    """ "1 row", "12 rows" in the current language."""
    return ngettext("{n} row", "{n} rows", n).format(n=number(n))


def period_coverage(dataset: Any, start: date, end: date) -> list[str]:
    """Check that the period ``[start, end]`` (inclusive dates) lies in the data.

    Returns the warnings for a partly covered period (a table whose rows start more than
    three days after the period's first day or end more than three days before its last
    day: fewer are quiet days, a weekend). A period outside every table's rows
    is an error that states each table's coverage.

    Raises
    ------
    ParameterError
        No table has a row in the period.
    """
    spans = {}
    for table, anchor in ANCHORS.items():
        times = getattr(dataset, table)[anchor].dropna()
        if len(times):
            local = times.dt.tz_convert(dataset.tz)
            spans[table] = (local.min().date(), local.max().date())
    inside = {t: (lo <= end and hi >= start) for t, (lo, hi) in spans.items()}
    coverage = "; ".join(f"{t} {lo} to {hi}" for t, (lo, hi) in spans.items()) or "no dated rows"
    if not any(inside.values()):
        raise ParameterError(
            f"the period {start} to {end} is outside the data (coverage: {coverage})"
        )
    warnings = []
    quiet = timedelta(days=_QUIET_DAYS)
    for table, (lo, hi) in spans.items():
        name = _(TABLE_WORDS.get(table, table))
        if inside[table] and (lo > start + quiet or hi < end - quiet):
            warnings.append(
                _("{table} cover only {first} to {last} of the period {start} to {end}").format(
                    table=name, first=max(lo, start), last=min(hi, end), start=start, end=end
                )
            )
        elif not inside[table]:
            warnings.append(
                _("{table} have no rows in the period (they cover {first} to {last})").format(
                    table=name, first=lo, last=hi
                )
            )
    return warnings
