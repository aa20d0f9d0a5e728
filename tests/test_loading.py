"""Tests for workbench.data.loading: formats, values, time rules, mappings, presets, accounting."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from workbench import load_dataset
from workbench.data.loading import Dataset
from workbench.data.schema import TABLES

FIXTURES = Path(__file__).parent / "data" / "loading"

TASKS_CSV = """\
task_id,manager,created_at,due_at,original_due_at,completed_at,status,task_type,description,\
deal_id,creator
1234567890123456789,Anna,2025-11-03T09:00:00+00:00,2025-11-05,,\
2025-11-04T10:00:00+00:00,completed,call,"a, <b>",D1,Olga
2,Boris,2025-11-03T09:30:00+00:00,,,,open,email,,,
"""
CALLS_CSV = """\
call_id,manager,started_at,duration_s,direction,answered,deal_id
c1,Boris,2025-11-03T12:00:00+00:00,1920,outbound,true,
c2,Boris,2025-11-03T12:40:00+00:00,0,inbound,false,
"""
DEALS_CSV = """\
deal_id,manager,created_at,closed_at,outcome,amount
d1,Anna,2025-11-01T10:00:00+00:00,2025-11-20T15:00:00+00:00,won,99500.5
d2,Boris,2025-11-02T10:00:00+00:00,,open,
"""
TARGETS_CSV = """\
manager,metric,target,direction,effective_from,effective_to
Anna,delinquency_rate,0.2,at_most,2026-05-01T00:00:00+00:00,
*,talk_mean_min,27,at_most,2026-04-01T00:00:00+00:00,2026-07-01T00:00:00+00:00
"""


def _write(folder: Path, **tables: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def _canonical(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "csv", tasks=TASKS_CSV, calls=CALLS_CSV, deals=DEALS_CSV, targets=TARGETS_CSV
    )


def _as_excel(frame: pd.DataFrame, path: Path) -> None:
    """Write text cells (as an analyst's export would hold them) to .xlsx."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([None if pd.isna(v) else v for v in row])
    book.save(path)


def _assert_accounting(data: Dataset) -> None:
    health = data.health()
    for table in TABLES:
        counts = health[health["table"] == table].set_index("measure")["rows"]
        assert counts["read"] == data.rows_read[table]
        assert counts["loaded"] == len(getattr(data, table))
        assert counts["read"] == counts["loaded"] + counts["set_aside"]
        reasons = health[(health["table"] == table) & (health["measure"] == "reason")]
        assert reasons["rows"].sum() == counts["set_aside"]
        assert (data.set_aside["table"] == table).sum() == counts["set_aside"]


def test_canonical_csv_has_contract_columns_and_dtypes(tmp_path):
    data = load_dataset(_canonical(tmp_path))
    for table, columns in TABLES.items():
        frame = getattr(data, table)
        assert list(frame.columns) == [c.name for c in columns]
        for col in columns:
            dtype = frame[col.name].dtype
            if col.kind == "timestamp":
                assert str(dtype) == "datetime64[us, UTC]", (table, col.name)
            elif col.kind == "float":
                assert dtype == "float64"
            elif col.kind == "bool":
                assert dtype == "bool"
            else:
                assert pd.api.types.is_string_dtype(dtype), (table, col.name)
    assert data.rows_read == {"tasks": 2, "calls": 2, "deals": 2, "targets": 2, "roster": 0}
    assert data.rows_loaded == data.rows_read
    assert data.managers == ["Anna", "Boris"]
    assert data.tz == "UTC"
    assert data.set_aside.empty
    _assert_accounting(data)


def test_values_of_canonical_tasks(tmp_path):
    data = load_dataset(_canonical(tmp_path))
    first = data.tasks.iloc[0]
    assert first["task_id"] == "1234567890123456789"  # 19 digits, never a float
    assert first["description"] == "a, <b>"  # text kept as is (escaping is for HTML output)
    # date-only deadline = end of that day; original_due_at defaults to due_at
    assert first["due_at"] == pd.Timestamp("2025-11-05 23:59:59.999999", tz="UTC")
    assert first["original_due_at"] == first["due_at"]
    second = data.tasks.iloc[1]
    assert pd.isna(second["due_at"]) and pd.isna(second["completed_at"])
    assert pd.isna(second["description"])  # empty text is missing
    assert data.targets["effective_to"].isna().tolist() == [True, False]
    assert data.deals["amount"].tolist()[0] == 99500.5


@pytest.mark.parametrize("fmt", ["parquet", "xlsx"])
def test_round_trip_parquet_and_excel_equal_csv(tmp_path, fmt):
    from_csv = load_dataset(_canonical(tmp_path))
    other = tmp_path / fmt
    other.mkdir()
    for table in ("tasks", "calls", "deals", "targets"):  # no roster in this export
        frame = getattr(from_csv, table)
        if fmt == "parquet":
            frame.to_parquet(other / f"{table}.parquet")
        else:
            text = pd.read_csv(tmp_path / "csv" / f"{table}.csv", dtype="str")
            _as_excel(text, other / f"{table}.xlsx")
    loaded = load_dataset(other)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(loaded, table), getattr(from_csv, table))
    _assert_accounting(loaded)


