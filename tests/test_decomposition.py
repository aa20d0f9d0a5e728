"""Sales decomposition and window totals, on figures worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench.stats.decomposition import decompose_sales_change, window_totals

# Case B per month: leads 23 -> 31, won 5 -> 6, closed 10 -> 12 (win rate 0.5 both),
# sales 100 000 -> 115 900 (+15.9%).
BEFORE = {"leads": 23, "won": 5, "closed": 10, "sales_volume": 100_000.0}
AFTER = {"leads": 31, "won": 6, "closed": 12, "sales_volume": 115_900.0}


def test_case_b_identity_and_remainder():
    out = decompose_sales_change(BEFORE, AFTER).set_index("component")
    assert list(out.index) == ["leads", "lead_conversion", "volume_per_won", "sales_volume"]
    assert list(out.columns) == [
        "before",
        "after",
        "ratio",
        "pct_change",
        "log_change_pp",
        "log_share",
        "contribution_pp",
    ]
    # leads 31/23 = 1.347826; lead conversion 5/23 -> 6/31, ratio (6/31)/(5/23) = 138/155
    assert out.loc["leads", "ratio"] == pytest.approx(31 / 23)
    assert out.loc["lead_conversion", "ratio"] == pytest.approx(138 / 155)
    # volume per won deal 20 000 -> 115 900 / 6 = 19 316.67, ratio 0.965833
    assert out.loc["volume_per_won", "before"] == 20_000.0
    assert out.loc["volume_per_won", "ratio"] == pytest.approx(0.9658333, rel=1e-6)
    # identity: 1.347826 x 0.890323 x 0.965833 = 1.159
    components = out.drop(index="sales_volume")
    assert components["ratio"].prod() == pytest.approx(1.159)
    assert out.loc["sales_volume", "pct_change"] == pytest.approx(0.159)
    # leads alone would give +34.8%: their log share is ln(31/23)/ln(1.159) = 0.29849/0.14756
    assert out.loc["leads", "log_share"] == pytest.approx(2.02288, rel=1e-4)
    # the remainder (-1.02288) lands in conversion x deal size, whose joint ratio is
    # 1.159 x 23/31 = 0.859903
    rest = components.drop(index="leads")
    assert rest["log_share"].sum() == pytest.approx(1 - 2.02288, rel=1e-4)
    assert rest["ratio"].prod() == pytest.approx(1.159 * 23 / 31)
    assert components["log_share"].sum() == pytest.approx(1.0)
    # percent points: leads 2.02288 x 15.9 = +32.16 pp, all components add up to 15.9 pp
    assert out.loc["leads", "contribution_pp"] == pytest.approx(32.164, abs=1e-3)
    assert components["contribution_pp"].sum() == pytest.approx(15.9)
    assert out.loc["sales_volume", "contribution_pp"] == pytest.approx(15.9)
    assert components["log_change_pp"].sum() == pytest.approx(100 * math.log(1.159))


def test_split_conversion_win_rate_unchanged():
    out = decompose_sales_change(BEFORE, AFTER, split_conversion=True).set_index("component")
    assert list(out.index) == ["leads", "close_rate", "win_rate", "volume_per_won", "sales_volume"]
    # win rate 5/10 = 6/12 = 0.5: ratio 1, no share; close rate 10/23 -> 12/31 carries it
    assert out.loc["win_rate", "ratio"] == 1.0
    assert out.loc["win_rate", "log_share"] == 0.0
    assert out.loc["win_rate", "contribution_pp"] == 0.0
    assert out.loc["close_rate", "ratio"] == pytest.approx((12 / 31) / (10 / 23))
    assert out.drop(index="sales_volume")["contribution_pp"].sum() == pytest.approx(15.9)


def test_equal_windows():
    out = decompose_sales_change(BEFORE, pd.Series(BEFORE)).set_index("component")
    assert (out["ratio"] == 1.0).all()
    assert (out["pct_change"] == 0.0).all()
    # no change to share out: shares undefined, contributions zero
    assert out["log_share"].isna().all()
    assert (out["contribution_pp"] == 0.0).all()


def test_offsetting_changes_with_flat_sales():
    # leads double, conversion halves, deal size same: sales flat; contributions +69.3/-69.3
    before = {"leads": 10, "won": 4, "sales_volume": 400.0}
    after = {"leads": 20, "won": 4, "sales_volume": 400.0}
    out = decompose_sales_change(before, after).set_index("component")
    assert out.loc["leads", "contribution_pp"] == pytest.approx(100 * math.log(2))
    assert out.loc["lead_conversion", "contribution_pp"] == pytest.approx(-100 * math.log(2))
    assert out.loc["volume_per_won", "contribution_pp"] == 0.0


def test_zero_won_gives_nan_not_error():
    before = {"leads": 10, "won": 0, "sales_volume": 0.0}
    after = {"leads": 12, "won": 3, "sales_volume": 300.0}
    out = decompose_sales_change(before, after).set_index("component")
    assert out.loc["leads", "ratio"] == pytest.approx(1.2)
    # 0 won before: conversion 0 -> 0.25 and sales 0 -> 300 have no ratio; deal size 0/0
    assert np.isnan(out.loc["lead_conversion", "ratio"])
    assert np.isnan(out.loc["volume_per_won", "before"])
    assert np.isnan(out.loc["sales_volume", "ratio"])
    assert out["log_share"].isna().all()


def test_bad_inputs():
    with pytest.raises(KeyError, match="sales_volume"):
        decompose_sales_change({"leads": 1, "won": 1}, AFTER)
    with pytest.raises(KeyError, match="closed"):
        decompose_sales_change(
            {"leads": 1, "won": 1, "sales_volume": 1.0}, AFTER, split_conversion=True
        )
    with pytest.raises(ValueError, match="negative"):
        decompose_sales_change({**BEFORE, "leads": -1}, AFTER)


@pytest.fixture
def deal_panel() -> pd.DataFrame:
    p = [pd.Timestamp(f"2026-{m:02d}-01", tz="UTC") for m in (1, 2, 3)]
    return pd.DataFrame(
        {
            "manager": ["Boris"] * 3 + ["Anna"] * 2,
            "period": p + p[:2],
            "leads": [20, 26, 30, 5, 5],
            "won": [5, 0, 7, 1, 1],
            "lost": [5, 2, 7, 1, 1],
            "closed": [10, 2, 14, 2, 2],
            "sales_volume": [100.0, 0.0, 140.0, 10.0, 10.0],
            "conversion": [0.5, 0.0, 0.5, 0.5, 0.5],
        }
    )


def test_window_totals_sums_not_means(deal_panel):
    s = window_totals(deal_panel, "Boris", "2026-01-01", "2026-03-01")
    # Jan + Feb (March excluded: end is exclusive): leads 20+26, won 5+0, closed 10+2
    assert s["leads"] == 46
    assert s["won"] == 5
    assert s["n_periods"] == 2
    # pooled win rate 5/12 = 0.4167, not the mean of monthly rates (0.5+0)/2 = 0.25
    assert s["conversion"] == pytest.approx(5 / 12)
    assert s["lead_conversion"] == pytest.approx(5 / 46)
    assert s["volume_per_won"] == pytest.approx(100 / 5)
    assert list(s.index) == [
        "leads",
        "won",
        "lost",
        "closed",
        "sales_volume",
        "n_periods",
        "conversion",
        "lead_conversion",
        "volume_per_won",
    ]


def test_window_totals_per_period_and_errors(deal_panel):
    s = window_totals(deal_panel, "Boris", "2026-01-01", "2026-04-01", per_period=True)
    # (20+26+30)/3 = 25.333 leads per month; ratios stay pooled 12/26
    assert s["leads"] == pytest.approx(76 / 3)
    assert s["conversion"] == pytest.approx(12 / 26)
    # Anna has no March row, but the window has 3 periods of the panel: 10 leads / 3
    a = window_totals(deal_panel, "Anna", "2026-01-01", "2026-04-01", per_period=True)
    assert a["leads"] == pytest.approx(10 / 3)
    with pytest.raises(KeyError, match="Carl"):
        window_totals(deal_panel, "Carl", "2026-01-01", "2026-04-01")
    with pytest.raises(ValueError, match="not after"):
        window_totals(deal_panel, "Boris", "2026-04-01", "2026-01-01")


def test_window_totals_empty_window(deal_panel):
    s = window_totals(deal_panel, "Boris", "2027-01-01", "2027-02-01", per_period=True)
    # no period of the panel falls in the window: nothing to sum, nothing to divide by
    assert s["n_periods"] == 0
    assert np.isnan(s["leads"])
    assert np.isnan(s["conversion"])
    s = window_totals(deal_panel, "Boris", "2027-01-01", "2027-02-01")
    assert s["leads"] == 0
    assert np.isnan(s["lead_conversion"])


def test_sample_case_b_decomposition(sample_panel):
    # Boris Ivanov per month, Nov-Mar vs Jul-Oct: leads 23 -> 31, sales +15.9%, win rate
    # (won / closed) unchanged; so leads carry more than the whole change and the remainder
    # (negative) lands in close rate x deal size.
    panel = sample_panel
    before = window_totals(panel, "Boris Ivanov", "2025-11-01", "2026-04-01", per_period=True)
    after = window_totals(panel, "Boris Ivanov", "2026-07-01", "2026-11-01", per_period=True)
    assert (before["n_periods"], after["n_periods"]) == (5, 4)
    out = decompose_sales_change(before, after, split_conversion=True).set_index("component")
    assert out.loc["leads", "ratio"] == pytest.approx(31 / 23, abs=0.03)
    assert out.loc["sales_volume", "pct_change"] == pytest.approx(0.159, abs=0.005)
    assert out.loc["win_rate", "pct_change"] == pytest.approx(0.0, abs=0.1)
    assert out.loc["leads", "log_share"] > 1
    rest = out.drop(index=["leads", "sales_volume"])
    assert rest["contribution_pp"].sum() == pytest.approx(
        100 * out.loc["sales_volume", "pct_change"] - out.loc["leads", "contribution_pp"]
    )
    assert rest["contribution_pp"].sum() < 0
