"""Statistics: hand-worked values on tiny tables, and simulations with a known true effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.stats import (
    before_after,
    compare_proportions,
    describe_change,
    diff_in_diff,
    minimum_detectable_effect,
    rate_before_after,
    wilson_interval,
)

CHANGE = pd.Timestamp("2026-04-01", tz="UTC")


def _units(before, after, *, manager="A", change=CHANGE) -> pd.DataFrame:
    """Units spread one day apart before and after ``change`` (the first after at ``change``)."""
    t_before = [change - pd.Timedelta(days=len(before) - i) for i in range(len(before))]
    t_after = [change + pd.Timedelta(days=i) for i in range(len(after))]
    return pd.DataFrame(
        {
            "manager": pd.array([manager] * (len(before) + len(after)), dtype="str"),
            "time": pd.Series(t_before + t_after, dtype="datetime64[us, UTC]"),
            "value": np.array(list(before) + list(after), dtype="float64"),
        }
    )


# ---- Wilson, two proportions, MDE -------------------------------------------------------


def test_wilson_hand_values():
    # x=4, n=10, z=1.959964: p=0.4, z^2=3.841459, denom=1+z^2/n=1.384146,
    # centre=(0.4+0.192073)/1.384146=0.427753, half=z/denom*sqrt(0.024+0.009604)=0.259572
    # -> (0.168181, 0.687325)
    low, high = wilson_interval(4, 10)
    assert low == pytest.approx(0.168181, abs=1e-5)
    assert high == pytest.approx(0.687325, abs=1e-5)
    # x=0, n=10: centre = half = 0.192073/1.384146 = 0.138766 -> (0, 0.277533)
    low, high = wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.277533, abs=1e-5)


def test_wilson_vectorised_and_empty():
    low, high = wilson_interval(np.array([4, 0, 3]), np.array([10, 10, 0]))
    assert low[0] == pytest.approx(0.168181, abs=1e-5)
    assert high[1] == pytest.approx(0.277533, abs=1e-5)
    assert np.isnan(low[2]) and np.isnan(high[2])


def test_compare_proportions_hand_values():
    # before 4/10, after 1/10: d = 0.1 - 0.4 = -0.3.
    # Wilson(4,10) = (0.168181, 0.687325); Wilson(1,10) = (0.017876, 0.404150).
    # Newcombe low  = -0.3 - sqrt((0.1-0.017876)^2 + (0.687325-0.4)^2) = -0.598833
    # Newcombe high = -0.3 + sqrt((0.404150-0.1)^2 + (0.4-0.168181)^2) = 0.082425
    # pooled p = 5/20 = 0.25, se = sqrt(0.25*0.75*(1/10+1/10)) = 0.193649,
    # z = 0.3/0.193649 = 1.549193, p-value = 2*(1-Phi(1.549193)) = 0.121335
    r = compare_proportions(4, 10, 1, 10)
    assert r["difference"] == pytest.approx(-0.3)
    assert r["low"] == pytest.approx(-0.598833, abs=1e-5)
    assert r["high"] == pytest.approx(0.082425, abs=1e-5)
    assert r["p_value"] == pytest.approx(0.121335, abs=1e-5)


def test_compare_proportions_identical_extremes():
    # 0/5 vs 0/7: both rates 0, se = 0 -> nothing to test, p = 1
    assert compare_proportions(0, 5, 0, 7)["p_value"] == 1.0


def test_minimum_detectable_effect_hand_values():
    # (1.959964 + 0.841621) * sqrt(0.5*0.5*(1/100+1/100)) = 2.801585 * 0.0707107 = 0.198101
    assert minimum_detectable_effect(100, 100, 0.5) == pytest.approx(0.198101, abs=1e-5)
    # p=0.4, n=10/10: 2.801585 * sqrt(0.24*0.2) = 2.801585 * 0.219089 = 0.613797
    assert minimum_detectable_effect(10, 10, 0.4) == pytest.approx(0.613797, abs=1e-5)
    assert np.isnan(minimum_detectable_effect(0, 10, 0.4))


def test_describe_change_words():
    assert describe_change(-0.29, -0.36, -0.22) == (
        "changed by -29.0 points (95% CI -36.0 to -22.0)"
    )
    text = describe_change(-0.02, -0.08, 0.04, mde=0.07)
    assert text == (
        "no change detectable (95% CI -8.0 to 4.0 points); a change of 7.0 points would have "
        "been seen"
    )
    assert describe_change(-540.0, -600.0, -480.0, unit="min", scale=1 / 60) == (
        "changed by -9.0 min (95% CI -10.0 to -8.0)"
    )
    assert describe_change(np.nan, np.nan, np.nan) == "not enough data to estimate a change"


# ---- before_after on tiny tables ----------------------------------------------------------


def test_before_after_hand_values():
    # before [1, 2, 3] -> mean 2; after [5, 7] -> mean 6 (5 is exactly at the change date)
    # change = 6 - 2 = 4, ratio = 6 / 2 = 3
    out = before_after(
        _units([1, 2, 3], [5, 7]), value="value", time="time", change_dates=CHANGE
    ).table
    assert list(out["window"]) == ["before", "after"]
    assert list(out["n"]) == [3, 2]
    assert list(out["mean"]) == [2.0, 6.0]
    assert out.loc[1, "change"] == 4.0
    assert out.loc[1, "ratio"] == 3.0
    assert np.isnan(out.loc[0, "change"]) and pd.isna(out.loc[0, "significant"])
    assert out.loc[1, "change_low"] <= 4.0 <= out.loc[1, "change_high"]
    assert out.loc[0, "end"] == CHANGE and out.loc[1, "start"] == CHANGE


def test_before_after_constant_values_collapse_interval():
    # every resample of [2,2,2] has mean 2 and of [5,5] mean 5: the CI is exactly (3, 3)
    out = before_after(
        _units([2, 2, 2], [5, 5]), value="value", time="time", change_dates=CHANGE
    ).table
    assert out.loc[1, "change_low"] == pytest.approx(3.0)
    assert out.loc[1, "change_high"] == pytest.approx(3.0)
    assert bool(out.loc[1, "significant"])


def test_before_after_steps_manager_and_set_aside():
    # two steps: before [10, 20] (mean 15), step 1 [9, nan] (mean 9), step 2 [6] (mean 6);
    # another manager's rows and one row without time are not used
    a = _units([10, 20], [9, np.nan, 6])
    step2 = CHANGE + pd.Timedelta(days=2)
    b = _units([100], [100], manager="B")
    units = pd.concat([a, b], ignore_index=True)
    units.loc[len(units)] = ["A", pd.NaT, 50.0]
    result = before_after(
        units, value="value", time="time", change_dates=[step2, "2026-04-01"], manager="A"
    )
    out = result.table
    assert list(out["window"]) == ["before", "step 1", "step 2"]
    assert list(out["n"]) == [2, 1, 1]
    assert list(out["change"].iloc[1:]) == [9 - 15, 6 - 15]
    assert result.set_aside == {"missing_value": 1, "missing_time": 1}
    # the record survives what DataFrame.attrs did not: a concat of the table
    assert pd.concat([out, out]).shape[0] == 6 and result.set_aside["missing_value"] == 1


def test_before_after_is_deterministic_and_seed_sensitive():
    rng = np.random.default_rng(3)
    units = _units(rng.normal(10, 2, 30), rng.normal(9, 2, 30))
    kw = {"value": "value", "time": "time", "change_dates": CHANGE, "n_boot": 500}
    first = before_after(units, seed=7, **kw).table
    pd.testing.assert_frame_equal(first, before_after(units, seed=7, **kw).table)
    assert (
        first.loc[1, "change_low"] != before_after(units, seed=8, **kw).table.loc[1, "change_low"]
    )


def test_before_after_bad_input():
    units = _units([1, 2], [3])
    with pytest.raises(KeyError, match="'duration_s'"):
        before_after(units, value="duration_s", time="time", change_dates=CHANGE)
    naive = units.assign(time=units["time"].dt.tz_localize(None))
    with pytest.raises(TypeError, match="tz-aware"):
        before_after(naive, value="value", time="time", change_dates=CHANGE)
    text = units.assign(value=pd.array(["1", "x", "3"], dtype="str"))
    with pytest.raises(TypeError, match="first bad row: 1"):
        before_after(text, value="value", time="time", change_dates=CHANGE)
    with pytest.raises(ValueError, match="ci must be"):
        before_after(units, value="value", time="time", change_dates=CHANGE, ci="bca")


def _monthly_units(month_effects_before, month_effects_after, per_month, rng):
    """Units in whole months; each month's values share a month effect (within-month noise 1)."""
    rows = []
    months = pd.date_range("2025-11-01", periods=12, freq="MS", tz="UTC")
    effects = list(month_effects_before) + list(month_effects_after)
    for month, effect in zip(months, effects, strict=False):
        times = month + pd.to_timedelta(np.arange(per_month), unit="h")
        rows.append(pd.DataFrame({"time": times, "value": effect + rng.normal(0, 1, per_month)}))
    return pd.concat(rows, ignore_index=True)