def test_excel_cells_ids_times_and_durations(tmp_path):
    # An Excel export holds typed cells: a long ID as text, dates, clock times, durations.
    book = openpyxl.Workbook()
    sheet = book.active
    day = dt.datetime(2025, 11, 3)
    sheet.append(["call_id", "manager", "Date", "Time", "Talk", "direction"])
    sheet.append(["9876543210987654321", "B", day, dt.time(9, 5), dt.time(0, 32, 10), "outbound"])
    sheet.append([12, "B", day, dt.time(10, 0), dt.timedelta(hours=1, seconds=5), "inbound"])
    book.save(tmp_path / "calls.xlsx")
    mapping = {
        "calls": {
            "file": "calls.xlsx",
            "columns": {"started_at": {"combine": ["Date", "Time"]}, "duration_s": "Talk"},
            "duration": "hms",
        }
    }
    data = load_dataset(tmp_path, mapping=mapping)
    assert data.calls["call_id"].tolist() == ["9876543210987654321", "12"]
    assert data.calls["started_at"].tolist() == [
        pd.Timestamp("2025-11-03 09:05", tz="UTC"),
        pd.Timestamp("2025-11-03 10:00", tz="UTC"),
    ]
    # 32*60+10 = 1930 s; 1 h 5 s = 3605 s
    assert data.calls["duration_s"].tolist() == [1930.0, 3605.0]
    assert data.calls["answered"].tolist() == [True, True]  # default: duration_s > 0


def test_day_first_dates_and_clock_durations(tmp_path):
    _write(
        tmp_path,
        calls="call_id,manager,started_at,duration_s,direction\n"
        "1,Anna,03.02.2026 09:15,05:30,inbound\n"  # 3 Feb, mm:ss = 330 s
        "2,Anna,13.02.2026 10:00,1:02:03,outbound\n"  # h:mm:ss = 3723 s
        "3,Anna,14.02.2026 11:00,0,outbound\n",
    )
    data = load_dataset(tmp_path)
    assert data.calls["started_at"].tolist() == [
        pd.Timestamp("2026-02-03 09:15", tz="UTC"),
        pd.Timestamp("2026-02-13 10:00", tz="UTC"),
        pd.Timestamp("2026-02-14 11:00", tz="UTC"),
    ]
    assert data.calls["duration_s"].tolist() == [330.0, 3723.0, 0.0]
    assert data.calls["answered"].tolist() == [True, True, False]


def test_minutes_unit(tmp_path):
    header = "call_id,manager,started_at,duration_s,direction\n"
    _write(tmp_path, calls=header + "1,A,2026-01-05 10:00,2.5,inbound\n")
    data = load_dataset(tmp_path, mapping={"calls": {"duration": "minutes"}})
    assert data.calls["duration_s"].tolist() == [150.0]  # 2.5 min * 60


