"""Load a CRM export (CSV, Parquet, Excel) into the four contract tables.

This is the only module that knows file formats and source column names. It reads every
cell as text (so a 19-digit ID never becomes a float), applies a mapping
(:mod:`workbench.data.mappings`), converts and checks the values (:mod:`workbench.data.validation`)
and returns a :class:`Dataset`: the canonical tables plus a record of every row it set
aside and of every optional value it blanked. For every table, rows read = rows loaded +
rows set aside.
"""

from __future__ import annotations

import csv
import datetime as dt
import fnmatch
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from workbench.data.mappings import Mapping, TableMapping, resolve_mapping
from workbench.data.schema import DEFAULT_TZ, TABLE_NAMES, TABLES
from workbench.data.validation import (
    BLANKED_COLUMNS,
    NOTICES,
    SET_ASIDE_COLUMNS,
    DataContractError,
    DateOrderError,
    RowProblems,
    convert_table,
    empty_blanked,
    empty_set_aside,
    empty_table,
)

__all__ = ["Dataset", "DataContractError", "load_dataset", "SUPPORTED_SUFFIXES"]

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".xlsx", ".xlsm", ".xls")
_TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
_EXTRA_PREFIX = "__extra_field_"
#: Cell texts that mean "no value" in exports (after stripping spaces), in every column.
MISSING_TOKENS = ("NULL", "null", "Null", "None", "N/A", "n/a", "#N/A", "#REF!", "#VALUE!", "-")
_SNIFFED_SEPARATORS = ",;\t|"
_FILE_COL, _ROW_COL = "__file", "__row"
_THOUSANDS_LIKE = re.compile(r"-?[1-9]\d{0,2}\.\d{3}")
#: A time of day at the end of a cell (a time cell may carry a dummy date, 1899-12-30).
_TIME_OF_DAY = re.compile(r"(\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?)\s*$")


