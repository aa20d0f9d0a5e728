"""Validation of loaded rows: the contract error and the record of rows set aside.

Loading never drops a row silently. A file that lacks a required column cannot be used at
all and raises :class:`DataContractError`; a row that cannot be used is *set aside* with
the file, the row number, the column, the offending value and a reason, and loading goes
on. A row with several problems is set aside once, with the first problem found in this
order: each contract column in schema order (missing value, then unparseable or unknown
value), then the cross-column checks, then duplicate IDs. So the reasons of one table
always add up to its rows set aside.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from workbench.schema import TABLES

__all__ = [
    "DataContractError",
    "SET_ASIDE_COLUMNS",
    "REASONS",
    "RowProblems",
    "convert_table",
    "empty_set_aside",
    "empty_table",
    "parse_durations",
    "parse_timestamps",
]

SET_ASIDE_COLUMNS = ("table", "file", "row", "column", "value", "reason")

#: Every reason a row may be set aside for (``unknown <column>`` names the column).
REASONS = {
    "empty": "empty row",
    "missing": "missing value",
    "timestamp": "unparseable timestamp",
    "local_time": "nonexistent or ambiguous local time",
    "number": "unparseable number",
    "duration": "unparseable duration",
    "negative": "negative duration",
    "completed_early": "completed before created",
    "closed_early": "closed before created",
    "deadline_early": "deadline before creation",
    "target_span": "effective_to not after effective_from",
    "duplicate": "duplicate id",
}


class DataContractError(ValueError):
    """A source file cannot be read as a contract table (e.g. a required column is missing)."""


def empty_set_aside() -> pd.DataFrame:
    """An empty set-aside table with the documented columns and dtypes."""
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in SET_ASIDE_COLUMNS})
    return frame.astype({"row": "int64"})


class RowProblems:
    """First problem of each row of one table, collected with vectorised masks.

    Parameters
    ----------
    index : pd.Index
        Index of the table being checked (one entry per row read).
    """

    def __init__(self, index: pd.Index) -> None:
        self.reason = pd.Series(pd.NA, index=index, dtype="str")
        self.column = pd.Series(pd.NA, index=index, dtype="str")
        self.value = pd.Series(pd.NA, index=index, dtype="str")

    @property
    def ok(self) -> pd.Series:
        """Boolean mask of rows with no problem so far."""
        return self.reason.isna()

    def flag(self, mask: pd.Series, column: str, values: pd.Series, reason: str) -> None:
        """Record ``reason`` for rows in ``mask`` that have no earlier problem."""
        new = mask.fillna(False).astype(bool) & self.ok
        if not new.any():
            return
        self.reason.loc[new] = reason
        self.column.loc[new] = column
        self.value.loc[new] = values.loc[new].astype("str")

    def records(self, table: str, files: pd.Series, rows: pd.Series) -> pd.DataFrame:
        """The set-aside rows as a DataFrame with :data:`SET_ASIDE_COLUMNS`."""
        bad = ~self.ok
        if not bad.any():
            return empty_set_aside()
        frame = pd.DataFrame(
            {
                "table": table,
                "file": files.loc[bad].astype("str"),
                "row": rows.loc[bad].astype("int64"),
                "column": self.column.loc[bad],
                "value": self.value.loc[bad],
                "reason": self.reason.loc[bad],
            }
        )
        return frame.reset_index(drop=True).astype({"table": "str"})


# --- typed conversion of mapped text columns -----------------------------------------

_ID_COLUMNS = {"tasks": "task_id", "calls": "call_id", "deals": "deal_id"}
_END_OF_DAY = {"due_at", "original_due_at"}
_OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_HMS = r"^(?:(\d+) days?,? )?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$"
_UNIT_SECONDS = {"seconds": 1.0, "hms": 1.0, "minutes": 60.0, "milliseconds": 0.001}
_BOOLS = {
    **dict.fromkeys(["true", "1", "yes", "y", "да"], True),
    **dict.fromkeys(["false", "0", "no", "n", "нет"], False),
}


def empty_table(table: str, tz: str) -> pd.DataFrame:
    """A contract table with no rows and the canonical dtypes."""
    return pd.DataFrame({c.name: pd.Series(dtype=_dtype(c.kind, tz)) for c in TABLES[table]})


def _dtype(kind: str, tz: str) -> str:
    return {"timestamp": f"datetime64[us, {tz}]", "float": "float64", "bool": "bool"}.get(
        kind, "str"
    )


def convert_table(columns, labels, table, tmap, tz, problems: RowProblems) -> pd.DataFrame:
    """Typed contract columns from mapped text; unusable rows are flagged in ``problems``.

    Parameters
    ----------
    columns, labels : dict[str, pd.Series], dict[str, str]
        Text of each mapped contract column and a label naming its source (for set-aside).
    table : str
        Contract table name.
    tmap : workbench.mappings.TableMapping
        Reading options (datetime, duration, decimal, value maps).
    tz : str
        Business time zone.
    problems : RowProblems
        Collector of the first problem of each row.

    Returns
    -------
    pd.DataFrame
        All rows (flagged ones included) with canonical columns and dtypes.
    """
    index = problems.reason.index
    na_text = pd.Series(pd.NA, index=index, dtype="str")
    out = {}
    for col in TABLES[table]:
        name = col.name
        text = columns.get(name, na_text)
        label = labels.get(name, name)
        allow_missing = not col.required or name == "duration_s"  # see _finish_calls
        if not allow_missing:
            problems.flag(text.isna(), label, text, REASONS["missing"])
        if col.kind == "timestamp":
            ts, bad, local = parse_timestamps(
                text,
                tz=tz,
                dayfirst=tmap.dayfirst,
                fmt=tmap.datetime_format,
                end_of_day=name in _END_OF_DAY,
            )
            problems.flag(bad, label, text, REASONS["timestamp"])
            problems.flag(local, label, text, REASONS["local_time"])
            out[name] = ts
        elif name == "duration_s":
            seconds, bad = parse_durations(text, unit=tmap.duration)
            problems.flag(bad, label, text, REASONS["duration"])
            problems.flag(seconds < 0, label, text, REASONS["negative"])
            out[name] = seconds
        elif col.kind == "float":
            numbers, bad = _parse_numbers(text, decimal=tmap.decimal)
            problems.flag(bad, label, text, REASONS["number"])
            out[name] = numbers
        elif col.kind == "bool":
            flags = text.str.casefold().map(_BOOLS).astype("boolean")
            problems.flag(text.notna() & flags.isna(), label, text, f"unknown {name}")
            out[name] = flags
        elif col.kind == "category":
            values = _categories(text, tmap.value_maps.get(name, {}))
            problems.flag(
                values.notna() & ~values.isin(col.choices), label, text, f"unknown {name}"
            )
            out[name] = values
        else:
            out[name] = text
    if table == "tasks":
        out["original_due_at"] = out["original_due_at"].fillna(out["due_at"])
    if table == "deals":  # an open deal has no close (CRMs export an *expected* close date)
        out["closed_at"] = out["closed_at"].where(out["outcome"].ne("open").fillna(True))
    if table == "calls":
        _finish_calls(out, columns, labels, problems)
    _cross_checks(out, columns, labels, table, problems)
    frame = pd.DataFrame(out, index=index)
    if "answered" in frame:
        frame["answered"] = frame["answered"].fillna(False)
    return frame.astype({c.name: _dtype(c.kind, tz) for c in TABLES[table]})


def _finish_calls(out, columns, labels, problems: RowProblems) -> None:
    # A blank duration of an unanswered call is 0 s; otherwise duration is required.
    # Without an answered value, a call is answered when it has talk time.
    unanswered = out["answered"].eq(False).fillna(False).astype(bool)
    out["duration_s"] = out["duration_s"].mask(out["duration_s"].isna() & unanswered, 0.0)
    text = columns.get("duration_s", pd.Series(pd.NA, index=unanswered.index, dtype="str"))
    label = labels.get("duration_s", "duration_s")
    problems.flag(out["duration_s"].isna() & text.isna(), label, text, REASONS["missing"])
    out["answered"] = out["answered"].fillna(out["duration_s"] > 0)


def _cross_checks(out, columns, labels, table, problems: RowProblems) -> None:
    def check(later: str, earlier: str, reason: str, strict: bool = True) -> None:
        bad = out[later] < out[earlier] if strict else out[later] <= out[earlier]
        problems.flag(bad, labels.get(later, later), columns[later], REASONS[reason])

    if table == "tasks":
        if "completed_at" in columns:
            check("completed_at", "created_at", "completed_early")
        if "due_at" in columns:
            check("due_at", "created_at", "deadline_early")
    elif table == "deals" and "closed_at" in columns:
        check("closed_at", "created_at", "closed_early")
    elif table == "targets" and "effective_to" in columns:
        check("effective_to", "effective_from", "target_span", strict=False)
    id_col = _ID_COLUMNS.get(table)
    if id_col is not None:
        ids = out[id_col].where(problems.ok)
        duplicated = ids.notna() & ids.duplicated(keep="first")
        problems.flag(duplicated, labels.get(id_col, id_col), out[id_col], REASONS["duplicate"])


def _categories(text: pd.Series, value_map: dict[str, str]) -> pd.Series:
    """Case-folded values after the mapping's value map (``*`` maps every other value)."""
    folded = text.str.casefold()
    if not value_map:
        return folded
    lookup = {k.casefold(): v.casefold() for k, v in value_map.items() if k != "*"}
    mapped = folded.map(lookup)
    other = value_map.get("*")
    fallback = folded if other is None else pd.Series(other.casefold(), index=text.index)
    return mapped.where(mapped.notna() | folded.isna(), fallback.where(folded.notna())).astype(
        "str"
    )


