"""``workbench check``: what an export holds and whether it can be trusted, before reports.

Loads the export with its mapping and prints, as plain text: the files read per table and
the files that fed nothing, each file's headers against the mapping, rows read / loaded /
set aside per table with the reasons and example rows, the rows per table and month, the
managers found, and the data guards. A tripped guard makes the command exit non-zero.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.data.coverage import DEFAULT_MAX_LOSS, RowLoss, monthly_coverage, row_losses
from workbench.data.loading import Dataset, load_dataset
from workbench.data.mappings import resolve_mapping
from workbench.data.schema import ALL_MANAGERS, TABLE_NAMES
from workbench.terminal import safe_text

__all__ = ["CheckReport", "check_dataset", "check_export", "unusable_targets"]


@dataclass
class CheckReport:
    """The findings of :func:`check_export`; ``text()`` is what the command prints."""

    dataset: Dataset
    missing_sources: dict[str, list[str]] = field(default_factory=dict)  # file -> columns
    losses: list[RowLoss] = field(default_factory=list)
    threshold: float = DEFAULT_MAX_LOSS
    targets_aside: pd.DataFrame | None = None  # manager, metric, reason (unusable_targets)
    people: list[str] = field(default_factory=list)  # who gets a report, and who not (why)

    @property
    def ok(self) -> bool:
        """No guard tripped."""
        return not self.losses

    def text(self) -> str:
        ds = self.dataset
        out = [f"Export: {safe_text(ds.source)} (time zone {ds.tz})", "", "Files"]
        for table in TABLE_NAMES:
            names = ", ".join(safe_text(Path(f).name) for f in ds.files.get(table, []))
            out.append(f"  {table:<8} {names or '(none: the table is empty)'}")
        for f in ds.unused_files:
            out.append(f"  warning: {safe_text(Path(f).name)} fed no table (a misspelt name?)")
        if self.missing_sources:
            out += ["", "Optional columns the mapping names but the files lack"]
            for f, cols in self.missing_sources.items():
                out.append(f"  {safe_text(Path(f).name)}: {', '.join(map(safe_text, cols))}")
        out += ["", "Rows (read = loaded + set aside)"]
        aside = ds.set_aside
        for table in TABLE_NAMES:
            read, loaded = ds.rows_read.get(table, 0), len(getattr(ds, table))
            out.append(f"  {table:<8} {read:>9,} read {loaded:>9,} loaded {read - loaded:>8,} "
                       "set aside")  # fmt: skip
            rows = aside.loc[aside["table"] == table]
            for reason, group in rows.groupby("reason", sort=False):
                out.append(f"           {len(group):>8,} {safe_text(reason)}; {_example(group)}")
            values = ds.blanked.loc[ds.blanked["table"] == table]
            for (col, reason), group in values.groupby(["column", "reason"], sort=False):
                out.append(
                    f"           {len(group):>8,} values of {safe_text(col)} blanked or noted: "
                    f"{safe_text(reason)}; {_example(group)}"
                )
        out += ["", "Rows per month (by creation / start time)"]
        cov = monthly_coverage(ds)
        if cov.empty:
            out.append("  no dated rows")
        else:
            wide = cov.pivot_table(index="month", columns="table", values="rows", fill_value=0)
            out += ["  " + line for line in wide.astype("int64").to_string().splitlines()]
        out += ["", f"Managers found: {len(ds.managers)}"]
        counts = _rows_per_manager(ds)
        out += ["  " + line for line in counts.to_string().splitlines()] if len(counts) else []
        if self.targets_aside is not None:
            out += ["", f"Target rows set aside: {len(self.targets_aside)}"]
            for row in self.targets_aside.itertuples():
                out.append(
                    f"  manager {safe_text(row.manager)!r}, metric "
                    f"{safe_text(row.metric)!r}: {safe_text(row.reason)}"
                )
        if self.people:
            out += ["", "Who gets a report"] + [f"  {safe_text(line)}" for line in self.people]
        out += ["", f"Data guard (at most {self.threshold:.0%} of a table's rows set aside)"]
        if self.ok:
            out.append("  passed")
        else:
            out += ["  TRIPPED: " + loss.describe() for loss in self.losses]
        return "\n".join(out) + "\n"


def _example(group: pd.DataFrame) -> str:
    e = group.iloc[0]
    value = "" if pd.isna(e["value"]) else e["value"]
    return (
        f"e.g. {safe_text(Path(e['file']).name)} row {e['row']}, "
        f"{safe_text(e['column'])} = {safe_text(value)!r}"
    )


def _rows_per_manager(ds: Dataset) -> pd.DataFrame:
    parts = {t: getattr(ds, t)["manager"].value_counts() for t in ("tasks", "calls", "deals")}
    frame = pd.DataFrame(parts).fillna(0).astype("int64").sort_index()
    frame.index = [safe_text(i) for i in frame.index]
    return frame


def unusable_targets(
    targets: pd.DataFrame,
    *,
    metrics: Collection[str] | None = None,
    managers: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Target rows the KPI check cannot use, with the reason: ``manager``, ``metric``,
    ``reason``, indexed like ``targets`` (its row order: row 1 is index 0).

    A metric not in ``metrics`` (when given) and a manager that is neither ``*`` nor in
    ``managers`` (when given) make a row unusable.
    """
    reasons = pd.Series("", index=targets.index, dtype="str")
    if metrics is not None:
        unknown = ~targets["metric"].isin(list(metrics))
        reasons[unknown] = "unknown metric (not a metric the KPI check computes)"
    if managers is not None:
        known = set(managers) | {ALL_MANAGERS}
        nobody = ~targets["manager"].isin(known) & (reasons == "")
        reasons[nobody] = "unknown manager (no rows in the data and not in the roster)"
    bad = reasons != ""
    out = targets.loc[bad, ["manager", "metric"]].assign(reason=reasons[bad])
    return out.astype({"manager": "str", "metric": "str", "reason": "str"})


def check_export(
    data: str | Path,
    *,
    mapping: Any = None,
    tz: str | None = None,
    max_loss: float = DEFAULT_MAX_LOSS,
    metrics: Collection[str] | None = None,
) -> CheckReport:
    """Load ``data`` and gather what ``workbench check`` prints (see the module docstring).

    ``metrics``: the metric names a target may use (``workbench.metrics.kpi.KPI_METRICS``;
    this layer does not know them); None skips that check.
    """
    dataset = load_dataset(data, mapping=mapping, tz=tz)
    return check_dataset(dataset, mapping=mapping, max_loss=max_loss, metrics=metrics)


def check_dataset(
    dataset: Dataset,
    *,
    mapping: Any = None,
    max_loss: float = DEFAULT_MAX_LOSS,
    metrics: Collection[str] | None = None,
    people: list[str] | None = None,
) -> CheckReport:
    """:func:`check_export` of a dataset already loaded (with the ``mapping`` it was loaded
    with); ``people`` are lines saying who gets a report and who does not."""
    spec = resolve_mapping(mapping)
    missing = {}
    for table in TABLE_NAMES:
        tmap = spec.tables.get(table)
        if tmap is None:
            continue
        wanted = [n for names in tmap.source_columns(table).values() for n in names]
        for f in dataset.files.get(table, []):
            absent = [n for n in wanted if n not in dataset.headers.get(f, [])]
            if absent:
                missing[f] = absent
    known = set(dataset.managers) | set(dataset.roster["manager"])
    aside = unusable_targets(dataset.targets, metrics=metrics, managers=known)
    losses = row_losses(dataset, threshold=max_loss)
    return CheckReport(dataset, missing, losses, max_loss, aside, list(people or []))
