"""Mappings: how a CRM export's files and columns become the contract tables.

A mapping is a small dict (usually a YAML file, see ``docs/data-contract.md``)::

    tz: Europe/Moscow            # business time zone (optional)
    language: ru                 # the pages' and e-mails' language (optional; default en)
    tasks:                       # one entry per contract table; unlisted tables are empty
      file: "Задачи*.xlsx"       # path or glob (default: tasks.csv / .parquet / .xlsx)
      sheet: Sheet1              # Excel only (default: first sheet)
      header_row: 3              # the header's row when a title stands above it (default: first)
      sep: ";"                   # CSV/TSV only (default: sniffed); `encoding` (default: detected)
      columns:                   # contract column -> source column or a derivation
        manager: Ответственный
      datetime:                  # dayfirst: for columns the values leave open
        dayfirst: true
        format: null             # one strptime format for every timestamp column
        date_only: {completed_at: end_of_day}  # what a date without a time means, per column
        ambiguous: earlier       # fall-back hour: earlier | later | set_aside
        nonexistent: shift_forward  # spring-forward gap: shift_forward | shift_backward | set_aside
      duration: seconds          # seconds | minutes | milliseconds | hms
      max_duration: 24h          # longer talk times are implausible (seconds or "24h")
      decimal: ","               # the decimal mark where a value leaves it open (1,234)
      value_maps: {status: {Завершена: completed, "*": open}}
      join: {file: teams.csv, key: agent}

Presets are such mappings shipped in ``workbench/data/presets/*.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from workbench.data.schema import TABLES
from workbench.errors import MappingError
from workbench.i18n import DEFAULT_LANGUAGE, LANGUAGES, check_language

__all__ = ["TableMapping", "Mapping", "available_presets", "batch_language", "resolve_mapping"]

_TOP_KEYS = {"tz", "language", "description", *TABLES}
_TABLE_KEYS = {
    "file",
    "sheet",
    "header_row",
    "sep",
    "encoding",
    "columns",
    "datetime",
    "duration",
    "max_duration",
    "decimal",
    "value_maps",
    "join",
}
_DERIVATION_KEYS = {"combine", "constant", "from", "map", "default_from", "date", "time"}
_DURATION_UNITS = ("seconds", "minutes", "milliseconds", "hms")
_DATETIME_KEYS = {"dayfirst", "format", "date_only", "ambiguous", "nonexistent"}
#: What a date without a time of day means: the first or the last instant of that day.
DATE_ONLY = ("start_of_day", "end_of_day")
#: End-type columns: a date there covers the whole day (it ended by the end of that day).
END_TYPE_COLUMNS = {
    "tasks": ("due_at", "original_due_at", "completed_at"),
    "deals": ("closed_at",),
}
AMBIGUOUS = ("earlier", "later", "set_aside")
NONEXISTENT = ("shift_forward", "shift_backward", "set_aside")
DEFAULT_MAX_DURATION_S = 86_400.0


@dataclass(frozen=True)
class TableMapping:
    """How to read one contract table (see the module docstring for each field)."""

    file: str | None = None
    sheet: str | int | None = None
    header_row: int | None = None  # 1-based row of the header (a title above it); None: first
    sep: str | None = None  # None: sniffed from the file (tab for .tsv)
    encoding: str | None = None  # None: detected (BOM, UTF-8, else charset-normalizer)
    columns: dict[str, Any] = field(default_factory=dict)
    dayfirst: bool = True
    datetime_format: str | None = None
    date_only: dict[str, str] = field(default_factory=dict)  # column -> start/end_of_day
    ambiguous: str = "earlier"  # a local time the fall-back hour repeats
    nonexistent: str = "shift_forward"  # a local time in the spring-forward gap
    duration: str = "seconds"
    max_duration_s: float = DEFAULT_MAX_DURATION_S
    decimal: str | None = None  # None: a number whose decimal mark is open is ambiguous
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    join: dict[str, Any] | None = None

    def date_only_rule(self, table: str, column: str) -> str:
        """``start_of_day`` or ``end_of_day``: what a date without a time means in ``column``.

        The mapping's ``datetime: {date_only: ...}`` entry, else end of day for the end-type
        columns (:data:`END_TYPE_COLUMNS`: a deadline, completion or close written as a date
        happened some time that day) and start of day for the others.
        """
        default = "end_of_day" if column in END_TYPE_COLUMNS.get(table, ()) else "start_of_day"
        return self.date_only.get(column, default)

    def source_columns(self, table: str) -> dict[str, list[str]]:
        """Contract column of ``table`` -> the source column names this mapping reads it from.

        A column mapped to a constant reads no source column (an empty list).
        """
        out = {}
        for col in TABLES[table]:
            spec = self.columns.get(col.name, col.name)
            if isinstance(spec, str):
                out[col.name] = [spec]
            elif "combine" in spec:
                out[col.name] = [str(c) for c in spec["combine"]]
            elif "date" in spec:
                out[col.name] = [str(spec["date"]), str(spec["time"])]
            elif "from" in spec:
                out[col.name] = [str(spec["from"])]
            else:
                out[col.name] = []
        return out


@dataclass(frozen=True)
class Mapping:
    """A whole mapping: its name, time zone, folder (for relative files), tables and the
    language of the pages made from it (``None``: not given)."""

    name: str
    tz: str | None
    folder: Path | None
    tables: dict[str, TableMapping]
    language: str | None = None


def available_presets() -> list[str]:
    """Names of the built-in presets (``canonical``, ``amocrm``, ...)."""
    folder = resources.files("workbench.data") / "presets"
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def resolve_mapping(mapping: str | Path | dict | None) -> Mapping:
    """Turn ``None``, a preset name, a YAML path or a dict into a checked :class:`Mapping`.

    Raises
    ------
    MappingError
        A ``ValueError``: an unknown preset, an unknown key or a malformed entry (names it).
    """
    if mapping is None:
        mapping = "canonical"
    if isinstance(mapping, dict):
        return _parse(mapping, name="<dict>", folder=None)
    path = Path(mapping)
    if isinstance(mapping, str) and path.suffix not in (".yaml", ".yml"):
        if mapping not in available_presets():
            raise MappingError(
                f"Unknown mapping preset {mapping!r}; presets: {', '.join(available_presets())}"
                " (or pass a YAML path or a dict)."
            )
        text = (resources.files("workbench.data") / "presets" / f"{mapping}.yaml").read_text(
            "utf-8"
        )
        return _parse(yaml.safe_load(text) or {}, name=mapping, folder=None)
    if not path.is_file():
        raise FileNotFoundError(f"Mapping file not found: {path}")
    raw = yaml.safe_load(path.read_text("utf-8")) or {}
    return _parse(raw, name=str(path), folder=path.parent)


def _parse(raw: dict, *, name: str, folder: Path | None) -> Mapping:
    if not isinstance(raw, dict):
        raise MappingError(f"Mapping {name}: expected a mapping of keys, got {type(raw).__name__}")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise MappingError(
            f"Mapping {name}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}"
        )
    tables = {t: _parse_table(raw[t] or {}, t, name) for t in TABLES if t in raw}
    language = raw.get("language")
    if language is not None:
        try:
            language = check_language(str(language))
        except ValueError:
            raise MappingError(
                f"Mapping {name}: language {language!r} has no message catalogue; use one of "
                f"{', '.join(LANGUAGES)}"
            ) from None
    return Mapping(name=name, tz=raw.get("tz"), folder=folder, tables=tables, language=language)


def batch_language(lang: str | None, mapping: str | Path | dict | None = None) -> str:
    """The language of a batch's pages and e-mails: ``lang`` (``--lang``), else the
    mapping's ``language:``, else English.

    Raises
    ------
    ValueError
        ``lang`` has no message catalogue (the message lists those there are); a
        :class:`~workbench.errors.MappingError` when the mapping's ``language:`` has none.
    """
    if lang:
        return check_language(lang)
    return resolve_mapping(mapping).language or DEFAULT_LANGUAGE


def _parse_table(raw: dict, table: str, name: str) -> TableMapping:
    where = f"Mapping {name}, table {table}"
    unknown = set(raw) - _TABLE_KEYS
    if unknown:
        raise MappingError(
            f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_TABLE_KEYS)}"
        )
    contract = {c.name for c in TABLES[table]}
    columns = {
        k: dict(v) if isinstance(v, dict) else v for k, v in (raw.get("columns") or {}).items()
    }
    for target, spec in columns.items():
        if target not in contract:
            raise MappingError(
                f"{where}: {target!r} is not a contract column; use {sorted(contract)}"
            )
        if isinstance(spec, dict):
            bad = set(spec) - _DERIVATION_KEYS
            pair = {"date", "time"} & set(spec)
            if bad or not ({"combine", "constant", "from"} & set(spec) or pair):
                raise MappingError(
                    f"{where}, column {target}: a derivation needs one of combine/constant/from"
                    f" or date + time (optional map, default_from); got {sorted(spec)}"
                )
            if pair and pair != {"date", "time"}:
                raise MappingError(f"{where}, column {target}: `date` needs `time` and back")
            if "map" in spec:
                spec["map"] = {_text(k): _text(v) for k, v in (spec["map"] or {}).items()}
        elif not isinstance(spec, str):
            raise MappingError(f"{where}, column {target}: expected a column name or a derivation")
    dt = _parse_datetime(raw.get("datetime") or {}, table, where)
    duration = raw.get("duration", "seconds")
    if duration not in _DURATION_UNITS:
        raise MappingError(f"{where}: duration must be one of {_DURATION_UNITS}, got {duration!r}")
    value_maps = {
        col: {_text(k): _text(v) for k, v in (vm or {}).items()}
        for col, vm in (raw.get("value_maps") or {}).items()
    }
    header_row = raw.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise MappingError(f"{where}: header_row must be a row number from 1, got {header_row!r}")
    join = raw.get("join")
    if join is not None and not ({"file", "key"} <= set(join)):
        # not `on`: YAML reads an unquoted `on` as the boolean true
        raise MappingError(
            f"{where}: join needs `file` and `key` (optionally `lookup_key`, `sheet`)"
        )
    return TableMapping(
        file=raw.get("file"),
        sheet=raw.get("sheet"),
        header_row=header_row,
        sep=raw.get("sep"),
        encoding=raw.get("encoding"),
        columns=columns,
        dayfirst=bool(dt.get("dayfirst", True)),
        datetime_format=dt.get("format"),
        date_only=dict(dt.get("date_only") or {}),
        ambiguous=dt.get("ambiguous", "earlier"),
        nonexistent=dt.get("nonexistent", "shift_forward"),
        duration=duration,
        max_duration_s=_max_duration(raw.get("max_duration"), where),
        decimal=_decimal(raw.get("decimal"), where),
        value_maps=value_maps,
        join=join,
    )


def _parse_datetime(dt: dict, table: str, where: str) -> dict:
    """Check the ``datetime`` options of a table (names each wrong key or value)."""
    if not isinstance(dt, dict) or set(dt) - _DATETIME_KEYS:
        raise MappingError(f"{where}: datetime takes the keys {sorted(_DATETIME_KEYS)}")
    stamps = {c.name for c in TABLES[table] if c.kind == "timestamp"}
    for column, rule in (dt.get("date_only") or {}).items():
        if column not in stamps or rule not in DATE_ONLY:
            raise MappingError(
                f"{where}: datetime.date_only maps a timestamp column ({sorted(stamps)}) to "
                f"one of {DATE_ONLY}; got {column}: {rule}"
            )
    for key, choices in (("ambiguous", AMBIGUOUS), ("nonexistent", NONEXISTENT)):
        if dt.get(key, choices[0]) not in choices:
            raise MappingError(f"{where}: datetime.{key} must be one of {choices}")
    return dt


def _max_duration(value: Any, where: str) -> float:
    """Seconds from a number or a duration text such as ``24h`` or ``2 days``."""
    if value is None:
        return DEFAULT_MAX_DURATION_S
    try:
        seconds = float(value) if isinstance(value, int | float) else None
        if seconds is None:
            seconds = pd.Timedelta(str(value)).total_seconds()
    except ValueError as err:
        raise MappingError(f"{where}: max_duration {value!r} is not a duration") from err
    if not seconds > 0:
        raise MappingError(f"{where}: max_duration must be positive, got {value!r}")
    return seconds


def _decimal(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if str(value) not in (".", ","):
        raise MappingError(f'{where}: decimal must be "." or ",", got {value!r}')
    return str(value)


def _text(value: Any) -> str:
    """YAML turns unquoted yes/no/true into bools; map them back to plain text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
