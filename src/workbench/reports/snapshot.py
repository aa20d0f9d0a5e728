"""The batch snapshot: the validated tables and the department figures, written once per batch.

The runner loads and validates the export once (a real Excel export of 92,000 calls takes
9-15 s to parse), computes the department's figures once, and writes both here as Parquet
plus one JSON file. Every worker kernel then reads this snapshot (a fraction of a second)
instead of parsing the export again and recomputing the department::

    <out>/<period>/_batch/
        snapshot.json              tz, source, files, rows read, fingerprints, figures' params
        tables/<table>.parquet     tasks, calls, deals, targets, roster, set_aside
        department/<name>.parquet  the tables of a ``manager_view.Department``

The folder sits beside the managers' folders, never inside one (a manager's folder is what
gets sent), and holds every manager's rows: it is a working copy for the kernels, not a
deliverable. Parquet keeps the pandas dtypes, so a table read back has the fingerprint of
the table written.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.data.loading import Dataset
from workbench.reports.manager_view import Department

__all__ = ["BATCH_DIR", "read_dataset", "read_department", "read_meta", "write_snapshot"]

#: Name of the snapshot folder under ``<out>/<period>/`` (a slug never starts with "_").
BATCH_DIR = "_batch"
_TABLES = ("tasks", "calls", "deals", "targets", "roster", "set_aside")
_META = "snapshot.json"


def write_snapshot(
    folder: Path, dataset: Dataset, department: Department, *, meta: dict[str, Any]
) -> Path:
    """Write ``dataset``'s tables and ``department`` into ``folder`` (replaced); return it.

    ``meta`` (JSON-ready) is stored with it: the runner records the parameters the
    department figures were computed with and the fingerprints the provenance shows.
    """
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "tables").mkdir(parents=True)
    (folder / "department").mkdir()
    for table in _TABLES:
        getattr(dataset, table).to_parquet(folder / "tables" / f"{table}.parquet")
    scalars = {}
    for f in dataclasses.fields(department):
        value = getattr(department, f.name)
        if isinstance(value, pd.DataFrame):
            value.to_parquet(folder / "department" / f"{f.name}.parquet")
        elif isinstance(value, pd.Timestamp):
            scalars[f.name] = {"timestamp": value.isoformat(), "tz": str(value.tz)}
        else:
            scalars[f.name] = list(value) if isinstance(value, tuple) else value
    record = {
        "dataset": {
            "tz": dataset.tz,
            "source": dataset.source,
            "files": dataset.files,
            "rows_read": dataset.rows_read,
        },
        "department": scalars,
        **meta,
    }
    (folder / _META).write_text(json.dumps(record, ensure_ascii=False, indent=1), "utf-8")
    return folder


def read_meta(folder: str | Path) -> dict[str, Any]:
    """The snapshot's JSON record (see :func:`write_snapshot`)."""
    return json.loads((Path(folder) / _META).read_text("utf-8"))


def read_dataset(folder: str | Path) -> Dataset:
    """The validated :class:`~workbench.data.loading.Dataset` the snapshot holds."""
    folder = Path(folder)
    info = read_meta(folder)["dataset"]
    tables = {t: pd.read_parquet(folder / "tables" / f"{t}.parquet") for t in _TABLES}
    return Dataset(**tables, **info)


def read_department(folder: str | Path) -> Department:
    """The :class:`~workbench.reports.manager_view.Department` figures the snapshot holds."""
    folder = Path(folder)
    scalars = read_meta(folder)["department"]
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Department):
        path = folder / "department" / f"{f.name}.parquet"
        if f.name not in scalars:
            values[f.name] = pd.read_parquet(path)
            continue
        value = scalars[f.name]
        if isinstance(value, dict) and set(value) == {"timestamp", "tz"}:
            value = pd.Timestamp(value["timestamp"]).tz_convert(value["tz"])
        values[f.name] = tuple(value) if isinstance(value, list) else value
    return Department(**values)
