"""Validation of loaded rows: the contract error and the record of rows set aside.

Loading never drops a row silently. A file that lacks a required column cannot be used at
all and raises :class:`DataContractError`; a row that cannot be used is *set aside* with
the file, the row number, the column, the offending value, a reason (a sentence) and its
``reason_code`` (a stable key of :data:`REASONS`, for filters and joins that must not break
when a sentence is reworded), and loading goes on. A row with several problems is set aside
once, with the first problem found in this order: each contract column in schema order
(missing value, then unparseable or unknown value), then the cross-column checks, then
duplicate IDs. So the reasons of one table always add up to its rows set aside.

Field-level quarantine, one rule everywhere: an invalid value (unparseable, ambiguous,
out of range, a placeholder) sets the row aside when its field is *required* (the ID, the
manager, the table's anchor time, the status, outcome, direction, duration, target...: the
columns :data:`workbench.data.schema.TABLES` marks required) and is *blanked* when the field
is optional (a deadline, a close date, an amount, ``answered``, a deal link...). A blanking
is recorded (:data:`BLANKED_COLUMNS`, with the same reason codes) so that data health can say
how many values of which column were dropped and why; it does not count against the rows
loaded. A few *notices* are recorded the same way without blanking anything (a local time
shifted out of a DST gap, a won or lost deal without a close date).

A timestamp column is read in ONE day/month order: the order its values prove (``12/31``
can only be month-first), else the mapping's ``dayfirst``. A column whose values prove both
orders raises :class:`DateOrderError`: it is a contract error, not a row error.
"""

from __future__ import annotations

import re
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
    "BLANKED_COLUMNS",
    "NOTICES",
    "SET_ASIDE_COLUMNS",
    "REASONS",
    "RowProblems",
    "convert_table",
    "empty_blanked",
    "empty_set_aside",
    "parse_numbers",
    "empty_table",
    "parse_durations",
    "parse_timestamps",
    "read_timestamps",
    "PLAUSIBLE_YEARS",
    "Timestamps",
]

SET_ASIDE_COLUMNS = ("table", "file", "row", "column", "value", "reason", "reason_code")
BLANKED_COLUMNS = SET_ASIDE_COLUMNS

#: Every reason a row may be set aside or a value blanked for: stable code -> sentence. The
#: sentence of ``unknown`` names the contract column (``unknown status``...).
REASONS = {
    "empty": "empty row",
    "extra_fields": "more fields than the header has columns",
    "missing": "missing value",
    "timestamp": "unparseable timestamp",
    "placeholder_date": "placeholder or out-of-range date (before 1901 or from 2200 on)",
    "local_time": "nonexistent or ambiguous local time",
    "local_time_shifted": "nonexistent or ambiguous local time, read by the mapping's rule",
    "number": "unparseable number",
    "number_ambiguous": "ambiguous number: the decimal mark could be either (set `decimal:`)",
    "unknown": "unknown {column}",
    "duration": "unparseable duration",
    "duration_range": "duration with a part out of range (minutes or seconds of 60 or more)",
    "negative": "negative duration",
    "long_duration": "implausibly long duration (see `max_duration:`)",
    "completed_early": "completed before created",
    "closed_early": "closed before created",
    "deadline_early": "deadline before creation",
    "target_span": "effective_to not after effective_from",
    "completed_no_time": "completed task without a completion time",
    "open_with_time": "open task with a completion time",
    "closed_no_date": "won/lost deal without a close date: a lead, in no month's won or lost",
    "long_id": "numeric ID too long for Excel's number format: store IDs as text",
    "duplicate": "duplicate id",
}


#: Codes recorded in the blanked table that blank nothing: the value is kept (shifted) or
#: was missing already. ``health()`` shows them with measure ``notice``.
NOTICES = frozenset({"local_time_shifted", "closed_no_date"})


