"""Honest inference: month-level intervals, pre-trends, placebos, power, many tests.

Oracles are independent: statsmodels (OLS, cluster-robust errors, Welch, power, BH) and
scipy, or hand-worked values on tiny tables; never the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from workbench.cases.text import conclusion_text, pre_trend_wording
from workbench.stats import (
    before_after,
    benjamini_hochberg,
    colleague_placebo,
    detectable_change,
    diff_in_diff,
    event_study,
    monthly_before_after,
    monthly_diff_in_diff,
    monthly_differences,
    placebo_test,
    power_two_proportions,
    pre_trend,
    pre_trend_rule,
    rate_before_after,
)
from workbench.stats.correlation import tasks_results_correlation
from workbench.stats.intervals import newcombe_bounds

MONTHS = pd.date_range("2026-01-01", periods=8, freq="MS", tz="UTC")
CHANGE = MONTHS[4]


def _panel(monthly: dict[str, list[list[float]]], months=MONTHS) -> pd.DataFrame:
    """Units from ``{manager: [[values of month 0], [values of month 1], ...]}``."""
    rows = []
    for manager, per_month in monthly.items():
        for month, values in zip(months, per_month, strict=False):
            for i, v in enumerate(values):
                rows.append((manager, month + pd.Timedelta(hours=i + 1), float(v)))
    out = pd.DataFrame(rows, columns=["manager", "time", "value"])
    out["time"] = out["time"].astype("datetime64[us, UTC]")
    out["manager"] = out["manager"].astype("str")
    return out


def _random_panel(seed: int, n_months: int = 8, swings: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {}
    for m, base in (("Boris", 30.0), ("Carl", 12.0), ("Dina", 10.0), ("Emil", 11.0)):
        shift = rng.normal(0, swings, n_months)
        data[m] = [
            list(base + s + (-5 if m == "Boris" and k >= 4 else 0) + rng.normal(0, 3, n))
            for k, (s, n) in enumerate(zip(shift, rng.integers(5, 15, n_months), strict=True))
        ]
    return _panel(data, pd.date_range("2026-01-01", periods=n_months, freq="MS", tz="UTC"))


# ---- manager-month intervals ---------------------------------------------------------------


def test_monthly_before_after_equals_welch_with_equal_months():
    # 4 units a month: the cluster-robust interval is Welch's t on the monthly means
    rng = np.random.default_rng(1)
    per_month = [list(rng.normal(20 + (k % 3), 2, 4) - (4 if k >= 4 else 0)) for k in range(8)]
    units = _panel({"A": per_month})
    out = monthly_before_after(units, value="value", time="time", change_dates=CHANGE)
    means = [np.mean(v) for v in per_month]
    cm = CompareMeans(DescrStatsW(means[4:]), DescrStatsW(means[:4]))
    low, high = cm.tconfint_diff(usevar="unequal")
    row = out.iloc[1]
    assert row["change"] == pytest.approx(np.mean(means[4:]) - np.mean(means[:4]), abs=1e-12)
    assert (row["change_low"], row["change_high"]) == pytest.approx((low, high), abs=1e-10)
    _, p, _ = cm.ttest_ind(usevar="unequal")
    assert row["p_value"] == pytest.approx(p, abs=1e-10)
    assert list(out["months"]) == [4, 4]


def test_monthly_before_after_window_se_is_cluster_robust_ols():
    # unequal months: the window mean's interval is OLS y ~ 1 with month-clustered errors
    units = _random_panel(3).query("manager == 'Boris'")
    out = monthly_before_after(units, value="value", time="time", change_dates=CHANGE)
    before = units.loc[units["time"] < CHANGE]
    fit = sm.OLS(before["value"].to_numpy(), np.ones(len(before))).fit(
        cov_type="cluster", cov_kwds={"groups": before["time"].dt.month.to_numpy()}
    )
    t = sps.t.ppf(0.975, 3)  # 4 months: G - 1 degrees of freedom
    assert out.loc[0, "mean"] == pytest.approx(fit.params[0])
    half = t * fit.bse[0]
    assert (out.loc[0, "mean_low"], out.loc[0, "mean_high"]) == pytest.approx(
        (fit.params[0] - half, fit.params[0] + half), rel=1e-9
    )


def test_monthly_diff_in_diff_is_welch_on_monthly_differences():
    units = _random_panel(4)
    diffs = monthly_differences(units, value="value", time="time", group="manager",
                                treated="Boris")  # fmt: skip
    # the oracle: pooled colleagues' mean per month with plain pandas
    month = units["time"].dt.month
    t = units.loc[units["manager"] == "Boris"].groupby(month)["value"].mean()
    c = units.loc[units["manager"] != "Boris"].groupby(month)["value"].mean()
    d = (t - c).to_numpy()
    assert diffs["difference"].to_numpy() == pytest.approx(d)
    out = monthly_diff_in_diff(diffs, change_date=CHANGE)
    res = sps.ttest_ind(d[4:], d[:4], equal_var=False)
    ci = res.confidence_interval()
    assert out["did"] == pytest.approx(d[4:].mean() - d[:4].mean())
    assert (out["did_low"], out["did_high"]) == pytest.approx((ci.low, ci.high))
    assert out["p_value"] == pytest.approx(res.pvalue)


def test_unit_level_did_point_estimate_is_ols_interaction():
    units = _random_panel(5)
    units["treated"] = (units["manager"] == "Boris").astype(int)
    units["after"] = (units["time"] >= CHANGE).astype(int)
    fit = smf.ols("value ~ treated * after", data=units).fit()
    out = diff_in_diff(units, value="value", time="time", group="manager", treated="Boris",
                       change_date=CHANGE, n_boot=200).table  # fmt: skip
    assert out.loc[0, "did"] == pytest.approx(fit.params["treated:after"], abs=1e-10)


def test_event_study_differences_are_ols_month_by_treated_coefficients():
    units = _random_panel(6)
    diffs = monthly_differences(units, value="value", time="time", group="manager",
                                treated="Boris")  # fmt: skip
    out = event_study(diffs, change_date=CHANGE)
    assert list(out["relative_month"]) == [-4, -3, -2, -1, 0, 1, 2, 3]
    df = units.assign(treated=(units["manager"] == "Boris").astype(int),
                      month=units["time"].dt.month)  # fmt: skip
    fit = smf.ols("value ~ C(month, Treatment(4)) * treated", data=df).fit()
    for row in out.itertuples():
        m = row.period.month
        key = f"C(month, Treatment(4))[T.{m}]:treated"
        expected = 0.0 if m == 4 else fit.params[key]
        assert row.relative == pytest.approx(expected, abs=1e-9)


def test_pre_trend_matches_ols():
    units = _random_panel(7, n_months=10)
    change = pd.Timestamp("2026-07-01", tz="UTC")
    diffs = monthly_differences(units, value="value", time="time", group="manager",
                                treated="Boris")  # fmt: skip
    out = pre_trend(diffs, change_date=change)
    d = diffs["difference"].to_numpy()
    x = np.arange(10.0)
    after = (x >= 6).astype(float)
    # before: a + b x; after: its own mean -> columns [1, x * before, after]
    design = np.column_stack([np.ones(10), x * (1 - after), after])
    fit = sm.OLS(d, design).fit()
    assert out["slope"] == pytest.approx(fit.params[1])
    lo, hi = fit.conf_int()[1]
    assert (out["slope_low"], out["slope_high"]) == pytest.approx((lo, hi))
    # vs trend: mean after - (a + b * mean month after) = c - b * 7.5
    tt = fit.t_test(np.array([[0.0, -7.5, 1.0]]))
    assert out["vs_trend"] == pytest.approx(float(tt.effect[0]))
    assert (out["vs_trend_low"], out["vs_trend_high"]) == pytest.approx(tuple(tt.conf_int()[0]))
    # vs last: mean after minus the last before month's difference
    assert out["vs_last"] == pytest.approx(d[6:].mean() - d[5])
    assert out["plain"] == pytest.approx(d[6:].mean() - d[:6].mean())


# ---- the pre-trend rule on hand-made series ------------------------------------------------


def _trend_case(before: list[float]) -> tuple[str, str]:
    """Manager's monthly share before (then 0.15 x4 after); colleagues flat at 0.20."""
    noise = [0.01, -0.01, 0.0, 0.01, -0.01, 0.0]
    months = pd.date_range("2025-11-01", periods=10, freq="MS", tz="UTC")
    mine = [[v] for v in before] + [[0.15 + e] for e in noise[:4]]
    data = {"A": mine, **{c: [[0.20 + e] for e in noise * 2][:10] for c in ("B", "C", "D")}}
    diffs = monthly_differences(_panel(data, months), value="value", time="time",
                                group="manager", treated="A")  # fmt: skip
    change_date = months[6]
    trend = pre_trend(diffs, change_date=change_date)
    did = monthly_diff_in_diff(diffs, change_date=change_date)["did"]
    return pre_trend_wording(trend, change=did, what="overdue share", unit="%", scale=100)


