"""The batch snapshot: the validated tables and the department figures, written once per batch.

The runner loads and validates the export once (a real Excel export of 92,000 calls takes
9-15 s to parse), computes the department's figures once, and writes both here as Parquet
plus one JSON file. Every worker kernel then reads this snapshot (a fraction of a second)
instead of parsing the export again and recomputing the department::

    <out>/<period>/_batch/
        snapshot.json              tz, source, files, rows read, fingerprints, figures' params
        tables/<table>.parquet     tasks, calls, deals, targets, roster, set_aside, blanked
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
from workbench.data.schema import TABLE_NAMES
from workbench.files import atomic_write
from workbench.reports.manager_view import Department

__all__ = [
    "BATCH_DIR",
    "ROSTER_FILE",
    "read_dataset",
    "read_department",
    "read_meta",
    "read_roster",
    "write_roster",
    "write_snapshot",
]

#: Name of the snapshot folder under ``<out>/<period>/`` (a slug never starts with "_").
BATCH_DIR = "_batch"
_TABLES = (*TABLE_NAMES, "set_aside", "blanked")
_META = "snapshot.json"
#: The roster a run leaves beside the index for delivery (see :func:`write_roster`).
ROSTER_FILE = "_roster.parquet"


def write_snapshot(
    folder: Path, dataset: Dataset, department: Department | None, *, meta: dict[str, Any]
) -> Path:
    """Write ``dataset``'s tables and ``department`` into ``folder`` (replaced); return it.

    ``meta`` (JSON-ready) is stored with it: the runner records the parameters the
    department figures were computed with and the fingerprints the provenance shows.
    ``department`` None writes the tables alone (the case studies of ``workbench cases``
    read only :func:`read_dataset`).
    """
    shutil.rmtree(folder, ignore_errors=True)
    for table in _TABLES:  # every file whole or not at all (workbench.files.atomic_write)
        atomic_write(folder / "tables" / f"{table}.parquet", getattr(dataset, table).to_parquet())
    scalars = {}
    for f in dataclasses.fields(department) if department is not None else ():
        value = getattr(department, f.name)
        if isinstance(value, pd.DataFrame):
            atomic_write(folder / "department" / f"{f.name}.parquet", value.to_parquet())
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
            "unused_files": dataset.unused_files,
            "headers": dataset.headers,
        },
        "department": scalars,
        **meta,
    }
    atomic_write(folder / _META, json.dumps(record, ensure_ascii=False, indent=1))
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


def write_roster(period_dir: Path, dataset: Dataset) -> Path:
    """Write the roster alone to ``<period_dir>/_roster.parquet``, where delivery reads it.

    Every run writes it, cached or not, so a corrected address reaches the next send. It
    holds names, teams, roles and addresses, never a figure, so it may outlive the run's
    snapshot (which holds every manager's rows and is removed when the run ends).
    """
    import io

    buffer = io.BytesIO()
    dataset.roster.to_parquet(buffer)
    return atomic_write(Path(period_dir) / ROSTER_FILE, buffer.getvalue())


def read_roster(period_dir: str | Path) -> pd.DataFrame | None:
    """The roster a run wrote into ``period_dir``; None when there is none."""
    path = Path(period_dir) / ROSTER_FILE
    return pd.read_parquet(path) if path.exists() else None


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