@dataclass
class Dataset:
    """The four contract tables, what was set aside, and where it all came from.

    Attributes
    ----------
    tasks, calls, deals, targets : pd.DataFrame
        Canonical tables: exactly the columns of :data:`workbench.data.schema.TABLES`.
    set_aside : pd.DataFrame
        One row per source row that could not be used: table, file, row, column, value,
        reason (a sentence), reason_code (its stable key in
        :data:`workbench.data.validation.REASONS`). ``row`` is where the row is in the
        file: the physical line where the record starts for CSV (header = line 1; a quoted
        field may span lines), the sheet row for Excel, and the 1-based position for
        Parquet.
    rows_read : dict[str, int]
        Data rows read per table (header and trailing empty rows excluded).
    tz : str
        Business time zone of every timestamp.
    source : str
        The ``source`` argument of :func:`load_dataset`.
    files : dict[str, list[str]]
        Files read per table (empty list: the table had no file and is empty).
    unused_files : list[str]
        Table-like files in the source folder that fed no table (a misspelt name, say):
        shown as a warning, so that a calls export is never skipped without a word.
    headers : dict[str, list[str]]
        The column names found in each file read (lookup joins included).
    blanked : pd.DataFrame
        One row per value of an optional column that was invalid and blanked in a loaded
        row (an unparseable close date, an ambiguous amount...), and per notice (a local
        time shifted out of a DST gap, a won/lost deal without a close date): the columns
        of ``set_aside``. The row itself is loaded, so blankings do not count against it.
    roster : pd.DataFrame
        Who the reports are for (optional contract table ``roster``; no rows without one).
    """

    tasks: pd.DataFrame
    calls: pd.DataFrame
    deals: pd.DataFrame
    targets: pd.DataFrame
    set_aside: pd.DataFrame
    rows_read: dict[str, int]
    tz: str
    source: str
    files: dict[str, list[str]] = field(default_factory=dict)
    unused_files: list[str] = field(default_factory=list)
    headers: dict[str, list[str]] = field(default_factory=dict)
    blanked: pd.DataFrame = field(default_factory=empty_blanked)
    roster: pd.DataFrame = field(default_factory=lambda: empty_table("roster", DEFAULT_TZ))

    @property
    def managers(self) -> list[str]:
        """Sorted unique managers over tasks, calls and deals."""
        names = pd.concat([self.tasks["manager"], self.calls["manager"], self.deals["manager"]])
        return sorted(names.dropna().unique().tolist())

    @property
    def rows_loaded(self) -> dict[str, int]:
        """Rows in each canonical table."""
        return {t: len(getattr(self, t)) for t in TABLE_NAMES}

    def health(self) -> pd.DataFrame:
        """Row accounting per table, tidy: one count per row.

        Returns
        -------
        pd.DataFrame
            Columns ``table``, ``measure``, ``reason``, ``reason_code``, ``rows``. For each
            table, rows with measure ``read``, ``loaded`` and ``set_aside`` (reason and
            code NA), then one row with measure ``reason`` per set-aside reason (its
            count; ``unknown`` has one row per column it names). Then one row per
            column and reason of :attr:`blanked`: measure ``blanked`` (values blanked in
            loaded rows) or ``notice`` (nothing blanked, see
            :data:`workbench.data.validation.NOTICES`), reason ``"<column>: <reason>"``.
            Invariants: read = loaded + set_aside, and the ``reason`` rows sum to set_aside;
            blanked and notice rows count values, not rows, and count against nothing.
        """
        keys = ["table", "reason", "reason_code"]
        counts = self.set_aside.groupby(keys, sort=True).size()
        loaded = self.rows_loaded
        records = []
        for table in TABLE_NAMES:
            set_aside = int(counts.loc[table].sum()) if table in counts.index else 0
            records += [
                (table, "read", pd.NA, pd.NA, self.rows_read.get(table, 0)),
                (table, "loaded", pd.NA, pd.NA, loaded[table]),
                (table, "set_aside", pd.NA, pd.NA, set_aside),
            ]
            if set_aside:
                records += [
                    (table, "reason", reason, code, int(n))
                    for (reason, code), n in counts.loc[table].items()
                ]
            blanked = self.blanked.loc[self.blanked["table"] == table]
            for (column, reason, code), n in (
                blanked.groupby(["column", "reason", "reason_code"], sort=True).size().items()
            ):
                measure = "notice" if code in NOTICES else "blanked"
                records.append((table, measure, f"{column}: {reason}", code, int(n)))
        frame = pd.DataFrame(records, columns=[*keys[:1], "measure", *keys[1:], "rows"])
        text = dict.fromkeys(["table", "measure", "reason", "reason_code"], "str")
        return frame.astype({**text, "rows": "int64"})


