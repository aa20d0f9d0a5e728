"""Files as users have them: names in any case, monthly parts, TSV, encodings, separators.

Each test writes a tiny export by hand and checks the exact rows loaded and set aside.
"""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import load_dataset
from workbench.errors import DataContractError

HEADER = "call_id,manager,started_at,duration_s,direction,answered"
ROWS = [
    "c1,Анна Петрова,2025-11-03T10:00:00Z,300,outbound,true",
    "c2,Анна Петрова,2025-11-04T11:00:00Z,60,inbound,true",
    "c3,Борис Иванов,2025-12-01T09:30:00Z,0,outbound,false",
]


def _write(path, lines, *, sep=",", encoding="utf-8"):
    text = "\n".join(line.replace(",", sep) for line in lines) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("name", ["Calls.csv", "calls.CSV", "CALLS.csv"])
def test_a_table_file_is_found_whatever_its_case(tmp_path, name):
    _write(tmp_path / name, [HEADER, *ROWS])
    ds = load_dataset(tmp_path)
    assert len(ds.calls) == 3 and ds.rows_read["calls"] == 3
    assert ds.unused_files == []


def test_monthly_parts_are_read_together_and_a_repeated_id_is_set_aside(tmp_path):
    _write(tmp_path / "calls_2025-11.csv", [HEADER, ROWS[0], ROWS[1]])
    # the December part repeats c2 (an overlapping export) and adds c3
    _write(tmp_path / "calls_2025-12.csv", [HEADER, ROWS[1], ROWS[2]])
    ds = load_dataset(tmp_path)
    assert ds.rows_read["calls"] == 4
    assert sorted(ds.calls["call_id"]) == ["c1", "c2", "c3"]
    (aside,) = ds.set_aside.itertuples()
    assert aside.reason == "duplicate id" and aside.value == "c2"
    assert aside.file.endswith("calls_2025-12.csv") and aside.row == 2
    assert len(ds.files["calls"]) == 2


def test_tsv_and_semicolon_files_are_sniffed(tmp_path):
    _write(tmp_path / "calls.tsv", [HEADER, *ROWS], sep="\t")
    tasks = [
        "task_id,manager,created_at,due_at,completed_at,status",
        "t1,Анна Петрова,2025-11-03T10:00:00Z,2025-11-05T10:00:00Z,,open",
    ]
    _write(tmp_path / "tasks.csv", tasks, sep=";")
    ds = load_dataset(tmp_path)
    assert len(ds.calls) == 3 and ds.calls["duration_s"].tolist() == [300, 60, 0]
    assert ds.tasks["task_id"].tolist() == ["t1"] and ds.set_aside.empty


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16", "utf-8-sig"])
def test_the_encoding_is_detected(tmp_path, encoding):
    _write(tmp_path / "calls.csv", [HEADER, *ROWS], encoding=encoding)
    ds = load_dataset(tmp_path)
    assert sorted(ds.calls["manager"].unique()) == ["Анна Петрова", "Борис Иванов"]


def test_a_wrong_encoding_in_the_mapping_names_the_option(tmp_path):
    _write(tmp_path / "calls.csv", [HEADER, *ROWS], encoding="cp1251")
    mapping = {"calls": {"file": "calls.csv", "encoding": "utf-8"}}
    with pytest.raises(DataContractError, match=r"calls\.csv: cannot decode as utf-8.*`encoding:`"):
        load_dataset(tmp_path, mapping=mapping)


def test_a_file_that_feeds_no_table_is_listed(tmp_path):
    _write(tmp_path / "calls.csv", [HEADER, *ROWS])
    _write(tmp_path / "cals.csv", [HEADER, *ROWS])  # a typo: not a calls file
    (tmp_path / "notes.md").write_text("not a table")
    ds = load_dataset(tmp_path)
    assert [p.rsplit("/", 1)[-1] for p in ds.unused_files] == ["cals.csv"]