def _parse_numbers(text: pd.Series, *, decimal: str) -> tuple[pd.Series, pd.Series]:
    cleaned = text.str.replace(r"[\s\u00a0\u202f]", "", regex=True)
    if decimal == ",":
        cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    bad = text.notna() & ~np.isfinite(numbers)
    return numbers.where(~bad), bad


def parse_durations(text: pd.Series, *, unit: str = "seconds") -> tuple[pd.Series, pd.Series]:
    """Seconds from plain numbers (in ``unit``) or ``mm:ss`` / ``h:mm:ss`` text.

    Returns the float seconds (NaN where missing or unparseable) and a mask of present
    but unparseable values. ``unit`` is seconds, minutes, milliseconds or hms (= seconds).
    """
    numbers = pd.to_numeric(text, errors="coerce").astype("float64") * _UNIT_SECONDS[unit]
    parts = text.str.extract(_HMS).astype("float64").fillna(0.0)
    clock = parts[0] * 86400 + parts[1] * 3600 + parts[2] * 60 + parts[3]
    has_clock = text.str.fullmatch(_HMS).fillna(False).astype(bool)
    seconds = numbers.where(numbers.notna(), clock.where(has_clock))
    bad = text.notna() & ~np.isfinite(seconds)
    return seconds.where(~bad), bad


