"""Deal metrics checked against values worked out by hand on tiny tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.metrics.deals import DEAL_COLUMNS, deal_metrics

from helpers import deals_table as _deals

DEALS = _deals([
    ("Boris", "2026-01-05T10:00Z", "2026-01-20T10:00Z", "won", 1000),
    ("Boris", "2026-01-10T10:00Z", "2026-02-03T10:00Z", "lost", None),
    ("Boris", "2026-01-15T10:00Z", "2026-02-10T10:00Z", "won", None),  # amount missing
    ("Boris", "2026-02-01T10:00Z", "2026-02-20T10:00Z", "won", 500),
    ("Boris", "2026-02-02T10:00Z", None, "open", None),
])  # fmt: skip


def _row(out: pd.DataFrame, manager: str, period: str) -> pd.Series:
    hit = out.loc[(out["manager"] == manager) & (out["period"] == pd.Timestamp(period, tz="UTC"))]
    assert len(hit) == 1
    return hit.iloc[0]


def test_month_values():
    out = deal_metrics(DEALS)
    assert list(out.columns) == ["manager", "period", *DEAL_COLUMNS]
    jan, feb = _row(out, "Boris", "2026-01-01"), _row(out, "Boris", "2026-02-01")
    # Jan: leads d1, d2, d3 = 3; closed in Jan: d1 won -> conversion 1/1;
    # cohort Jan: d1, d3 won (d2 lost) -> 2/3; volume 1000; avg 1000.
    assert (jan.leads, jan.won, jan.lost, jan.closed, jan.conversion) == (3, 1, 0, 1, 1.0)
    assert jan.cohort_conversion == pytest.approx(2 / 3)
    assert (jan.sales_volume, jan.avg_deal, jan.won_no_amount) == (1000, 1000, 0)
    # Feb: leads d4, d5 = 2; closed: d2 lost, d3 won, d4 won -> 2/3;
    # cohort Feb: d4 won, d5 open -> 1/2; volume = 500 (d3 has no amount, counted aside);
    # avg = 500 / (2 won - 1 without amount) = 500.
    assert (feb.leads, feb.won, feb.lost, feb.closed) == (2, 2, 1, 3)
    assert feb.conversion == pytest.approx(2 / 3) and feb.cohort_conversion == 0.5
    assert (feb.sales_volume, feb.won_no_amount, feb.avg_deal) == (500, 1, 500)


def test_as_of_hides_later_closings():
    # as_of Feb 15: d4's win (Feb 20) has not happened.  Feb closed: d2 lost, d3 won -> 1/2;
    # volume 0 (d3 has no amount) and avg NaN (no won deal with an amount);
    # cohort Feb: d4, d5 not won yet -> 0/2 = 0.0; cohort Jan unchanged 2/3.
    out = deal_metrics(DEALS, as_of="2026-02-15T00:00Z")
    jan, feb = _row(out, "Boris", "2026-01-01"), _row(out, "Boris", "2026-02-01")
    assert (feb.won, feb.lost, feb.conversion, feb.sales_volume) == (1, 1, 0.5, 0.0)
    assert np.isnan(feb.avg_deal) and feb.cohort_conversion == 0.0
    assert jan.cohort_conversion == pytest.approx(2 / 3)


def test_week_vs_month_and_quiet_manager():
    # Weeks of Jan 5 .. Jan 26 (d1 created Mon Jan 5, d2 Sat Jan 10, d3 Thu Jan 15, and
    # d4 on Sun Feb 1, which still belongs to the week of Mon Jan 26).
    out = deal_metrics(DEALS, period="week", start="2026-01-05", end="2026-01-26",
                       managers=["Vera"])  # fmt: skip
    boris = out.loc[out["manager"] == "Boris"]
    assert boris["leads"].tolist() == [2, 1, 0, 1]
    assert boris["won"].tolist() == [0, 0, 1, 0]  # d1 won Tue Jan 20
    vera = out.loc[out["manager"] == "Vera"]
    assert len(vera) == 4 and (vera["leads"] == 0).all() and vera["conversion"].isna().all()


def test_empty_input():
    out = deal_metrics(DEALS.iloc[:0])
    assert list(out.columns) == ["manager", "period", *DEAL_COLUMNS] and len(out) == 0


def test_bad_input_named():
    with pytest.raises(ValueError, match="deals table: missing column.*outcome"):
        deal_metrics(DEALS.drop(columns="outcome"))