def test_before_after_cluster_period():
    rng = np.random.default_rng(0)
    # month effects vary a lot (+-5) while within-month noise is 1: the unit bootstrap
    # ignores that months move together, the period bootstrap does not -> wider interval
    units = _monthly_units([5, -5, 5, -5, 5], [-5, 5, -5, 5, -5, 5, -5], 40, rng)
    kw = {"value": "value", "time": "time", "change_dates": "2026-04-01", "n_boot": 1000}
    plain = before_after(units, **kw).table
    clustered = before_after(units, cluster="period", **kw).table
    assert clustered.loc[1, "change"] == plain.loc[1, "change"]
    width = (clustered["change_high"] - clustered["change_low"]).iloc[1]
    assert width > 3 * (plain["change_high"] - plain["change_low"]).iloc[1]
    # one month only in a window: resampling one cluster says nothing -> NaN interval
    one = before_after(units, cluster="period", **{**kw, "change_dates": "2026-10-01"}).table
    assert np.isnan(one.loc[1, "change_low"])


# ---- rate_before_after --------------------------------------------------------------------


def test_rate_before_after_hand_values():
    # before 4 overdue of 10 due, after 1 of 10: see test_compare_proportions_hand_values;
    # MDE at the before rate 0.4 with 10 vs 10 = 0.613797
    units = _units([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], [1] + [0] * 9)
    out = rate_before_after(units, value="value", time="time", change_dates=CHANGE).table
    assert list(out["successes"]) == [4, 1]
    assert list(out["rate"]) == [0.4, 0.1]
    assert out.loc[0, "rate_low"] == pytest.approx(0.168181, abs=1e-5)
    assert out.loc[1, "change"] == pytest.approx(-0.3)
    assert out.loc[1, "change_low"] == pytest.approx(-0.598833, abs=1e-5)
    assert out.loc[1, "p_value"] == pytest.approx(0.121335, abs=1e-5)
    assert out.loc[1, "mde"] == pytest.approx(0.613797, abs=1e-5)
    assert not out.loc[1, "significant"]