def load_dataset(
    source: str | Path,
    mapping: str | Path | dict | None = None,
    tz: str | None = None,
) -> Dataset:
    """Read a CRM export into a :class:`Dataset` of canonical tables.

    Parameters
    ----------
    source : str or Path
        A folder holding the export files, or one file.
    mapping : None, str, Path or dict
        ``None`` = canonical files (``tasks``, ``calls``, ``deals``, ``targets`` as .csv,
        .parquet or .xlsx, each optional); a preset name (``amocrm``, ``bitrix24``,
        ``hubspot``, ...), a YAML mapping file or a dict (see ``docs/data-contract.md``).
    tz : str, optional
        Business time zone; default: the mapping's ``tz``, else ``UTC``.

    Raises
    ------
    DataContractError
        A file lacks a required column (the message names file, table, the missing and
        the found columns), a timestamp column mixes day/month orders (names file, table,
        column and a row of each order) or a file cannot be read.
    """
    spec = resolve_mapping(mapping)
    tz = tz or spec.tz or DEFAULT_TZ
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"Unknown time zone {tz!r}") from err
    source_path = Path(source)
    if not source_path.exists():
        raise FileNotFoundError(f"Source not found: {source_path}")
    tables, aside, blanked, rows_read, files, headers = {}, [], [], {}, {}, {}
    for table in TABLE_NAMES:
        paths = _table_files(source_path, spec, table)
        files[table] = [str(p) for p in paths]
        if not paths:
            tables[table], rows_read[table] = empty_table(table, tz), 0
            continue
        tmap = spec.tables.get(table, TableMapping())
        parts = [_read_table_file(p, table, tmap, spec) for p in paths]
        for frame, path in parts:
            headers[str(path)] = [
                c for c in frame.columns
                if c not in (_FILE_COL, _ROW_COL) and not c.startswith(_EXTRA_PREFIX)
            ]  # fmt: skip
        frame, set_aside, blanks = _load_parts(parts, table, tmap, tz)
        tables[table], rows_read[table] = frame, sum(len(p[0]) for p in parts)
        aside.append(set_aside)
        blanked.append(blanks)
    set_aside = pd.concat([empty_set_aside(), *aside], ignore_index=True)
    blanks = pd.concat([empty_blanked(), *blanked], ignore_index=True)
    used = {f for paths in files.values() for f in paths}
    folder = source_path if source_path.is_dir() else None
    unused = [] if folder is None else [
        str(p) for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and str(p) not in used
    ]  # fmt: skip
    return Dataset(
        **tables,
        set_aside=set_aside.loc[:, list(SET_ASIDE_COLUMNS)],
        rows_read=rows_read,
        tz=tz,
        source=str(source),
        files=files,
        unused_files=unused,
        headers=headers,
        blanked=blanks.loc[:, list(BLANKED_COLUMNS)],
    )


def _load_parts(parts, table: str, tmap: TableMapping, tz: str):
    raw = pd.concat([p[0] for p in parts], ignore_index=True)
    for part, path in parts:  # every file must provide the required columns
        _derive(part, table, tmap, path)
    columns, labels = _derive(raw, table, tmap, parts[0][1])
    problems = RowProblems(raw.index)
    source_cols = [c for c in raw.columns if c not in (_FILE_COL, _ROW_COL)]
    empty = raw[source_cols].isna().all(axis=1)
    problems.flag(empty, "", pd.Series("", index=raw.index), "empty")
    extra = [c for c in source_cols if c.startswith(_EXTRA_PREFIX)]
    if extra:  # cells past the header's last column: the row's fields are shifted
        text = (
            raw[extra].astype("str").fillna("").agg(lambda r: "|".join(v for v in r if v), axis=1)
        )
        problems.flag(raw[extra].notna().any(axis=1), "", text, "extra_fields")
    try:
        frame = convert_table(columns, labels, table, tmap, tz, problems)
    except DateOrderError as err:
        files, rows = raw[_FILE_COL], raw[_ROW_COL]
        message = err.describe(table, lambda i: f"{files.loc[i]} row {rows.loc[i]}")
        raise DataContractError(message) from None
    records = problems.records(table, raw[_FILE_COL], raw[_ROW_COL])
    blanks = problems.blanked(table, raw[_FILE_COL], raw[_ROW_COL])
    return frame.loc[problems.ok].reset_index(drop=True), records, blanks


# --- finding and reading files -------------------------------------------------------


def _table_files(source: Path, spec: Mapping, table: str) -> list[Path]:
    """Files of ``table``: the mapping's glob, else ``<table>[_part].<ext>`` (any case)."""
    tmap = spec.tables.get(table)
    if spec.name != "canonical" and tmap is None:
        return []
    pattern = tmap.file if tmap is not None else None
    if source.is_file():
        if pattern is None:
            if spec.name == "canonical" and source.stem != table:
                return []
            return [source]
        if Path(pattern).name == source.name or fnmatch.fnmatch(
            source.name.casefold(), Path(pattern).name.casefold()
        ):
            return [source]
        folders = [source.parent]
    else:
        folders = [source]
    if spec.folder is not None:
        folders.append(spec.folder)
    if pattern is None:
        return _canonical_files(source, table)
    for folder in folders:
        matches = _glob_casefold(folder, pattern)
        if matches:
            return matches
    return []