def test_flat_before_gives_no_caveat():
    status, text = _trend_case([0.45, 0.44, 0.46, 0.44, 0.45, 0.45])
    assert status == "flat"
    assert text.startswith("Before the KPI the overdue share held its course")
    assert "Against that trend" not in text


def test_falling_before_gives_the_caveat_and_both_estimates():
    status, text = _trend_case([0.57, 0.52, 0.48, 0.44, 0.39, 0.35])
    assert status == "same"
    assert "was already falling before the KPI" in text
    assert "Against that trend the change is" in text
    assert "against the level just before the KPI (April 2026)" in text
    assert "overstates" in text


def test_rising_before_gives_the_caveat_the_other_way():
    status, text = _trend_case([0.25, 0.28, 0.31, 0.34, 0.37, 0.40])
    assert status == "opposite"
    assert "was rising before the KPI, against the direction of the change" in text
    assert "Against that trend the change is" in text and "may understate" in text


def test_pre_trend_rule_by_hand():
    assert pre_trend_rule(-0.30, -0.001, -0.01, 0.008, -0.005) == "flat"
    assert pre_trend_rule(-0.30, -0.02, -0.05, 0.01, -0.10) == "same"  # drift 1/3 of change
    assert pre_trend_rule(-0.30, 0.004, 0.001, 0.007, 0.02) == "opposite"  # CI excludes 0
    assert pre_trend_rule(-0.30, np.nan, np.nan, np.nan, np.nan) == "unknown"