def test_a_calls_file_in_two_formats_is_read_once_per_row(tmp_path):
    _write(tmp_path / "calls.csv", [HEADER, *ROWS])
    pd.read_csv(tmp_path / "calls.csv", dtype="str").to_parquet(tmp_path / "calls.parquet")
    ds = load_dataset(tmp_path)
    assert ds.rows_read["calls"] == 6 and len(ds.calls) == 3
    assert (ds.set_aside["reason"] == "duplicate id").sum() == 3


def test_null_words_are_missing_values(tmp_path):
    rows = [
        "c1,Анна Петрова,2025-11-03T10:00:00Z,300,outbound,NULL",
        "c2,NULL,2025-11-04T11:00:00Z,60,inbound,true",
        "c3,Борис Иванов,#N/A,0,outbound,false",
        "c4,Борис Иванов,2025-12-01T09:30:00Z, - ,outbound,false",
    ]
    _write(tmp_path / "calls.csv", [HEADER, *rows])
    ds = load_dataset(tmp_path)
    # answered and duration_s are optional: c1 loads with answered taken from its duration
    # (300 s > 0: answered), c4 unanswered with no duration, so no talk time (0 s); c2
    # (manager) and c3 (started_at) miss a required value and are set aside
    assert ds.calls["call_id"].tolist() == ["c1", "c4"]
    assert ds.calls.loc[0, "answered"] and ds.calls.loc[1, "duration_s"] == 0
    assert ds.set_aside["reason"].tolist() == ["missing value"] * 2
    assert ds.set_aside["column"].tolist() == ["manager", "started_at"]
    assert ds.set_aside["row"].tolist() == [3, 4]  # physical lines, header = 1


def test_a_delimiter_at_the_end_of_every_row_shifts_nothing(tmp_path):
    _write(tmp_path / "calls.csv", [HEADER, *(r + "," for r in ROWS)])
    ds = load_dataset(tmp_path)
    assert ds.calls["call_id"].tolist() == ["c1", "c2", "c3"]
    assert ds.calls["duration_s"].tolist() == [300, 60, 0] and ds.set_aside.empty


def test_a_duplicated_column_name_is_an_error_naming_it(tmp_path):
    _write(tmp_path / "calls.csv", [HEADER + ",manager", *(r + ",Кто-то" for r in ROWS)])
    with pytest.raises(
        DataContractError, match=r"calls\.csv: duplicated column name\(s\) \['manager'\]"
    ):
        load_dataset(tmp_path)


def test_a_title_above_the_header(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Детализация звонков за ноябрь"])
    sheet.append([])
    sheet.append(HEADER.split(","))
    for r in ROWS:
        sheet.append(r.split(","))
    book.save(tmp_path / "calls.xlsx")
    _write(tmp_path / "tasks.csv", ["Export of 2025-12-01", "task_id,manager,created_at,status",
                                    "t1,Анна Петрова,2025-11-03T10:00:00Z,open"])  # fmt: skip
    mapping = {
        "calls": {"file": "calls.xlsx", "header_row": 3},
        "tasks": {"file": "tasks.csv", "header_row": 2},
    }
    ds = load_dataset(tmp_path, mapping=mapping)
    assert ds.calls["call_id"].tolist() == ["c1", "c2", "c3"]
    assert ds.tasks["task_id"].tolist() == ["t1"] and ds.set_aside.empty
    with pytest.raises(ValueError, match="header_row must be a row number from 1"):
        load_dataset(tmp_path, mapping={"calls": {"file": "calls.xlsx", "header_row": 0}})


def test_a_row_with_more_fields_than_the_header_is_set_aside(tmp_path):
    rows = [ROWS[0], ROWS[1] + ",oops", ROWS[2] + ","]  # c2 has an extra value; c3 a trailing ","
    _write(tmp_path / "calls.csv", [HEADER, *rows])
    ds = load_dataset(tmp_path)
    assert ds.calls["call_id"].tolist() == ["c1", "c3"]
    (aside,) = ds.set_aside.itertuples()
    assert (aside.reason_code, aside.row, aside.value) == ("extra_fields", 3, "oops")
    assert ds.headers[str(tmp_path / "calls.csv")] == HEADER.split(",")