def _canonical_files(folder: Path, table: str) -> list[Path]:
    """``<table>.<ext>`` and monthly parts ``<table>_2025-11.<ext>``, ignoring case.

    Several files of one table are read together (rows are counted per file, and a row
    whose ID another file already has is set aside as a duplicate).
    """
    names = ("roster", "managers") if table == "roster" else (table.casefold(),)
    prefixes = tuple(f"{n}{s}" for n in names for s in ("_", "-"))
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and (p.stem.casefold() in names or p.stem.casefold().startswith(prefixes))
    )


def _glob_casefold(folder: Path, pattern: str) -> list[Path]:
    """Files matching ``pattern`` (relative to ``folder``), ignoring case in the file name."""
    target = folder / pattern
    parent, name = target.parent, target.name.casefold()
    if not parent.is_dir():
        return []
    return sorted(
        p
        for p in parent.iterdir()
        if p.is_file()
        and fnmatch.fnmatch(p.name.casefold(), name)
        and p.suffix.lower() in SUPPORTED_SUFFIXES
    )


def _read_table_file(path: Path, table: str, tmap: TableMapping, spec: Mapping):
    """Read one file as text cells, add the lookup join, number the rows."""
    frame, rows = _read_text(path, tmap)
    frame = _drop_trailing_empty(frame)
    frame[_FILE_COL] = str(path)
    frame[_ROW_COL] = rows[: len(frame)]
    if tmap.join:
        frame = _join(frame, path, table, tmap, spec)
    return frame, path


def _read_text(path: Path, tmap: TableMapping, *, sheet=None) -> tuple[pd.DataFrame, np.ndarray]:
    """All cells of one file as stripped ``str`` (missing = NA) and each row's place in it."""
    suffix = path.suffix.lower()
    try:
        if suffix in _TEXT_SUFFIXES:
            encoding, sep = _text_dialect(path, tmap)
            skip = (tmap.header_row or 1) - 1
            header = _csv_header(path, sep, encoding, skip)
            _check_header(path, header)
            width = _widest_record(path, sep, encoding) if len(sep) == 1 else 0
            # a record longer than the header gets named extra columns (set aside unless
            # empty, as a delimiter at the end of every row leaves them)
            names = [*header, *(f"{_EXTRA_PREFIX}{i}" for i in range(width - len(header)))]
            frame = pd.read_csv(
                path,
                dtype="str",
                keep_default_na=False,
                na_values=[""],
                sep=sep,
                encoding=encoding,
                skip_blank_lines=False,
                skiprows=skip + 1 if width > len(header) else skip,
                header=None if width > len(header) else "infer",
                names=names if width > len(header) else None,
                index_col=False,
            )
            rows = _csv_lines(path, sep, encoding, len(frame), skip=skip)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
            frame = frame.apply(_column_text)
            rows = np.arange(1, len(frame) + 1)
        elif suffix in (".xlsx", ".xlsm", ".xls"):
            frame, header_row = _read_excel(
                path, tmap.sheet if sheet is None else sheet, header_row=tmap.header_row
            )
            rows = np.arange(header_row + 1, header_row + 1 + len(frame))
        else:
            raise DataContractError(f"{path}: unsupported file type {suffix!r}")
    except (OSError, ValueError, UnicodeDecodeError) as err:
        if isinstance(err, DataContractError):
            raise
        raise DataContractError(f"{path}: cannot read the file ({err})") from err
    frame.columns = [str(c).strip() for c in frame.columns]
    _check_header(path, list(frame.columns))
    missing = dict.fromkeys(("", *MISSING_TOKENS), pd.NA)
    frame = frame.apply(lambda s: s.str.strip().replace(missing)).astype("str")
    return frame, rows


def _check_header(path: Path, header: list[str]) -> None:
    """Two columns of one name would make one of them unreachable: an error, never a guess."""
    names = [str(c).strip() for c in header]
    seen = {n for n in names if n and names.count(n) > 1 and not n.startswith("Unnamed:")}
    if seen:
        raise DataContractError(
            f"{path}: duplicated column name(s) {sorted(seen)} in the header; rename one of "
            "them in the export (each source column must have its own name)"
        )


