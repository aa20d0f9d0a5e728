"""Reading exports: the data contract, mappings and presets, loading, validation, the sample."""

from __future__ import annotations

from workbench.data.loading import (
    SUPPORTED_SUFFIXES,
    Dataset,
    load_dataset,
)
from workbench.data.mappings import (
    Mapping,
    TableMapping,
    available_presets,
    resolve_mapping,
)
from workbench.data.sample import (
    DATA_END,
    DATA_START,
    DEFAULT_SEED,
    MANAGERS,
    make_sample,
    write_sample,
)
from workbench.data.schema import (
    ALL_MANAGERS,
    DEFAULT_TZ,
    DIRECTIONS,
    OUTCOMES,
    STATUSES,
    TABLE_NAMES,
    TABLES,
    TARGET_DIRECTIONS,
    Column,
    required_columns,
)
from workbench.data.validation import (
    REASONS,
    SET_ASIDE_COLUMNS,
    DataContractError,
    DateOrderError,
    RowProblems,
    convert_table,
    empty_set_aside,
    empty_table,
    parse_durations,
    parse_timestamps,
)

__all__ = [
    "ALL_MANAGERS",
    "Column",
    "TABLES",
    "TABLE_NAMES",
    "STATUSES",
    "DIRECTIONS",
    "OUTCOMES",
    "TARGET_DIRECTIONS",
    "DEFAULT_TZ",
    "required_columns",
    "TableMapping",
    "Mapping",
    "available_presets",
    "resolve_mapping",
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
    "Dataset",
    "load_dataset",
    "SUPPORTED_SUFFIXES",
    "DEFAULT_SEED",
    "DATA_START",
    "DATA_END",
    "MANAGERS",
    "make_sample",
    "write_sample",
]