def test_date_only_deadline_is_end_of_day_in_moscow(tmp_path):
    _write(
        tmp_path,
        tasks="task_id,manager,created_at,due_at,status\n"
        "1,Anna,2026-03-02 10:00,2026-03-05,open\n"
        "2,Anna,2026-03-02 10:00,2026-03-05 12:00,open\n"
        "3,Anna,2026-03-02T10:00:00+00:00,2026-03-05T12:00:00+00:00,open\n",
    )
    data = load_dataset(tmp_path, tz="Europe/Moscow")
    due = data.tasks["due_at"]
    assert str(due.dtype) == "datetime64[us, Europe/Moscow]"
    # Moscow is UTC+3: 23:59:59.999999 local = 20:59:59.999999 UTC
    assert due[0] == pd.Timestamp("2026-03-05 23:59:59.999999", tz="Europe/Moscow")
    assert due[0].tz_convert("UTC") == pd.Timestamp("2026-03-05 20:59:59.999999", tz="UTC")
    assert due[1] == pd.Timestamp("2026-03-05 12:00", tz="Europe/Moscow")  # naive = local time
    assert due[2] == pd.Timestamp("2026-03-05 15:00", tz="Europe/Moscow")  # offset converted
    assert data.tasks["created_at"][0] == pd.Timestamp("2026-03-02 10:00", tz="Europe/Moscow")


def test_tz_argument_beats_mapping_tz(tmp_path):
    _write(tmp_path, deals=DEALS_CSV)
    mapping = {"tz": "Europe/Moscow", "deals": {}}
    assert load_dataset(tmp_path, mapping=mapping).tz == "Europe/Moscow"
    assert load_dataset(tmp_path, mapping=mapping, tz="Asia/Tokyo").tz == "Asia/Tokyo"
    assert load_dataset(tmp_path).tz == "UTC"
    with pytest.raises(ValueError, match="Unknown time zone 'Mars/Base'"):
        load_dataset(tmp_path, tz="Mars/Base")


def test_missing_tables_are_empty_canonical_tables(tmp_path):
    data = load_dataset(_write(tmp_path, deals=DEALS_CSV))
    assert data.rows_read == {"tasks": 0, "calls": 0, "deals": 2, "targets": 0, "roster": 0}
    assert data.tasks.empty and list(data.tasks.columns) == [c.name for c in TABLES["tasks"]]
    assert str(data.calls["started_at"].dtype) == "datetime64[us, UTC]"
    assert data.files["tasks"] == []
    _assert_accounting(data)


def test_single_file_source(tmp_path):
    folder = _write(tmp_path, deals=DEALS_CSV)
    data = load_dataset(folder / "deals.csv")
    assert data.rows_loaded == {"tasks": 0, "calls": 0, "deals": 2, "targets": 0, "roster": 0}


def test_glob_reads_several_files_with_their_row_numbers(tmp_path):
    header = "call_id,manager,started_at,duration_s,direction\n"
    (tmp_path / "calls_2025-11.csv").write_text(header + "1,A,2025-11-03 10:00,60,inbound\n")
    (tmp_path / "calls_2025-12.csv").write_text(
        header + "2,A,2025-12-01 10:00,60,inbound\n3,A,2025-12-01 11:00,-5,inbound\n"
    )
    data = load_dataset(tmp_path, mapping={"calls": {"file": "calls_*.csv"}})
    assert data.rows_read["calls"] == 3
    assert data.calls["call_id"].tolist() == ["1", "2"]
    bad = data.set_aside.iloc[0]
    assert Path(bad["file"]).name == "calls_2025-12.csv"
    assert (bad["row"], bad["column"], bad["value"]) == (3, "duration_s", "-5")
    assert bad["reason"] == "negative duration"


def test_mapping_derivations_value_maps_and_join(tmp_path):
    (tmp_path / "pipe.csv").write_text(
        "id,agent,opened,closed,stage,value\n"
        "X1,Ann,2017-01-02,2017-02-01,Won,100\n"
        "X2,Bob,2017-01-03,,Engaging,\n"
        "X3,Cid,2017-01-04,2017-01-09,Lost,0\n"
    )
    (tmp_path / "teams.csv").write_text("agent,manager\nAnn,Mia\nBob,Mia\n")
    mapping = {
        "deals": {
            "file": "pipe.csv",
            "join": {"file": "teams.csv", "key": "agent"},
            "columns": {
                "deal_id": "id",
                "manager": {"from": "manager", "default_from": "agent"},
                "created_at": "opened",
                "closed_at": "closed",
                "outcome": "stage",
                "amount": "value",
            },
            "value_maps": {"outcome": {"won": "won", "LOST": "lost", "*": "open"}},
        }
    }
    data = load_dataset(tmp_path, mapping=mapping)
    # Cid has no team: default_from falls back to the agent's name
    assert data.deals["manager"].tolist() == ["Mia", "Mia", "Cid"]
    assert data.deals["outcome"].tolist() == ["won", "open", "lost"]
    assert data.deals["amount"].isna().tolist() == [False, True, False]


