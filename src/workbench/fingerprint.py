"""Stable fingerprints of tables, used for report caching and provenance.

A fingerprint is a SHA-256 hex digest of a table's column names, dtypes and the multiset of
its row hashes (``pandas.util.hash_pandas_object``, a fixed-key hash), so it does not
depend on row order or index, and it changes when any value, column or dtype changes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
import pandas as pd

from workbench.schema import ALL_MANAGERS

__all__ = ["frame_fingerprint", "manager_fingerprint", "dataset_fingerprint", "cache_key"]

_TABLES = ("tasks", "calls", "deals", "targets")


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """Return the order-independent fingerprint of ``frame`` (index ignored)."""
    digest = hashlib.sha256()
    header = [[str(c), str(t)] for c, t in frame.dtypes.items()]
    digest.update(json.dumps(header).encode("utf-8"))
    if len(frame):
        rows = pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)
        digest.update(np.sort(rows).tobytes())
    return digest.hexdigest()


def _manager_rows(dataset: Any, table: str, manager: str) -> pd.DataFrame:
    frame = getattr(dataset, table)
    if table == "targets":
        return frame.loc[frame["manager"].isin([manager, ALL_MANAGERS])]
    return frame.loc[frame["manager"] == manager]


def manager_fingerprint(dataset: Any, manager: str) -> str:
    """Fingerprint of one manager's own inputs.

    Covers the manager's rows in tasks, calls and deals, and the target rows that apply to
    them (their own and the ``*`` rows). It deliberately does NOT cover other managers'
    rows: team comparison figures in a cached report may lag until ``--force``.
    """
    parts = {t: frame_fingerprint(_manager_rows(dataset, t, manager)) for t in _TABLES}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def dataset_fingerprint(dataset: Any) -> str:
    """Fingerprint of the four canonical tables as a whole."""
    parts = {t: frame_fingerprint(getattr(dataset, t)) for t in _TABLES}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()


def cache_key(*, template: bytes, params: dict[str, Any], inputs: str, version: str) -> str:
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
    """
    digest = hashlib.sha256(template)
    payload = {"params": params, "inputs": inputs, "version": version}
    digest.update(json.dumps(payload, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()