def empty_blanked() -> pd.DataFrame:
    """An empty blanked table (the columns and dtypes of the set-aside table)."""
    return empty_set_aside()


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
        self._blanks: list[pd.DataFrame] = []

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

    def blank(
        self, mask: pd.Series, column: str, values: pd.Series, code: str, *, subject: str = ""
    ) -> None:
        """Record that the value of an optional column was blanked (or a notice) for ``mask``.

        Unlike :meth:`flag`, several blankings of one row are all kept (one per column and
        reason); only those of rows that end up loaded are reported by :meth:`blanked`.
        """
        if code not in REASONS:
            raise KeyError(f"unknown reason code {code!r}; known: {', '.join(REASONS)}")
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        where = mask.index[mask.to_numpy()]
        self._blanks.append(
            pd.DataFrame(
                {
                    "at": where,
                    "column": column,
                    "value": values.loc[where].astype("str"),
                    "reason": REASONS[code].format(column=subject),
                    "reason_code": code,
                }
            )
        )

    def invalid(
        self,
        mask: pd.Series,
        column: str,
        values: pd.Series,
        code: str,
        *,
        required: bool,
        subject: str = "",
    ) -> pd.Series:
        """Rule 1: set the row aside if the field is ``required``, else blank the value.

        Returns the mask of values to blank (all False for a required field).
        """
        mask = mask.fillna(False).astype(bool)
        if required:
            self.flag(mask, column, values, code, subject=subject)
            return pd.Series(False, index=mask.index)
        self.blank(mask, column, values, code, subject=subject)
        return mask

    def blanked(self, table: str, files: pd.Series, rows: pd.Series) -> pd.DataFrame:
        """Blankings and notices of the rows loaded, with :data:`BLANKED_COLUMNS`."""
        if not self._blanks:
            return empty_blanked()
        frame = pd.concat(self._blanks, ignore_index=True)
        frame = frame.loc[self.ok.loc[frame["at"]].to_numpy()]
        if frame.empty:
            return empty_blanked()
        frame = frame.sort_values("at", kind="stable")
        at = frame["at"]
        out = pd.DataFrame(
            {
                "table": table,
                "file": files.loc[at].astype("str").to_numpy(),
                "row": rows.loc[at].astype("int64").to_numpy(),
                "column": frame["column"].to_numpy(),
                "value": frame["value"].to_numpy(),
                "reason": frame["reason"].to_numpy(),
                "reason_code": frame["reason_code"].to_numpy(),
            }
        )
        text = {c: "str" for c in BLANKED_COLUMNS if c != "row"}
        return out.astype({**text, "row": "int64"})

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

_ID_COLUMNS = {"tasks": "task_id", "calls": "call_id", "deals": "deal_id", "roster": "manager"}
_OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_HMS = r"^(?:(\d+) days?,? )?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)$"
_UNIT_SECONDS = {"seconds": 1.0, "hms": 1.0, "minutes": 60.0, "milliseconds": 0.001}
_BOOLS = {
    **dict.fromkeys(["true", "1", "yes", "y", "да"], True),
    **dict.fromkeys(["false", "0", "no", "n", "нет"], False),
}
#: Duration words (Bitrix24 writes "27 мин, 5 сек"; also "1 ч 2 мин", "1 h 2 min 5 s").
_WORD_SECONDS = {
    **dict.fromkeys(["ч", "час", "часа", "часов", "h", "hr", "hrs", "hour", "hours"], 3600.0),
    **dict.fromkeys(
        ["м", "мин", "минута", "минуты", "минут", "m", "min", "mins", "minute", "minutes"], 60.0
    ),
    **dict.fromkeys(
        ["с", "сек", "секунда", "секунды", "секунд", "s", "sec", "secs", "second", "seconds"], 1.0
    ),
}
_WORD_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*([^\W\d_]+)\.?")
#: Currency signs and words dropped from amounts (the currency itself is not checked).
_CURRENCY = re.compile(r"руб\.?|р\.|\b(?:rub|eur|usd)\b|[€$₽£¥]", re.IGNORECASE)
#: Thousands separators that are spaces: space, no-break (U+00A0), narrow no-break (U+202F),
#: thin (U+2009), figure space (U+2007); and the Swiss apostrophe.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007']+")
_SCIENTIFIC = re.compile(r"\d+(?:\.\d*)?[eE][+-]?\d+")
#: A plausible calendar year: earlier or later dates are placeholders (0001-01-01,
#: 1899-12-30 / 1900-01-01 spreadsheet zero dates, 2999-12-31, 9999-12-31) or typos.
PLAUSIBLE_YEARS = (1901, 2199)
_PLACEHOLDER_YEAR = r"(?<!\d)(?:000[01]|2999|9999)(?!\d)"