def test_constant_and_map_derivations(tmp_path):
    (tmp_path / "log.csv").write_text(
        "Id,Agent,When,Talk,Ans\n1,A,2021-01-01 09:00:00,00:01:00,Y\n2,A,2021-01-01 09:05:00,,N\n"
    )
    mapping = {
        "calls": {
            "file": "log.csv",
            "columns": {
                "call_id": "Id",
                "manager": "Agent",
                "started_at": "When",
                "duration_s": "Talk",
                "direction": {"constant": "inbound"},
                "answered": {"from": "Ans", "map": {"Y": True, "N": False}},
            },
        }
    }
    data = load_dataset(tmp_path, mapping=mapping)
    assert data.calls["direction"].tolist() == ["inbound", "inbound"]
    assert data.calls["answered"].tolist() == [True, False]
    # blank duration of an unanswered call = 0 s
    assert data.calls["duration_s"].tolist() == [60.0, 0.0]


def test_mapping_from_yaml_file_resolves_files_next_to_it(tmp_path):
    exports = _write(tmp_path / "exports", deals=DEALS_CSV)
    (tmp_path / "m.yaml").write_text("tz: Europe/Moscow\ndeals:\n  file: exports/deals.csv\n")
    data = load_dataset(exports, mapping=tmp_path / "m.yaml")
    assert data.tz == "Europe/Moscow" and data.rows_loaded["deals"] == 2


def test_unknown_mapping_keys_and_presets_are_errors(tmp_path):
    with pytest.raises(ValueError, match="Unknown mapping preset 'salesforce'"):
        load_dataset(tmp_path, mapping="salesforce")
    with pytest.raises(ValueError, match=r"unknown key\(s\) \['colums'\]"):
        load_dataset(tmp_path, mapping={"deals": {"colums": {}}})
    with pytest.raises(ValueError, match="'owner' is not a contract column"):
        load_dataset(tmp_path, mapping={"deals": {"columns": {"owner": "x"}}})


@pytest.mark.parametrize(
    ("preset", "read", "loaded"),
    [
        ("amocrm", {"tasks": 2, "calls": 2, "deals": 3, "targets": 0, "roster": 0}, None),
        ("hubspot", {"tasks": 2, "calls": 2, "deals": 3, "targets": 0, "roster": 0}, None),
        # Bitrix24 writes call durations as "27 мин, 5 сек" (read, see below)
        ("bitrix24", {"tasks": 4, "calls": 3, "deals": 3, "targets": 0, "roster": 0}, None),
    ],
)
def test_presets_load_their_fixture_exports(preset, read, loaded):
    data = load_dataset(FIXTURES / preset, mapping=preset)
    assert data.rows_read == read
    assert data.rows_loaded == (loaded or read)
    if loaded is None:
        assert data.set_aside.empty
    assert set(data.deals["outcome"]) <= {"open", "won", "lost"}
    assert set(data.tasks["status"]) <= {"open", "completed", "cancelled"}
    assert set(data.calls["direction"]) <= {"inbound", "outbound"}
    _assert_accounting(data)


def _moscow(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="Europe/Moscow")


