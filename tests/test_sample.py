"""The sample department: deterministic, canonical, small, and carrying both article cases.

The case figures are computed here with plain pandas from the committed CSV files, not with
the workbench's metrics, so the sample and the metrics check each other.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from workbench.cli import main
from workbench.config import SAMPLE_DIR
from workbench.data.sample import MANAGERS, _as_text, _exact_top_k, make_sample, write_sample
from workbench.data.schema import TABLES

from helpers import ts as _ts

FILES = [f"{name}.csv" for name in TABLES]
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")
UTC = "UTC"


@pytest.fixture(scope="module")
def raw() -> dict[str, pd.DataFrame]:
    """The committed files, every cell as text (empty cell = "")."""
    return {
        name: pd.read_csv(SAMPLE_DIR / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in TABLES
    }


@pytest.fixture(scope="module")
def parsed(raw) -> dict[str, pd.DataFrame]:
    """The committed files with timestamps, numbers and booleans parsed by hand."""
    out = {name: frame.copy() for name, frame in raw.items()}
    for name, frame in out.items():
        for col in TABLES[name]:
            if col.kind == "timestamp":
                cells = frame[col.name].replace("", None)
                frame[col.name] = pd.to_datetime(cells, utc=True, format="ISO8601")
            elif col.kind == "float":
                frame[col.name] = pd.to_numeric(frame[col.name].replace("", None))
    out["calls"]["answered"] = out["calls"]["answered"] == "true"
    return out


def test_regenerating_gives_the_committed_bytes(tmp_path):
    write_sample(tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name


def test_cli_writes_the_four_files(tmp_path, capsys):
    assert main(["sample", "--out", str(tmp_path / "s"), "--seed", "7"]) == 0
    assert "tasks.csv" in capsys.readouterr().out
    for name in FILES:
        text = (tmp_path / "s" / name).read_text(encoding="utf-8")
        assert text.splitlines()[0] == ",".join(c.name for c in TABLES[name[:-4]])
    # another seed, another department (targets are fixed by design)
    assert (tmp_path / "s" / "calls.csv").read_bytes() != (SAMPLE_DIR / "calls.csv").read_bytes()


def test_files_are_small():
    sizes = {name: (SAMPLE_DIR / name).stat().st_size for name in FILES}
    assert sum(sizes.values()) < 5 * 1024 * 1024, sizes


def test_files_follow_the_contract(raw):
    for name, frame in raw.items():
        assert list(frame.columns) == [c.name for c in TABLES[name]], name
        for col in TABLES[name]:
            cells = frame[col.name]
            if col.required:
                assert (cells != "").all(), (name, col.name)
            if col.kind == "timestamp":
                filled = cells[cells != ""]
                assert filled.str.match(ISO).all(), (name, col.name)
            if col.choices:
                assert set(cells.unique()) <= set(col.choices), (name, col.name)
    calls = raw["calls"]
    assert set(calls["answered"].unique()) == {"true", "false"}
    assert calls["call_id"].str.fullmatch(r"\d{19}").all()  # 19 digits, kept as text
    assert calls["duration_s"].str.fullmatch(r"\d+").all()  # whole seconds
    amounts = raw["deals"]["amount"]
    assert amounts[amounts != ""].str.fullmatch(r"\d+\.\d{2}").all()
    for name, key in [("tasks", "task_id"), ("calls", "call_id"), ("deals", "deal_id")]:
        assert raw[name][key].is_unique, name


def test_links_and_time_order(parsed):
    tasks, calls, deals = parsed["tasks"], parsed["calls"], parsed["deals"]
    start, end = _ts("2025-11-01"), _ts("2026-11-01")
    for frame, col in [(tasks, "created_at"), (calls, "started_at"), (deals, "created_at")]:
        assert frame[col].between(start, end, inclusive="left").all()
        assert frame[col].is_monotonic_increasing
    assert (tasks["completed_at"].dropna() < end).all()
    assert (
        (tasks["completed_at"] >= tasks["created_at"])
        .where(tasks["completed_at"].notna(), True)
        .all()
    )
    assert ((tasks["status"] == "completed") == tasks["completed_at"].notna()).all()
    assert (deals["closed_at"] >= deals["created_at"]).where(deals["closed_at"].notna(), True).all()
    assert ((deals["outcome"] == "open") == deals["closed_at"].isna()).all()
    known = set(deals["deal_id"])
    for frame in (tasks, calls):
        assert set(frame.loc[frame["deal_id"] != "", "deal_id"]) <= known
    # missed calls last zero seconds
    assert (calls.loc[~calls["answered"], "duration_s"] == 0).all()


def test_variety_the_metrics_must_handle(parsed, raw):
    tasks, calls = parsed["tasks"], parsed["calls"]
    assert set(MANAGERS) >= {"Anna Petrova", "Boris Ivanov", "Liam O'Brien", "Ольга Смирнова"}
    assert sorted(tasks["manager"].unique()) == sorted(MANAGERS)
    assert tasks["due_at"].isna().sum() > 100  # no deadline
    assert (tasks["due_at"] > tasks["original_due_at"]).sum() > 100  # postponed
    assert (tasks["due_at"].dt.strftime("%H:%M:%S") == "23:59:59").sum() > 500  # date-only
    assert set(tasks["status"]) == {"open", "completed", "cancelled"}
    desc = raw["tasks"]["description"]
    assert (desc == "").sum() > 100
    assert desc.str.contains("{{contact.name}}", regex=False).any()
    assert desc.str.contains("Call  about", regex=False).any()
    assert desc.str.contains(r"deal #D-\d+", regex=True).any()
    assert desc.str.contains("Связаться", regex=False).any()
    assert desc.str.contains("<", regex=False).any()  # to be escaped in HTML
    assert ((calls["duration_s"] == 0) & calls["answered"]).sum() > 50  # zero-length answered
    assert set(calls["direction"]) == {"inbound", "outbound"}


def _delinquency(tasks: pd.DataFrame, manager: str, lo: str, hi: str) -> float:
    """Overdue / due: due = original deadline in [lo, hi), cancelled excluded; overdue = not
    completed by the original deadline (completed later, or still open at the data end)."""
    t = tasks.loc[
        (tasks["manager"] == manager)
        & (tasks["status"] != "cancelled")
        & (tasks["original_due_at"] >= _ts(lo))
        & (tasks["original_due_at"] < _ts(hi))
    ]
    overdue = t["completed_at"].isna() | (t["completed_at"] > t["original_due_at"])
    return overdue.sum() / len(t)


def _per_month(stamps: pd.Series, lo: str, hi: str, months: int) -> float:
    return stamps.between(_ts(lo), _ts(hi), inclusive="left").sum() / months


def test_case_a_anna(parsed):
    tasks = parsed["tasks"]
    assert 0.40 <= _delinquency(tasks, "Anna Petrova", "2025-11-01", "2026-05-01") <= 0.48
    assert 0.12 <= _delinquency(tasks, "Anna Petrova", "2026-05-01", "2026-11-01") <= 0.18
    done = tasks.loc[tasks["manager"] == "Anna Petrova", "completed_at"]
    before = _per_month(done, "2025-11-01", "2026-05-01", 6)
    after = _per_month(done, "2026-05-01", "2026-11-01", 6)
    assert 2.6 <= after / before <= 3.4


def test_case_kpis_are_personal_so_colleagues_are_untreated(raw):
    # Case A's KPI is Anna's own row (as in the article), not a '*' row: the other nine
    # managers have no delinquency or talk-time target and can serve as the control group.
    t = raw["targets"]
    assert t.values.tolist() == [
        ["Anna Petrova", "delinquency_rate", "0.2", "at_most", "2026-05-01T00:00:00+00:00", ""],
        ["*", "conversion", "0.2", "at_least", "2026-01-01T00:00:00+00:00", ""],
        ["Boris Ivanov", "talk_mean_min", "27", "at_most", "2026-04-01T00:00:00+00:00",
         "2026-07-01T00:00:00+00:00"],
        ["Boris Ivanov", "talk_mean_min", "22", "at_most", "2026-07-01T00:00:00+00:00", ""],
    ]  # fmt: skip
    case_rows = t.loc[t["metric"].isin(["delinquency_rate", "talk_mean_min"])]
    assert set(case_rows["manager"]) == {"Anna Petrova", "Boris Ivanov"}


def test_case_b_boris(parsed):
    calls, deals = parsed["calls"], parsed["deals"]
    connected = calls.loc[calls["answered"] & (calls["duration_s"] > 0)]

    def talk_min(manager, lo, hi):
        c = connected.loc[connected["manager"] == manager]
        c = c.loc[c["started_at"].between(_ts(lo), _ts(hi), inclusive="left")]
        return c["duration_s"].mean() / 60

    assert 30 <= talk_min("Boris Ivanov", "2025-11-01", "2026-04-01") <= 34
    assert 26.5 <= talk_min("Boris Ivanov", "2026-04-01", "2026-07-01") <= 28.5
    assert 21.5 <= talk_min("Boris Ivanov", "2026-07-01", "2026-11-01") <= 24.5
    year = connected.groupby("manager")["duration_s"].mean() / 60
    assert (year.drop("Boris Ivanov") <= 15).all()

    b = deals.loc[deals["manager"] == "Boris Ivanov"]
    assert 22 <= _per_month(b["created_at"], "2025-11-01", "2026-04-01", 5) <= 24
    assert 30 <= _per_month(b["created_at"], "2026-07-01", "2026-11-01", 4) <= 32

    def closed(lo, hi):
        return b.loc[b["closed_at"].between(_ts(lo), _ts(hi), inclusive="left")]

    before, after = closed("2025-11-01", "2026-04-01"), closed("2026-07-01", "2026-11-01")
    volume_before = before.loc[before["outcome"] == "won", "amount"].sum() / 5
    volume_after = after.loc[after["outcome"] == "won", "amount"].sum() / 4
    assert 1.13 <= volume_after / volume_before <= 1.19
    conv_before = (before["outcome"] == "won").mean()  # closed = won + lost
    conv_after = (after["outcome"] == "won").mean()
    assert abs(conv_after - conv_before) < 0.03
    avg_before = before.loc[before["outcome"] == "won", "amount"].mean()
    avg_after = after.loc[after["outcome"] == "won", "amount"].mean()
    assert avg_after < avg_before  # more leads, same conversion, +15.9% volume


def test_colleagues_are_plausible_and_differ(parsed):
    tasks, calls, deals = parsed["tasks"], parsed["calls"], parsed["deals"]
    others = [m for m in MANAGERS if m not in ("Anna Petrova", "Boris Ivanov")]
    delinquency = pd.Series({m: _delinquency(tasks, m, "2025-11-01", "2026-11-01") for m in others})
    assert delinquency.between(0.15, 0.35).all(), delinquency
    connected = calls.loc[calls["answered"] & (calls["duration_s"] > 0)]
    talk = connected.groupby("manager")["duration_s"].mean().loc[others] / 60
    assert talk.between(6, 15).all(), talk
    closed = deals.loc[deals["outcome"] != "open"]
    conversion = (closed["outcome"] == "won").groupby(closed["manager"]).mean().loc[others]
    assert conversion.between(0.15, 0.35).all(), conversion
    volume = tasks.groupby("manager").size().loc[others]
    for spread in (delinquency, talk, conversion, volume):
        assert spread.max() > 1.5 * spread.min()


def test_better_descriptions_are_somewhat_more_often_on_time(parsed):
    t = parsed["tasks"]
    t = t.loc[(t["status"] != "cancelled") & (t["original_due_at"] < _ts("2026-11-01"))]
    on_time = t["completed_at"].notna() & (t["completed_at"] <= t["original_due_at"])
    desc = t["description"].fillna("")
    concrete = (desc.str.len() >= 40) & ~desc.str.contains("{", regex=False)
    gap = on_time[concrete].mean() - on_time[~concrete].mean()
    assert 0.03 <= gap <= 0.20  # real but modest


def test_exact_top_k_flags_exact_counts_per_group():
    rng = np.random.default_rng(0)
    groups = np.array(["a", "a", "a", "a", "b", "b", "b"])
    share = np.array([0.5, 0.5, 0.5, 0.5, 0.34, 0.34, 0.34])
    flag = _exact_top_k(rng, groups, share, np.ones(7))
    # a: round(4 * 0.5) = 2; b: round(3 * 0.34) = round(1.02) = 1
    assert flag[:4].sum() == 2
    assert flag[4:].sum() == 1


def test_csv_cells_by_hand():
    deals = pd.DataFrame(
        {
            "deal_id": ["D-1"],
            "manager": ["Liam O'Brien"],
            "created_at": [pd.Timestamp("2026-03-02 10:15:00", tz=UTC)],
            "closed_at": pd.Series([pd.NaT], dtype="datetime64[us, UTC]"),
            "outcome": ["open"],
            "amount": [1234.5],
        }
    )
    text = _as_text("deals", deals).iloc[0].tolist()
    assert text == ["D-1", "Liam O'Brien", "2026-03-02T10:15:00+00:00", "", "open", "1234.50"]
    calls = pd.DataFrame(
        {
            "call_id": ["7302000000000000000"],
            "manager": ["Ольга Смирнова"],
            "started_at": [pd.Timestamp("2026-03-02 10:15:00", tz=UTC)],
            "duration_s": [845.0],
            "direction": ["inbound"],
            "answered": [False],
            "deal_id": [None],
        }
    )
    row = _as_text("calls", calls).iloc[0].tolist()
    assert row[3:6] == ["845", "inbound", "false"]
    assert row[6] == ""


def test_loading_the_files_gives_back_make_sample_nothing_set_aside(sample):
    data = sample
    assert data.set_aside.empty
    assert data.rows_loaded == data.rows_read
    tables = make_sample()
    for name, frame in tables.items():
        assert list(frame.columns) == [c.name for c in TABLES[name]]
        pd.testing.assert_frame_equal(frame, getattr(data, name), check_dtype=False)
        for col in TABLES[name]:
            if col.kind == "timestamp":
                assert str(frame[col.name].dt.tz) == UTC