def test_conclusion_with_pre_trend_does_not_call_the_change_real():
    ba = pd.DataFrame({"mean": [0.44, 0.15], "change": [np.nan, -0.29],
                       "change_low": [np.nan, -0.37], "change_high": [np.nan, -0.21],
                       "mde": [np.nan, 0.08]})  # fmt: skip
    trend = {"slope": -0.038, "slope_low": -0.054, "slope_high": -0.021, "drift": -0.19,
             "months_before": 6, "vs_trend": -0.067, "vs_trend_low": -0.175,
             "vs_trend_high": 0.041, "vs_last": -0.17, "vs_last_low": -0.25,
             "vs_last_high": -0.10, "last_before": pd.Timestamp("2026-04-01")}  # fmt: skip
    text = conclusion_text(ba, manager="Anna", what="overdue share", unit="%", scale=100,
                           trend=trend)  # fmt: skip
    assert "real improvement" not in text
    assert "Against that trend the change is -6.7 points (95% CI -17.5 to 4.1)" in text
    assert "against the level just before the KPI (April 2026) it is -17.0 points" in text
    flat = dict(trend, slope=0.0, slope_low=-0.01, slope_high=0.01, drift=0.0)
    text = conclusion_text(ba, manager="Anna", what="overdue share", unit="%", scale=100,
                           trend=flat)  # fmt: skip
    assert "so this is a real improvement, not noise" in text


