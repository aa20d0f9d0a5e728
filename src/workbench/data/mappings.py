"""Mappings: how a CRM export's files and columns become the contract tables.

A mapping is a small dict (usually a YAML file, see ``docs/data-contract.md``)::

    tz: Europe/Moscow            # business time zone (optional)
    tasks:                       # one entry per contract table; unlisted tables are empty
      file: "Задачи*.xlsx"       # path or glob (default: tasks.csv / .parquet / .xlsx)
      sheet: Sheet1              # Excel only (default: first sheet)
      header_row: 3              # the header's row when a title stands above it (default: first)
      sep: ";"                   # CSV/TSV only (default: sniffed); `encoding` (default: detected)
      columns:                   # contract column -> source column or a derivation
        manager: Ответственный
      datetime: {dayfirst: true, format: null}   # dayfirst: for columns the values leave open
      duration: seconds          # seconds | minutes | milliseconds | hms
      decimal: ","               # decimal comma in numbers (optional)
      value_maps: {status: {Завершена: completed, "*": open}}
      join: {file: teams.csv, key: agent}

Presets are such mappings shipped in ``workbench/data/presets/*.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from workbench.data.schema import TABLES

__all__ = ["TableMapping", "Mapping", "available_presets", "resolve_mapping"]

_TOP_KEYS = {"tz", "description", *TABLES}
_TABLE_KEYS = {
    "file",
    "sheet",
    "header_row",
    "sep",
    "encoding",
    "columns",
    "datetime",
    "duration",
    "decimal",
    "value_maps",
    "join",
}
_DERIVATION_KEYS = {"combine", "constant", "from", "map", "default_from"}
_DURATION_UNITS = ("seconds", "minutes", "milliseconds", "hms")


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
    duration: str = "seconds"
    decimal: str = "."
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    join: dict[str, Any] | None = None

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
            elif "from" in spec:
                out[col.name] = [str(spec["from"])]
            else:
                out[col.name] = []
        return out


@dataclass(frozen=True)
class Mapping:
    """A whole mapping: its name, time zone, folder (for relative files) and tables."""

    name: str
    tz: str | None
    folder: Path | None
    tables: dict[str, TableMapping]


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
    ValueError
        For an unknown preset, an unknown key or a malformed entry (names the key).
    """
    if mapping is None:
        mapping = "canonical"
    if isinstance(mapping, dict):
        return _parse(mapping, name="<dict>", folder=None)
    path = Path(mapping)
    if isinstance(mapping, str) and path.suffix not in (".yaml", ".yml"):
        if mapping not in available_presets():
            raise ValueError(
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
        raise ValueError(f"Mapping {name}: expected a mapping of keys, got {type(raw).__name__}")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise ValueError(
            f"Mapping {name}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}"
        )
    tables = {t: _parse_table(raw[t] or {}, t, name) for t in TABLES if t in raw}
    return Mapping(name=name, tz=raw.get("tz"), folder=folder, tables=tables)


def _parse_table(raw: dict, table: str, name: str) -> TableMapping:
    where = f"Mapping {name}, table {table}"
    unknown = set(raw) - _TABLE_KEYS
    if unknown:
        raise ValueError(
            f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_TABLE_KEYS)}"
        )
    contract = {c.name for c in TABLES[table]}
    columns = {
        k: dict(v) if isinstance(v, dict) else v for k, v in (raw.get("columns") or {}).items()
    }
    for target, spec in columns.items():
        if target not in contract:
            raise ValueError(
                f"{where}: {target!r} is not a contract column; use {sorted(contract)}"
            )
        if isinstance(spec, dict):
            bad = set(spec) - _DERIVATION_KEYS
            if bad or not ({"combine", "constant", "from"} & set(spec)):
                raise ValueError(
                    f"{where}, column {target}: a derivation needs one of combine/constant/from"
                    f" (optional map, default_from); got {sorted(spec)}"
                )
            if "map" in spec:
                spec["map"] = {_text(k): _text(v) for k, v in (spec["map"] or {}).items()}
        elif not isinstance(spec, str):
            raise ValueError(f"{where}, column {target}: expected a column name or a derivation")
    dt = raw.get("datetime") or {}
    duration = raw.get("duration", "seconds")
    if duration not in _DURATION_UNITS:
        raise ValueError(f"{where}: duration must be one of {_DURATION_UNITS}, got {duration!r}")
    value_maps = {
        col: {_text(k): _text(v) for k, v in (vm or {}).items()}
        for col, vm in (raw.get("value_maps") or {}).items()
    }
    header_row = raw.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise ValueError(f"{where}: header_row must be a row number from 1, got {header_row!r}")
    join = raw.get("join")
    if join is not None and not ({"file", "key"} <= set(join)):
        # not `on`: YAML reads an unquoted `on` as the boolean true
        raise ValueError(f"{where}: join needs `file` and `key` (optionally `lookup_key`, `sheet`)")
    return TableMapping(
        file=raw.get("file"),
        sheet=raw.get("sheet"),
        header_row=header_row,
        sep=raw.get("sep"),
        encoding=raw.get("encoding"),
        columns=columns,
        dayfirst=bool(dt.get("dayfirst", True)),
        datetime_format=dt.get("format"),
        duration=duration,
        decimal=str(raw.get("decimal", ".")),
        value_maps=value_maps,
        join=join,
    )


def _text(value: Any) -> str:
    """YAML turns unquoted yes/no/true into bools; map them back to plain text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