def test_amocrm_preset_values():
    # headers of amoCRM's lead export: "Дата создания сделки", dates dd-mm-yyyy, integer budget
    data = load_dataset(FIXTURES / "amocrm", mapping="amocrm")
    assert data.tz == "Europe/Moscow"
    deals = data.deals.set_index("deal_id")
    assert deals.loc["31245678", "amount"] == 150000.0  # "150000": a plain integer
    assert pd.isna(deals.loc["31245679", "amount"])
    assert deals.loc["31245680", "amount"] == 99500.0
    assert deals["outcome"].tolist() == ["won", "open", "lost"]
    assert deals["manager"].tolist() == ["Анна Петрова", "Борис Иванов", "Борис Иванов"]
    assert deals.loc["31245678", "created_at"] == _moscow("2025-11-03 10:15")
    assert deals.loc["31245678", "closed_at"] == _moscow("2025-11-12 17:40")
    assert pd.isna(deals.loc["31245679", "closed_at"])
    tasks = data.tasks.set_index("task_id")
    assert tasks.loc["901", "due_at"] == _moscow("2025-11-05 23:59:59.999999")
    assert tasks["status"].tolist() == ["completed", "open"]
    assert data.calls["duration_s"].tolist() == [1930.0, 0.0]  # "32:10" = 32*60+10


def test_bitrix24_preset_values():
    data = load_dataset(FIXTURES / "bitrix24", mapping="bitrix24")
    assert data.tz == "Europe/Moscow"
    # deals: the CRM's CSV export (";" after every quoted field, amounts as stored)
    deals = data.deals.set_index("deal_id")
    assert deals["amount"].tolist() == [99500.0, 1000.0, 0.0]  # "99500.00" stays 99500
    assert deals["outcome"].tolist() == ["won", "open", "lost"]
    assert deals.loc["77", "created_at"] == _moscow("2025-11-01 10:00")
    # the close date is a date: the deal closed by the end of that day; an open deal's
    # expected date is cleared
    assert deals.loc["77", "closed_at"] == _moscow("2025-11-20 23:59:59.999999")
    assert pd.isna(deals.loc["78", "closed_at"])
    assert deals.loc["79", "closed_at"] == _moscow("2025-11-05 23:59:59.999999")
    tasks = data.tasks.set_index("task_id")
    # "Ждет контроля" has a closing date (the assignee finished): completed
    assert tasks["status"].tolist() == ["completed", "open", "cancelled", "completed"]
    assert tasks.loc["1204", "completed_at"] == _moscow("2025-11-06 15:30")
    assert tasks.loc["1203", "due_at"] == _moscow("2025-11-04 23:59:59.999999")
    assert tasks["creator"].unique().tolist() == ["Ольга Смирнова"]
    assert tasks.loc["1201", "description"] == "Подготовить КП"
    calls = data.calls
    assert calls["call_id"].tolist()[2] == "03.11.2025 12:40:00 Борис Иванов +7 495 765-43-21"
    assert calls["started_at"].tolist()[2] == _moscow("2025-11-03 12:40")
    assert calls["duration_s"].tolist()[2] == 0.0  # blank "Время звонка" of a missed call
    assert data.set_aside.empty and data.blanked.empty


def test_bitrix24_call_durations_in_words():
    calls = load_dataset(FIXTURES / "bitrix24", mapping="bitrix24").calls
    assert calls["duration_s"].tolist() == [1625.0, 45.0, 0.0]  # 27*60+5
    assert calls["direction"].tolist() == ["outbound", "inbound", "inbound"]
    assert calls["answered"].tolist() == [True, True, False]


def test_hubspot_preset_values():
    hubspot = load_dataset(FIXTURES / "hubspot", mapping="hubspot")
    assert hubspot.tz == "UTC"
    deals = hubspot.deals
    assert deals["deal_id"].tolist() == ["18734562012", "18734562013", "18734562014"]
    assert deals["amount"].tolist()[:2] == [99500.0, 5000.0]
    assert pd.isna(deals["amount"].iloc[2])
    assert deals["outcome"].tolist() == ["won", "open", "lost"]
    # an open deal's expected "Close Date" is not a close
    assert deals["closed_at"].isna().tolist() == [False, True, False]
    assert deals["closed_at"].iloc[0] == pd.Timestamp("2025-11-20 16:00", tz="UTC")
    assert hubspot.tasks["status"].tolist() == ["completed", "open"]
    assert hubspot.calls["duration_s"].tolist() == [1920.0, 0.0]  # 1,920,000 ms


