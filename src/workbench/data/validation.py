"""Validation of loaded rows: the contract error and the record of rows set aside.

Loading never drops a row silently. A file that lacks a required column cannot be used at
all and raises :class:`DataContractError`; a row that cannot be used is *set aside* with
the file, the row number, the column, the offending value, a reason (a sentence) and its
``reason_code`` (a stable key of :data:`REASONS`, for filters and joins that must not break
when a sentence is reworded), and loading goes on. A row with several problems is set aside
once, with the first problem found in this order: each contract column in schema order
(missing value, then unparseable or unknown value), then the cross-column checks, then
duplicate IDs. So the reasons of one table always add up to its rows set aside.

A timestamp column is read in ONE day/month order: the order its values prove (``12/31``
can only be month-first), else the mapping's ``dayfirst``. A column whose values prove both
orders raises :class:`DateOrderError`: it is a contract error, not a row error.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from workbench.data.schema import TABLES
from workbench.errors import DataContractError, DateOrderError

__all__ = [
    "DataContractError",
    "DateOrderError",
    "SET_ASIDE_COLUMNS",
    "REASONS",
    "RowProblems",
    "convert_table",
    "empty_set_aside",
    "empty_table",
    "parse_durations",
    "parse_timestamps",
]

SET_ASIDE_COLUMNS = ("table", "file", "row", "column", "value", "reason", "reason_code")

#: Every reason a row may be set aside for: stable code -> readable sentence. The sentence
#: of ``unknown`` names the contract column (``unknown status``, ``unknown direction``...).
REASONS = {
    "empty": "empty row",
    "missing": "missing value",
    "timestamp": "unparseable timestamp",
    "local_time": "nonexistent or ambiguous local time",
    "number": "unparseable number",
    "unknown": "unknown {column}",
    "duration": "unparseable duration",
    "negative": "negative duration",
    "completed_early": "completed before created",
    "closed_early": "closed before created",
    "deadline_early": "deadline before creation",
    "target_span": "effective_to not after effective_from",
    "completed_no_time": "completed task without a completion time",
    "open_with_time": "open task with a completion time",
    "closed_no_date": "won/lost deal without a close date",
    "long_id": "numeric ID too long for Excel's number format: store IDs as text",
    "duplicate": "duplicate id",
}


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
        self.code = pd.Series(pd.NA, index=index, dtype="str")
        self.reason = pd.Series(pd.NA, index=index, dtype="str")
        self.column = pd.Series(pd.NA, index=index, dtype="str")
        self.value = pd.Series(pd.NA, index=index, dtype="str")

    @property
    def ok(self) -> pd.Series:
        """Boolean mask of rows with no problem so far."""
        return self.reason.isna()

    def flag(
        self, mask: pd.Series, column: str, values: pd.Series, code: str, *, subject: str = ""
    ) -> None:
        """Record reason ``code`` for rows in ``mask`` that have no earlier problem.

        ``column`` is the label shown (contract column, with its source), ``values`` the
        source text; the reason sentence is ``REASONS[code]``, with ``subject`` (the
        contract column) filled in where the sentence names one (``unknown {column}``).
        """
        if code not in REASONS:
            raise KeyError(f"unknown reason code {code!r}; known: {', '.join(REASONS)}")
        new = mask.fillna(False).astype(bool) & self.ok
        if not new.any():
            return
        self.code.loc[new] = code
        self.reason.loc[new] = REASONS[code].format(column=subject)
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
                "reason_code": self.code.loc[bad],
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
    tmap : workbench.data.mappings.TableMapping
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
            problems.flag(text.isna(), label, text, "missing")
        if col.kind == "timestamp":
            try:
                ts, bad, local = parse_timestamps(
                    text,
                    tz=tz,
                    dayfirst=tmap.dayfirst,
                    fmt=tmap.datetime_format,
                    end_of_day=name in _END_OF_DAY,
                )
            except DateOrderError as err:
                raise DateOrderError(err.day_first, err.month_first, column=label) from None
            problems.flag(bad, label, text, "timestamp")
            problems.flag(local, label, text, "local_time")
            out[name] = ts
        elif name == "duration_s":
            seconds, bad = parse_durations(text, unit=tmap.duration)
            problems.flag(bad, label, text, "duration")
            problems.flag(seconds < 0, label, text, "negative")
            out[name] = seconds
        elif col.kind == "float":
            numbers, bad = _parse_numbers(text, decimal=tmap.decimal)
            problems.flag(bad, label, text, "number")
            out[name] = numbers
        elif col.kind == "bool":
            flags = text.str.casefold().map(_BOOLS).astype("boolean")
            problems.flag(text.notna() & flags.isna(), label, text, "unknown", subject=name)
            out[name] = flags
        elif col.kind == "category":
            values = _categories(text, tmap.value_maps.get(name, {}))
            problems.flag(
                values.notna() & ~values.isin(col.choices), label, text, "unknown", subject=name
            )
            out[name] = values
        else:
            if col.kind == "id":
                problems.flag(_float_id(text), label, text, "long_id")
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
    problems.flag(out["duration_s"].isna() & text.isna(), label, text, "missing")
    out["answered"] = out["answered"].fillna(out["duration_s"] > 0)


def _cross_checks(out, columns, labels, table, problems: RowProblems) -> None:
    def check(later: str, earlier: str, reason: str, strict: bool = True) -> None:
        bad = out[later] < out[earlier] if strict else out[later] <= out[earlier]
        problems.flag(bad, labels.get(later, later), columns[later], reason)

    if table == "tasks":
        done = out["completed_at"].notna()
        rules = [("completed", ~done, "completed_no_time"), ("open", done, "open_with_time")]
        for status, bad, reason in rules:  # a cancelled task may have either
            mask = out["status"].eq(status).fillna(False).astype(bool) & bad
            problems.flag(
                mask,
                _label(labels, "completed_at"),
                _text(columns, "completed_at", mask),
                reason,
            )
        if "completed_at" in columns:
            check("completed_at", "created_at", "completed_early")
        if "due_at" in columns:
            check("due_at", "created_at", "deadline_early")
    elif table == "deals":
        # won/lost without a close date would fall out of every closed count in deal_metrics
        closed = out["outcome"].isin(["won", "lost"]).fillna(False).astype(bool)
        mask = closed & out["closed_at"].isna()
        problems.flag(
            mask,
            _label(labels, "closed_at"),
            _text(columns, "closed_at", mask),
            "closed_no_date",
        )
        if "closed_at" in columns:
            check("closed_at", "created_at", "closed_early")
    elif table == "targets" and "effective_to" in columns:
        check("effective_to", "effective_from", "target_span", strict=False)
    id_col = _ID_COLUMNS.get(table)
    if id_col is not None:
        ids = out[id_col].where(problems.ok)
        duplicated = ids.notna() & ids.duplicated(keep="first")
        problems.flag(duplicated, labels.get(id_col, id_col), out[id_col], "duplicate")


def _label(labels: dict[str, str], name: str) -> str:
    return labels.get(name, name)


def _text(columns: dict[str, pd.Series], name: str, like: pd.Series) -> pd.Series:
    """Source text of a contract column; all missing when the source has no such column."""
    return columns.get(name, pd.Series(pd.NA, index=like.index, dtype="str"))


def _float_id(text: pd.Series) -> pd.Series:
    """IDs written as a float of 2**53 or more (``1.2345678901234568e+18``): digits lost."""
    floaty = text.str.fullmatch(r"\d+(?:\.\d*)?(?:[eE][+-]?\d+)?").fillna(False).astype(bool)
    floaty &= text.str.contains(r"[.eE]", regex=True).fillna(False).astype(bool)
    if not floaty.any():
        return floaty
    return floaty & pd.to_numeric(text.where(floaty), errors="coerce").abs().ge(2**53)


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
    ISO 8601 is tried first, then up to three formats guessed from the other values, all
    in ONE day/month order: the order the values prove (``12/31/2026`` reads only
    month-first), else day first if ``dayfirst``. Year-first dates read year-month-day.
    ``fmt`` forces one strptime format. With ``end_of_day``, a date without a time means
    23:59:59.999999 of that day.

    Returns
    -------
    tuple of pd.Series
        Timestamps (``datetime64[us, tz]``), mask of unparseable values, mask of
        nonexistent/ambiguous local times.

    Raises
    ------
    DateOrderError
        Some values read only day-first and others only month-first.
    """
    result = pd.Series(pd.NaT, index=text.index, dtype=f"datetime64[us, {tz}]")
    local_bad = pd.Series(False, index=text.index)
    present = text.notna()
    aware = present & text.str.contains(_OFFSET, regex=True).fillna(False).astype(bool)
    naive = present & ~aware
    readings = [
        (mask, _read_dates(text[mask], fmt=fmt, dayfirst=dayfirst, utc=utc))
        for utc, mask in ((True, aware), (False, naive))
        if mask.any()
    ]
    order = _day_month_order(text, [r for _, r in readings])
    for mask, reading in readings:
        parsed = reading.in_order(order)
        if mask is aware:
            result.loc[aware] = parsed.dt.tz_convert(tz).dt.as_unit("us")
            continue
        if end_of_day:
            date_only = ~text[naive].str.contains(":", regex=False)
            end = parsed + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
            parsed = parsed.where(~date_only, end)
        local = parsed.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT").dt.as_unit("us")
        local_bad.loc[naive] = parsed.notna() & local.isna()
        result.loc[naive] = local
    unparseable = present & result.isna() & ~local_bad
    return result, unparseable, local_bad


