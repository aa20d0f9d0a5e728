"""Case studies: units match the metrics, hand-worked building blocks, wording follows numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench import task_metrics
from workbench.cases.study import (
    call_length_case,
    conclusion_text,
    connected_call_units,
    count_change,
    due_task_units,
    guardrail_change,
    overdue_case,
    parse_change_dates,
    rate_test,
    untreated_colleagues,
    whole_periods,
)
from workbench.catalogue import definitions
from workbench.stats import Placebo

UTC = "UTC"


def _ts(values) -> pd.Series:
    return pd.Series(pd.to_datetime(values, utc=True), dtype="datetime64[us, UTC]")


# --------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------


@pytest.fixture
def tiny_tasks() -> pd.DataFrame:
    """Ten tasks of one manager, as_of 2026-02-01 (comments say what each one tests)."""
    rows = [
        # id, created, due, original_due, completed, status
        ("t1", "2026-01-01", "2026-01-10", "2026-01-10", "2026-01-09", "completed"),  # on time
        ("t2", "2026-01-01", "2026-01-10", "2026-01-10", "2026-01-11", "completed"),  # late
        ("t3", "2026-01-01", "2026-01-10", "2026-01-10", None, "open"),  # still open: overdue
        ("t4", "2026-01-01", "2026-01-10", "2026-01-10", None, "cancelled"),  # excluded
        ("t5", "2026-01-01", None, None, None, "open"),  # no deadline: excluded
        ("t6", "2026-01-01", "2026-02-15", "2026-02-15", None, "open"),  # not due by as_of
        ("t7", "2026-01-01", "2026-01-20", "2026-01-05", "2026-01-15", "completed"),  # moved: late
        ("t8", "2026-01-01", "2026-01-12", "2026-01-12", "2026-01-12", "completed"),  # at deadline
        ("t9", "2026-01-01", "2026-01-25", "2026-01-25", "2026-02-03", "completed"),  # after as_of
        ("t10", "2026-01-01", "2026-01-28", None, "2026-01-27", "completed"),  # original = due
    ]
    ids, created, due, orig, done, status = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "task_id": pd.array(ids, dtype="str"),
            "manager": pd.array(["A"] * len(rows), dtype="str"),
            "created_at": _ts(created),
            "due_at": _ts(due),
            "original_due_at": _ts(orig),
            "completed_at": _ts(done),
            "status": pd.array(status, dtype="str"),
        }
    )


def test_due_task_units_by_hand(tiny_tasks):
    result = due_task_units(tiny_tasks, as_of="2026-02-01", tz=UTC)
    units = result.table
    # due by as_of, not cancelled: t1 t2 t3 t7 t8 t9 t10; overdue: t2 t3 t7 t9 (done after as_of)
    assert units["task_id"].tolist() == ["t1", "t2", "t3", "t7", "t8", "t9", "t10"]
    assert units["overdue"].tolist() == [0, 1, 1, 1, 0, 1, 0]
    assert result.excluded == {
        "not_created_by_as_of": 0,
        "cancelled": 1,
        "no_deadline": 1,
        "not_due_by_as_of": 1,
    }
    # the anchor is the original deadline (t7: 2026-01-05, not the moved 2026-01-20)
    assert units.loc[3, "original_due_at"] == pd.Timestamp("2026-01-05", tz=UTC)
    # same as the metric: January delinquency = 4 / 7
    jan = task_metrics(tiny_tasks, as_of="2026-02-01", tz=UTC).iloc[0]
    assert jan["delinquency_rate"] == pytest.approx(4 / 7)
    assert units["overdue"].mean() == pytest.approx(4 / 7)


def test_due_task_units_missing_column_names_table():
    with pytest.raises(ValueError, match=r"tasks table: missing column\(s\) \['status'\]"):
        due_task_units(pd.DataFrame({"task_id": [], "manager": [], "created_at": []}))


def test_due_task_units_monthly_means_equal_task_metrics_on_sample(sample):
    result = due_task_units(sample.tasks, tz=UTC)
    units = result.table
    # every task is a unit or excluded for one reason
    assert len(units) + sum(result.excluded.values()) == len(sample.tasks)
    month = units["original_due_at"].dt.tz_localize(None).dt.to_period("M").dt.start_time
    got = units.groupby([units["manager"], month.rename("m")])["overdue"].agg(["sum", "count"])
    metrics = task_metrics(sample.tasks, tz=UTC)
    metrics = metrics.loc[metrics["tasks_due"] > 0]
    keys = pd.MultiIndex.from_arrays(
        [metrics["manager"], metrics["period"].dt.tz_localize(None).rename("m")]
    )
    want = pd.DataFrame(
        {"sum": metrics["tasks_overdue"].to_numpy(), "count": metrics["tasks_due"].to_numpy()},
        index=keys,
    )
    assert len(got) == len(want)
    pd.testing.assert_frame_equal(got.sort_index(), want.sort_index(), check_dtype=False)
    rate = (got["sum"] / got["count"]).sort_index().to_numpy()
    np.testing.assert_array_equal(rate, metrics.set_index(keys)["delinquency_rate"].sort_index())


def test_connected_call_units_by_hand():
    calls = pd.DataFrame(
        {
            "call_id": pd.array(["1", "2", "3", "4"], dtype="str"),
            "manager": pd.array(["A"] * 4, dtype="str"),
            "started_at": _ts(["2026-01-05 10:00"] * 4),
            "duration_s": [90.0, 0.0, 0.0, np.nan],
            "answered": [True, True, False, True],
        }
    )
    result = connected_call_units(calls)
    units = result.table
    # only call 1 is answered and longer than 0 s: 90 s = 1.5 min
    assert units["call_id"].tolist() == ["1"]
    assert units["talk_min"].tolist() == [1.5]
    assert result.excluded == {"missing_duration": 1, "not_connected": 2}


def test_parse_change_dates():
    got = parse_change_dates("2026-07-01, 2026-04-01", tz="Europe/Moscow")
    assert list(got) == [
        pd.Timestamp("2026-04-01", tz="Europe/Moscow"),
        pd.Timestamp("2026-07-01", tz="Europe/Moscow"),
    ]
    with pytest.raises(ValueError, match="at least one ISO date"):
        parse_change_dates(" , ")


# --------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------


def _panel(values: dict[str, list[float]], start="2026-01-01") -> pd.DataFrame:
    periods = pd.date_range(start, periods=len(next(iter(values.values()))), freq="MS", tz=UTC)
    return pd.DataFrame({"manager": pd.array(["A"] * len(periods), dtype="str"),
                         "period": periods, **values})  # fmt: skip


def test_count_change_by_hand():
    panel = _panel({"tasks_completed": [10, 10, 99, 30, 30]})
    # dates Mar and Apr: before Jan-Feb (20 in 2 months); KPI in force Mar-May (159 in 3);
    # last step Apr-May (60 in 2)
    out = count_change(
        panel, manager="A", column="tasks_completed", change_dates="2026-03-01,2026-04-01"
    )
    assert out["window"].tolist() == ["KPI in force", "last step"]
    force, last = out.iloc[0], out.iloc[1]
    assert (force["after_total"], force["after_periods"], force["after_per_period"]) == (159, 3, 53)
    assert (last["before_total"], last["after_total"]) == (20, 60)
    assert (last["before_per_period"], last["after_per_period"], last["ratio"]) == (10, 30, 3)
    # Poisson: exp(+-1.959964 * sqrt(1/20 + 1/60)) = exp(+-0.506061) = 1.658744
    assert last["ratio_low"] == pytest.approx(3 / 1.658744, rel=1e-5)
    assert last["ratio_high"] == pytest.approx(3 * 1.658744, rel=1e-5)
    assert bool(last["significant"]) and (out["partial_periods"] == 0).all()
    # one date: one row, "KPI in force"
    one = count_change(panel, manager="A", column="tasks_completed", change_dates="2026-04-01")
    assert one["window"].tolist() == ["KPI in force"]
    with pytest.raises(KeyError, match="'B'"):
        count_change(panel, manager="B", column="tasks_completed", change_dates="2026-03-01")


def test_count_change_uses_whole_months_only():
    panel = _panel({"tasks_completed": [5, 10, 10, 30, 30, 12]})  # Jan..Jun
    # the data run from 10 Jan to 15 Jun: January and June are partial, left out;
    # before Feb-Mar 20 / 2 = 10, in force Apr-May 60 / 2 = 30 (not 72 / 3 = 24)
    out = count_change(
        panel, manager="A", column="tasks_completed", change_dates="2026-04-01",
        data_start=pd.Timestamp("2026-01-10", tz=UTC), data_end=pd.Timestamp("2026-06-15", tz=UTC),
    ).iloc[0]  # fmt: skip
    assert (out["before_periods"], out["before_per_period"]) == (2, 10)
    assert (out["after_periods"], out["after_per_period"]) == (2, 30)
    assert out["partial_periods"] == 2
    # a month ending exactly at data_end is whole (end exclusive): Jan..Jun all whole
    whole = whole_periods(panel["period"], data_start=pd.Timestamp("2026-01-01", tz=UTC),
                          data_end=pd.Timestamp("2026-07-01", tz=UTC))  # fmt: skip
    assert whole.tolist() == [True] * 6
    weeks = pd.Series(pd.date_range("2026-03-02", periods=3, freq="7D", tz=UTC))
    # weeks Mar 2, 9, 16 (Mondays); data to Mar 21: the week of 16 ends Mar 23 -> partial
    got = whole_periods(weeks, data_end=pd.Timestamp("2026-03-21", tz=UTC), period="week")
    assert got.tolist() == [True, True, False]


def _targets(rows) -> pd.DataFrame:
    manager, metric, start, end = zip(*rows, strict=True)
    return pd.DataFrame({
        "manager": pd.array(manager, dtype="str"), "metric": pd.array(metric, dtype="str"),
        "target": [0.2] * len(rows), "direction": pd.array(["at_most"] * len(rows), dtype="str"),
        "effective_from": _ts(list(start)), "effective_to": _ts(list(end)),
    })  # fmt: skip


def test_untreated_colleagues_by_hand():
    kw = dict(metric="delinquency_rate", manager="A", managers=["A", "B", "C", "D", "E"],
              start=pd.Timestamp("2026-05-01", tz=UTC),
              end=pd.Timestamp("2026-10-31", tz=UTC))  # fmt: skip
    targets = _targets([
        ("A", "delinquency_rate", "2026-05-01", None),  # the treated manager
        ("B", "delinquency_rate", "2026-01-01", "2026-05-01"),  # ended as the window starts
        ("C", "delinquency_rate", "2026-10-01", None),  # starts inside the window: treated
        ("D", "talk_mean_min", "2026-01-01", None),  # another metric: untreated
        ("E", "delinquency_rate", "2026-11-01", None),  # after the data end: untreated
    ])  # fmt: skip
    assert untreated_colleagues(targets, **kw) == ["B", "D", "E"]
    # a '*' row in force treats everyone; one that ended before the window does not
    star = _targets([("*", "delinquency_rate", "2026-03-01", None)])
    assert untreated_colleagues(star, **kw) == []
    old_star = _targets([("*", "delinquency_rate", "2026-01-01", "2026-04-01")])
    assert untreated_colleagues(old_star, **kw) == ["B", "C", "D", "E"]
    assert untreated_colleagues(None, **kw) == ["B", "C", "D", "E"]


def test_rate_test_no_change_states_mde():
    r = rate_test(10, 100, 11, 100)
    # MDE = (1.959964 + 0.841621) * sqrt(0.1 * 0.9 * (1/100 + 1/100)) = 2.801585 * 0.042426
    assert r["mde"] == pytest.approx(0.118862, abs=1e-6)
    assert r["text"].startswith("no change detectable (95% CI")
    # per direction (exact power, tested against a brute force in test_honest_inference)
    assert r["mde_rise"] > r["mde_fall"] > 0
    assert r["text"].endswith(
        f"a fall of {100 * r['mde_fall']:.1f} or a rise of {100 * r['mde_rise']:.1f} points "
        "would have been seen with 80% power"
    )
    rise = rate_test(10, 100, 11, 100, direction="rise")
    assert "a fall" not in rise["text"] and "a rise of" in rise["text"]
    # a 0 % baseline has no spread: no MDE sentence rather than "a change of 0.0 points"
    zero = rate_test(0, 50, 0, 60)
    # ... but per direction: no fall below 0 exists, a rise from 0 would have been seen
    assert math.isnan(zero["mde"]) and math.isnan(zero["mde_fall"])
    assert "a fall" not in zero["text"] and "a rise of" in zero["text"]


def test_guardrail_change_by_hand():
    table = _panel({"postponed_tasks": [5, 10, 30], "deadline_tasks": [100, 100, 100]})
    out = guardrail_change(
        table,
        manager="A",
        change_dates="2026-02-01",
        shares={"postponed_share": ("postponed_tasks", "deadline_tasks")},
    ).iloc[0]
    # before Jan: 5 / 100; in force Feb-Mar: 40 / 200 = 0.20
    assert (out["x_before"], out["n_before"], out["x_after"], out["n_after"]) == (5, 100, 40, 200)
    assert (out["before"], out["after"]) == (0.05, 0.20)
    assert bool(out["rose"])


# --------------------------------------------------------------------------------------
# Conclusion wording
# --------------------------------------------------------------------------------------


def _ba(before, after, change, low, high, mde) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "window": ["before", "after"],
            "mean": [before, after],
            "change": [np.nan, change],
            "change_low": [np.nan, low],
            "change_high": [np.nan, high],
            "mde": [np.nan, mde],
        }
    )


RATE = dict(manager="A", what="overdue share", unit="%", scale=100.0)


def test_conclusion_significant_improvement():
    text = conclusion_text(_ba(0.44, 0.15, -0.29, -0.37, -0.21, 0.05), **RATE)
    assert text.startswith("Overdue share of A fell from 44% to 15%")
    assert "changed by -29.0 points (95% CI -37.0 to -21.0)" in text
    assert "real improvement" in text and "worsening" not in text


def test_conclusion_significant_worsening():
    text = conclusion_text(_ba(0.15, 0.30, 0.15, 0.05, 0.25, 0.05), **RATE)
    assert "rose from 15% to 30%" in text and "real worsening" in text
    assert "improvement" not in text
    # at_least metric: the same rise is an improvement
    up = conclusion_text(_ba(0.15, 0.30, 0.15, 0.05, 0.25, 0.05), **RATE, lower_is_better=False)
    assert "real improvement" in up


def test_conclusion_no_detectable_change_gives_mde():
    text = conclusion_text(_ba(0.20, 0.22, 0.02, -0.03, 0.07, 0.06), **RATE)
    assert "no change detectable (95% CI -3.0 to 7.0 points)" in text
    assert "a change of 6.0 points would have been seen" in text
    assert "the data do not show an effect" in text
    assert "improvement" not in text and "worsening" not in text and "fell" not in text


def test_conclusion_minutes_peers_placebo_guardrails():
    peers = pd.DataFrame({"did": [-1.0], "did_low": [-3.0], "did_high": [1.0],
                          "control_change": [-8.0]})  # fmt: skip
    guard = pd.DataFrame(
        {"guardrail": ["short_call_share"], "before": [0.05], "after": [0.12], "rose": [True]}
    )
    text = conclusion_text(
        _ba(32.0, 23.0, -9.0, -11.5, -6.5, 3.5),
        manager="B",
        what="mean call length",
        unit="min",
        peers=peers,
        placebo=Placebo(table=pd.DataFrame({"kind": ["real"], "did": [-1.0],
                                            "months_before": [5], "months_after": [4]}),
                        n_placebo=8, as_extreme=4, p_value=5 / 9, smallest_p=1 / 9,
                        share_as_extreme=0.5, set_aside={}),
        guardrails=guard,
    )  # fmt: skip
    assert "fell from 32 min to 23 min" in text
    # colleagues fell by 8 too: net -1 min, CI includes zero
    assert "Colleagues moved by -8.0 min" in text and "cannot be told apart" in text
    assert "At 4 of 8 placebo dates" in text and "p = 0.56" in text
    # 8 dates: even rank 1 gives p = 1/9 > 0.1, so no verdict either way
    assert "smallest possible with 8 dates is 0.11" in text and "too few to tell" in text
    assert "Watch for gaming: short calls rose from 5% to 12%" in text


def test_conclusion_without_untreated_colleagues_makes_no_comparison():
    peers = pd.DataFrame({"did": [-0.21], "did_low": [-0.3], "did_high": [-0.12],
                          "control_change": [-0.08]})  # fmt: skip
    ba = _ba(0.44, 0.15, -0.29, -0.37, -0.21, 0.05)
    placebo = Placebo(table=pd.DataFrame({"kind": ["real"], "did": [-0.2],
                                          "months_before": [6], "months_after": [6]}),
                      n_placebo=8, as_extreme=0, p_value=1 / 9, smallest_p=1 / 9,
                      share_as_extreme=0.0, set_aside={})  # fmt: skip
    none = conclusion_text(ba, **RATE, peers=peers, placebo=placebo, n_controls=0)
    assert "Every colleague had a KPI on the overdue share too" in none
    assert "cannot be told apart from what moved everyone" in none
    # neither the (given) DiD nor the placebo is used without a control group
    assert "not what moved everyone" not in none and "placebo" not in none
    two = conclusion_text(ba, **RATE, peers=peers, n_controls=2)
    assert "Only 2 colleagues had no KPI on the overdue share" in two
    assert "at least 3" in two and "net of that" not in two
    five = conclusion_text(ba, **RATE, peers=peers, n_controls=5)
    # control -0.08 = -8.0 points; net -0.21 = -21.0 points (95% CI -30.0 to -12.0)
    assert "The 5 colleagues without this KPI moved by -8.0 points" in five
    assert "net of that the change is -21.0 points (95% CI -30.0 to -12.0, on monthly" in five
    assert "so it is not what moved everyone" in five


def test_conclusion_without_data():
    text = conclusion_text(_ba(0.2, np.nan, np.nan, np.nan, np.nan, np.nan), **RATE)
    assert "not enough data to estimate a change" in text


# --------------------------------------------------------------------------------------
# The sample's Case A and Case B
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def case_a(sample):
    return overdue_case(
        sample.tasks, sample.targets, manager="Anna Petrova", change_dates="2026-05-01",
        n_boot=500, seed=1,
    )  # fmt: skip


@pytest.fixture(scope="module")
def case_b(sample):
    return call_length_case(
        sample.calls, sample.deals, sample.targets, manager="Boris Ivanov",
        change_dates="2026-04-01,2026-07-01", n_boot=500, seed=1,
    )  # fmt: skip


def test_case_a_headline(case_a):
    ba = case_a.before_after
    # the windows hold exactly the metric's due and overdue tasks of those months
    m = case_a.monthly
    assert ba["n"].tolist() == m.groupby("window", sort=False)["n"].sum().tolist()
    assert 0.40 <= ba.loc[0, "mean"] <= 0.48 and 0.12 <= ba.loc[1, "mean"] <= 0.18
    assert ba.loc[1, "change_high"] < 0 and bool(ba.loc[1, "significant"])
    assert case_a.peers.loc[0, "did_high"] < 0
    # unit-level interval kept beside the headline (months as the unit)
    assert ba.loc[1, "unit_change_low"] < ba.loc[1, "change"] < ba.loc[1, "unit_change_high"]
    assert list(ba["months"]) == [6, 6]
    # windows of the real length (6 + 6 months) leave no room for a placebo date
    assert case_a.placebo.n_placebo == 0 and np.isnan(case_a.placebo.p_value)
    assert "No placebo date has room for windows as long as the real ones" in case_a.conclusion
    # the 9 colleagues given the KPI date: p = (1 + k) / 10
    colleagues = case_a.colleague_placebo
    assert colleagues.n_placebo == 9 and colleagues.smallest_p == pytest.approx(0.1)
    assert colleagues.p_value == pytest.approx((1 + colleagues.as_extreme) / 10)
    out = case_a.output.iloc[0]  # completed tasks per month tripled
    assert out["window"] == "KPI in force" and len(case_a.output) == 1
    assert 2.6 <= out["ratio"] <= 3.4 and out["ratio_low"] > 2
    assert out["partial_periods"] == 0  # the sample covers whole months
    # Anna's KPI is her own: the 9 colleagues are the control group
    assert case_a.meta["n_controls"] == 9
    assert "The 9 colleagues without this KPI moved by" in case_a.conclusion
    assert case_a.guardrails["guardrail"].tolist() == [
        "postponed_share", "last_minute_share", "empty_description_share"
    ]  # fmt: skip
    assert "fell from 44% to 15%" in case_a.conclusion
    # the sample's Case A was already falling before the KPI: the caveat, not a verdict
    assert "real improvement" not in case_a.conclusion
    assert "was already falling before the KPI" in case_a.conclusion
    assert "Against that trend the change is" in case_a.conclusion
    assert (m.loc[m["window"] == "after", "target"] == 0.2).all()
    assert m.loc[m["window"] == "before", "target"].isna().all()


def test_case_b_headline(case_b):
    ba = case_b.before_after
    assert ba["window"].tolist() == ["before", "step 1", "step 2"]
    assert 30 <= ba.loc[0, "mean"] <= 34 and 21.5 <= ba.loc[2, "mean"] <= 24.5
    assert bool(ba.loc[2, "significant"])
    force, last = case_b.output.iloc[0], case_b.output.iloc[1]
    # leads per month: 115 in Nov-Mar (5); in force Apr-Oct 205 (7); last step Jul-Oct 124 (4)
    assert (force["window"], force["after_total"], force["after_periods"]) == (
        "KPI in force",
        205,
        7,
    )
    assert (last["before_per_period"], last["after_per_period"]) == (23.0, 31.0)
    sales = case_b.sales.set_index("component")
    assert round(100 * sales.loc["sales_volume", "pct_change"], 1) == 15.9
    conv = case_b.conversion.iloc[0]
    assert conv["change_low"] < 0 < conv["change_high"]
    assert conv["text"].startswith("no change detectable")
    assert "would have been seen" in conv["text"]
    # ladder, max_step 0.2 rounded up: 32*0.8 = 25.6 -> 26; 26*0.8 = 20.8 -> 21; 16.8 -> 17
    assert case_b.ladder.table["target"].tolist()[:4] == [32.0, 26.0, 21.0, 17.0]
    assert (case_b.ladder.table["step_size"].dropna() >= -0.2).all()
    assert case_b.ladder.reaches_norm == (case_b.ladder.note == "")
    assert "fell from 32 min to 23 min" in case_b.conclusion
    assert case_b.monthly["target"].dropna().unique().tolist() == [27.0, 22.0]


def test_case_errors(sample):
    with pytest.raises(KeyError, match="Nobody"):
        overdue_case(sample.tasks, manager="Nobody", change_dates="2026-05-01")
    with pytest.raises(ValueError, match="metric must be 'talk_mean_min'"):
        call_length_case(sample.calls, sample.deals, manager="Boris Ivanov",
                         change_dates="2026-04-01", metric="talk_p90_s")  # fmt: skip


def test_before_after_plot(case_b):
    import matplotlib.pyplot as plt

    case_b.manager = "B$ss"  # CRM text must not switch matplotlib to mathtext
    plt.figure()  # ax=None draws on the current axes: not on one an earlier test left open
    try:
        ax = case_b.plot()
    finally:
        case_b.manager = "Boris Ivanov"
    assert "B\\$ss" in ax.get_title(loc="left")
    assert ax.get_ylabel() == "Mean call length (min)"
    labels = ax.get_legend_handles_labels()[1]
    assert labels == [
        "Team median (others)",
        "KPI target",
        "Window mean (95% CI)",
        "B\\$ss, month (95% CI)",
    ]


def test_case_with_no_data_after_the_date_says_so(sample):
    case = overdue_case(
        sample.tasks, sample.targets, manager="Anna Petrova", change_dates="2027-01-01", n_boot=200
    )
    assert case.before_after.loc[1, "n"] == 0
    assert case.conclusion.startswith("Overdue share of Anna Petrova went from 24% to n/a:")
    assert "not enough data to estimate a change" in case.conclusion
    assert "not enough colleagues' data" in case.conclusion
    assert "placebo" not in case.conclusion  # nothing real to compare placebos with
    assert case.before_after["months"].tolist()[1] == 0


def test_case_with_no_data_before_gives_an_empty_ladder(sample):
    case = overdue_case(sample.tasks, manager="Anna Petrova", change_dates="2025-01-01", n_boot=200)
    ladder = case.ladder.table
    assert ladder.empty and list(ladder.columns)[:2] == ["step", "target"]
    assert case.ladder.reaches_norm is False
    assert case.ladder.note == "no ladder: the manager has no data before the first change date"


def test_no_effect_manager_keeps_name_and_claims_nothing(sample):
    case = call_length_case(
        sample.calls, sample.deals, manager="Liam O'Brien", change_dates="2026-04-01", n_boot=500
    )
    text = case.conclusion
    assert text.startswith("Mean call length of Liam O'Brien went from")
    assert "no change detectable" in text and "would have been seen" in text
    assert "improvement" not in text and "worsening" not in text


def test_empty_change_dates_come_from_the_targets(sample):
    b = call_length_case(sample.calls, sample.deals, sample.targets, manager="Boris Ivanov",
                         change_dates="", n_boot=200)  # fmt: skip
    assert list(b.change_dates) == [pd.Timestamp("2026-04-01", tz=UTC),
                                    pd.Timestamp("2026-07-01", tz=UTC)]  # fmt: skip
    # Anna's own delinquency row of 2026-05-01
    a = overdue_case(sample.tasks, sample.targets, manager="Anna Petrova", change_dates="",
                     n_boot=200)  # fmt: skip
    assert list(a.change_dates) == [pd.Timestamp("2026-05-01", tz=UTC)]
    # a manager with no row of his own takes the '*' row's dates
    star = sample.targets.assign(manager=sample.targets["manager"].replace("Anna Petrova", "*"))
    c = overdue_case(sample.tasks, star, manager="Chen Wei", change_dates="", n_boot=200)
    assert list(c.change_dates) == [pd.Timestamp("2026-05-01", tz=UTC)]
    with pytest.raises(ValueError, match="no 'talk_mean_min' row for \"Liam O'Brien\""):
        call_length_case(sample.calls, sample.deals, sample.targets.iloc[:2],
                         manager="Liam O'Brien", change_dates="")  # fmt: skip


def test_a_kpi_for_everyone_leaves_no_control_group(sample):
    # the delinquency KPI as a '*' row: every colleague was treated too, so no DiD, no
    # placebo dates, and the conclusion says so instead of "not what moved everyone"
    star = sample.targets.assign(manager=sample.targets["manager"].replace("Anna Petrova", "*"))
    case = overdue_case(sample.tasks, star, manager="Anna Petrova", change_dates="2026-05-01",
                        n_boot=200)  # fmt: skip
    assert case.meta["n_controls"] == 0
    assert case.peers.empty and case.placebo.table.empty
    assert "did" in case.peers.columns and "as_extreme" in case.placebo.table.columns
    assert np.isnan(case.placebo.share_as_extreme)
    assert "no untreated group to compare with" in case.conclusion
    assert "not what moved everyone" not in case.conclusion
    # no placebo against colleagues; placebo dates before the KPI read her own series
    assert "Given the same KPI date" not in case.conclusion
    assert "(same window lengths" not in case.conclusion
    assert "placebo dates before the KPI" in case.conclusion
    # the before/after itself still stands, read against Anna's own earlier trend
    assert "fell from 44% to 15%" in case.conclusion
    assert "points a month (95% CI" in case.conclusion
    assert "against the colleagues" not in case.conclusion


def test_everything_a_case_shows_is_defined(case_a, case_b):
    names = set(definitions()["name"])
    shown = {case_a.metric, case_b.metric, "kpi_in_force"}
    for case in (case_a, case_b):
        shown |= set(case.output["measure"]) | set(case.guardrails["guardrail"])
    shown |= set(case_b.sales["component"])  # leads, close_rate, win_rate, volume_per_won, ...
    shown |= {"log_share", "contribution_pp", "conversion"}  # columns / test of the sales cell
    missing = sorted(shown - names)
    assert not missing, f"shown in a case notebook without a definition: {missing}"


def test_a_data_end_mid_month_leaves_the_partial_month_out(sample):
    # as_of 15 Oct: October is not covered whole, so the per-month output compares
    # Nov-Apr (6 months) with May-Sep (5 months) and counts October as left out
    case = overdue_case(sample.tasks, sample.targets, manager="Anna Petrova",
                        change_dates="2026-05-01", as_of="2026-10-15", n_boot=200)  # fmt: skip
    out = case.output.iloc[0]
    assert (out["before_periods"], out["after_periods"], out["partial_periods"]) == (6, 5, 1)
    done = sample.tasks.loc[
        (sample.tasks["manager"] == "Anna Petrova") & (sample.tasks["status"] != "cancelled"),
        "completed_at",
    ]
    may_sep = done.between(pd.Timestamp("2026-05-01", tz=UTC), pd.Timestamp("2026-10-01", tz=UTC),
                           inclusive="left").sum()  # fmt: skip
    assert out["after_total"] == may_sep and out["after_per_period"] == may_sep / 5


# --------------------------------------------------------------------------------------
# The conclusion as data: verdict, cost or gain, next step (hand-made cases)
# --------------------------------------------------------------------------------------


def _hand_case(**over):
    """A case as :func:`case_summary` reads it, every figure written out by hand: the
    overdue share fell from 44% to 15%; net of 5 colleagues by -20 points (-30 to -10)."""
    from types import SimpleNamespace

    ba = pd.DataFrame({"window": ["before", "after"], "mean": [0.44, 0.15],
                       "change": [np.nan, -0.29], "change_low": [np.nan, -0.37],
                       "change_high": [np.nan, -0.21], "p_value": [np.nan, 0.002],
                       "mde": [np.nan, 0.06]})  # fmt: skip
    peers = pd.DataFrame({"did": [-0.20], "did_low": [-0.30], "did_high": [-0.10],
                          "p_value": [0.004], "control_change": [-0.09]})  # fmt: skip
    guard = pd.DataFrame({"guardrail": ["postponed_share"], "before": [0.1], "after": [0.1],
                          "rose": [False], "mde_rise": [0.05]})  # fmt: skip
    ladder = SimpleNamespace(
        table=pd.DataFrame({"step": [0, 1, 2], "target": [0.44, 0.37, 0.12]}), note=""
    )
    fields = dict(
        manager="Anna", metric="delinquency_rate", pooled=False,
        change_dates=pd.DatetimeIndex([pd.Timestamp("2026-05-01", tz=UTC)]),
        meta={"what": "overdue share", "unit": "%", "scale": 100.0, "lower": True,
              "n_controls": 5},
        before_after=ba, peers=peers, guardrails=guard, ladder=ladder, trend={},
        parts={"trend_status": "flat", "pre_placebo_effect": False, "effect": ["E."]},
        output=pd.DataFrame(), sales=None, conversion=None,
    )  # fmt: skip
    fields.update(over)
    return SimpleNamespace(**fields)


def _sales(volume_ratio: float) -> pd.DataFrame:
    return pd.DataFrame({"component": ["sales_volume", "volume_per_won"],
                         "before": [10000.0, 4000.0],
                         "after": [10000.0 * volume_ratio, 4000.0 * volume_ratio],
                         "ratio": [volume_ratio, volume_ratio]})  # fmt: skip


def test_verdict_uses_the_net_change_and_the_caveats():
    from workbench.cases.summary import case_summary

    s = case_summary(_hand_case())
    assert (s.verdict, s.basis, s.effect, s.p_value) == ("improvement", "did", -0.20, 0.004)
    assert s.effect_text == "-20.0 points (95% CI -30.0 to -10.0)"
    assert s.headline == ("Improved: the overdue share of Anna changed by -20.0 points (95% CI "
                          "-30.0 to -10.0), net of the colleagues without the KPI.")  # fmt: skip
    # next rung: the first rung below the current 15% (the ladder's 12%)
    assert s.next_steps == ["Keep the target. The overdue share of Anna is now 15%; the next "
                            "rung of the ladder toward the colleagues' level is 12%."]  # fmt: skip
    trend = {"trend_status": "same", "pre_placebo_effect": False}
    last = {"last_before": pd.Timestamp("2026-04-01", tz=UTC)}
    s = case_summary(_hand_case(parts=trend, trend=last))
    assert s.verdict == "doubtful"
    assert s.next_steps[0].startswith("Do not credit the KPI with the whole change: the overdue "
                                      "share was already moving")  # fmt: skip
    assert "in the months up to April 2026" in s.next_steps[0]
    swings = {"trend_status": "flat", "pre_placebo_effect": True}
    assert case_summary(_hand_case(parts=swings)).verdict == "doubtful"
    wider = pd.DataFrame({"did": [-0.05], "did_low": [-0.15], "did_high": [0.05],
                          "p_value": [0.3], "control_change": [-0.2]})  # fmt: skip
    s = case_summary(_hand_case(peers=wider))
    assert s.verdict == "no_change"
    assert s.next_steps[0].startswith("No effect is visible yet (a change of 6.0 points would")
    worse = wider.assign(did=[0.2], did_low=[0.1], did_high=[0.3])
    assert case_summary(_hand_case(peers=worse)).verdict == "worsening"
    # fewer than 3 untreated colleagues: the plain before/after change is the headline
    s = case_summary(_hand_case(meta={**_hand_case().meta, "n_controls": 2}))
    assert (s.basis, s.effect, s.p_value) == ("plain", -0.29, 0.002)
    none = _hand_case(peers=pd.DataFrame(), meta={**_hand_case().meta, "n_controls": 0},
                      before_after=_hand_case().before_after.assign(change=np.nan))  # fmt: skip
    assert case_summary(none).verdict == "no_data"


def test_costs_and_the_order_of_next_steps():
    from workbench.cases.summary import case_summary

    # value per won deal x0.73: a cost (at least a tenth); sales x0.73 too
    s = case_summary(_hand_case(sales=_sales(0.73)))
    assert s.costs == ["sales_volume", "volume_per_won"]
    assert "Value per won deal fell 27%: 4,000 before, 2,920 after." in s.results
    assert "Sales per month: 10,000 before, 7,300 after (-27%)." in s.results
    assert s.next_steps == ["Weigh the gain against its cost: sales per month fell; the value "
                            "per won deal fell. Go through recent won deals with the manager "
                            "before tightening the target further."]  # fmt: skip
    # x0.95 is within a tenth: no cost, "held"
    s = case_summary(_hand_case(sales=_sales(0.95)))
    assert (
        s.costs == [] and "Value per won deal held (-5%): 4,000 before, 3,800 after." in s.results
    )
    # a guardrail that rose comes first, then the cost; at most two steps
    rose = _hand_case().guardrails.assign(rose=[True], after=[0.2])
    s = case_summary(_hand_case(sales=_sales(0.73), guardrails=rose))
    assert len(s.next_steps) == 2
    assert s.next_steps[0].startswith("Look at the deadlines moved later with the manager")
    assert s.next_steps[1].startswith("Weigh the gain against its cost")
    # conversion whose interval lies below zero, output whose ratio's interval is below 1
    conv = pd.DataFrame({"before": [0.3], "after": [0.2], "change_high": [-0.01],
                         "text": ["changed by -10.0 points (95% CI -19.0 to -1.0)"]})  # fmt: skip
    out = pd.DataFrame({"measure": ["tasks_completed"], "window": ["KPI in force"],
                        "before_per_period": [30.0], "after_per_period": [20.0],
                        "ratio": [2 / 3], "ratio_low": [0.5], "ratio_high": [0.9]})  # fmt: skip
    s = case_summary(_hand_case(conversion=conv, output=out))
    assert s.costs == ["output", "conversion"]
    assert s.results[0] == ("Completed tasks per month: 30.0 before, 20.0 while the KPI was in "
                            "force (x0.67, 95% CI 0.50 to 0.90).")  # fmt: skip


def test_a_department_wide_case_says_so_and_suggests_a_staggered_start():
    from workbench.cases.summary import case_summary

    team = _hand_case(manager="*", pooled=True, peers=pd.DataFrame(),
                      meta={**_hand_case().meta, "n_controls": 0})  # fmt: skip
    s = case_summary(team)
    assert s.basis == "plain" and s.pooled
    assert "of the whole team" in s.headline and "with no comparison group" in s.headline
    assert s.next_steps[0].startswith("Next time, give a department-wide target to part of")


def test_placebo_dates_before_the_kpi_by_hand():
    from workbench.cases.tables import pre_kpi_placebo
    from workbench.cases.text import pre_kpi_placebo_wording

    # six months, KPI in June: 5 months before -> windows of 2; dates that fit: March
    # (Jan, Feb | Mar, Apr) and April (Feb, Mar | Apr, May).
    months = pd.date_range("2026-01-01", periods=6, freq="MS", tz=UTC)
    diff = [0.40, 0.30, 0.20, 0.25, 0.10, 0.0]
    diffs = pd.DataFrame({"period": months, "treated": [d + 0.2 for d in diff],
                          "control": [0.2] * 6, "difference": diff})  # fmt: skip
    out = pre_kpi_placebo(diffs, first_date=months[5])
    assert list(out["change_date"]) == [months[2], months[3]]
    assert out["months_before"].tolist() == [2, 2]
    # March: (0.20 + 0.25) / 2 - (0.40 + 0.30) / 2 = -0.125; April: 0.175 - 0.25 = -0.075
    assert out["did"].tolist() == pytest.approx([-0.125, -0.075])
    shows, text = pre_kpi_placebo_wording(out, effect=-0.25, unit="%", scale=100)
    assert shows  # 12.5 of 25 points: half the effect, above a quarter
    assert "the estimate went from -12.5 to -7.5 points" in text
    assert "the largest, -12.5 points (March 2026), is 50% of the estimate" in text
    shows, text = pre_kpi_placebo_wording(out, effect=-1.0, unit="%", scale=100)
    assert not shows and text.endswith("The change at the KPI stands out from them.")
    # fewer than 2 months before: no placebo date
    assert pre_kpi_placebo(diffs.iloc[:2], first_date=months[1]).empty


def test_call_histogram_compares_before_with_the_last_step_only():
    import matplotlib.pyplot as plt

    from workbench.plots.cases import call_length_before_after

    t = [pd.Timestamp(s, tz=UTC) for s in ("2026-01-05", "2026-01-06", "2026-01-07",
                                           "2026-02-05", "2026-03-05", "2026-03-06")]  # fmt: skip
    calls = pd.DataFrame({"started_at": t, "talk_min": [10.0, 12.0, 14.0, 50.0, 6.0, 8.0]})
    dates = pd.DatetimeIndex(["2026-02-01", "2026-03-01"]).tz_localize(UTC)
    _fig, ax = plt.subplots()
    ax = call_length_before_after(calls, change_dates=dates, threshold_min=9.0, ax=ax)
    labels = ax.get_legend_handles_labels()[1]
    # the February call (first step) belongs to neither window
    assert labels == ["Before the KPI (3 calls; median 12.0 min)",
                      "Under the last step (2 calls; median 7.0 min)",
                      "Short: under 9.0 min"]  # fmt: skip
    plt.close(ax.figure)


def test_case_figures_are_readable_on_a_phone(case_b):
    from matplotlib.text import Text

    from workbench.cases.present import FIGURE_WIDTH_IN, before_after_figure, call_histogram

    for fig in (before_after_figure(case_b), call_histogram(case_b)):
        width = fig.get_size_inches()[0]
        assert width == FIGURE_WIDTH_IN
        fig.canvas.draw()
        sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
        assert min(sizes) * 390 / (width * 72) >= 11