def test_health_shape(tmp_path):
    _write(tmp_path, deals=DEALS_CSV + "d3,,2025-11-02T10:00:00+00:00,,open,\n")
    health = load_dataset(tmp_path).health()
    assert list(health.columns) == ["table", "measure", "reason", "reason_code", "rows"]
    deals = health[health["table"] == "deals"]
    assert deals["measure"].tolist() == ["read", "loaded", "set_aside", "reason"]
    assert deals["rows"].tolist() == [3, 2, 1, 1]
    assert deals["reason"].iloc[3] == "missing value"
    assert deals["reason_code"].iloc[3] == "missing"


def test_excel_float_ids_exact_below_2_53_else_set_aside(tmp_path):
    # openpyxl (like Excel) stores a number ID as a float: 1.2345678901234568e18 keeps only
    # 16 significant digits, so the row is set aside instead of loading a wrong ID.
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["deal_id", "manager", "created_at", "outcome"])
    sheet.append([1234567890123456.0, "A", "2026-01-05", "open"])  # row 2: < 2**53, exact
    sheet.append([1.2345678901234568e18, "A", "2026-01-05", "open"])  # row 3: digits lost
    sheet.append(["1234567890123456789", "A", "2026-01-05", "open"])  # row 4: text, exact
    book.save(tmp_path / "deals.xlsx")
    data = load_dataset(tmp_path)
    reason = "numeric ID too long for Excel's number format: store IDs as text"
    aside = data.set_aside[["row", "column", "value", "reason"]].values.tolist()
    assert aside == [[3, "deal_id", "1.234567890123457e+18", reason]]
    assert data.deals["deal_id"].tolist() == ["1234567890123456", "1234567890123456789"]
    _assert_accounting(data)


def test_excel_cell_text_of_integral_floats():
    from workbench.data.loading import _excel_cell

    assert _excel_cell(1234567890123456.0) == "1234567890123456"  # 1.2e15 < 2**53: exact
    assert _excel_cell(float(2**53 - 1)) == "9007199254740991"
    # from 2**53 on, not every integer is a float: keep the float text, the ID check sees it
    assert _excel_cell(float(2**53)) == "9007199254740992.0"
    assert _excel_cell(12.5) == "12.5"


def test_set_aside_row_is_the_physical_csv_line(tmp_path):
    _write(
        tmp_path,
        tasks="task_id,manager,created_at,status,description\n"  # line 1
        '1,Anna,2026-01-05 10:00,open,"line one\nline two\nline three"\n'  # lines 2-4
        "2,,2026-01-05 10:00,open,plain\n"  # line 5: missing manager
        '3,Anna,2026-01-05 10:00,open,"say ""hi""\nbye"\n'  # lines 6-7
        '4,Anna,2026-01-05 10:00,open,27" monitor\n'  # line 8: a quote inside a field
        "\n"  # line 9: an empty row inside the data
        "5,Anna,bad,open,x\n",  # line 10
    )
    data = load_dataset(tmp_path)
    aside = data.set_aside[["row", "column", "reason"]].values.tolist()
    # record numbers would be 3, 6 and 7
    assert aside == [
        [5, "manager", "missing value"],
        [9, "", "empty row"],
        [10, "created_at", "unparseable timestamp"],
    ]
    assert data.tasks["description"].tolist() == [
        "line one\nline two\nline three",
        'say "hi"\nbye',
        '27" monitor',
    ]
    _assert_accounting(data)


def test_date_only_deadline_on_berlin_dst_change_days(tmp_path):
    _write(
        tmp_path,
        tasks="task_id,manager,created_at,due_at,status\n"
        "1,Anna,2026-03-28 10:00,2026-03-29,open\n"  # spring forward at 02:00 -> CEST
        "2,Anna,2026-10-24 10:00,2026-10-25,open\n",  # fall back at 03:00 -> CET
    )
    data = load_dataset(tmp_path, tz="Europe/Berlin")
    due = data.tasks["due_at"]
    # 23:59:59.999999 CEST (+02:00) = 21:59:59.999999 UTC; CET (+01:00) = 22:59:59.999999 UTC
    assert due.dt.tz_convert("UTC").tolist() == [
        pd.Timestamp("2026-03-29 21:59:59.999999", tz="UTC"),
        pd.Timestamp("2026-10-25 22:59:59.999999", tz="UTC"),
    ]
    assert [t.utcoffset() for t in due] == [pd.Timedelta(hours=2), pd.Timedelta(hours=1)]
    assert data.set_aside.empty


