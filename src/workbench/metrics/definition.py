"""The written definition of a metric: the record every module declares beside its code.

A leaf module (it imports nothing from the workbench), so that any module can declare its
``DEFINITIONS`` tuple; :mod:`workbench.catalogue` gathers them into one catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd

__all__ = ["Definition", "definitions_frame"]


@dataclass(frozen=True)
class Definition:
    """The written definition of one metric column.

    Population, time anchor, numerator, denominator and exclusions say how the number is
    counted; unit and description say how it reads.
    """

    name: str
    population: str
    time_anchor: str
    numerator: str
    denominator: str = "-"
    exclusions: str = "-"
    unit: str = ""
    description: str = ""


def definitions_frame(defs: Iterable[Definition]) -> pd.DataFrame:
    """Definitions as a table, one row per metric column, every field a string column."""
    cols = list(Definition.__dataclass_fields__)
    return pd.DataFrame([asdict(d) for d in defs], columns=cols).astype("str")