def test_rate_before_after_rejects_non_binary():
    with pytest.raises(ValueError, match="row 1"):
        rate_before_after(_units([0, 2], [1]), value="value", time="time", change_dates=CHANGE)


# ---- simulations with a known truth ------------------------------------------------------


def test_before_after_coverage_with_true_effect():
    # exponential talk times, true means 32 and 23 (true change -9); 200 replications
    rng = np.random.default_rng(11)
    hits = 0
    for i in range(200):
        units = _units(rng.exponential(32, 60), rng.exponential(23, 60))
        out = before_after(
            units, value="value", time="time", change_dates=CHANGE, n_boot=400, seed=i
        ).table
        hits += out.loc[1, "change_low"] <= -9 <= out.loc[1, "change_high"]
    assert 0.88 <= hits / 200 <= 0.99


def test_before_after_no_effect_not_significant():
    rng = np.random.default_rng(12)
    units = _units(rng.normal(15, 4, 80), rng.normal(15, 4, 80))
    out = before_after(units, value="value", time="time", change_dates=CHANGE, seed=0).table
    assert not out.loc[1, "significant"]
    positives = 0
    for i in range(200):
        units = _units(rng.normal(15, 4, 40), rng.normal(15, 4, 40))
        out = before_after(
            units, value="value", time="time", change_dates=CHANGE, n_boot=400, seed=i
        ).table
        positives += bool(out.loc[1, "significant"])
    assert 0.01 <= positives / 200 <= 0.12