def _parse(text: pd.Series, pattern: str, *, utc: bool) -> pd.Series:
    return pd.to_datetime(text, format=pattern, utc=utc, errors="coerce").dt.as_unit("us")


@dataclass
class _Dates:
    """One part of a column read in its default order, with the evidence of its order.

    ``only_dm`` / ``only_md`` mark values that read only day-first / only month-first;
    ``formats`` are the day-first, month-first and default versions of each guessed format.
    """

    text: pd.Series
    utc: bool
    formats: list[dict[str, str]]
    default: pd.Series
    only_dm: pd.Series
    only_md: pd.Series

    def in_order(self, order: str) -> pd.Series:
        """The values read in ``order`` (``dm``, ``md`` or ``default``)."""
        if all(f[order] == f["default"] for f in self.formats):
            return self.default
        out = _parse(self.text, "ISO8601", utc=self.utc)
        for versions in self.formats:
            rest = out.isna()
            out.loc[rest] = _parse(self.text[rest], versions[order], utc=self.utc)
        return out


def _read_dates(text: pd.Series, *, fmt: str | None, dayfirst: bool, utc: bool) -> _Dates:
    """ISO 8601, else up to three formats guessed from values nothing has read yet.

    Each guessed format is parsed in its default order; a value it reads with a day above
    12 reads only that way. Values it cannot read are tried in the other order (those that
    then read, read only that way). Offsets shift the day, so aware text is tried both ways.
    """
    none = pd.Series(False, index=text.index)
    if fmt:
        return _Dates(text, utc, [], _parse(text, fmt, utc=utc), none, none.copy())
    out = _parse(text, "ISO8601", utc=utc)
    read, only = out.notna(), {"dm": none.copy(), "md": none.copy()}
    formats = []
    for _ in range(3):
        rest = ~read
        guessed = _guess_format(text[rest], dayfirst=dayfirst) if rest.any() else None
        if guessed is None:
            break
        versions = _format_versions(guessed, dayfirst=dayfirst)
        formats.append(versions)
        first = _parse(text[rest], versions["default"], utc=utc)
        out.loc[rest] = first
        read.loc[rest] = first.notna()
        if versions["dm"] != versions["md"]:
            mine = "dm" if versions["default"] == versions["dm"] else "md"
            other = "md" if mine == "dm" else "dm"
            tried = rest if utc else rest & ~read
            second = _parse(text[tried], versions[other], utc=utc).notna()
            one_way = first.notna() & (
                first.dt.day > 12 if not utc else ~second.reindex(first.index, fill_value=False)
            )
            only[mine].loc[rest] = one_way
            only[other].loc[tried] = second & ~read[tried]
            read.loc[tried] |= second
        if not read[rest].any():
            break
    return _Dates(text, utc, formats, out, only["dm"], only["md"])