def _widest_record(path: Path, sep: str, encoding: str) -> int:
    """The largest number of fields in any record of a text table."""
    limit = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        with path.open(newline="", encoding=encoding) as handle:
            return max((len(r) for r in csv.reader(handle, delimiter=sep)), default=0)
    except csv.Error:
        return 0
    finally:
        csv.field_size_limit(limit)


def _csv_header(path: Path, sep: str, encoding: str, skip: int) -> list[str]:
    """The header record of a text table (after ``skip`` records), as the csv module reads it."""
    if len(sep) != 1:
        return []
    with path.open(newline="", encoding=encoding) as handle:
        for i, record in enumerate(csv.reader(handle, delimiter=sep)):
            if i == skip:
                return record
    return []


def _text_dialect(path: Path, tmap: TableMapping) -> tuple[str, str]:
    """The encoding and the field separator of a text table: the mapping's, else found.

    Encoding: a byte-order mark, else UTF-8 when the bytes decode as UTF-8, else what
    charset-normalizer finds (cp1251, how many Russian CRMs export). Separator: tab for
    ``.tsv``, else what :class:`csv.Sniffer` reads in the header and first lines among
    ``, ; tab |``, else a comma. A file that fits none says which mapping option to set.
    """
    head = path.read_bytes()[:65_536]
    encoding = tmap.encoding or _detect_encoding(path, head)
    try:
        text = head.decode(encoding, errors="strict" if len(head) < 65_536 else "ignore")
    except (UnicodeDecodeError, LookupError) as err:
        raise DataContractError(
            f"{path}: cannot decode as {encoding} ({err}); set `encoding:` for this table in "
            "the mapping (for example cp1251 or utf-16)"
        ) from err
    if tmap.sep:
        return encoding, tmap.sep
    if path.suffix.lower() == ".tsv":
        return encoding, "\t"
    lines = text.splitlines()[:20]
    try:
        sep = csv.Sniffer().sniff("\n".join(lines), delimiters=_SNIFFED_SEPARATORS).delimiter
    except csv.Error:
        sep = ","
    return encoding, sep