def parse_timestamps(
    text: pd.Series,
    *,
    tz: str,
    dayfirst: bool = True,
    fmt: str | None = None,
    end_of_day: bool = False,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Tz-aware timestamps from text, with the masks of unusable values.

    Text with a UTC offset is converted to ``tz``; naive text is read as local time in
    ``tz`` (a nonexistent or ambiguous DST time gives NaT and is flagged, not guessed).
    ISO 8601 is tried first, then one guessed format (day first if ``dayfirst``). With
    ``end_of_day``, a date without a time means 23:59:59.999999 of that day.

    Returns
    -------
    tuple of pd.Series
        Timestamps (``datetime64[us, tz]``), mask of unparseable values, mask of
        nonexistent/ambiguous local times.
    """
    result = pd.Series(pd.NaT, index=text.index, dtype=f"datetime64[us, {tz}]")
    local_bad = pd.Series(False, index=text.index)
    present = text.notna()
    aware = present & text.str.contains(_OFFSET, regex=True).fillna(False).astype(bool)
    if aware.any():
        parsed = _to_datetime(text[aware], fmt=fmt, dayfirst=dayfirst, utc=True)
        result.loc[aware] = parsed.dt.tz_convert(tz).dt.as_unit("us")
    naive = present & ~aware
    if naive.any():
        parsed = _to_datetime(text[naive], fmt=fmt, dayfirst=dayfirst, utc=False)
        if end_of_day:
            date_only = ~text[naive].str.contains(":", regex=False)
            end = parsed + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
            parsed = parsed.where(~date_only, end)
        local = parsed.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").dt.as_unit("us")
        local_bad.loc[naive] = parsed.notna() & local.isna()
        result.loc[naive] = local
    unparseable = present & result.isna() & ~local_bad
    return result, unparseable, local_bad


def _to_datetime(text: pd.Series, *, fmt: str | None, dayfirst: bool, utc: bool) -> pd.Series:
    if fmt:
        return pd.to_datetime(text, format=fmt, utc=utc, errors="coerce").dt.as_unit("us")
    out = pd.to_datetime(text, format="ISO8601", utc=utc, errors="coerce").dt.as_unit("us")
    for _ in range(3):  # up to three more formats, each guessed from a leftover value
        rest = out.isna()
        guessed = _guess_format(text[rest], dayfirst=dayfirst)
        if guessed is None:
            break
        parsed = pd.to_datetime(text[rest], format=guessed, utc=utc, errors="coerce")
        if parsed.isna().all():
            break
        out.loc[rest] = parsed.dt.as_unit("us")
    return out


def _guess_format(text: pd.Series, *, dayfirst: bool) -> str | None:
    for value in text.drop_duplicates().head(5):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            guessed = guess_datetime_format(value, dayfirst=dayfirst)
        if guessed is not None:
            return guessed
    return None
