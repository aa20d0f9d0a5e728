"""Call metrics checked against values worked out by hand on tiny tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.metrics.calls import CALL_COLUMNS, call_metrics

from helpers import calls_table as _calls

CALLS = _calls([
    ("Boris", "2026-01-05T10:00Z", 0, "outbound", True),    # answered but 0 s: zero-length
    ("Boris", "2026-01-06T10:00Z", 30, "outbound", True),
    ("Boris", "2026-01-07T10:00Z", 90, "inbound", True),
    ("Boris", "2026-01-08T10:00Z", 1500, "outbound", True),
    ("Boris", "2026-01-09T10:00Z", 0, "inbound", False),    # missed inbound
    ("Boris", "2026-03-02T10:00Z", 300, "outbound", True),  # nothing in February
    ("Vera", "2026-02-03T10:00Z", 120, "outbound", True),
])  # fmt: skip


def _row(out: pd.DataFrame, manager: str, period: str, tz: str = "UTC") -> pd.Series:
    hit = out.loc[(out["manager"] == manager) & (out["period"] == pd.Timestamp(period, tz=tz))]
    assert len(hit) == 1
    return hit.iloc[0]


def test_counts_and_talk_stats():
    # Boris, January: 5 dials; connected = 30, 90, 1500 -> 3; zero-length = 2 (0 s twice);
    # conversations (>= 60 s) = 90, 1500 -> 2; missed inbound = 1.
    # talk total = 30 + 90 + 1500 = 1620; mean = 1620 / 3 = 540 s = 9 min; median = 90;
    # p90: position 0.9 * 2 = 1.8 -> 90 + 0.8 * (1500 - 90) = 1218; long (> 1200) = 1/3.
    r = _row(call_metrics(CALLS), "Boris", "2026-01-01")
    assert (r.dials, r.connected, r.zero_length, r.conversations, r.missed_inbound) == (
        5, 3, 2, 2, 1)  # fmt: skip
    assert r.talk_time_total_s == 1620 and r.talk_mean_s == 540 and r.talk_mean_min == 9.0
    assert r.talk_median_s == 90 and r.talk_p90_s == pytest.approx(1218)
    assert r.long_call_share == pytest.approx(1 / 3)


def test_manager_without_calls_in_period():
    # Boris, February: no calls -> zero counts, NaN talk statistics and shares.
    out = call_metrics(CALLS)
    assert list(out.columns) == ["manager", "period", *CALL_COLUMNS]
    assert len(out) == 2 * 3  # Boris, Vera x Jan..Mar
    r = _row(out, "Boris", "2026-02-01")
    assert (r.dials, r.connected, r.talk_time_total_s) == (0, 0, 0.0)
    for col in ("talk_mean_s", "talk_median_s", "talk_p90_s", "talk_mean_min", "long_call_share"):
        assert np.isnan(r[col]), col
    # One call: mean = median = p90 = 120 s; 120 < 1200 -> long share 0.
    v = _row(out, "Vera", "2026-02-01")
    assert (v.talk_mean_s, v.talk_median_s, v.talk_p90_s, v.long_call_share) == (120, 120, 120, 0)


def test_thresholds_are_parameters():
    # conversation_s=30: 30, 90, 1500 all count -> 3; long_call_s=60: 90, 1500 -> 2/3.
    r = _row(call_metrics(CALLS, conversation_s=30, long_call_s=60), "Boris", "2026-01-01")
    assert r.conversations == 3 and r.long_call_share == pytest.approx(2 / 3)


def test_business_tz_moves_call_to_next_month():
    # 2026-01-31 21:30 UTC is 2026-02-01 00:30 in Moscow.
    calls = _calls([("Boris", "2026-01-31T21:30Z", 60, "outbound", True)])
    assert _row(call_metrics(calls, tz="UTC"), "Boris", "2026-01-01").dials == 1
    moscow = call_metrics(calls, tz="Europe/Moscow")
    assert _row(moscow, "Boris", "2026-02-01", "Europe/Moscow").dials == 1 and len(moscow) == 1


def test_week_vs_month_one_manager():
    # Boris's January calls fall on Mon 5 .. Fri 9: one week of 5 dials; March 2 is a Monday.
    out = call_metrics(CALLS.loc[CALLS["manager"] == "Boris"], period="week",
                       start="2026-01-05", end="2026-01-12")  # fmt: skip
    assert out["dials"].tolist() == [5, 0] and out["manager"].unique().tolist() == ["Boris"]


def test_without_answered_column():
    # answered missing: a call with talk time counts as answered; 0 s inbound is missed.
    r = _row(call_metrics(CALLS.drop(columns="answered")), "Boris", "2026-01-01")
    assert (r.connected, r.missed_inbound) == (3, 1)


def test_empty_input():
    out = call_metrics(CALLS.iloc[:0])
    assert list(out.columns) == ["manager", "period", *CALL_COLUMNS] and len(out) == 0
    out = call_metrics(CALLS.iloc[:0], managers=["Boris"], start="2026-01-01", end="2026-01-31")
    assert len(out) == 1 and out.loc[0, "dials"] == 0 and np.isnan(out.loc[0, "talk_mean_min"])


def test_bad_input_named():
    with pytest.raises(ValueError, match="calls table: missing column.*duration_s"):
        call_metrics(CALLS.drop(columns="duration_s"))
    bad = CALLS.copy()
    bad.loc[3, "duration_s"] = -5.0
    with pytest.raises(ValueError, match=r"'duration_s' is negative.*\(index label\) 3"):
        call_metrics(bad)
    bad.loc[3, "duration_s"] = np.nan
    with pytest.raises(ValueError, match=r"'duration_s' is empty.*\(index label\) 3"):
        call_metrics(bad)
