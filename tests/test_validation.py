"""Tests for row-level validation: each rule on a tiny bad file, and the contract error."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.loading import DataContractError, load_dataset
from workbench.validation import parse_durations, parse_timestamps

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


def _check_accounting(data, table: str, read: int, loaded: int) -> None:
    assert data.rows_read[table] == read
    assert data.rows_loaded[table] == loaded
    assert read == loaded + (data.set_aside["table"] == table).sum()


def test_task_rules_each_row_exactly(tmp_path):
    text = TASK_HEADER + (
        "1,Anna,2026-01-05 10:00,2026-01-09,,open\n"  # row 2: fine
        "2,,2026-01-05 10:00,,,open\n"  # row 3: empty manager
        "3,Anna,not a date,,,open\n"  # row 4: unparseable created_at
        "4,Anna,2026-01-05 10:00,2026-01-04 12:00,,open\n"  # row 5: deadline before creation
        "5,Anna,2026-01-05 10:00,,2026-01-05 09:00,completed\n"  # row 6: completed before created
        "6,Anna,2026-01-05 10:00,,,Done-ish\n"  # row 7: unknown status
        "1,Anna,2026-01-06 10:00,,,open\n"  # row 8: duplicate of row 2's id
        "7,,bad,,,weird\n"  # row 9: three problems -> first one only (manager)
    )
    data = _load(tmp_path, "tasks", text)
    assert _aside(data) == [
        (3, "manager", None, "missing value"),
        (4, "created_at", "not a date", "unparseable timestamp"),
        (5, "due_at", "2026-01-04 12:00", "deadline before creation"),
        (6, "completed_at", "2026-01-05 09:00", "completed before created"),
        (7, "status", "Done-ish", "unknown status"),
        (8, "task_id", "1", "duplicate id"),
        (9, "manager", None, "missing value"),
    ]
    assert set(data.set_aside["file"]) == {str(tmp_path / "tasks.csv")}
    assert data.tasks["task_id"].tolist() == ["1"]
    _check_accounting(data, "tasks", read=8, loaded=1)


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
    assert _aside(data) == [(2, "answered", "maybe", "unknown answered")]
    assert data.calls["answered"].tolist() == [False]  # blank -> duration_s > 0 -> 0 > 0


def test_deal_rules(tmp_path):
    text = DEAL_HEADER + (
        "d1,Anna,2026-01-05,2026-01-04,won,10\n"  # row 2: closed before created
        "d2,Anna,2026-01-05,2026-01-07,won,ten\n"  # row 3: unparseable number
        "d3,Anna,2026-01-05,,pending,\n"  # row 4: unknown outcome
        "d4,Anna,2026-01-05,2026-01-07,Lost,\n"  # row 5: fine
    )
    data = _load(tmp_path, "deals", text)
    assert _aside(data) == [
        (2, "closed_at", "2026-01-04", "closed before created"),
        (3, "amount", "ten", "unparseable number"),
        (4, "outcome", "pending", "unknown outcome"),
    ]
    assert data.deals["outcome"].tolist() == ["lost"]
    _check_accounting(data, "deals", read=4, loaded=1)


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


def test_dst_nonexistent_and_ambiguous_local_times_are_set_aside(tmp_path):
    text = CALL_HEADER + (
        "1,A,2026-03-29 02:30,60,inbound\n"  # Berlin springs forward 02:00 -> 03:00
        "2,A,2026-10-25 02:30,60,inbound\n"  # Berlin falls back: 02:30 happens twice
        "3,A,2026-10-25 02:30+01:00,60,inbound\n"  # an offset makes it unambiguous
        "4,A,2026-10-25 04:00,60,inbound\n"
    )
    data = _load(tmp_path, "calls", text, tz="Europe/Berlin")
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
    seconds, bad = parse_durations(text, unit="seconds")
    # 90; 1*60+30; 3600+60+30; 5; bad; missing; 1.5
    assert seconds.tolist()[:4] == [90.0, 90.0, 3690.0, 5.0]
    assert seconds.isna().tolist() == [False, False, False, False, True, True, False]
    assert bad.tolist() == [False, False, False, False, True, False, False]


def test_parse_timestamps_day_first_vs_month_first():
    text = pd.Series(["03.02.2026 10:00", "13.02.2026 10:00"], dtype="str")
    stamps, bad, _ = parse_timestamps(text, tz="UTC", dayfirst=True)
    assert stamps.dt.month.tolist() == [2, 2] and not bad.any()
    us = pd.Series(["02/03/2026", "02/13/2026"], dtype="str")
    stamps, bad, _ = parse_timestamps(us, tz="UTC", dayfirst=False)
    assert stamps.dt.day.tolist() == [3, 13] and not bad.any()
