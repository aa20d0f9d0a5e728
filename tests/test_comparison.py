"""Team comparison and trend labels, checked against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.stats.team import MAD_SCALE, compare_to_team, trend

P1 = pd.Timestamp("2026-01-01", tz="UTC")
P2 = pd.Timestamp("2026-02-01", tz="UTC")
P3 = pd.Timestamp("2026-03-01", tz="UTC")
P4 = pd.Timestamp("2026-04-01", tz="UTC")


def _panel(rows: list[tuple[str, pd.Timestamp, float]], metric: str = "m") -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["manager", "period", metric])


@pytest.fixture
def panel() -> pd.DataFrame:
    return _panel(
        [
            ("A", P1, 1.0),
            ("B", P1, 2.0),
            ("C", P1, 4.0),
            ("D", P1, 8.0),
            ("E", P1, 100.0),
            # P2: ties, and E without a value
            ("A", P2, 1.0),
            ("B", P2, 1.0),
            ("C", P2, 1.0),
            ("D", P2, 2.0),
            ("E", P2, np.nan),
        ]
    )


def _row(df: pd.DataFrame, manager: str, period: pd.Timestamp) -> pd.Series:
    hit = df.loc[(df["manager"] == manager) & (df["period"] == period)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_compare_spread_period(panel):
    out = compare_to_team(panel, "m")
    assert list(out.columns) == [
        "manager",
        "period",
        "metric",
        "value",
        "team_median",
        "n_others",
        "percentile",
        "robust_z",
        "outlier",
    ]
    assert len(out) == 10
    # E=100: others 1,2,4,8 -> median 3; |dev| 2,1,1,5 -> MAD 1.5; z = 97 / (1.4826*1.5)
    e = _row(out, "E", P1)
    assert e["team_median"] == 3.0
    assert e["n_others"] == 4
    assert e["percentile"] == 100.0
    assert e["robust_z"] == pytest.approx(97 / (MAD_SCALE * 1.5))
    assert e["robust_z"] == pytest.approx(43.617, abs=1e-3)
    assert e["outlier"]
    # A=1: others 2,4,8,100 -> median 6; |dev| 4,2,2,94 -> MAD 3; z = -5/(1.4826*3) = -1.1242
    a = _row(out, "A", P1)
    assert a["team_median"] == 6.0
    assert a["percentile"] == 0.0
    assert a["robust_z"] == pytest.approx(-1.1242, abs=1e-4)
    assert not a["outlier"]
    # C=4: others 1,2,8,100 -> median 5; |dev| 4,3,3,95 -> MAD 3.5; 2 of 4 lower -> 50
    c = _row(out, "C", P1)
    assert c["team_median"] == 5.0
    assert c["percentile"] == 50.0
    assert c["robust_z"] == pytest.approx(-1 / (MAD_SCALE * 3.5))


def test_compare_threshold_is_a_parameter(panel):
    # A's |z| = 1.1242: flagged with threshold 1, not with the default 3.5
    out = compare_to_team(panel, "m", threshold=1.0)
    assert _row(out, "A", P1)["outlier"]


def test_compare_ties_nan_and_zero_mad(panel):
    out = compare_to_team(panel, "m")
    # P2, A=1: others B=1, C=1, D=2 (E is NaN, excluded) -> median 1, n_others 3
    a = _row(out, "A", P2)
    assert a["team_median"] == 1.0
    assert a["n_others"] == 3
    # 0 lower + half of 2 ties = 1 of 3 -> 33.33
    assert a["percentile"] == pytest.approx(100 / 3)
    # |dev| 0, 0, 1 -> MAD 0 -> z undefined, outlier unknown
    assert np.isnan(a["robust_z"])
    assert pd.isna(a["outlier"])
    # D=2: others 1,1,1 -> all lower -> 100; MAD 0 -> NaN
    d = _row(out, "D", P2)
    assert d["percentile"] == 100.0
    assert np.isnan(d["robust_z"])
    # E without a value still gets the team reference (1,1,1,2 -> median 1) but no position
    e = _row(out, "E", P2)
    assert e["team_median"] == 1.0
    assert e["n_others"] == 4
    assert np.isnan(e["percentile"])
    assert pd.isna(e["outlier"])


def test_compare_single_manager():
    out = compare_to_team(_panel([("A", P1, 0.3)]), "m")
    assert len(out) == 1
    assert out.loc[0, "n_others"] == 0
    assert np.isnan(out.loc[0, "team_median"])
    assert np.isnan(out.loc[0, "percentile"])
    assert pd.isna(out.loc[0, "outlier"])


def test_compare_whole_window():
    summary = pd.DataFrame({"manager": ["A", "B", "C"], "m": [0.44, 0.10, 0.20]})
    out = compare_to_team(summary, "m", by=None)
    assert list(out["manager"]) == ["A", "B", "C"]
    assert "period" not in out.columns
    # A: others 0.10, 0.20 -> median 0.15; both lower -> 100; |dev| .05,.05 -> MAD .05
    a = out.iloc[0]
    assert a["team_median"] == pytest.approx(0.15)
    assert a["percentile"] == 100.0
    assert a["robust_z"] == pytest.approx((0.44 - 0.15) / (MAD_SCALE * 0.05))


def test_compare_rejects_duplicates(panel):
    with pytest.raises(ValueError, match="summarise the window"):
        compare_to_team(panel, "m", by=None)
    with pytest.raises(ValueError, match="sharing manager and period"):
        compare_to_team(pd.concat([panel, panel.iloc[:1]]), "m")


def test_compare_missing_column(panel):
    with pytest.raises(KeyError, match="delinquency_rate"):
        compare_to_team(panel, "delinquency_rate")


def test_compare_empty():
    out = compare_to_team(_panel([]), "m")
    assert out.empty
    assert "robust_z" in out.columns


@pytest.fixture
def series() -> pd.DataFrame:
    return _panel(
        [
            ("A", P1, 0.4),
            ("A", P2, 0.4),
            ("A", P3, 0.2),
            ("A", P4, 0.2),
            ("B", P1, 0.1),
            ("B", P2, 0.1),
            ("B", P3, 0.1),
            ("B", P4, 0.104),
            ("C", P1, 0.2),
            ("C", P2, np.nan),
            ("C", P3, 0.3),
            ("C", P4, 0.5),
            ("D", P3, 0.3),
            ("D", P4, 0.3),
        ]
    )


def test_trend_labels(series):
    out = trend(series, "m", good="lower", periods=2).set_index("manager")
    assert out.loc["A", "previous_from"] == P1
    assert out.loc["A", "recent_from"] == P3
    # A: previous (0.4+0.4)/2 = 0.4, recent 0.2 -> change -0.2, lower is good -> improving
    assert out.loc["A", "change"] == pytest.approx(-0.2)
    assert out.loc["A", "pct_change"] == pytest.approx(-0.5)
    assert out.loc["A", "trend"] == "improving"
    # B: previous 0.1, recent (0.1+0.104)/2 = 0.102 -> +2% is within 5% -> flat
    assert out.loc["B", "recent_mean"] == pytest.approx(0.102)
    assert out.loc["B", "trend"] == "flat"
    # C: previous only 0.2 (NaN skipped, n=1), recent (0.3+0.5)/2 = 0.4 -> worsening
    assert out.loc["C", "n_previous"] == 1
    assert out.loc["C", "change"] == pytest.approx(0.2)
    assert out.loc["C", "trend"] == "worsening"
    # D: nothing in the previous window
    assert out.loc["D", "n_previous"] == 0
    assert out.loc["D", "trend"] == "insufficient data"


def test_trend_direction_flips_label(series):
    out = trend(series, "m", good="higher", periods=2).set_index("manager")
    assert out.loc["A", "trend"] == "worsening"
    assert out.loc["C", "trend"] == "improving"


def test_trend_too_few_periods(series):
    out = trend(series, "m", good="lower", periods=3)
    assert (out["trend"] == "insufficient data").all()
    assert out["previous_from"].isna().all()


def test_trend_requires_direction(series):
    with pytest.raises(ValueError, match="good"):
        trend(series, "m", good="up", periods=2)
