"""Tests for row-level validation: each rule on a tiny bad file, and the contract error."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from workbench.data.loading import DataContractError, load_dataset
from workbench.data.validation import (
    REASONS,
    SET_ASIDE_COLUMNS,
    RowProblems,
    parse_durations,
    parse_timestamps,
)
from workbench.metrics.deals import deal_metrics

TASK_HEADER = "task_id,manager,created_at,due_at,completed_at,status\n"
CALL_HEADER = "call_id,manager,started_at,duration_s,direction\n"
DEAL_HEADER = "deal_id,manager,created_at,closed_at,outcome,amount\n"


def _load(tmp_path: Path, table: str, text: str, **kwargs):
    (tmp_path / f"{table}.csv").write_text(text, encoding="utf-8")
    return load_dataset(tmp_path, **kwargs)


def _aside(data) -> list[tuple]:
    """(row, column, value, reason) tuples; a missing value is None."""
    frame = data.set_aside[["row", "column", "value", "reason"]]
    return [
        (r, c, None if pd.isna(v) else v, why) for r, c, v, why in frame.itertuples(index=False)
    ]


def _blanked(data) -> list[tuple]:
    """(row, column, value, reason_code) tuples of the blanked values; missing is None."""
    frame = data.blanked[["row", "column", "value", "reason_code"]]
    return [
        (r, c, None if pd.isna(v) else v, code) for r, c, v, code in frame.itertuples(index=False)
    ]


def _check_accounting(data, table: str, read: int, loaded: int) -> None:
    assert data.rows_read[table] == read
    assert data.rows_loaded[table] == loaded
    assert read == loaded + (data.set_aside["table"] == table).sum()


def test_task_rules_each_row_exactly(tmp_path):
    text = TASK_HEADER + (
        "1,Anna,2026-01-05 10:00,2026-01-09,,open\n"  # row 2: fine
        "2,,2026-01-05 10:00,,,open\n"  # row 3: empty manager
        "3,Anna,not a date,,,open\n"  # row 4: unparseable created_at
        "4,Anna,2026-01-05 10:00,2026-01-04 12:00,,open\n"  # row 5: deadline blanked
        "5,Anna,2026-01-05 10:00,,2026-01-05 09:00,completed\n"  # row 6: completed before created
        "6,Anna,2026-01-05 10:00,,,Done-ish\n"  # row 7: unknown status
        "1,Anna,2026-01-06 10:00,,,open\n"  # row 8: duplicate of row 2's id
        "7,,bad,,,weird\n"  # row 9: three problems -> first one only (manager)
    )
    data = _load(tmp_path, "tasks", text)
    assert _aside(data) == [
        (3, "manager", None, "missing value"),
        (4, "created_at", "not a date", "unparseable timestamp"),
        (6, "completed_at", "2026-01-05 09:00", "completed before created"),
        (7, "status", "Done-ish", "unknown status"),
        (8, "task_id", "1", "duplicate id"),
        (9, "manager", None, "missing value"),
    ]
    assert set(data.set_aside["file"]) == {str(tmp_path / "tasks.csv")}
    # the task whose deadline came before its creation stands, without the deadline
    assert _blanked(data) == [(5, "due_at", "2026-01-04 12:00", "deadline_early")]
    assert data.tasks["task_id"].tolist() == ["1", "4"]
    assert data.tasks["due_at"].isna().tolist() == [False, True]
    assert data.tasks["original_due_at"].isna().tolist() == [False, True]
    _check_accounting(data, "tasks", read=8, loaded=2)


def test_duplicate_keeps_first_usable_row(tmp_path):
    # the first copy is unusable, so the second copy is kept
    text = TASK_HEADER + "9,Anna,oops,,,open\n9,Anna,2026-01-05 10:00,,,open\n"
    data = _load(tmp_path, "tasks", text)
    assert _aside(data) == [(2, "created_at", "oops", "unparseable timestamp")]
    assert data.tasks["created_at"].tolist() == [pd.Timestamp("2026-01-05 10:00", tz="UTC")]


def test_call_rules(tmp_path):
    text = CALL_HEADER + (
        "1,Boris,2026-01-05 10:00,-3,inbound\n"  # row 2: negative duration
        "2,Boris,2026-01-05 10:00,ten,inbound\n"  # row 3: unparseable duration
        "3,Boris,2026-01-05 10:00,60,sideways\n"  # row 4: unknown direction
        "4,Boris,2026-01-05 10:00,,outbound\n"  # row 5: blank duration, not known unanswered
        "5,Boris,2026-01-05 10:00,1:30,OUTBOUND\n"  # row 6: fine (case folded, 90 s)
    )
    data = _load(tmp_path, "calls", text)
    assert _aside(data) == [
        (2, "duration_s", "-3", "negative duration"),
        (3, "duration_s", "ten", "unparseable duration"),
        (4, "direction", "sideways", "unknown direction"),
        (5, "duration_s", None, "missing value"),
    ]
    assert data.calls["direction"].tolist() == ["outbound"]
    assert data.calls["duration_s"].tolist() == [90.0]
    _check_accounting(data, "calls", read=5, loaded=1)


def test_unknown_answered_value(tmp_path):
    text = "call_id,manager,started_at,duration_s,direction,answered\n"
    text += "1,B,2026-01-05 10:00,5,inbound,maybe\n2,B,2026-01-05 10:00,0,inbound,\n"
    data = _load(tmp_path, "calls", text)
    # answered is optional: "maybe" is blanked, and then read from the talk time
    assert _aside(data) == []
    assert _blanked(data) == [(2, "answered", "maybe", "unknown")]
    assert data.calls["answered"].tolist() == [True, False]  # 5 > 0; blank -> 0 > 0


def test_deal_rules(tmp_path):
    text = DEAL_HEADER + (
        "d1,Anna,2026-01-05,2026-01-04,won,10\n"  # row 2: closed before created: blanked
        "d2,Anna,2026-01-05,2026-01-07,won,ten\n"  # row 3: unparseable amount: blanked
        "d3,Anna,2026-01-05,,pending,\n"  # row 4: unknown outcome (required): set aside
        "d4,Anna,2026-01-05,2026-01-07,Lost,\n"  # row 5: fine
    )
    data = _load(tmp_path, "deals", text)
    assert _aside(data) == [(4, "outcome", "pending", "unknown outcome")]
    assert _blanked(data) == [
        (2, "closed_at", "2026-01-04", "closed_early"),
        (2, "closed_at", "2026-01-04", "closed_no_date"),  # d1 is now a won deal, no date
        (3, "amount", "ten", "number"),
    ]
    assert data.deals["outcome"].tolist() == ["won", "won", "lost"]
    assert data.deals["closed_at"].isna().tolist() == [True, False, False]
    assert data.deals["amount"].isna().tolist() == [False, True, True]
    _check_accounting(data, "deals", read=4, loaded=3)


def test_empty_inner_row_is_set_aside_trailing_are_not_read(tmp_path):
    text = DEAL_HEADER + "d1,Anna,2026-01-05,,open,\n,,,,,\nd2,Anna,2026-01-06,,open,\n\n\n"
    data = _load(tmp_path, "deals", text)
    assert _aside(data) == [(3, "", "", "empty row")]
    _check_accounting(data, "deals", read=3, loaded=2)


def test_targets_span_rule(tmp_path):
    text = "manager,metric,target,direction,effective_from,effective_to\n"
    text += "*,talk_mean_min,27,at_most,2026-04-01,2026-04-01\n"
    text += "*,talk_mean_min,22,at_most,2026-07-01,\n"
    data = _load(tmp_path, "targets", text)
    assert _aside(data) == [
        (2, "effective_to", "2026-04-01", "effective_to not after effective_from")
    ]
    assert data.targets["target"].tolist() == [22.0]


def test_mapped_column_label_names_source(tmp_path):
    (tmp_path / "x.csv").write_text("Id,Owner,Created,Stage\n1,,01.02.2026,Won\n")
    mapping = {
        "deals": {
            "file": "x.csv",
            "columns": {"deal_id": "Id", "manager": "Owner", "created_at": "Created",
                        "outcome": "Stage"},
        }
    }  # fmt: skip
    data = load_dataset(tmp_path, mapping=mapping)
    assert _aside(data) == [(2, "manager (Owner)", None, "missing value")]


def test_missing_required_column_error_names_everything(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text("call_id,agent,started_at,direction\n1,A,2026-01-05 10:00,inbound\n")
    with pytest.raises(DataContractError) as err:
        load_dataset(tmp_path)
    message = str(err.value)
    assert str(path) in message
    assert "table calls lacks required column(s)" in message
    assert "manager (source column 'manager')" in message
    assert "duration_s (source column 'duration_s')" in message
    assert "Columns found: call_id, agent, started_at, direction" in message


def test_missing_mapped_column_error(tmp_path):
    (tmp_path / "d.csv").write_text("Id,Owner\n1,A\n")
    mapping = {"deals": {"file": "d.csv", "columns": {"deal_id": "Id", "manager": "Ответственный"}}}
    with pytest.raises(DataContractError, match=r"manager \(source column 'Ответственный'\)"):
        load_dataset(tmp_path, mapping=mapping)


DST_CALLS = CALL_HEADER + (
    "1,A,2026-03-29 02:30,60,inbound\n"  # Berlin springs forward 02:00 -> 03:00
    "2,A,2026-10-25 02:30,60,inbound\n"  # Berlin falls back: 02:30 happens twice
    "3,A,2026-10-25 02:30+01:00,60,inbound\n"  # an offset makes it unambiguous
    "4,A,2026-10-25 04:00,60,inbound\n"
)


def test_dst_local_times_by_default_shift_forward_and_take_the_earlier_offset(tmp_path):
    data = _load(tmp_path, "calls", DST_CALLS, tz="Europe/Berlin")
    assert _aside(data) == []
    assert _blanked(data) == [
        (2, "started_at", "2026-03-29 02:30", "local_time_shifted"),
        (3, "started_at", "2026-10-25 02:30", "local_time_shifted"),
    ]
    assert data.calls["started_at"].dt.tz_convert("UTC").tolist() == [
        pd.Timestamp("2026-03-29 01:00", tz="UTC"),  # 03:00 CEST, the end of the gap
        pd.Timestamp("2026-10-25 00:30", tz="UTC"),  # the first 02:30, at +02:00
        pd.Timestamp("2026-10-25 01:30", tz="UTC"),  # 02:30 at +01:00
        pd.Timestamp("2026-10-25 03:00", tz="UTC"),  # 04:00 CET = UTC+1
    ]


def test_dst_rules_of_the_mapping(tmp_path):
    rules = {"ambiguous": "later", "nonexistent": "shift_backward"}
    data = _load(tmp_path, "calls", DST_CALLS, tz="Europe/Berlin",
                 mapping={"calls": {"datetime": rules}})  # fmt: skip
    assert data.calls["started_at"].dt.tz_convert("UTC").tolist()[:2] == [
        pd.Timestamp("2026-03-29 00:59:59.999999", tz="UTC"),  # just before the gap
        pd.Timestamp("2026-10-25 01:30", tz="UTC"),  # the second 02:30, at +01:00
    ]


def test_dst_nonexistent_and_ambiguous_local_times_can_be_set_aside(tmp_path):
    rules = {"ambiguous": "set_aside", "nonexistent": "set_aside"}
    data = _load(tmp_path, "calls", DST_CALLS, tz="Europe/Berlin",
                 mapping={"calls": {"datetime": rules}})  # fmt: skip
    reason = "nonexistent or ambiguous local time"
    assert _aside(data) == [
        (2, "started_at", "2026-03-29 02:30", reason),
        (3, "started_at", "2026-10-25 02:30", reason),
    ]
    assert data.calls["started_at"].dt.tz_convert("UTC").tolist() == [
        pd.Timestamp("2026-10-25 01:30", tz="UTC"),  # 02:30 at +01:00
        pd.Timestamp("2026-10-25 03:00", tz="UTC"),  # 04:00 CET = UTC+1
    ]


def test_parse_durations_directly():
    text = pd.Series(["90", "01:30", "1:01:30", "0 days 00:00:05", "x", None, "1.5"], dtype="str")
    seconds, codes = parse_durations(text, unit="seconds")
    # 90; 1*60+30; 3600+60+30; 5; bad; missing; 1.5
    assert seconds.tolist()[:4] == [90.0, 90.0, 3690.0, 5.0]
    assert seconds.isna().tolist() == [False, False, False, False, True, True, False]
    assert codes.fillna("").tolist() == ["", "", "", "", "duration", "", ""]


def test_parse_timestamps_day_first_vs_month_first():
    text = pd.Series(["03.02.2026 10:00", "13.02.2026 10:00"], dtype="str")
    stamps, bad, _ = parse_timestamps(text, tz="UTC", dayfirst=True)
    assert stamps.dt.month.tolist() == [2, 2] and not bad.any()
    us = pd.Series(["02/03/2026", "02/13/2026"], dtype="str")
    stamps, bad, _ = parse_timestamps(us, tz="UTC", dayfirst=False)
    assert stamps.dt.day.tolist() == [3, 13] and not bad.any()


def test_won_or_lost_deal_without_close_date_is_a_lead_in_no_month(tmp_path):
    text = DEAL_HEADER + (
        "d1,Anna,2026-01-05,,won,10\n"  # row 2: won, no close date
        "d2,Anna,2026-01-05,,LOST,\n"  # row 3: lost, no close date
        "d3,Anna,2026-01-05,,open,\n"  # row 4: fine (open deals have no close)
        "d4,Anna,2026-01-05,2026-01-09,won,5\n"  # row 5: fine
    )
    data = _load(tmp_path, "deals", text)
    assert _aside(data) == []
    assert _blanked(data) == [(2, "closed_at", None, "closed_no_date"),
                              (3, "closed_at", None, "closed_no_date")]  # fmt: skip
    _check_accounting(data, "deals", read=4, loaded=4)
    health = data.health()
    notice = health[(health["table"] == "deals") & (health["measure"] == "notice")]
    assert notice[["reason_code", "rows"]].values.tolist() == [["closed_no_date", 2]]
    # all four are leads; only d4 is won in a month: won 1, lost 0, closed 1, volume 5
    month = deal_metrics(data.deals, period="month").sum(numeric_only=True)
    assert (month["leads"], month["won"], month["lost"]) == (4, 1, 0)
    assert (month["closed"], month["sales_volume"]) == (1, 5.0)


def test_won_deal_without_any_close_column_is_a_lead(tmp_path):
    text = "deal_id,manager,created_at,outcome\nd1,A,2026-01-05,won\nd2,A,2026-01-05,open\n"
    data = _load(tmp_path, "deals", text)
    assert _blanked(data) == [(2, "closed_at", None, "closed_no_date")]
    _check_accounting(data, "deals", read=2, loaded=2)


def test_status_and_completion_time_must_agree(tmp_path):
    text = TASK_HEADER + (
        "1,Anna,2026-01-05 10:00,,,completed\n"  # row 2: completed, no completion time
        "2,Anna,2026-01-05 10:00,,2026-01-06 10:00,open\n"  # row 3: open, completed_at set
        "3,Anna,2026-01-05 10:00,,2026-01-06 10:00,cancelled\n"  # row 4: allowed
        "4,Anna,2026-01-05 10:00,,,cancelled\n"  # row 5: fine
        "5,Anna,2026-01-05 10:00,,2026-01-06 10:00,Completed\n"  # row 6: fine
        "6,Anna,2026-01-05 10:00,,,open\n"  # row 7: fine
    )
    data = _load(tmp_path, "tasks", text)
    assert _aside(data) == [
        (2, "completed_at", None, "completed task without a completion time"),
        (3, "completed_at", "2026-01-06 10:00", "open task with a completion time"),
    ]
    assert data.tasks["task_id"].tolist() == ["3", "4", "5", "6"]
    _check_accounting(data, "tasks", read=6, loaded=4)


def test_float_ids_that_lost_digits_are_set_aside(tmp_path):
    # a CSV that went through Excel: the ID is now "1.23457E+18", its digits are gone
    text = DEAL_HEADER + (
        "1.23457E+18,Anna,2026-01-05,,open,\n"  # row 2: set aside
        "1234567890123456789,Anna,2026-01-05,,open,\n"  # row 3: text ID, exact
        "12.5,Anna,2026-01-05,,open,\n"  # row 4: small, no digits lost: kept as text
    )
    data = _load(tmp_path, "deals", text)
    reason = "numeric ID too long for Excel's number format: store IDs as text"
    assert _aside(data) == [(2, "deal_id", "1.23457E+18", reason)]
    assert data.deals["deal_id"].tolist() == ["1234567890123456789", "12.5"]


# --- one day/month order per timestamp column ----------------------------------------


def _stamps(values, **kwargs) -> list:
    stamps, bad, _ = parse_timestamps(pd.Series(values, dtype="str"), tz="UTC", **kwargs)
    return [None if b else s.strftime("%Y-%m-%d %H:%M") for s, b in zip(stamps, bad, strict=True)]


def test_values_that_read_only_month_first_decide_the_column():
    # 12/31 has no month 31, so the column is month-first: 03/04 is 4 March, not 3 April
    values = ["03/04/2026", "12/31/2026", "05/06/2026"]
    assert _stamps(values, dayfirst=True) == [
        "2026-03-04 00:00",
        "2026-12-31 00:00",
        "2026-05-06 00:00",
    ]


def test_values_that_read_only_day_first_decide_the_column():
    values = ["03/04/2026", "31/12/2026", "05/06/2026"]
    assert _stamps(values, dayfirst=False) == [
        "2026-04-03 00:00",
        "2026-12-31 00:00",
        "2026-06-05 00:00",
    ]


def test_undecided_column_follows_dayfirst_and_year_first_reads_ymd():
    assert _stamps(["03/04/2026"], dayfirst=True) == ["2026-04-03 00:00"]
    assert _stamps(["03/04/2026"], dayfirst=False) == ["2026-03-04 00:00"]
    assert _stamps(["2026/03/04"], dayfirst=True) == ["2026-03-04 00:00"]


def test_one_order_across_formats_of_a_column():
    # the date-only 12/31 makes the date-time 05/06 month-first too (6 May)
    assert _stamps(["12/31/2026", "05/06/2026 10:00"], dayfirst=True) == [
        "2026-12-31 00:00",
        "2026-05-06 10:00",
    ]


def test_values_in_neither_order_stay_row_level(tmp_path):
    text = CALL_HEADER + (
        "1,A,12/31/2026 10:00,60,inbound\n"  # row 2: month-first only
        "2,A,31/31/2026 10:00,60,inbound\n"  # row 3: no month 31 either way
        "3,A,02/03/2026 10:00,60,inbound\n"  # row 4: month-first by the column: 3 Feb
    )
    data = _load(tmp_path, "calls", text)
    assert _aside(data) == [(3, "started_at", "31/31/2026 10:00", "unparseable timestamp")]
    assert data.calls["started_at"].tolist() == [
        pd.Timestamp("2026-12-31 10:00", tz="UTC"),
        pd.Timestamp("2026-02-03 10:00", tz="UTC"),
    ]


def test_mixed_day_month_orders_are_a_contract_error(tmp_path):
    text = TASK_HEADER + (
        "1,Anna,05/06/2026 10:00,,,open\n"  # row 2: either order
        "2,Anna,13/02/2026 10:00,,,open\n"  # row 3: only day-first
        "3,Anna,02/14/2026 10:00,,,open\n"  # row 4: only month-first
    )
    with pytest.raises(DataContractError) as err:
        _load(tmp_path, "tasks", text)
    path = tmp_path / "tasks.csv"
    assert str(err.value).startswith(
        f"table tasks, column created_at: dates in both day/month orders: "
        f"{path} row 3 '13/02/2026 10:00' reads only day-first, "
        f"{path} row 4 '02/14/2026 10:00' reads only month-first."
    )
    with pytest.raises(DataContractError, match="reads only day-first"):
        parse_timestamps(pd.Series(["13/02/2026", "02/14/2026"], dtype="str"), tz="UTC")


def test_forced_format_is_not_second_guessed(tmp_path):
    text = CALL_HEADER + "1,A,13/02/2026 10:00,60,inbound\n2,A,02/14/2026 10:00,60,inbound\n"
    mapping = {"calls": {"datetime": {"format": "%d/%m/%Y %H:%M"}}}
    data = _load(tmp_path, "calls", text, mapping=mapping)
    assert _aside(data) == [(3, "started_at", "02/14/2026 10:00", "unparseable timestamp")]


def test_order_evidence_of_text_with_an_offset_is_the_written_day():
    # 13/02 01:00 +03:00 is 12 Feb 22:00 UTC, but the text's day 13 proves day-first,
    # so 05/06 is 5 June even though dayfirst=False
    stamps, bad, _ = parse_timestamps(
        pd.Series(["13/02/2026 01:00 +03:00", "05/06/2026 10:00 +00:00"], dtype="str"),
        tz="UTC",
        dayfirst=False,
    )
    assert stamps.tolist() == [
        pd.Timestamp("2026-02-12 22:00", tz="UTC"),
        pd.Timestamp("2026-06-05 10:00", tz="UTC"),
    ]
    assert not bad.any()


def test_contradiction_between_text_with_and_without_offset(tmp_path):
    text = CALL_HEADER + (
        "1,A,02/14/2026 10:00,60,inbound\n"  # row 2: only month-first
        "2,A,13/02/2026 10:00 +01:00,60,inbound\n"  # row 3: only day-first
    )
    with pytest.raises(DataContractError, match=r"row 3 '13/02/2026 10:00 \+01:00' reads only day"):
        _load(tmp_path, "calls", text)


def test_every_reason_code_on_a_hand_made_export(tmp_path):
    # one bad row or value per reason (and per column "unknown" names), read in Berlin time
    # so that a local time can fall into the spring-forward gap (tasks refuse such times,
    # calls shift them); every expected tuple is written by hand
    files = {
        "tasks": TASK_HEADER + "1,Anna,2026-01-05 10:00,2026-01-09,,open\n"  # row 2: fine
        "2,,2026-01-05 10:00,,,open\n"  # row 3
        "3,Anna,not a date,,,open\n"  # row 4
        "4,Anna,2026-03-29 02:30,,,open\n"  # row 5: 02:00 -> 03:00 in Berlin
        "5,Anna,2026-01-05 10:00,,,weird\n"  # row 6
        "1.2345678901234568e+18,Anna,2026-01-05 10:00,,,open\n"  # row 7
        "6,Anna,2026-01-05 10:00,,,completed\n"  # row 8
        "7,Anna,2026-01-05 10:00,,2026-01-06 10:00,open\n"  # row 9
        "8,Anna,2026-01-05 10:00,,2026-01-04 10:00,completed\n"  # row 10
        "9,Anna,2026-01-05 10:00,2026-01-04 10:00,,open\n"  # row 11: deadline blanked
        ",,,,,\n"  # row 12: blank inside the data
        "1,Anna,2026-01-06 10:00,,,open\n"  # row 13: id of row 2 again
        "10,Anna,9999-12-31,,,open\n"  # row 14: placeholder creation date
        "11,Anna,2026-01-05 10:00,2999-12-31,,open\n",  # row 15: placeholder deadline
        "calls": CALL_HEADER.replace("\n", ",answered\n")
        + "c1,Boris,2026-01-05 10:00,60,inbound,true\n"  # row 2: fine
        "c2,Boris,2026-01-05 10:00,abc,inbound,true\n"  # row 3
        "c3,Boris,2026-01-05 10:00,-5,inbound,true\n"  # row 4
        "c4,Boris,2026-01-05 10:00,60,sideways,true\n"  # row 5
        "c5,Boris,2026-01-05 10:00,60,inbound,maybe\n"  # row 6: answered blanked
        "c6,Boris,2026-01-05 10:00,5:75,inbound,true\n"  # row 7
        "c7,Boris,2026-01-05 10:00,90000,inbound,true\n"  # row 8: 25 h
        "c8,Boris,2026-03-29 02:30,60,inbound,true\n"  # row 9: shifted to 03:00
        "c9,Boris,2026-01-05 10:00,60,inbound,true,Boris\n",  # row 10: a field too many
        "deals": DEAL_HEADER + "d1,Anna,2026-01-05,,open,\n"  # row 2: fine
        "d2,Anna,2026-01-05,,open,lots\n"  # row 3
        "d3,Anna,2026-01-05,,won,100\n"  # row 4
        "d4,Anna,2026-01-05,2026-01-04,lost,100\n"  # row 5
        'd5,Anna,2026-01-05,,open,"1,234"\n',  # row 6: no decimal mark in the mapping
        "targets": "manager,metric,target,direction,effective_from,effective_to\n"
        "*,talk_mean_min,27,at_most,2026-04-01,2026-04-01\n",  # row 2
    }
    for table, text in files.items():
        (tmp_path / f"{table}.csv").write_text(text, encoding="utf-8")
    mapping = {"tasks": {"datetime": {"nonexistent": "set_aside"}}, "calls": {}, "deals": {},
               "targets": {}}  # fmt: skip
    data = load_dataset(tmp_path, mapping=mapping, tz="Europe/Berlin")
    columns = ["table", "row", "column", "value", "reason_code", "reason"]

    def rows(frame):
        return [
            tuple(None if pd.isna(v) else v for v in r)
            for r in frame[columns].itertuples(index=False)
        ]

    got, blanked = rows(data.set_aside), rows(data.blanked)
    assert got == [
        ("tasks", 3, "manager", None, "missing", "missing value"),
        ("tasks", 4, "created_at", "not a date", "timestamp", "unparseable timestamp"),
        ("tasks", 5, "created_at", "2026-03-29 02:30", "local_time",
         "nonexistent or ambiguous local time"),
        ("tasks", 6, "status", "weird", "unknown", "unknown status"),
        ("tasks", 7, "task_id", "1.2345678901234568e+18", "long_id",
         "numeric ID too long for Excel's number format: store IDs as text"),
        ("tasks", 8, "completed_at", None, "completed_no_time",
         "completed task without a completion time"),
        ("tasks", 9, "completed_at", "2026-01-06 10:00", "open_with_time",
         "open task with a completion time"),
        ("tasks", 10, "completed_at", "2026-01-04 10:00", "completed_early",
         "completed before created"),
        ("tasks", 12, "", "", "empty", "empty row"),
        ("tasks", 13, "task_id", "1", "duplicate", "duplicate id"),
        ("tasks", 14, "created_at", "9999-12-31", "placeholder_date", REASONS["placeholder_date"]),
        ("calls", 3, "duration_s", "abc", "duration", "unparseable duration"),
        ("calls", 4, "duration_s", "-5", "negative", "negative duration"),
        ("calls", 5, "direction", "sideways", "unknown", "unknown direction"),
        ("calls", 7, "duration_s", "5:75", "duration_range", REASONS["duration_range"]),
        ("calls", 8, "duration_s", "90000", "long_duration",
         "implausibly long duration (see `max_duration:`)"),
        ("calls", 10, "", "Boris", "extra_fields", "more fields than the header has columns"),
        ("targets", 2, "effective_to", "2026-04-01", "target_span",
         "effective_to not after effective_from"),
    ]  # fmt: skip
    assert blanked == [
        ("tasks", 11, "due_at", "2026-01-04 10:00", "deadline_early", "deadline before creation"),
        ("tasks", 15, "due_at", "2999-12-31", "placeholder_date", REASONS["placeholder_date"]),
        ("calls", 6, "answered", "maybe", "unknown", "unknown answered"),
        ("calls", 9, "started_at", "2026-03-29 02:30", "local_time_shifted",
         REASONS["local_time_shifted"]),
        ("deals", 3, "amount", "lots", "number", "unparseable number"),
        ("deals", 4, "closed_at", None, "closed_no_date", REASONS["closed_no_date"]),
        ("deals", 5, "closed_at", "2026-01-04", "closed_early", "closed before created"),
        ("deals", 5, "closed_at", "2026-01-04", "closed_no_date", REASONS["closed_no_date"]),
        ("deals", 6, "amount", "1,234", "number_ambiguous", REASONS["number_ambiguous"]),
    ]  # fmt: skip
    # every code is reachable from a file
    assert {r[4] for r in got} | {r[4] for r in blanked} == set(REASONS)
    assert list(data.set_aside.columns) == list(SET_ASIDE_COLUMNS)
    assert list(data.blanked.columns) == list(SET_ASIDE_COLUMNS)
    assert SET_ASIDE_COLUMNS[-2:] == ("reason", "reason_code")
    # blanked values stay out of the loaded rows, which are all there
    assert data.tasks.set_index("task_id").loc[["9", "11"], "due_at"].isna().all()
    assert data.calls.set_index("call_id").loc["c8", "started_at"] == pd.Timestamp(
        "2026-03-29 03:00", tz="Europe/Berlin"
    )
    assert data.calls.set_index("call_id").loc["c5", "answered"]  # 60 s of talk
    assert data.deals["amount"].isna().tolist() == [True, True, False, False, True]

    health = data.health()
    assert list(health.columns) == ["table", "measure", "reason", "reason_code", "rows"]
    calls = health[(health["table"] == "calls") & (health["reason"].notna())]
    # "unknown" names two columns in calls: one row each, both with the code "unknown"
    assert calls[["measure", "reason", "reason_code", "rows"]].values.tolist() == [
        ["reason", REASONS["duration_range"], "duration_range", 1],
        ["reason", "implausibly long duration (see `max_duration:`)", "long_duration", 1],
        ["reason", "more fields than the header has columns", "extra_fields", 1],
        ["reason", "negative duration", "negative", 1],
        ["reason", "unknown direction", "unknown", 1],
        ["reason", "unparseable duration", "duration", 1],
        ["blanked", "answered: unknown answered", "unknown", 1],
        ["notice", f"started_at: {REASONS['local_time_shifted']}", "local_time_shifted", 1],
    ]
    for table, read in {"tasks": 14, "calls": 9, "deals": 5, "targets": 1}.items():
        counts = health[health["table"] == table].set_index("measure")["rows"]
        assert counts["read"] == read
        assert counts["read"] == counts["loaded"] + counts["set_aside"]
        assert counts.loc[counts.index == "reason"].sum() == counts["set_aside"]
    deals = health[(health["table"] == "deals") & health["measure"].isin(["blanked", "notice"])]
    assert deals[["measure", "reason_code", "rows"]].values.tolist() == [
        ["blanked", "number_ambiguous", 1],  # sorted by "<column>: <reason>"
        ["blanked", "number", 1],
        ["blanked", "closed_early", 1],
        ["notice", "closed_no_date", 2],
    ]
    assert health.loc[health["measure"].isin(["read", "loaded", "set_aside"]),
                      "reason_code"].isna().all()  # fmt: skip


def test_flag_refuses_a_code_that_is_not_a_reason():
    problems = RowProblems(pd.RangeIndex(1))
    with pytest.raises(KeyError, match="'typo'"):
        problems.flag(pd.Series([True]), "status", pd.Series(["x"]), "typo")


def test_data_contract_documents_every_reason_code():
    # docs/data-contract.md is written by hand: its table of codes must match REASONS
    from workbench.config import PROJECT_ROOT

    page = (PROJECT_ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| ([^`|].+) \|$", page, flags=re.MULTILINE)
    documented = dict(rows)
    assert list(documented) == [code for code, _ in rows]  # no code twice
    assert set(documented) == set(REASONS)
    for code, sentence in REASONS.items():
        expected = sentence.format(column="status")  # "unknown {column}" -> "unknown status"
        assert documented[code].startswith(expected), code