# ---- placebos --------------------------------------------------------------------------------


def test_placebo_dates_p_value_by_hand():
    # colleagues flat at 10 (change 0). Boris by month: 30 12 11 13 10 | 4 (KPI at month 5).
    # Windows of 2 months before and 1 after. Real: (10 + 13) / 2 = 11.5 -> 4: DiD -7.5.
    # Placebos that fit before the KPI: month 2: 21 -> 11 (-10, as large), month 3: 11.5 -> 13
    # (1.5), month 4: 12 -> 10 (-2). k = 1 of N = 3: p = (1 + 1) / (1 + 3) = 0.5.
    boris = [[30], [12], [11], [13], [10], [4]]
    flat = [[10]] * 6
    units = _panel({"Boris": boris, "Carl": flat, "Dina": flat})
    result = placebo_test(units, value="value", time="time", group="manager", treated="Boris",
                          change_date=MONTHS[5], before_months=2, after_months=1)  # fmt: skip
    assert list(result.table["did"]) == [-7.5, -10.0, 1.5, -2.0]
    assert list(result.table["change_date"].iloc[1:]) == list(MONTHS[2:5])
    assert (result.n_placebo, result.as_extreme) == (3, 1)
    assert result.p_value == 0.5 and result.smallest_p == 0.25
    # real windows of the data's length (5 before, 1 after): no placebo fits, no p-value
    none = placebo_test(units, value="value", time="time", group="manager", treated="Boris",
                        change_date=MONTHS[5])  # fmt: skip
    assert none.n_placebo == 0 and np.isnan(none.p_value)


def test_colleague_placebo_rank_by_hand():
    # one month before, one after. Boris 10 -> 4, Carl 10 -> 10, Dina 10 -> 20, Emil 10 -> 10.
    # Real: colleagues 10 -> 13.33: DiD = -6 - 3.33 = -9.33. Carl vs Dina+Emil: 0 - 5 = -5;
    # Dina vs Carl+Emil: 10 - 0 = 10 (as large); Emil: -5. k = 1, N = 3: p = 0.5, rank 2.
    units = _panel({"Boris": [[10], [4]], "Carl": [[10], [10]], "Dina": [[10], [20]],
                    "Emil": [[10], [10]]})  # fmt: skip
    result = colleague_placebo(units, value="value", time="time", group="manager",
                               treated="Boris", controls=["Carl", "Dina", "Emil"],
                               change_date=MONTHS[1])  # fmt: skip
    assert list(result.table["did"]) == pytest.approx([-6 - 10 / 3, -5.0, 10.0, -5.0])
    assert list(result.table["manager"]) == ["Boris", "colleague 1", "colleague 2",
                                             "colleague 3"]  # fmt: skip
    assert (result.n_placebo, result.as_extreme, result.p_value) == (3, 1, 0.5)


# ---- power -----------------------------------------------------------------------------------


def test_newcombe_bounds_match_statsmodels():
    low, high = newcombe_bounds(4, 110, 25, 397)
    ref = confint_proportions_2indep(25, 397, 4, 110, method="newcomb", compare="diff")
    assert (float(low), float(high)) == pytest.approx(ref, abs=1e-12)


def test_arcsine_detectable_change_matches_statsmodels_power():
    n1, n2, p = 110, 397, 4 / 110
    rise = detectable_change(n1, n2, p, direction="rise", method="arcsine")
    fall = detectable_change(n1, n2, p, direction="fall", method="arcsine")
    h = NormalIndPower().solve_power(nobs1=n1, ratio=n2 / n1, alpha=0.05, power=0.8)
    assert 2 * np.arcsin(np.sqrt(p + rise)) - 2 * np.arcsin(np.sqrt(p)) == pytest.approx(
        h, rel=1e-5
    )
    assert 2 * np.arcsin(np.sqrt(p)) - 2 * np.arcsin(np.sqrt(p - fall)) == pytest.approx(
        h, rel=1e-5
    )
    assert rise > fall  # near 0 a rise needs a larger step


