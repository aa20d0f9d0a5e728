"""Property-based tests of loading: damaged exports never break the row accounting.

Hypothesis writes small calls and deals exports with junk cells (real-world damage and
random text), in utf-8, cp1251 or utf-16, with one of four delimiters and damaged rows
(cells missing or extra, blank lines). Invariants: rows read = loaded + set aside; the
only errors that escape are :class:`WorkbenchError`; the same input gives the same result.
Seeded (``derandomize``) and small, so the module runs in seconds and never flakes.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench import load_dataset
from workbench.data.schema import TABLE_NAMES
from workbench.data.validation import REASONS
from workbench.errors import WorkbenchError

JUNK = [
    "", "NULL", "-", "n/a", "€ 2.900,00", "1,234", "1 234,50 ₽", "99500.00", "5:75",
    "99:99:99", "27 мин, 5 сек", "9999-12-31", "0001-01-01", "1899-12-30 14:05:00",
    "2026-03-29 02:30", "31/31/2026", "25.06.2024", "25.06.2024 14:00", "1.23457E+18",
    "won", "lost", "open", "inbound", "outbound", "sideways", "да", "maybe", "Anna", "-5",
    "\u00a0", "1e400", "2026-01-05T10:00:00+03:00", "12/31/2026",
]  # fmt: skip
HEADERS = {
    "calls": ["call_id", "manager", "started_at", "duration_s", "direction", "answered"],
    "deals": ["deal_id", "manager", "created_at", "closed_at", "outcome", "amount"],
}
GOOD = {
    "calls": ["c1", "Boris", "2026-01-05 10:00", "60", "inbound", "true"],
    "deals": ["d1", "Anna", "2026-01-05 10:00", "2026-01-09", "won", "100"],
}
SETTINGS = settings(
    derandomize=True,
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

cells = st.one_of(
    st.sampled_from(JUNK),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8),
)


@st.composite
def exports(draw):
    """(table, bytes, encoding, delimiter): an export with good, junk and damaged rows."""
    table = draw(st.sampled_from(sorted(HEADERS)))
    header = HEADERS[table]
    rows = []
    for i in range(draw(st.integers(1, 8))):
        row = [f"{v}{i}" if j == 0 else v for j, v in enumerate(GOOD[table])]
        for j in draw(st.sets(st.integers(0, len(row) - 1), max_size=3)):
            row[j] = draw(cells)
        damage = draw(st.sampled_from(["none", "none", "short", "long", "blank"]))
        if damage == "short":
            row = row[: draw(st.integers(1, len(row) - 1))]
        elif damage == "long":
            row = [*row, draw(cells)]
        elif damage == "blank":
            row = []
        rows.append(row)
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    encoding = draw(st.sampled_from(["utf-8", "cp1251", "utf-16"]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return table, buffer.getvalue().encode(encoding, errors="replace"), encoding, sep


def _load(folder: Path, table: str, data: bytes):
    path = folder / f"{table}.csv"
    path.write_bytes(data)
    try:
        return load_dataset(folder)
    except WorkbenchError as err:  # the only errors allowed to escape
        return err


def _check(result) -> None:
    if isinstance(result, WorkbenchError):
        return
    health = result.health()
    for table in TABLE_NAMES:
        counts = health[health["table"] == table].set_index("measure")["rows"]
        aside = (result.set_aside["table"] == table).sum()
        assert counts["read"] == result.rows_read[table] == counts["loaded"] + aside
        assert counts["loaded"] == len(getattr(result, table))
        assert counts.loc[counts.index == "reason"].sum() == aside
    assert set(result.set_aside["reason_code"]) <= set(REASONS)
    assert set(result.blanked["reason_code"]) <= set(REASONS)
    # blankings are only ever reported for loaded rows
    aside_rows = set(zip(result.set_aside["table"], result.set_aside["row"], strict=True))
    blank_rows = set(zip(result.blanked["table"], result.blanked["row"], strict=True))
    assert not aside_rows & blank_rows


def _same(a, b) -> None:
    assert type(a) is type(b)
    if isinstance(a, WorkbenchError):
        assert str(a) == str(b)
        return
    for name in (*TABLE_NAMES, "set_aside", "blanked"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


@SETTINGS
@given(exports())
def test_damaged_exports_keep_the_accounting_and_raise_only_workbench_errors(export):
    table, data, _, _ = export
    with tempfile.TemporaryDirectory() as folder:
        first = _load(Path(folder), table, data)
        _check(first)
        _same(first, _load(Path(folder), table, data))


@SETTINGS
@given(exports(), st.sampled_from([",", "."]))
def test_a_mapping_with_explicit_encoding_separator_and_decimal(export, decimal):
    table, data, encoding, sep = export
    mapping = {table: {"encoding": encoding, "sep": sep, "decimal": decimal}}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{table}.csv"
        path.write_bytes(data)
        try:
            result = load_dataset(folder, mapping=mapping)
        except WorkbenchError:
            return
        _check(result)