def test_rate_coverage_and_false_positives():
    # 2000 replications at once (compare_proportions is vectorised): true overdue rates
    # 0.44 -> 0.15 (change -0.29) on 50 due tasks per window; and 0.30 -> 0.30
    rng = np.random.default_rng(13)
    n = np.full(2000, 50)
    r = compare_proportions(rng.binomial(50, 0.44, 2000), n, rng.binomial(50, 0.15, 2000), n)
    coverage = np.mean((r["low"] <= -0.29) & (r["high"] >= -0.29))
    assert 0.92 <= coverage <= 0.98
    r = compare_proportions(rng.binomial(50, 0.3, 2000), n, rng.binomial(50, 0.3, 2000), n)
    assert 0.02 <= np.mean(r["p_value"] < 0.05) <= 0.08
    assert 0.02 <= np.mean((r["low"] > 0) | (r["high"] < 0)) <= 0.08


def test_rate_before_after_no_effect_not_significant():
    rng = np.random.default_rng(14)
    units = _units(rng.random(120) < 0.3, rng.random(120) < 0.3)
    out = rate_before_after(units, value="value", time="time", change_dates=CHANGE).table
    assert not out.loc[1, "significant"] and out.loc[1, "p_value"] > 0.05


# ---- difference in differences and placebo ------------------------------------------------


def _team(treated_before, treated_after, control_before, control_after):
    return pd.concat(
        [
            _units(treated_before, treated_after, manager="Boris"),
            _units(control_before, control_after, manager="Carl"),
        ],
        ignore_index=True,
    )


def test_diff_in_diff_when_colleagues_also_changed():
    # Boris 15 -> 7 (change -8); colleagues 11 -> 9 (change -2): DiD = -8 - (-2) = -6
    units = _team([10, 20], [6, 8], [10, 12], [8, 10])
    units.loc[len(units)] = ["Carl", CHANGE, np.nan]  # no value: set aside, counted
    result = diff_in_diff(
        units, value="value", time="time", group="manager", treated="Boris", change_date=CHANGE
    )
    assert result.set_aside == {"missing_value": 1, "missing_time": 0}
    row = result.table.iloc[0]
    assert (row["treated_before"], row["treated_after"]) == (15.0, 7.0)
    assert (row["control_before"], row["control_after"]) == (11.0, 9.0)
    assert row["treated_change"] == -8.0 and row["control_change"] == -2.0
    assert row["did"] == -6.0
    assert row["n_treated_before"] == 2 and row["n_control_after"] == 2
    assert row["did_low"] <= -6.0 <= row["did_high"]


def test_diff_in_diff_coverage():
    # everyone drops by 3 (season), Boris by 3 + 6: true DiD = -6
    rng = np.random.default_rng(21)
    hits = 0
    for i in range(200):
        units = _team(
            rng.normal(30, 5, 30),
            rng.normal(21, 5, 30),
            rng.normal(15, 5, 60),
            rng.normal(12, 5, 60),
        )
        out = diff_in_diff(
            units, value="value", time="time", group="manager", treated="Boris",
            change_date=CHANGE, n_boot=400, seed=i,
        ).table  # fmt: skip
        hits += out.loc[0, "did_low"] <= -6 <= out.loc[0, "did_high"]
    assert 0.88 <= hits / 200 <= 0.99
