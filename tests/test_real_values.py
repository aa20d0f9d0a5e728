"""Values as real exports write them: amounts, durations, dates, placeholders (tiny files).

Each test writes a tiny export by hand and checks the exact values, set-aside rows and
blanked values worked out by hand in the comments.
"""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import load_dataset
from workbench.data.loading import _float_text
from workbench.data.validation import parse_durations, parse_numbers
from workbench.errors import MappingError


def _rows(frame: pd.DataFrame) -> list[tuple]:
    """(row, column, value, reason_code); a missing value is None."""
    cols = ["row", "column", "value", "reason_code"]
    return [
        tuple(None if pd.isna(v) else v for v in r) for r in frame[cols].itertuples(index=False)
    ]


def _numbers(values, decimal=None) -> list:
    numbers, codes = parse_numbers(pd.Series(values, dtype="str"), decimal=decimal)
    return [c if isinstance(c, str) else n for n, c in zip(numbers, codes, strict=True)]


def test_number_vectors():
    values = [
        "€ 2.900,00", "99500.00", "1,234.50", "1 234,50 ₽", "1,234", "1\u202f234 руб.",
        "$1\u00a0234", "1.234.567", "-12,5", "0,125", "1.23.4", "12 р.", "1e-05", "ten",
    ]  # fmt: skip
    # 2900; 99500; 1234.5; 1234.5; ambiguous; 1234; 1234; 1234567; -12.5; 0.125 (a lone 0
    # never starts a thousands group); bad groups; 12; 0.00001; not a number
    assert _numbers(values) == [
        2900.0, 99500.0, 1234.5, 1234.5, "number_ambiguous", 1234.0, 1234.0, 1234567.0,
        -12.5, 0.125, "number", 12.0, 1e-05, "number",
    ]  # fmt: skip
    assert _numbers(["1,234", "1.234", "99500.00"], decimal=",") == [1.234, 1234.0, 99500.0]
    assert _numbers(["1,234", "1.234", "99500,00"], decimal=".") == [1234.0, 1.234, 99500.0]


def test_typed_float_cells_are_never_ambiguous():
    # repr(1.234) would read as 1.234 or 1234; the loader writes a fourth decimal
    assert [_float_text(v) for v in (1.234, 12.5, 1234.567, -999.125)] == [
        "1.2340", "12.5", "1234.567", "-999.1250",
    ]  # fmt: skip
    assert _numbers(["1.2340", "-999.1250"]) == [1.234, -999.125]


def test_a_real_deals_export_day_first_amounts_and_date_only_closes(tmp_path):
    text = (
        "ID;Менеджер;Создана;Закрыта;Стадия;Сумма\n"
        "1;Anna;25.06.2024 14:00;25.06.2024;won;€ 2.900,00\n"  # row 2: closed that day
        "2;Anna;25.06.2024 14:00;24.06.2024;won;99500.00\n"  # row 3: closed the day before
        "3;Anna;25.06.2024 14:00;;lost;1,234\n"  # row 4: ambiguous amount, no close date
        "4;Anna;25.06.2024 14:00;31.12.9999;won;1 234,50 ₽\n"  # row 5: placeholder close
        "5;;25.06.2024 14:00;;open;5\n"  # row 6: no manager (required)
        "6;Anna;01.01.0001;;open;5\n"  # row 7: placeholder creation (required)
    )
    (tmp_path / "deals.csv").write_text(text, encoding="utf-8")
    columns = {"deal_id": "ID", "manager": "Менеджер", "created_at": "Создана",
               "closed_at": "Закрыта", "outcome": "Стадия", "amount": "Сумма"}  # fmt: skip
    data = load_dataset(tmp_path, mapping={"deals": {"file": "deals.csv", "columns": columns}},
                        tz="Europe/Moscow")  # fmt: skip
    assert _rows(data.set_aside) == [
        (6, "manager (Менеджер)", None, "missing"),
        (7, "created_at (Создана)", "01.01.0001", "placeholder_date"),
    ]
    assert _rows(data.blanked) == [
        (3, "closed_at (Закрыта)", "24.06.2024", "closed_early"),
        (3, "closed_at (Закрыта)", "24.06.2024", "closed_no_date"),
        (4, "amount (Сумма)", "1,234", "number_ambiguous"),
        (4, "closed_at (Закрыта)", None, "closed_no_date"),
        (5, "closed_at (Закрыта)", "31.12.9999", "placeholder_date"),
        (5, "closed_at (Закрыта)", "31.12.9999", "closed_no_date"),
    ]
    deals = data.deals
    assert deals["deal_id"].tolist() == ["1", "2", "3", "4"]  # all four are leads
    assert deals["amount"].tolist()[:2] == [2900.0, 99500.0]
    assert pd.isna(deals["amount"].iloc[2]) and deals["amount"].iloc[3] == 1234.5
    assert deals["closed_at"].iloc[0] == pd.Timestamp("2024-06-25 23:59:59.999999",
                                                      tz="Europe/Moscow")  # fmt: skip
    assert deals["closed_at"].iloc[1:].isna().all()
    health = data.health()
    notice = health[(health["table"] == "deals") & (health["measure"] == "notice")]
    assert notice["rows"].tolist() == [3]  # three won/lost deals without a close date
    counts = health[health["table"] == "deals"].set_index("measure")["rows"]
    assert (counts["read"], counts["loaded"], counts["set_aside"]) == (6, 4, 2)