def empty_table(table: str, tz: str) -> pd.DataFrame:
    """A contract table with no rows and the canonical dtypes."""
    return pd.DataFrame({c.name: pd.Series(dtype=_dtype(c.kind, tz)) for c in TABLES[table]})


def _dtype(kind: str, tz: str) -> str:
    return {"timestamp": f"datetime64[us, {tz}]", "float": "float64", "bool": "bool"}.get(
        kind, "str"
    )


def convert_table(columns, labels, table, tmap, tz, problems: RowProblems) -> pd.DataFrame:
    """Typed contract columns from mapped text; unusable rows are flagged in ``problems``.

    Every invalid value follows one rule (see the module docstring): the row is set aside
    when the column is required, the value is blanked (and recorded) when it is optional.

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
        Collector of the first problem of each row and of the blanked values.

    Returns
    -------
    pd.DataFrame
        All rows (flagged ones included) with canonical columns and dtypes.
    """
    index = problems.reason.index
    na_text = pd.Series(pd.NA, index=index, dtype="str")
    out, date_only = {}, {}
    for col in TABLES[table]:
        name = col.name
        text = columns.get(name, na_text)
        label = labels.get(name, name)
        if col.required and name != "duration_s":  # see _finish_calls
            problems.flag(text.isna(), label, text, "missing")

        def invalid(mask, code, *, _text=text, _label=label, _col=col) -> pd.Series:
            return problems.invalid(
                mask, _label, _text, code, required=_col.required, subject=_col.name
            )

        if col.kind == "timestamp":
            try:
                stamps = read_timestamps(
                    text,
                    tz=tz,
                    dayfirst=tmap.dayfirst,
                    fmt=tmap.datetime_format,
                    date_only=tmap.date_only_rule(table, name),
                    ambiguous=tmap.ambiguous,
                    nonexistent=tmap.nonexistent,
                )
            except DateOrderError as err:
                raise DateOrderError(err.day_first, err.month_first, column=label) from None
            invalid(stamps.unparseable, "timestamp")
            invalid(stamps.placeholder, "placeholder_date")
            invalid(stamps.local_bad, "local_time")
            problems.blank(stamps.shifted, label, text, "local_time_shifted")
            out[name], date_only[name] = stamps.stamps, stamps.date_only
        elif name == "duration_s":
            seconds, codes = parse_durations(
                text, unit=tmap.duration, max_seconds=tmap.max_duration_s
            )
            for code in ("duration", "duration_range", "negative", "long_duration"):
                invalid(codes.eq(code), code)
            out[name] = seconds
        elif col.kind == "float":
            numbers, codes = parse_numbers(text, decimal=tmap.decimal)
            invalid(codes.eq("number"), "number")
            invalid(codes.eq("number_ambiguous"), "number_ambiguous")
            out[name] = numbers
        elif col.kind == "bool":
            flags = text.str.casefold().map(_BOOLS).astype("boolean")
            invalid(text.notna() & flags.isna(), "unknown")
            out[name] = flags
        elif col.kind == "category":
            values = _categories(text, tmap.value_maps.get(name, {}))
            invalid(values.notna() & ~values.isin(col.choices), "unknown")
            out[name] = values
        else:
            if col.kind == "id":
                text = text.where(~invalid(_float_id(text), "long_id"))
            out[name] = text
    if table == "deals":  # an open deal has no close (CRMs export an *expected* close date)
        out["closed_at"] = out["closed_at"].where(out["outcome"].ne("open").fillna(True))
    if table == "calls":
        _finish_calls(out, columns, labels, problems)
    _cross_checks(out, date_only, columns, labels, table, problems)
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