def _detect_encoding(path: Path, head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as err:
        if err.start > len(head) - 4:  # a character cut at the sample's end
            return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(path.read_bytes()).best()
    if best is None:
        raise DataContractError(
            f"{path}: the text encoding cannot be recognised; set `encoding:` for this table "
            "in the mapping (for example cp1251 or utf-16)"
        )
    return best.encoding


def _csv_lines(path: Path, sep: str, encoding: str, count: int, *, skip: int = 0) -> np.ndarray:
    """Physical line (first line = 1) where each of the ``count`` data records starts.

    ``skip`` records (a title) stand above the header.

    A quoted field may span lines, so records are counted again with :mod:`csv`. Should it
    split the file differently from pandas (e.g. a separator of several characters), the
    record number (first data record = 2) is used instead.
    """
    records = np.arange(skip + 2, skip + count + 2)
    if b'"' not in path.read_bytes() or len(sep) != 1:
        return records  # no quotes: one record per line
    limit = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        with path.open(newline="", encoding=encoding) as handle:
            reader = csv.reader(handle, delimiter=sep)
            starts, last = [], 0
            for _ in reader:
                starts.append(last + 1)
                last = reader.line_num
    except csv.Error:
        return records
    finally:
        csv.field_size_limit(limit)
    return np.array(starts[skip + 1 :]) if len(starts) == skip + count + 1 else records


def _column_text(col: pd.Series) -> pd.Series:
    if isinstance(col.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(col):
        return col.dt.strftime("%Y-%m-%dT%H:%M:%S.%f%z").astype("str")
    if pd.api.types.is_float_dtype(col):
        return col.map(_float_text, na_action="ignore").astype("str")
    return col.astype("str")


def _float_text(value: float) -> str:
    """A typed float as text the number rule reads one way only.

    ``repr`` writes 1.234 as ``1.234``, which the rule for written numbers finds ambiguous
    (1.234 or 1234); a trailing zero (``1.2340``) keeps it a decimal point.
    """
    text = repr(float(value))
    return text + "0" if _THOUSANDS_LIKE.fullmatch(text) else text


def _read_excel(path: Path, sheet, *, header_row: int | None = None) -> tuple[pd.DataFrame, int]:
    """Excel (.xlsx, .xlsm, .xls) via calamine, cell by cell to text, and the header's sheet row.

    python-calamine reads a large sheet several times faster than openpyxl and gives the
    same cells (tests/test_loading.py compares the two). Ints stay exact, times become
    h:mm:ss; blank rows above the header are skipped.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as err:
        raise DataContractError(f"{path}: not a readable Excel workbook ({err})") from err
    try:
        if sheet is None:
            ws = book.get_sheet_by_index(0)
        elif isinstance(sheet, int):
            ws = book.get_sheet_by_index(sheet)
        else:
            ws = book.get_sheet_by_name(sheet)
        rows = ws.to_python(skip_empty_area=False)
    except (CalamineError, IndexError, KeyError, ValueError) as err:
        raise DataContractError(f"{path}: no sheet {sheet!r}; sheets: {book.sheet_names}") from err
    finally:
        book.close()
    rows = [[None if v == "" else v for v in r] for r in rows]  # calamine: blank cell = ""
    if header_row is not None:
        skip = header_row - 1
    else:
        skip = next((i for i, r in enumerate(rows) if any(v is not None for v in r)), len(rows))
    rows = rows[skip:]
    if not rows:
        return pd.DataFrame(), 1
    width = max(len(r) for r in rows)
    header = [f"Unnamed: {i}" if h is None else str(h) for i, h in enumerate(rows[0])]
    header += [f"Unnamed: {i}" for i in range(len(header), width)]
    body = [r if len(r) == width else [*r, *([None] * (width - len(r)))] for r in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    return frame.apply(lambda s: s.map(_excel_cell, na_action="ignore").astype("str")), skip + 1


def _excel_cell(value) -> str:
    # Excel stores dates as numbers; calamine hands back datetime/date/time/timedelta by format.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))  # exact; larger floats keep their float text (an ID check)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()  # a date cell: date-only rules apply
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        total = value.total_seconds()
        return f"{int(total // 3600)}:{int(total % 3600 // 60):02d}:{total % 60:09.6f}"
    return str(value)


def _drop_trailing_empty(frame: pd.DataFrame) -> pd.DataFrame:
    """Trailing all-empty rows (formatting leftovers) are not data; inner ones are."""
    filled = frame.notna().any(axis=1).to_numpy()
    last = filled.nonzero()[0].max() + 1 if filled.any() else 0
    return frame.iloc[:last].reset_index(drop=True)


def _join(frame: pd.DataFrame, path: Path, table: str, tmap: TableMapping, spec: Mapping):
    """Left-join a lookup file; its columns become source columns for the mapping."""
    join = tmap.join
    on, right_on = str(join["key"]), str(join.get("lookup_key", join["key"]))
    candidates = [path.parent / join["file"]]
    if spec.folder is not None:
        candidates.append(spec.folder / join["file"])
    lookup_path = next((p for p in candidates if p.is_file()), None)
    if lookup_path is None:
        raise DataContractError(
            f"{table}: join file {join['file']!r} not found next to {path} or the mapping"
        )
    lookup, _ = _read_text(lookup_path, TableMapping(sheet=join.get("sheet")))
    for name, cols, where in ((on, frame.columns, path), (right_on, lookup.columns, lookup_path)):
        if name not in cols:
            raise DataContractError(
                f"{where}: join column {name!r} missing for table {table}; "
                f"columns found: {', '.join(map(str, cols))}"
            )
    lookup = lookup.drop_duplicates(subset=right_on, keep="first")
    lookup = lookup.rename(
        columns={c: f"{c}_joined" for c in lookup.columns if c in frame.columns and c != right_on}
    )
    merged = frame.merge(lookup, how="left", left_on=on, right_on=right_on, suffixes=("", "_r"))
    return merged.drop(columns=[right_on + "_r"] if right_on + "_r" in merged else [])


# --- mapping source columns to contract columns --------------------------------------


def _derive(raw: pd.DataFrame, table: str, tmap: TableMapping, path: Path):
    """Contract column -> text Series (NA where missing), and a label naming its source."""
    found = [c for c in raw.columns if c not in (_FILE_COL, _ROW_COL)]
    columns, labels, missing = {}, {}, []
    for col in TABLES[table]:
        spec = tmap.columns.get(col.name, col.name)
        needed = _source_names(spec)
        absent = [n for n in needed if n not in raw.columns]
        if absent:
            if col.required:
                missing.append(f"{col.name} (source column {', '.join(map(repr, absent))})")
            continue
        columns[col.name], labels[col.name] = _derive_one(raw, spec, col.name)
    if missing:
        raise DataContractError(
            f"{path}: table {table} lacks required column(s): {'; '.join(missing)}. "
            f"Columns found: {', '.join(map(str, found))}"
        )
    return columns, labels


def _source_names(spec) -> list[str]:
    if isinstance(spec, str):
        return [spec]
    if "combine" in spec:
        return [str(c) for c in spec["combine"]]
    if "date" in spec:
        return [str(spec["date"]), str(spec["time"])]
    if "from" in spec:
        return [str(spec["from"])]
    return []


def _derive_one(raw: pd.DataFrame, spec, name: str) -> tuple[pd.Series, str]:
    if isinstance(spec, str):
        return raw[spec], name if spec == name else f"{name} ({spec})"
    if "constant" in spec:
        value = "" if spec["constant"] is None else str(spec["constant"])
        return pd.Series(value, index=raw.index, dtype="str"), f"{name} (constant)"
    if "combine" in spec:
        parts = [raw[str(c)] for c in spec["combine"]]
        values = parts[0].str.cat(parts[1:], sep=" ")
        return values, f"{name} ({' + '.join(map(str, spec['combine']))})"
    if "date" in spec:
        date, time = str(spec["date"]), str(spec["time"])
        return _date_and_time(raw[date], raw[time]), f"{name} ({date} + {time})"
    source = str(spec["from"])
    values, label = raw[source], f"{name} ({source})"
    if "map" in spec:
        value_map = {str(k).casefold(): str(v) for k, v in spec["map"].items()}
        mapped = values.str.casefold().map(value_map)
        values = mapped.where(mapped.notna(), values).astype("str")
    default = spec.get("default_from")
    if default is not None and str(default) in raw.columns:
        values = values.fillna(raw[str(default)])
        label = f"{name} ({source}, else {default})"
    return values, label


def _date_and_time(date: pd.Series, time: pd.Series) -> pd.Series:
    """The date of one column with the time of day of another, as one text.

    The date cell loses any time it carries (``25.06.2024 00:00:00`` -> ``25.06.2024``); the
    time cell gives only its time of day, whatever dummy date a spreadsheet stored with it
    (``1899-12-30 14:05:00``, ``1900-01-01 14:05``, ``14:05``). No time: the date alone (a
    date, see the time rules); a time cell with no time of day in it stays in the text, so
    the value is unparseable; no date: missing.
    """
    day = date.str.replace(_TIME_OF_DAY, "", regex=True).str.strip()
    day = day.str.replace(r"[T\s]+$", "", regex=True)
    clock = time.str.extract(_TIME_OF_DAY, expand=False)
    clock = clock.fillna(time)  # unreadable time: kept, so the value fails to parse
    joined = day.str.cat(clock, sep=" ")
    return joined.where(time.notna(), day).where(date.notna()).astype("str")
