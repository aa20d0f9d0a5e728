"""Stable fingerprints of tables, used for report caching and provenance.

A fingerprint is a SHA-256 hex digest of a table's column names, dtypes and the multiset of
its row hashes (``pandas.util.hash_pandas_object``, a fixed-key hash), so it does not
depend on row order or index, and it changes when any value, column or dtype changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.data.schema import ALL_MANAGERS

__all__ = [
    "frame_fingerprint",
    "manager_fingerprint",
    "manager_fingerprints",
    "dataset_fingerprint",
    "department_fingerprint",
    "cache_key",
    "code_fingerprint",
]

_TABLES = ("tasks", "calls", "deals", "targets")
_PACKAGE = Path(__file__).resolve().parent


def code_fingerprint() -> str:
    """SHA-256 of the package's own code and presets, for cache keys.

    The version number does not change with every fix of a metric; the code does, so a
    cached report is re-rendered when any module it could have run has changed.
    """
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
            h.update(path.relative_to(_PACKAGE).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _header(frame: pd.DataFrame) -> bytes:
    return json.dumps([[str(c), str(t)] for c, t in frame.dtypes.items()]).encode("utf-8")


def _row_hashes(frame: pd.DataFrame) -> np.ndarray:
    if not len(frame):
        return np.empty(0, dtype=np.uint64)
    return pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)


def _digest(header: bytes, rows: np.ndarray) -> str:
    digest = hashlib.sha256(header)
    if len(rows):
        digest.update(np.sort(rows).tobytes())
    return digest.hexdigest()


def _combine(parts: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """Return the order-independent fingerprint of ``frame`` (index ignored)."""
    return _digest(_header(frame), _row_hashes(frame))


def _manager_rows(dataset: Any, table: str, manager: str) -> pd.DataFrame:
    frame = getattr(dataset, table)
    if table == "targets":
        return frame.loc[frame["manager"].isin([manager, ALL_MANAGERS])]
    return frame.loc[frame["manager"] == manager]


def manager_fingerprint(dataset: Any, manager: str) -> str:
    """Fingerprint of one manager's own inputs.

    Covers the manager's rows in tasks, calls and deals, and the target rows that apply to
    them (their own and the ``*`` rows). Other managers' rows reach a report only through
    the department figures, which :func:`department_fingerprint` covers.
    """
    parts = {t: frame_fingerprint(_manager_rows(dataset, t, manager)) for t in _TABLES}
    return _combine(parts)


def manager_fingerprints(dataset: Any, managers: list[str]) -> dict[str, str]:
    """:func:`manager_fingerprint` of many managers, hashing each big table only once.

    Filtering every table once per manager costs O(managers x rows); this hashes every row
    once and picks each manager's row hashes by position.
    """
    tables = {}
    for t in _TABLES[:3]:
        frame = getattr(dataset, t)
        groups = frame.groupby("manager", sort=False).indices if len(frame) else {}
        tables[t] = (_header(frame), _row_hashes(frame), groups)
    out = {}
    for manager in managers:
        parts = {
            t: _digest(header, rows[groups.get(manager, np.empty(0, dtype=np.intp))])
            for t, (header, rows, groups) in tables.items()
        }
        parts["targets"] = frame_fingerprint(_manager_rows(dataset, "targets", manager))
        out[manager] = _combine(parts)
    return out


def dataset_fingerprint(dataset: Any) -> str:
    """Fingerprint of the four canonical tables as a whole."""
    return _combine({t: frame_fingerprint(getattr(dataset, t)) for t in _TABLES})


def department_fingerprint(department: Any) -> str:
    """Fingerprint of a department's figures (any dataclass of tables and plain values).

    A manager's report draws on its own rows and on these figures (colleagues' medians and
    bands, the data-health counts, the pseudonyms' salt); a report cached under a key that
    holds this fingerprint is re-rendered when any colleague's figure changes. Table
    indexes count here (a per-manager count is indexed by manager).
    """
    parts = {}
    for f in dataclasses.fields(department):
        value = getattr(department, f.name)
        if isinstance(value, pd.DataFrame):
            named = any(n is not None for n in value.index.names)
            parts[f.name] = frame_fingerprint(value.reset_index() if named else value)
        else:
            parts[f.name] = json.dumps(value, sort_keys=True, default=str)
    return _combine(parts)


def cache_key(
    *,
    template: bytes,
    params: dict[str, Any],
    inputs: str,
    version: str,
    department: str = "",
) -> str:
    """Key under which one rendered report may be reused.

    Parameters
    ----------
    template
        The template notebook's bytes.
    params
        The notebook parameters (JSON-serialisable scalars).
    inputs
        :func:`manager_fingerprint` of the manager.
    version
        The package version (a new release re-renders everything).
    department
        :func:`department_fingerprint` of the figures the report compares the manager with.
    """
    digest = hashlib.sha256(template)
    payload = {"params": params, "inputs": inputs, "version": version}
    if department:
        payload["department"] = department
    digest.update(json.dumps(payload, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()
