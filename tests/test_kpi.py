"""KPI attainment against hand-made targets: steps, overrides, directions, bad rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.metrics.kpi import kpi_attainment

from helpers import ts

NAT = pd.NaT


def month(m: int) -> pd.Timestamp:
    return ts(f"2026-{m:02d}-01")


@pytest.fixture
def targets() -> pd.DataFrame:
    rows = [
        # everybody: delinquency at most 20% from May
        ("*", "delinquency_rate", 0.20, "at_most", ts("2026-05-01"), NAT),
        # Anna: a personal 15% from mid-June (mid-period step)
        ("Anna", "delinquency_rate", 0.15, "at_most", ts("2026-06-15"), NAT),
        # Boris: talk time 27 then 22 minutes, step exactly on the July boundary
        ("Boris", "talk_mean_min", 27.0, "at_most", ts("2026-04-01"), ts("2026-07-01")),
        ("Boris", "talk_mean_min", 22.0, "at_most", ts("2026-07-01"), NAT),
        # everybody: at least 5 won deals in May and June only (effective_to exclusive)
        ("*", "won", 5.0, "at_least", ts("2026-05-01"), ts("2026-07-01")),
    ]
    cols = ["manager", "metric", "target", "direction", "effective_from", "effective_to"]
    return pd.DataFrame(rows, columns=cols)


@pytest.fixture
def panel() -> pd.DataFrame:
    rows = [
        # manager, period, delinquency_rate, talk_mean_min, won
        ("Anna", month(3), 0.44, 14.0, 3),
        ("Anna", month(4), 0.44, 15.0, 3),
        ("Anna", month(5), 0.18, 15.0, 4),
        ("Anna", month(6), 0.22, 14.0, 6),
        ("Anna", month(7), 0.15, 15.0, 7),
        ("Boris", month(3), 0.10, 32.0, 5),
        ("Boris", month(4), 0.10, 28.0, 5),
        ("Boris", month(5), np.nan, 26.0, 5),
        ("Boris", month(6), 0.10, 27.0, 6),
        ("Boris", month(7), 0.12, 23.0, 6),
    ]
    return pd.DataFrame(
        rows, columns=["manager", "period", "delinquency_rate", "talk_mean_min", "won"]
    )


def _get(out: pd.DataFrame, manager: str, m: int, metric: str) -> pd.Series:
    hit = out.loc[
        (out["manager"] == manager) & (out["period"] == month(m)) & (out["metric"] == metric)
    ]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def test_rows_only_where_a_target_is_in_force(panel, targets):
    out = kpi_attainment(panel, targets)
    assert list(out.columns) == [
        "manager",
        "period",
        "metric",
        "target",
        "direction",
        "actual",
        "met",
        "gap_to_target",
        "target_scope",
        "target_from",
        "target_step_in_period",
    ]
    # delinquency: 2 managers x May-Jul = 6; talk: Boris Apr-Jul = 4; won: 2 x May-Jun = 4
    assert len(out) == 14
    assert out.groupby("metric").size().to_dict() == {
        "delinquency_rate": 6,
        "talk_mean_min": 4,
        "won": 4,
    }
    assert not ((out["period"] < month(5)) & (out["metric"] == "delinquency_rate")).any()


def test_step_on_period_boundary(panel, targets):
    out = kpi_attainment(panel, targets)
    # Apr: 28 vs 27 at_most -> gap 28 - 27 = +1, missed
    apr = _get(out, "Boris", 4, "talk_mean_min")
    assert (apr["target"], apr["gap_to_target"], apr["met"]) == (27.0, 1.0, False)
    # May: 26 vs 27 -> gap -1, met
    assert _get(out, "Boris", 5, "talk_mean_min")["gap_to_target"] == -1.0
    # Jun: 27 vs 27 -> gap 0, met at equality; the 1 Jul step is the period end, not inside
    jun = _get(out, "Boris", 6, "talk_mean_min")
    assert (jun["target"], jun["met"], jun["target_step_in_period"]) == (27.0, True, False)
    # Jul: the 22-minute step starts exactly at the period start -> 23 - 22 = +1, missed
    jul = _get(out, "Boris", 7, "talk_mean_min")
    assert (jul["target"], jul["gap_to_target"], jul["met"]) == (22.0, 1.0, False)
    assert jul["target_from"] == ts("2026-07-01")


def test_mid_period_step_and_personal_override(panel, targets):
    out = kpi_attainment(panel, targets)
    # May: only the team row -> 0.18 <= 0.20 met, gap 0.18 - 0.20 = -0.02
    may = _get(out, "Anna", 5, "delinquency_rate")
    assert may["target_scope"] == "team"
    assert may["gap_to_target"] == pytest.approx(-0.02)
    assert may["met"]
    # Jun: personal 15% starts on 15 Jun -> June is judged on the team 20% at its start,
    # 0.22 - 0.20 = +0.02 missed, and the step is flagged
    jun = _get(out, "Anna", 6, "delinquency_rate")
    assert (jun["target"], jun["target_scope"], jun["met"]) == (0.20, "team", False)
    assert jun["gap_to_target"] == pytest.approx(0.02)
    assert jun["target_step_in_period"]
    # Jul: the personal row overrides '*': 0.15 vs 0.15 -> gap 0, met
    jul = _get(out, "Anna", 7, "delinquency_rate")
    assert (jul["target"], jul["target_scope"], jul["met"]) == (0.15, "personal", True)
    assert jul["gap_to_target"] == 0.0
    # Boris keeps the team target in July (Anna's row is not his)
    assert _get(out, "Boris", 7, "delinquency_rate")["target"] == 0.20


def test_at_least_and_nan_actual(panel, targets):
    out = kpi_attainment(panel, targets)
    # at_least 5: Anna May 4 -> gap 5 - 4 = +1 missed; Jun 6 -> gap -1 met; Boris May 5 -> 0 met
    assert _get(out, "Anna", 5, "won")["gap_to_target"] == 1.0
    assert not _get(out, "Anna", 5, "won")["met"]
    assert _get(out, "Anna", 6, "won")["met"]
    assert _get(out, "Boris", 5, "won")["gap_to_target"] == 0.0
    assert _get(out, "Boris", 5, "won")["met"]
    # Boris had no task due in May: met is unknown, not False
    nan_row = _get(out, "Boris", 5, "delinquency_rate")
    assert pd.isna(nan_row["met"])
    assert np.isnan(nan_row["gap_to_target"])
    assert (out["met"].dropna() == (out["gap_to_target"].dropna() <= 0)).all()


def test_float_rounding_at_the_target(targets):
    # 0.1 + 0.2 = 0.30000000000000004 in floating point: equal to a 0.3 target for all purposes
    panel = pd.DataFrame({"manager": ["A"], "period": [month(5)], "delinquency_rate": [0.1 + 0.2]})
    t = targets.iloc[:1].assign(target=0.3)
    assert kpi_attainment(panel, t).loc[0, "met"]
    assert not kpi_attainment(panel, t, tol=0.0).loc[0, "met"]


def test_weekly_and_tz(targets):
    # Monday 2026-05-04 in UTC; team target from 2026-05-01 applies. A week starting on a
    # Tuesday is not a week start.
    panel = pd.DataFrame(
        {"manager": ["Anna"], "period": [ts("2026-05-04")], "delinquency_rate": [0.3]}
    )
    out = kpi_attainment(panel, targets.iloc[:1], period="week")
    assert out.loc[0, "gap_to_target"] == pytest.approx(0.1)
    bad = panel.assign(period=[ts("2026-05-05")])
    with pytest.raises(ValueError, match="row 0, column 'period'"):
        kpi_attainment(bad, targets.iloc[:1], period="week")
    # a Moscow-midnight start is 21:00 UTC the day before: inside April in UTC -> April has no
    # target in force at its start, but the step is inside it; May is judged.
    msk = targets.iloc[:1].assign(effective_from=[pd.Timestamp("2026-05-01", tz="Europe/Moscow")])
    months = pd.DataFrame(
        {"manager": ["A", "A"], "period": [month(4), month(5)], "delinquency_rate": [0.3, 0.1]}
    )
    out = kpi_attainment(months, msk)
    assert list(out["period"]) == [month(5)]


def test_bad_targets_named(panel, targets):
    bad = targets.copy()
    bad.loc[2, "direction"] = "atmost"
    with pytest.raises(ValueError, match=r"targets row 2, column 'direction'"):
        kpi_attainment(panel, bad)
    overlap = pd.concat([targets, targets.iloc[[1]]], ignore_index=True)
    with pytest.raises(ValueError, match="overlap"):
        kpi_attainment(panel, overlap)
    with pytest.raises(KeyError, match="conversion"):
        kpi_attainment(panel, targets.assign(metric="conversion").iloc[:1])
    with pytest.raises(ValueError, match="period"):
        kpi_attainment(panel, targets, period="quarter")


def test_empty_inputs(panel, targets):
    out = kpi_attainment(panel.iloc[:0], targets)
    assert out.empty
    assert "gap_to_target" in out.columns
    assert kpi_attainment(panel, targets.iloc[:0]).empty
