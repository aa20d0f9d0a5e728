"""Period bucketing in the business time zone, including DST days."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.errors import require_columns
from workbench.metrics.grid import make_grid, safe_ratio
from workbench.metrics.periods import period_range, period_start, to_instant


def _utc(*values: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), utc=True))


def test_month_depends_on_business_tz():
    # 2026-01-31 21:30 UTC is 2026-02-01 00:30 in Moscow (UTC+3 all year since 2014).
    ts = _utc("2026-01-31T21:30:00Z")
    assert period_start(ts, period="month", tz="UTC")[0] == pd.Timestamp("2026-01-01", tz="UTC")
    moscow = period_start(ts, period="month", tz="Europe/Moscow")[0]
    assert moscow == pd.Timestamp("2026-02-01 00:00", tz="Europe/Moscow")
    assert moscow.utcoffset() == pd.Timedelta(hours=3)


def test_week_starts_monday_local():
    # 2026-02-08 is a Sunday, 2026-02-09 a Monday.
    ts = _utc("2026-02-08T23:59:59Z", "2026-02-09T00:00:00Z")
    out = period_start(ts, period="week", tz="UTC")
    assert out.tolist() == [
        pd.Timestamp("2026-02-02", tz="UTC"),
        pd.Timestamp("2026-02-09", tz="UTC"),
    ]


def test_berlin_dst_start_2026_03_29():
    # Berlin goes CET (+1) -> CEST (+2) at 01:00 UTC on Sunday 2026-03-29.
    # 01:30 UTC = 03:30 CEST Sunday -> week of Monday 2026-03-23 (CET, +01:00).
    # 22:30 UTC = 00:30 CEST Monday 2026-03-30 -> week of 2026-03-30 (CEST, +02:00).
    out = period_start(
        _utc("2026-03-29T01:30:00Z", "2026-03-29T22:30:00Z"), period="week", tz="Europe/Berlin"
    )
    assert out[0] == pd.Timestamp("2026-03-23 00:00", tz="Europe/Berlin")
    assert out[0].utcoffset() == pd.Timedelta(hours=1)
    assert out[1] == pd.Timestamp("2026-03-30 00:00", tz="Europe/Berlin")
    assert out[1].utcoffset() == pd.Timedelta(hours=2)


def test_berlin_dst_end_2026_10_25_week_is_169_hours():
    # Berlin goes CEST -> CET at 01:00 UTC on Sunday 2026-10-25: that week has 7*24+1 hours.
    grid = make_grid(
        [], [], period="week", tz="Europe/Berlin", start="2026-10-19", end="2026-10-19"
    )
    assert grid.starts()[0] == pd.Timestamp("2026-10-19 00:00", tz="Europe/Berlin")
    assert grid.ends()[0] - grid.starts()[0] == pd.Timedelta(hours=169)
    # 00:30 UTC = 02:30 CEST (first 02:30), 01:30 UTC = 02:30 CET (second): same week.
    out = period_start(
        _utc("2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"), period="week", tz="Europe/Berlin"
    )
    assert (out == pd.Timestamp("2026-10-19 00:00", tz="Europe/Berlin")).all()


def test_moscow_dst_2011_03_27():
    # Moscow had DST until 2011: 2011-03-27 02:00 MSK (+3) -> 03:00 MSD (+4).
    # 2011-03-26 22:30 UTC = Sunday 01:30 +03:00 -> week of 2011-03-21 (+03:00).
    # 2011-03-27 20:30 UTC = Monday 00:30 +04:00 -> week of 2011-03-28 (+04:00).
    out = period_start(
        _utc("2011-03-26T22:30:00Z", "2011-03-27T20:30:00Z"), period="week", tz="Europe/Moscow"
    )
    assert out[0] == pd.Timestamp("2011-03-21 00:00", tz="Europe/Moscow")
    assert out[0].utcoffset() == pd.Timedelta(hours=3)
    assert out[1] == pd.Timestamp("2011-03-28 00:00", tz="Europe/Moscow")
    assert out[1].utcoffset() == pd.Timedelta(hours=4)
    months = period_range("2011-03-15", "2011-04-15", period="month", tz="Europe/Moscow")
    # March starts at +03:00, April at +04:00; March is 31 days minus the skipped hour.
    assert months[1] - months[0] == pd.Timedelta(days=31) - pd.Timedelta(hours=1)


def test_moscow_2026_03_29_has_no_dst():
    # Same calendar spot in 2026: Moscow stays at +03:00, the week is exactly 168 hours.
    weeks = period_range("2026-03-23", "2026-03-30", period="week", tz="Europe/Moscow")
    assert [w.utcoffset() for w in weeks] == [pd.Timedelta(hours=3)] * 2
    assert weeks[1] - weeks[0] == pd.Timedelta(hours=168)


def test_period_range_counts_and_nat():
    # Nov 2025 .. Oct 2026 = 12 months; 2026-01-01 (Thu) .. 2026-01-31 (Sat) spans the weeks
    # of Dec 29, Jan 5, 12, 19, 26 = 5 weeks.
    assert len(period_range("2025-11-01", "2026-10-31", period="month", tz="UTC")) == 12
    assert len(period_range("2026-01-01", "2026-01-31", period="week", tz="UTC")) == 5
    out = period_start(pd.Series(pd.to_datetime([None, "2026-05-05"], utc=True)), period="month")
    assert pd.isna(out[0]) and out[1] == pd.Timestamp("2026-05-01", tz="UTC")


def test_to_instant_reads_naive_in_tz():
    assert to_instant("2026-03-01", tz="Europe/Moscow") == pd.Timestamp("2026-02-28T21:00Z")
    assert to_instant(None, tz="UTC") is None


def test_grid_default_span_and_managers():
    ts = _utc("2026-01-15T00:00:00Z", "2026-03-02T00:00:00Z")
    grid = make_grid([pd.Series(["B", "A"])], [ts], period="month", tz="UTC", managers=["C"])
    # Jan..Mar = 3 periods x managers A, B (data) + C (asked for) = 9 cells.
    assert grid.managers == ("A", "B", "C") and grid.n_periods == 3 and grid.size == 9


@pytest.mark.parametrize("whole", [False, True])  # the packed-int64 path and the ranked path
def test_grid_quantiles_match_pandas(whole):
    rng = np.random.default_rng(7)
    cells = rng.integers(-1, 5, 200)
    values = rng.exponential(100, 200)
    values = np.round(values) if whole else values
    grid = make_grid([], [], period="month", tz="UTC", start="2026-01-01", end="2026-05-01")
    grid = type(grid)(("A",), "month", "UTC", grid.first, grid.last)
    med, p90 = grid.quantiles(cells, values, [0.5, 0.9])
    ref = pd.Series(values[cells >= 0]).groupby(cells[cells >= 0]).quantile([0.5, 0.9])
    np.testing.assert_allclose(med, ref.xs(0.5, level=1).to_numpy())
    np.testing.assert_allclose(p90, ref.xs(0.9, level=1).to_numpy())


def test_safe_ratio_nan_on_zero():
    out = safe_ratio(np.array([1, 0, 3]), np.array([2, 0, 0]))
    assert out[0] == 0.5 and np.isnan(out[1]) and np.isnan(out[2])


def test_check_table_names_column_and_row():
    df = pd.DataFrame({"manager": ["A", None]}, index=[10, 11])
    with pytest.raises(ValueError, match="calls table: missing column.*started_at"):
        require_columns(df, table="calls table", columns=["manager", "started_at"])
    with pytest.raises(ValueError, match=r"'manager'.*row \(index label\) 11"):
        require_columns(df, table="calls table", columns=["manager"], not_null=["manager"])


def test_naive_timestamps_rejected():
    with pytest.raises(TypeError, match="tz-aware"):
        period_start(pd.Series(pd.to_datetime(["2026-01-01"])), period="month")


def test_bad_period_rejected():
    with pytest.raises(ValueError, match="period"):
        period_range("2026-01-01", "2026-02-01", period="day")


def test_period_end_is_the_next_start_across_dst():
    from workbench.metrics.periods import period_end

    tz = "Europe/Berlin"
    starts = pd.Series(pd.to_datetime(["2026-03-01", "2026-10-01", "2026-03-23"]).tz_localize(tz))
    months = period_end(starts.iloc[:2], period="month", tz=tz)
    assert list(months) == [pd.Timestamp("2026-04-01", tz=tz), pd.Timestamp("2026-11-01", tz=tz)]
    # the week of the spring-forward Sunday (2026-03-29) is 167 hours long
    week = period_end(starts.iloc[2:], period="week", tz=tz).iloc[0]
    assert week == pd.Timestamp("2026-03-30", tz=tz)
    assert (week - starts.iloc[2]) == pd.Timedelta(hours=167)