def test_set_aside_row_is_the_excel_sheet_row(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.cell(row=1, column=1, value=None)  # a report title area left blank: rows 1-2
    for row, values in enumerate(
        [
            ["deal_id", "manager", "created_at", "outcome"],  # sheet row 3: header
            ["d1", "A", "2026-01-05", "open"],  # row 4
            ["d2", None, "2026-01-05", "open"],  # row 5: missing manager
            [None, None, None, None],  # row 6: empty
            ["d3", "A", "2026-01-06", "open"],  # row 7
        ],
        start=3,
    ):
        for col, value in enumerate(values, start=1):
            sheet.cell(row=row, column=col, value=value)
    book.save(tmp_path / "deals.xlsx")
    data = load_dataset(tmp_path)
    aside = data.set_aside[["row", "column", "reason"]].values.tolist()
    assert aside == [[5, "manager", "missing value"], [6, "", "empty row"]]
    assert data.deals["deal_id"].tolist() == ["d1", "d3"]
    _assert_accounting(data)


def _openpyxl_cells(path):
    """Reference reader: every cell as openpyxl (the former engine) hands it back."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return rows


def test_calamine_reads_the_same_cells_as_openpyxl(tmp_path):
    import datetime as dt

    import openpyxl

    from workbench.data.loading import _excel_cell, _read_excel

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])  # a blank row above the header
    ws.append(["id", "when", "day", "time", "duration", "amount", "flag", "text"])
    ws.append([1, dt.datetime(2026, 3, 1, 10, 30), dt.datetime(2026, 3, 2), dt.time(9, 15, 30),
               dt.timedelta(minutes=5, seconds=3), 12.5, True, " Call the client "])  # fmt: skip
    ws.append([2, None, dt.date(2026, 3, 3), None, None, 3.0, False, None])
    ws.append([9007199254740991, dt.datetime(2026, 3, 4, 23, 59, 59), None, None,
               dt.timedelta(hours=1, seconds=1), -0.25, None, "Звонок"])  # fmt: skip
    path = tmp_path / "calls.xlsx"
    wb.save(path)

    frame, header_row = _read_excel(path, None)
    reference = _openpyxl_cells(path)[1:]
    assert header_row == 2
    assert list(frame.columns) == reference[0]
    expected = [[pd.NA if v is None else _excel_cell(v) for v in r] for r in reference[1:]]
    got = frame.astype(object).where(frame.notna(), pd.NA).values.tolist()
    assert got == expected
    # worked out by hand: exact ints, date-only cells as dates, times and durations as text
    assert got[0][:6] == ["1", "2026-03-01 10:30:00", "2026-03-02", "09:15:30",
                          "0:05:03.000000", "12.5"]  # fmt: skip
    assert got[2][0] == "9007199254740991"


def test_a_file_that_is_not_a_workbook_is_a_contract_error(tmp_path):
    from workbench.data.loading import _read_excel
    from workbench.errors import DataContractError

    path = tmp_path / "calls.xlsx"
    path.write_text("id,manager\n1,Anna\n")
    with pytest.raises(DataContractError, match="calls.xlsx: not a readable Excel workbook"):
        _read_excel(path, None)


def test_decimal_comma_amounts(tmp_path):
    # no preset needs it (the CRMs checked write plain numbers), but a re-saved sheet may
    text = 'deal_id;manager;created_at;outcome;amount\nd1;A;2025-11-03;open;"1 234,50"\n'
    text += "d2;A;2025-11-03;open;150 000,50\nd3;A;2025-11-03;open;99500\n"
    (tmp_path / "deals.csv").write_text(text, encoding="utf-8")
    data = load_dataset(tmp_path, mapping={"deals": {"decimal": ","}})
    assert data.deals["amount"].tolist() == [1234.5, 150000.5, 99500.0]
