"""Builders the test modules share: timestamps and tiny canonical tasks, calls and deals tables.

Import them as ``from helpers import ts, tasks_table`` (pytest puts ``tests/`` on the path, as
this folder has a conftest.py and no ``__init__.py``). The builders only shape rows written
out in the test; they compute nothing, so they cannot stand in for the code under test.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

TASK_TIMESTAMPS = ["created_at", "due_at", "original_due_at", "completed_at"]


def ts(text: str) -> pd.Timestamp:
    """One instant in UTC: ``ts("2026-01-05 10:00")``."""
    return pd.Timestamp(text, tz="UTC")


def ts_series(values: Iterable) -> pd.Series:
    """Instants (None: missing) as a ``datetime64[us, UTC]`` column, as the loader gives them."""
    return pd.Series(pd.to_datetime(list(values), utc=True), dtype="datetime64[us, UTC]")


def tasks_table(rows: list[dict]) -> pd.DataFrame:
    """A canonical tasks table from dicts; ``original_due_at`` defaults to ``due_at``,
    ``status`` to completed/open after ``completed_at``, ``task_id`` to 1, 2, ..."""
    base = {"manager": "Anna", "due_at": None, "completed_at": None}
    rows = [base | r for r in rows]
    for i, r in enumerate(rows):
        r.setdefault("task_id", str(i + 1))
        r.setdefault("original_due_at", r["due_at"])
        r.setdefault("status", "completed" if r["completed_at"] else "open")
    df = pd.DataFrame(rows)
    for col in TASK_TIMESTAMPS:
        if col in df:
            df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601")
    return df


def calls_table(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (manager, started_at, duration_s, direction, answered); call_id 0, 1, ..."""
    df = pd.DataFrame(
        rows, columns=["manager", "started_at", "duration_s", "direction", "answered"]
    )
    df.insert(0, "call_id", [str(i) for i in range(len(df))])
    df["started_at"] = pd.to_datetime(df["started_at"], utc=True, format="ISO8601")
    df["duration_s"] = df["duration_s"].astype("float64")
    return df


def deals_table(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (manager, created_at, closed_at, outcome, amount); deal_id d1, d2, ..."""
    df = pd.DataFrame(rows, columns=["manager", "created_at", "closed_at", "outcome", "amount"])
    df.insert(0, "deal_id", [f"d{i + 1}" for i in range(len(df))])
    for col in ("created_at", "closed_at"):
        df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601")
    df["amount"] = df["amount"].astype("float64")
    return df


def write_template(path, params: str, body: str):
    """A minimal report template: a ``parameters`` cell and one code cell, for fault tests."""
    import nbformat

    cells = [
        nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(body),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path
