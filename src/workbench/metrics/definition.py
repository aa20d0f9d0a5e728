"""The written definition of a metric: the record every module declares beside its code.

A leaf module (it imports nothing from the workbench), so that any module can declare its
``DEFINITIONS`` tuple; :mod:`workbench.catalogue` gathers them into one catalogue. Besides how
a number is counted, a definition says how it reads (label, kind), which way is better, and
how a rate pools over a window of periods (ratio, scale): pages take those from here instead
of keeping their own lists.

Every text field but ``name`` is what people read: plain words with no column names or
formulas, marked ``N_("...")`` where declared (whole literal sentences, numbers written in,
so that the extractor finds them) and translated where shown. The code names and the
pooling formula are for analysts (``docs/metrics.md``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import pandas as pd

__all__ = ["BETTER", "KINDS", "Definition", "definitions_frame", "from_rows", "pooling_text"]

#: Kinds of value; a kind picks the unit text and the display / tick format.
KINDS = ("count", "rate", "money", "minutes", "seconds", "days", "bool", "label", "value")
#: Directions a metric can be better in; None = neither (more is not better, nor worse).
BETTER = ("lower", "higher", None)


@dataclass(frozen=True)
class Definition:
    """The written definition of one metric column.

    Population, time anchor, numerator, denominator and exclusions say in plain words how
    the number is counted (a manager could recount it by hand); unit and description say
    how it reads. ``label`` is the plain-words name pages print, ``kind`` one of
    :data:`KINDS`, ``better`` "lower", "higher" or None (no good direction). ``ratio`` =
    (numerator column, denominator columns), two denominator columns meaning the first
    minus the second: a window's value is the summed numerator over the summed
    denominator, times ``scale`` (e.g. 1/60 for seconds to minutes).
    """

    name: str
    population: str
    time_anchor: str
    numerator: str
    denominator: str = "-"
    exclusions: str = "-"
    unit: str = ""
    description: str = ""
    label: str = ""
    kind: str = "value"
    better: str | None = None
    ratio: tuple[str, tuple[str, ...]] | None = None
    scale: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind {self.kind!r} is not one of {KINDS}")
        if self.better not in BETTER:
            raise ValueError(f"{self.name}: better {self.better!r} is not one of {BETTER}")
        if self.ratio is not None:
            num, den = self.ratio
            if not isinstance(num, str) or not isinstance(den, tuple) or len(den) not in (1, 2):
                raise ValueError(f"{self.name}: ratio must be (column, (one or two columns))")


def from_rows(
    rows: Iterable[tuple[str, ...]],
    reading: Mapping[str, tuple[str, str, str | None]],
    pooling: Mapping[str, tuple[tuple[str, tuple[str, ...]], float]] | None = None,
) -> tuple[Definition, ...]:
    """Definitions from 8-field rows (name, population, time anchor, numerator, denominator,
    exclusions, unit, description), with ``reading[name] = (label, kind, better)`` and
    ``pooling[name] = (ratio, scale)``.

    Raises
    ------
    ValueError
        A name in ``reading`` or ``pooling`` that no row declares (a typo would go unseen).
    """
    rows = list(rows)
    pooling = pooling or {}
    names = {r[0] for r in rows}
    stray = sorted((set(reading) | set(pooling)) - names)
    if stray:
        raise ValueError(f"readings or poolings of undeclared metrics: {stray}")
    out = []
    for n, p, a, num, den, ex, u, d in rows:
        label, kind, better = reading.get(n, ("", "value", None))
        ratio, scale = pooling.get(n, (None, 1.0))
        out.append(
            Definition(n, population=p, time_anchor=a, numerator=num, denominator=den,
                       exclusions=ex, unit=u, description=d, label=label, kind=kind,
                       better=better, ratio=ratio, scale=scale)
        )  # fmt: skip
    return tuple(out)


def definitions_frame(defs: Iterable[Definition]) -> pd.DataFrame:
    """Definitions as a table, one row per metric column, every field a string column
    (``better`` None reads "-", ``ratio`` None reads "")."""
    cols = list(Definition.__dataclass_fields__)
    rows = []
    for d in defs:
        row = asdict(d)
        row["better"] = d.better or "-"
        row["ratio"] = "" if d.ratio is None else pooling_text(d.ratio, d.scale)
        rows.append(row)
    return pd.DataFrame(rows, columns=cols).astype("str")


def pooling_text(ratio: tuple[str, tuple[str, ...]], scale: float = 1.0) -> str:
    """A pooling ratio over column names, for analysts (docs/metrics.md), e.g.
    "sum talk_time_total_s / sum connected / 60"."""
    num, den = ratio
    under = den[0] if len(den) == 1 else f"({den[0]} - {den[1]})"
    text = f"sum {num} / sum {under}"
    if scale != 1.0:
        text += f" / {1 / scale:g}" if scale < 1 else f" x {scale:g}"
    return text