def _cross_checks(out, date_only, columns, labels, table, problems: RowProblems) -> None:
    """Checks between columns: set aside what makes a row unusable, blank what is optional.

    "Before created" compares calendar days when either side is a date without a time (a
    deal created 25.06 14:00 and closed ``25.06`` closed that day, not before it).
    """

    def before(later: str, earlier: str) -> pd.Series:
        return _before(out, date_only, later, earlier)

    def text(name: str, like: pd.Series) -> pd.Series:
        return _text(columns, name, like)

    if table == "tasks":
        done = out["completed_at"].notna()
        rules = [("completed", ~done, "completed_no_time"), ("open", done, "open_with_time")]
        for status, bad, reason in rules:  # a cancelled task may have either
            mask = out["status"].eq(status).fillna(False).astype(bool) & bad
            problems.flag(mask, _label(labels, "completed_at"), text("completed_at", mask), reason)
        if "completed_at" in columns:
            early = before("completed_at", "created_at")
            problems.flag(early, _label(labels, "completed_at"), columns["completed_at"],
                          "completed_early")  # fmt: skip
        for deadline in ("due_at", "original_due_at"):  # the task stands, its deadline not
            if deadline in columns:
                early = before(deadline, "created_at")
                problems.blank(early, _label(labels, deadline), columns[deadline], "deadline_early")
                out[deadline] = out[deadline].where(~early)
        out["original_due_at"] = out["original_due_at"].fillna(out["due_at"])
    elif table == "deals":
        closed = out["outcome"].isin(["won", "lost"]).fillna(False).astype(bool)
        if "closed_at" in columns:  # a contradictory close date: the deal stays a lead
            early = closed & before("closed_at", "created_at")
            problems.blank(early, _label(labels, "closed_at"), columns["closed_at"], "closed_early")
            out["closed_at"] = out["closed_at"].where(~early)
        mask = closed & out["closed_at"].isna()  # a lead, counted in no month's won or lost
        problems.blank(mask, _label(labels, "closed_at"), text("closed_at", mask), "closed_no_date")
    elif table == "targets" and "effective_to" in columns:
        bad = out["effective_to"] <= out["effective_from"]
        problems.flag(bad, _label(labels, "effective_to"), columns["effective_to"], "target_span")
    id_col = _ID_COLUMNS.get(table)
    if id_col is not None:
        ids = out[id_col].where(problems.ok)
        duplicated = ids.notna() & ids.duplicated(keep="first")
        problems.flag(duplicated, labels.get(id_col, id_col), out[id_col], "duplicate")


def _before(out, date_only, later: str, earlier: str) -> pd.Series:
    """``later < earlier``, by local calendar day where either value is a bare date."""
    a, b = out[later], out[earlier]
    exact = (a < b).fillna(False).astype(bool)
    days = date_only.get(later, False) | date_only.get(earlier, False)
    if not isinstance(days, pd.Series) or not days.any():
        return exact
    by_day = a.dt.tz_localize(None).dt.normalize() < b.dt.tz_localize(None).dt.normalize()
    return exact.where(~days, by_day.fillna(False)).astype(bool)


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


# --- numbers and durations -----------------------------------------------------------