def _format_versions(fmt: str, *, dayfirst: bool) -> dict[str, str]:
    """The day-first, month-first and default version of a guessed strptime format."""
    if "%d" not in fmt or "%m" not in fmt:
        return dict.fromkeys(("dm", "md", "default"), fmt)
    swapped = fmt.replace("%d", "\x00").replace("%m", "%d").replace("\x00", "%m")
    dm, md = (fmt, swapped) if fmt.index("%d") < fmt.index("%m") else (swapped, fmt)
    year = min((fmt.index(y) for y in ("%Y", "%y") if y in fmt), default=len(fmt))
    if year < min(fmt.index("%d"), fmt.index("%m")):  # year first: only Y-M-D is in use
        return dict.fromkeys(("dm", "md", "default"), md)
    return {"dm": dm, "md": md, "default": dm if dayfirst else md}


def _day_month_order(text: pd.Series, readings: list[_Dates]) -> str:
    """``md`` or ``dm`` when the values prove that order, else ``default``."""
    if not readings:
        return "default"
    only_dm = pd.concat([r.only_dm for r in readings]).sort_index()  # examples: first rows
    only_md = pd.concat([r.only_md for r in readings]).sort_index()
    if only_dm.any() and only_md.any():
        i, j = only_dm.idxmax(), only_md.idxmax()
        raise DateOrderError((i, text.loc[i]), (j, text.loc[j]))
    return "md" if only_md.any() else "dm" if only_dm.any() else "default"


def _guess_format(text: pd.Series, *, dayfirst: bool) -> str | None:
    for value in text.drop_duplicates().head(5):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            guessed = guess_datetime_format(value, dayfirst=dayfirst)
        if guessed is not None:
            return guessed
    return None
