"""The workbench's errors: one base class, narrow subclasses with structured fields.

Catch :class:`WorkbenchError` to handle anything the workbench raises on purpose; anything
else is a bug. Each subclass also derives from the built-in exception a caller would
expect (``ValueError``, ``KeyError``, ``TypeError``), so ``except ValueError`` keeps working.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

__all__ = [
    "WorkbenchError",
    "DataContractError",
    "DateOrderError",
    "MappingError",
    "ParameterError",
    "MissingColumnsError",
    "ColumnTypeError",
    "require_columns",
]


class WorkbenchError(Exception):
    """Base of every error the workbench raises on purpose."""


class DataContractError(WorkbenchError, ValueError):
    """A source file cannot be read as a contract table (e.g. a required column is missing)."""


class DateOrderError(DataContractError):
    """A timestamp column whose values prove both day-first and month-first order.

    Parameters
    ----------
    day_first, month_first : tuple of (index label, text)
        One value that reads only day-first and one that reads only month-first.
    column : str
        Label of the column (set by :func:`workbench.data.validation.convert_table`).
    """

    def __init__(self, day_first: tuple, month_first: tuple, column: str = "") -> None:
        self.day_first, self.month_first, self.column = day_first, month_first, column
        super().__init__(self.describe())

    def describe(self, table: str = "", where=None) -> str:
        """The message; ``where(label)`` names the file and row of an index label."""
        where = where or (lambda label: f"index {label}")
        (i, day), (j, month) = self.day_first, self.month_first
        names = [f"table {table}" if table else "", f"column {self.column}" if self.column else ""]
        head = ", ".join(n for n in names if n)
        return (
            f"{head + ': ' if head else ''}dates in both day/month orders: {where(i)} {day!r} "
            f"reads only day-first, {where(j)} {month!r} reads only month-first. A column has "
            "one order: fix the export or give the format in the mapping (datetime: {format: ...})."
        )


class MappingError(WorkbenchError, ValueError):
    """A mapping file or preset that cannot be used as written."""


class ParameterError(WorkbenchError, ValueError):
    """A parameter that is unknown, of the wrong type or out of range (period, template...)."""


class MissingColumnsError(WorkbenchError, KeyError, ValueError):
    """A table lacks columns a function needs, or has empty values where none are allowed.

    Attributes
    ----------
    table : str
        What the table is (``"tasks table"``, ``"panel"``...).
    missing : list of str
        The columns not found (empty when the columns exist but hold empty values).
    found : list of str
        The columns the table has.
    """

    def __init__(self, table: str, missing: Sequence[str], found: Sequence[str], detail: str = ""):
        self.table, self.missing, self.found = table, list(missing), [str(c) for c in found]
        self.message = detail or (
            f"{table}: missing column(s) {self.missing}; it has {self.found} "
            "(see workbench.data.schema)"
        )
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


class ColumnTypeError(WorkbenchError, TypeError):
    """A column of the wrong type, e.g. naive timestamps where tz-aware ones are needed."""


def require_columns(
    df: pd.DataFrame,
    columns: Iterable[str],
    *,
    table: str,
    not_null: Iterable[str] = (),
    tz_aware: Iterable[str] = (),
) -> None:
    """Raise a clear error when ``df`` lacks a column, or has a wrong or empty one.

    Metric and statistic functions take canonical tables; this catches a table built by
    hand (or a loader bug) instead of letting rows fall out of the counts unseen.

    Raises
    ------
    MissingColumnsError
        A column of ``columns`` is absent, or a ``not_null`` column holds an empty value.
    ColumnTypeError
        A ``tz_aware`` column does not hold tz-aware timestamps.
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise MissingColumnsError(table, missing, list(df.columns))
    for col in tz_aware:
        if not isinstance(df[col].dtype, pd.DatetimeTZDtype):
            raise ColumnTypeError(f"{table}: column {col!r} must be tz-aware, got {df[col].dtype}")
    for col in not_null:
        bad = df[col].isna().to_numpy()
        if bad.any():
            row = df.index[bad.argmax()]
            raise MissingColumnsError(
                table,
                [],
                list(df.columns),
                f"{table}: column {col!r} is empty in {int(bad.sum())} row(s), first at row "
                f"(index label) {row}; the loader should have set such rows aside",
            )
