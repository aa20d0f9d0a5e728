"""window_summary: pooled counts and rates from pooled counts, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.metrics.window import window_summary


def _panel() -> pd.DataFrame:
    months = pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]).tz_localize("UTC")
    base = {
        "tasks_new": [5, 5, 5],
        "tasks_completed": [4, 4, 4],
        "tasks_overdue_late": [0, 0, 0],
        "tasks_overdue_open": [0, 0, 0],
        "tasks_no_deadline": [0, 0, 0],
        "tasks_postponed": [0, 0, 0],
        "conversations": [0, 0, 0],
        "missed_inbound": [0, 0, 0],
        "lost": [0, 0, 0],
        "won_no_amount": [0, 0, 0],
    }
    a = pd.DataFrame(
        {
            "manager": "A",
            "period": months,
            "tasks_due": [2, 200, 10],
            "tasks_overdue": [2, 20, 5],
            "dials": [10, 10, 10],
            "connected": [4, 0, 6],
            "talk_time_total_s": [1200, 0, 2400],
            "leads": [3, 4, 5],
            "won": [1, 0, 2],
            "closed": [2, 0, 4],
            "sales_volume": [100.0, 0.0, 300.0],
            **base,
        }
    )
    b = a.assign(manager="B", tasks_due=0, tasks_overdue=0, won=0, closed=0, sales_volume=0.0)
    return pd.concat([a, b], ignore_index=True)


def test_rates_come_from_pooled_counts_not_mean_of_monthly_rates():
    out = window_summary(_panel()).set_index("manager")
    a = out.loc["A"]
    # overdue 2 + 20 + 5 = 27 of due 2 + 200 + 10 = 212; the mean of monthly rates would be
    # (1.0 + 0.1 + 0.5) / 3 = 0.533
    assert a["delinquency_rate"] == pytest.approx(27 / 212)
    # talk (1200 + 0 + 2400) s over 4 + 0 + 6 = 10 connected calls = 360 s = 6 min
    assert a["talk_mean_min"] == pytest.approx(6.0)
    assert a["conversion"] == pytest.approx(3 / 6)  # won 1 + 0 + 2 of closed 2 + 0 + 4
    assert a["lead_conversion"] == pytest.approx(3 / 12)
    assert a["avg_deal"] == pytest.approx(400 / 3)
    assert a["n_periods"] == 3


def test_zero_denominators_give_nan_not_zero():
    b = window_summary(_panel()).set_index("manager").loc["B"]
    assert np.isnan(b["delinquency_rate"])
    assert np.isnan(b["conversion"])
    assert np.isnan(b["avg_deal"])
    assert b["tasks_due"] == 0


def test_window_bounds_are_half_open_and_managers_without_rows_stay():
    p = _panel()
    feb = pd.Timestamp("2026-02-01", tz="UTC")
    mar = pd.Timestamp("2026-03-01", tz="UTC")
    out = window_summary(p, start=feb, end=mar).set_index("manager")
    assert out.loc["A", "tasks_due"] == 200
    assert out.loc["A", "delinquency_rate"] == pytest.approx(0.1)
    empty = window_summary(p, start=pd.Timestamp("2027-01-01", tz="UTC"))
    assert list(empty["manager"]) == ["A", "B"]
    assert (empty["n_periods"] == 0).all()
    assert (empty["tasks_due"] == 0).all()  # summed over nothing
    assert empty["delinquency_rate"].isna().all()  # 0 / 0: no rate