def test_date_only_rule_per_column_and_day_comparison(tmp_path):
    text = "deal_id,manager,created_at,closed_at,outcome\nd1,A,2024-06-25 14:00,2024-06-25,won\n"
    (tmp_path / "deals.csv").write_text(text, encoding="utf-8")
    mapping = {"deals": {"datetime": {"date_only": {"closed_at": "start_of_day"}}}}
    data = load_dataset(tmp_path, mapping=mapping)
    # 00:00 is before 14:00, but a date against a timestamp compares days: same day, fine
    assert data.blanked.empty and data.set_aside.empty
    assert data.deals["closed_at"].tolist() == [pd.Timestamp("2024-06-25", tz="UTC")]
    with pytest.raises(MappingError, match="date_only"):
        load_dataset(tmp_path, mapping={"deals": {"datetime": {"date_only": {"x": "noon"}}}})


def test_duration_vectors():
    values = [
        "5:75", "99:99:99", "25:00:00", "27 мин, 5 сек", "45 сек", "1 ч 2 мин",
        "1 h 2 min 5 s", "59:59", "75:30", "1 час 5 минут", "5 мин 3 лопаты", "-4",
    ]  # fmt: skip
    seconds, codes = parse_durations(pd.Series(values, dtype="str"), max_seconds=86_400)
    got = [c if isinstance(c, str) else s for s, c in zip(seconds, codes, strict=True)]
    # 25 h > 24 h; 27*60+5; 45; 3600+120; 3600+120+5; 59*60+59; 75*60+30 (mm:ss has no hour
    # part, so minutes may pass 59); 3600+300; an unknown word; negative
    assert got == ["duration_range", "duration_range", "long_duration", 1625.0, 45.0, 3720.0,
                   3725.0, 3599.0, 4530.0, 3900.0, "duration", "negative"]  # fmt: skip


def test_max_duration_option_and_bad_durations_set_aside(tmp_path):
    text = "call_id,manager,started_at,duration_s,direction\n"
    text += "c1,A,2026-01-05 10:00,3:00:00,inbound\n"  # row 2: 3 h
    text += "c2,A,2026-01-05 10:00,5:75,inbound\n"  # row 3: out of range
    (tmp_path / "calls.csv").write_text(text, encoding="utf-8")
    data = load_dataset(tmp_path, mapping={"calls": {"max_duration": "2h"}})
    assert _rows(data.set_aside) == [
        (2, "duration_s", "3:00:00", "long_duration"),
        (3, "duration_s", "5:75", "duration_range"),
    ]
    assert load_dataset(tmp_path).calls["duration_s"].tolist() == [10800.0]
    with pytest.raises(MappingError, match="max_duration"):
        load_dataset(tmp_path, mapping={"calls": {"max_duration": "soon"}})


def test_date_from_one_column_time_from_another(tmp_path):
    text = (
        "id,who,day,clock,dur,dir\n"
        "1,A,25.06.2024,1899-12-30 14:05:00,60,inbound\n"  # row 2: spreadsheet zero date
        "2,A,25.06.2024 00:00:00,1900-01-01 09:30,60,inbound\n"  # row 3: 1900-01-01
        "3,A,26.06.2024,15:45:10,60,inbound\n"  # row 4: time only
        "4,A,26.06.2024,,60,inbound\n"  # row 5: no time: the start of the day
        "5,A,26.06.2024,later,60,inbound\n"  # row 6: no time of day in the cell
    )
    (tmp_path / "calls.csv").write_text(text, encoding="utf-8")
    columns = {"call_id": "id", "manager": "who", "started_at": {"date": "day", "time": "clock"},
               "duration_s": "dur", "direction": "dir"}  # fmt: skip
    data = load_dataset(tmp_path, mapping={"calls": {"file": "calls.csv", "columns": columns}})
    assert data.calls["started_at"].tolist() == [
        pd.Timestamp(t, tz="UTC")
        for t in ("2024-06-25 14:05", "2024-06-25 09:30", "2024-06-26 15:45:10", "2024-06-26")
    ]
    assert _rows(data.set_aside) == [
        (6, "started_at (day + clock)", "26.06.2024 later", "timestamp")
    ]


def test_placeholder_deadline_means_no_deadline(tmp_path):
    text = "task_id,manager,created_at,due_at,completed_at,status\n"
    text += "1,A,2026-01-05 10:00,2999-12-31,,open\n"  # row 2
    text += "2,A,2026-01-05 10:00,9999-12-31 23:59:59,,open\n"  # row 3
    text += "3,A,2026-01-05 10:00,1900-01-01,,open\n"  # row 4: spreadsheet zero date
    text += "4,A,2026-01-05 10:00,99999-01-01,,open\n"  # row 5: beyond pandas' range
    (tmp_path / "tasks.csv").write_text(text, encoding="utf-8")
    data = load_dataset(tmp_path)
    assert data.tasks["due_at"].isna().all() and len(data.tasks) == 4
    assert [r[3] for r in _rows(data.blanked)] == ["placeholder_date"] * 3 + ["timestamp"]