def test_exact_power_of_the_guardrail_rise():
    # the audit's example: 4/110 before, 397 after; an independent brute force with scipy
    n1, n2, p1 = 110, 397, 4 / 110
    x1, x2 = np.arange(n1 + 1), np.arange(n2 + 1)
    low, _ = confint_proportions_2indep(x2[None, :], n2, x1[:, None], n1, method="newcomb")
    w = sps.binom.pmf(x1, n1, p1)[:, None] * sps.binom.pmf(x2, n2, p1 + 0.057)[None, :]
    brute = float(np.sum(w * (np.asarray(low) > 0)))
    assert power_two_proportions(p1, p1 + 0.057, n1, n2, direction="rise") == pytest.approx(
        brute, abs=1e-6
    )
    assert brute == pytest.approx(0.50, abs=0.01)
    rise = detectable_change(n1, n2, p1, direction="rise")
    assert rise == pytest.approx(0.083, abs=0.001)
    assert power_two_proportions(p1, p1 + rise, n1, n2, direction="rise") >= 0.8


# ---- many cases ------------------------------------------------------------------------------


def test_benjamini_hochberg_matches_statsmodels():
    p = np.array([0.001, 0.04, 0.03, 0.2, np.nan, 0.012, 0.9])
    adjusted, rejected = benjamini_hochberg(p, q=0.05)
    ok = ~np.isnan(p)
    ref_reject, ref_adj, _, _ = multipletests(p[ok], alpha=0.05, method="fdr_bh")
    assert adjusted[ok] == pytest.approx(ref_adj)
    assert list(rejected[ok]) == list(ref_reject)
    assert np.isnan(adjusted[4]) and not rejected[4]


# ---- robustness ------------------------------------------------------------------------------


def test_sub_microsecond_timestamps_are_accepted():
    times = pd.to_datetime(
        ["2026-01-01 10:00:00.123456789", "2026-02-03 00:00:00.000000000",
         "2026-03-31 23:59:59.999999999", "2026-04-01 00:00:00.000000001"], utc=True,
    )  # fmt: skip
    units = pd.DataFrame({"time": times, "value": [1.0, 0.0, 1.0, 1.0]})
    for fn, kw in ((before_after, {"n_boot": 100}), (rate_before_after, {})):
        out = fn(units, value="value", time="time", change_dates="2026-04-01", **kw).table
        assert list(out["n"]) == [3, 1]  # 23:59:59.999999999 is still before


def test_correlation_needs_eight_managers():
    rng = np.random.default_rng(0)
    panel = pd.DataFrame({"manager": np.repeat([f"m{i}" for i in range(7)], 6),
                          "tasks_completed": rng.normal(size=42),
                          "won": rng.normal(size=42)})  # fmt: skip
    out = tasks_results_correlation(panel, n_boot=200).iloc[0]
    assert np.isnan(out["ci_low"]) and out["verdict"].startswith(
        "too few managers for a confidence interval (7 < 8)"
    )


def test_placebo_wording_stands_out_only_when_the_p_value_allows():
    from workbench.cases.text import placebo_wording
    from workbench.stats import Placebo

    table = pd.DataFrame({"kind": ["real"], "did": [-1.0], "months_before": [6],
                          "months_after": [6]})  # fmt: skip

    def words(n: int, k: int) -> str:
        p = Placebo(table, n, k, (1 + k) / (1 + n), 1 / (1 + n), k / n, {})
        return " ".join(placebo_wording(p, None, manager="A"))

    assert "it stands out" in words(9, 0)  # p = 0.10
    assert "it does not stand out" in words(9, 1)  # p = 0.20
    assert "too few to tell" in words(7, 0)  # p = 0.125 is the best there is