def parse_numbers(text: pd.Series, *, decimal: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Numbers as people write them, by one rule; values the rule reads two ways are refused.

    1. Currency signs and words (``€ $ ₽ £ ¥``, ``руб.``, ``р.``, ``RUB``...) are dropped;
       spaces, no-break spaces (U+00A0, U+202F) and ``'`` are thousands separators.
    2. With both ``.`` and ``,`` in a value, the last one is the decimal mark
       (``€ 2.900,00`` = 2900, ``1,234.50`` = 1234.5).
    3. One mark used several times is a thousands separator (``1.234.567``).
    4. One mark used once is the decimal mark, unless exactly three digits follow it and one
       to three digits (not a lone 0, no spaces) precede it: ``1,234`` reads 1.234 or 1234.
       Then the mapping's ``decimal`` decides; without it the value is ambiguous.
       So ``99500.00`` is 99500 and ``1 234,50`` is 1234.5 whatever ``decimal`` says.
    5. Thousands groups must have three digits (``1.23.4`` is not a number); scientific
       notation (``1e-05``) is read as written.

    Returns
    -------
    tuple of pd.Series
        The float values (NaN where missing or refused) and, per value, NA or the reason
        code of the refusal: ``number`` (not a number) or ``number_ambiguous``.
    """
    present = text.dropna()
    read = {v: _read_number(v, decimal) for v in present.unique()}
    got = present.map(read)
    is_code = got.map(lambda v: isinstance(v, str))
    numbers = pd.Series(np.nan, index=text.index, dtype="float64")
    numbers.loc[got.index[~is_code]] = got[~is_code].astype("float64")
    codes = pd.Series(pd.NA, index=text.index, dtype="str")
    codes.loc[got.index[is_code]] = got[is_code].astype("str")
    return numbers, codes


def _read_number(value: str, decimal: str | None) -> float | str:
    """One value by the rule of :func:`parse_numbers`: a float, or a reason code."""
    s = _SPACES.sub(" ", _CURRENCY.sub("", value)).strip()
    sign = ""
    if s[:1] in ("-", "+", "\u2212"):
        sign, s = ("-" if s[0] != "+" else ""), s[1:].strip()
    if _SCIENTIFIC.fullmatch(s):
        number = float(sign + s)
        return number if np.isfinite(number) else "number"
    if not re.fullmatch(r"\d(?:[\d., ]*\d)?", s):
        return "number"
    marks = [c for c in s if c in ".,"]
    if len(set(marks)) == 2:
        point = s[max(s.rfind("."), s.rfind(","))]
    elif len(marks) == 1:
        whole, frac = s.split(marks[0])
        thousands_like = len(frac) == 3 and re.fullmatch(r"[1-9]\d{0,2}", whole) is not None
        if not thousands_like:
            point = marks[0]
        elif decimal is None:
            return "number_ambiguous"
        else:
            point = marks[0] if marks[0] == decimal else None
    else:
        point = None
    whole, frac = s.split(point) if point is not None and s.count(point) == 1 else (s, "")
    if point is not None and (s.count(point) != 1 or not frac.isdigit()):
        return "number"
    groups = re.split(r"[., ]", whole)
    if len(set(re.findall(r"[., ]", whole))) > 1 or not all(g.isdigit() for g in groups):
        return "number"
    if len(groups) > 1 and (len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:])):
        return "number"
    number = float(f"{sign}{''.join(groups)}.{frac or '0'}")
    return number if np.isfinite(number) else "number"


def parse_durations(
    text: pd.Series, *, unit: str = "seconds", max_seconds: float | None = None
) -> tuple[pd.Series, pd.Series]:
    """Seconds from numbers (in ``unit``), clock text or words; each refusal with its code.

    Read: plain numbers in ``unit`` (seconds, minutes, milliseconds, or hms = seconds);
    clock text ``mm:ss``, ``h:mm:ss``, ``N days hh:mm:ss`` (seconds, and minutes after an
    hour, below 60; hours after days below 24); words such as ``27 мин, 5 сек``, ``45 сек``,
    ``1 ч 2 мин`` or ``1 h 2 min 5 s`` (Bitrix24 writes durations so).

    Returns
    -------
    tuple of pd.Series
        Float seconds (NaN where missing or refused) and, per value, NA or the reason code:
        ``duration`` (unreadable), ``duration_range`` (``5:75``, ``99:99:99``), ``negative``
        or ``long_duration`` (more than ``max_seconds``).
    """
    numbers = pd.to_numeric(text, errors="coerce").astype("float64") * _UNIT_SECONDS[unit]
    parts = text.str.extract(_HMS).astype("float64")
    has_clock = text.str.fullmatch(_HMS).fillna(False).astype(bool)
    days, hours, minutes, secs = (parts[i] for i in range(4))
    out_of_range = has_clock & (
        (secs >= 60) | (hours.notna() & (minutes >= 60)) | (days.notna() & (hours >= 24))
    )
    parts = parts.fillna(0.0)
    clock = parts[0] * 86400 + parts[1] * 3600 + parts[2] * 60 + parts[3]
    seconds = numbers.where(numbers.notna(), clock.where(has_clock))
    rest = text.notna() & seconds.isna() & ~has_clock
    if rest.any():
        words = text[rest].map(_duration_words)
        seconds.loc[rest] = words.astype("float64")
    codes = pd.Series(pd.NA, index=text.index, dtype="str")
    rules = [
        (out_of_range, "duration_range"),
        (text.notna() & ~np.isfinite(seconds), "duration"),
        (seconds < 0, "negative"),
        (seconds > (np.inf if max_seconds is None else max_seconds), "long_duration"),
    ]
    for mask, code in rules:
        codes = codes.mask(mask.fillna(False).astype(bool) & codes.isna(), code)
    return seconds.where(codes.isna()), codes


def _duration_words(value: str) -> float:
    """``27 мин, 5 сек`` -> 1625.0; NaN when the text is not number-unit pairs."""
    text, total, pos, parts = value.casefold().strip(), 0.0, 0, 0
    for match in _WORD_PART.finditer(text):
        unit = _WORD_SECONDS.get(match.group(2))
        if unit is None or text[pos : match.start()].strip(" ,;"):
            return np.nan
        total += float(match.group(1).replace(",", ".")) * unit
        pos, parts = match.end(), parts + 1
    if not parts or text[pos:].strip(" ,;"):
        return np.nan
    return total


# --- timestamps ----------------------------------------------------------------------


@dataclass
class Timestamps:
    """A timestamp column read from text, with a mask for each kind of trouble.

    Attributes
    ----------
    stamps : pd.Series
        ``datetime64[us, tz]``; NaT where missing or refused.
    unparseable, placeholder : pd.Series
        Values that read as no date, and dates outside :data:`PLAUSIBLE_YEARS`.
    local_bad : pd.Series
        Nonexistent or ambiguous local times the mapping says to refuse (``set_aside``).
    shifted : pd.Series
        Nonexistent or ambiguous local times read by the mapping's rule (a notice).
    date_only : pd.Series
        Values without a time of day (dates).
    """

    stamps: pd.Series
    unparseable: pd.Series
    placeholder: pd.Series
    local_bad: pd.Series
    shifted: pd.Series
    date_only: pd.Series


def parse_timestamps(
    text: pd.Series,
    *,
    tz: str,
    dayfirst: bool = True,
    fmt: str | None = None,
    date_only: str = "start_of_day",
    ambiguous: str = "earlier",
    nonexistent: str = "shift_forward",
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Timestamps, invalid values (unparseable or placeholder), DST-affected local times.

    A shorthand of :func:`read_timestamps` (same parameters).
    """
    r = read_timestamps(
        text,
        tz=tz,
        dayfirst=dayfirst,
        fmt=fmt,
        date_only=date_only,
        ambiguous=ambiguous,
        nonexistent=nonexistent,
    )
    return r.stamps, r.unparseable | r.placeholder, r.local_bad | r.shifted


def read_timestamps(
    text: pd.Series,
    *,
    tz: str,
    dayfirst: bool = True,
    fmt: str | None = None,
    date_only: str = "start_of_day",
    ambiguous: str = "earlier",
    nonexistent: str = "shift_forward",
) -> Timestamps:
    """Tz-aware timestamps from text, with the masks of unusable values.

    Text with a UTC offset is converted to ``tz``; naive text is read as local time in
    ``tz``. A local time the fall-back hour repeats takes the ``earlier`` (first, summer)
    or ``later`` offset; one in the spring-forward gap is moved ``shift_forward`` (to the
    end of the gap) or ``shift_backward``; ``set_aside`` refuses either. ISO 8601 is tried
    first, then up to three formats guessed from the other values, all in ONE day/month
    order: the order the values prove (``12/31/2026`` reads only month-first), else day
    first if ``dayfirst``. Year-first dates read year-month-day. ``fmt`` forces one strptime
    format. A value without a time of day is a date: with ``date_only="end_of_day"`` it
    means 23:59:59.999999 of that day, else its start. Dates outside
    :data:`PLAUSIBLE_YEARS` are placeholders, not dates.

    Raises
    ------
    DateOrderError
        Some values read only day-first and others only month-first.
    """
    result = pd.Series(pd.NaT, index=text.index, dtype=f"datetime64[us, {tz}]")
    none = pd.Series(False, index=text.index)
    local_bad, shifted, placeholder = none.copy(), none.copy(), none.copy()
    present = text.notna()
    aware = present & text.str.contains(_OFFSET, regex=True).fillna(False).astype(bool)
    naive = present & ~aware
    bare = naive & ~text.str.contains(":", regex=False).fillna(False).astype(bool)
    readings = [
        (mask, _read_dates(text[mask], fmt=fmt, dayfirst=dayfirst, utc=utc))
        for utc, mask in ((True, aware), (False, naive))
        if mask.any()
    ]
    order = _day_month_order(text, [r for _, r in readings])
    low, high = PLAUSIBLE_YEARS
    for mask, reading in readings:
        parsed = reading.in_order(order)
        odd = parsed.notna() & ((parsed.dt.year < low) | (parsed.dt.year > high))
        placeholder.loc[mask] = odd
        parsed = parsed.where(~odd)
        if mask is aware:
            result.loc[aware] = parsed.dt.tz_convert(tz).dt.as_unit("us")
            continue
        if date_only == "end_of_day":
            end = parsed + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)
            parsed = parsed.where(~bare[naive], end)
        local = parsed.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        trouble = parsed.notna() & local.isna()
        if trouble.any() and not (ambiguous == nonexistent == "set_aside"):
            chosen = _localize(parsed[trouble], tz, ambiguous, nonexistent)
            local.loc[trouble] = chosen
            shifted.loc[naive] = trouble & local.notna()
        local_bad.loc[naive] = trouble & local.isna()
        result.loc[naive] = local.dt.as_unit("us")
    unparseable = present & result.isna() & ~local_bad & ~placeholder
    known = unparseable & text.str.contains(_PLACEHOLDER_YEAR, regex=True).fillna(False)
    placeholder |= known.astype(bool)  # a year 0001 that no format reads is still one
    unparseable &= ~placeholder
    return Timestamps(result, unparseable, placeholder, local_bad, shifted, bare)


def _localize(naive: pd.Series, tz: str, ambiguous: str, nonexistent: str) -> pd.Series:
    """Naive local times in ``tz`` by the mapping's DST rules (NaT where it refuses)."""
    amb = {"earlier": True, "later": False}.get(ambiguous)
    flags = "NaT" if amb is None else np.full(len(naive), amb)
    gap = "NaT" if nonexistent == "set_aside" else nonexistent
    return naive.dt.tz_localize(tz, ambiguous=flags, nonexistent=gap)


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
