"""The explorer's callbacks, without a browser: change a control, the figure and table change."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import PIL.Image
import pytest
from matplotlib.figure import Figure

from workbench.explore.explorer import Explorer
from workbench.plots import managers_over_time, set_theme


def _line(explorer: Explorer, label: str):
    ax = explorer.figure.axes[0]
    return next(line for line in ax.get_lines() if line.get_label() == label)


def test_default_view_draws_the_selected_managers_and_the_team_median(sample):
    ex = Explorer(sample, managers=["Anna Petrova"], metric="delinquency_rate")
    labels = [line.get_label() for line in ex.figure.axes[0].get_lines()]
    assert labels == ["Median of all managers", "Anna Petrova"]
    assert list(ex.table.columns) == ["Anna Petrova"]
    # 12 months, Nov 2025 .. Oct 2026
    assert len(ex.table) == 12


def test_changing_the_manager_changes_figure_and_table(sample):
    ex = Explorer(sample, managers=["Anna Petrova"], metric="talk_mean_min")
    before = ex.table.copy()
    ex.managers.value = ("Boris Ivanov",)
    assert list(ex.table.columns) == ["Boris Ivanov"]
    assert not np.allclose(before.to_numpy(), ex.table.to_numpy(), equal_nan=True)
    # Boris's first month: mean connected call about 32 min (Case B), read from the figure
    y = _line(ex, "Boris Ivanov").get_ydata()
    assert 28 < y[0] < 36
    assert ex.table.iloc[0, 0] == pytest.approx(y[0])


def test_table_values_equal_delinquency_worked_out_with_plain_pandas(sample):
    ex = Explorer(sample, managers=["Anna Petrova"], metric="delinquency_rate")
    # From the CSV: tasks of Anna, not cancelled, whose original deadline falls in the month;
    # overdue = not completed by that deadline. Every deadline of Nov 2025 - Sep 2026 lies
    # before the data's end, so no as-of cut is needed for those months.
    from workbench.config import SAMPLE_DIR

    t = pd.read_csv(SAMPLE_DIR / "tasks.csv", parse_dates=["original_due_at", "completed_at"])
    t = t.loc[(t["manager"] == "Anna Petrova") & (t["status"] != "cancelled")]
    t = t.loc[t["original_due_at"].notna()]
    overdue = t["completed_at"].isna() | (t["completed_at"] > t["original_due_at"])
    month = t["original_due_at"].dt.tz_convert("UTC").dt.strftime("%Y-%m-01")
    by_hand = overdue.groupby(month).mean()
    months = [m for m in ex.table.index if m < "2026-10-01"]
    np.testing.assert_allclose(ex.table.loc[months, "Anna Petrova"], by_hand.loc[months])


def test_period_and_month_range_and_threshold(sample):
    ex = Explorer(sample, managers=["Chen Wei"], metric="conversations")
    monthly_total = ex.table["Chen Wei"].sum()
    ex.period.value = "week"
    assert len(ex.table) > 40  # about 52 weeks
    ex.period.value = "month"
    ex.months.value = (ex.months.options[3][1], ex.months.options[5][1])
    assert list(ex.table.index) == ["2026-02-01", "2026-03-01", "2026-04-01"]
    ex.months.index = (0, len(ex.months.options) - 1)
    ex.conversation_s.value = 300  # a stricter threshold counts fewer conversations
    assert ex.table["Chen Wei"].sum() < monthly_total
    # the stricter count equals connected calls of at least 300 s, counted by hand with pandas
    calls = sample.calls
    mine = calls[
        (calls["manager"] == "Chen Wei") & calls["answered"] & (calls["duration_s"] >= 300)
    ]
    assert ex.table["Chen Wei"].sum() == len(mine)


def test_empty_selection_draws_a_readable_figure(sample):
    ex = Explorer(sample, managers=["Anna Petrova"])
    ex.managers.value = ()
    assert list(ex.table.columns) == []
    assert len(ex.figure.axes[0].get_lines()) == 1  # the team median only
    assert isinstance(ex.last_update_s, float)
    assert pd.notna(ex.last_update_s)


def test_managers_as_a_comma_separated_parameter_and_unknown_names(sample):
    ex = Explorer(sample, managers="Boris Ivanov, Chen Wei")
    assert ex.managers.value == ("Boris Ivanov", "Chen Wei")
    with pytest.raises(ValueError, match="unknown manager"):
        Explorer(sample, managers="Nobody")


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGBA"))


def _reference_png(ex: Explorer) -> bytes:
    """The explorer's figure drawn the plain way: a new Figure, ``savefig`` at 80 dpi."""
    set_theme()
    fig = Figure(figsize=(9, 4.2), layout="constrained")
    managers_over_time(
        ex.selection(),
        metric=ex.metric.value,
        managers=list(ex.managers.value),
        ax=fig.add_subplot(),
    )
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def test_a_redraw_after_many_changes_equals_a_fresh_explorer_and_a_plain_savefig(sample):
    ex = Explorer(sample, managers=["Anna Petrova"])
    ex.managers.value = ("Boris Ivanov",)
    ex.metric.value = "talk_mean_min"
    ex.period.value = "week"
    ex.months.index = (2, 7)
    ex.period.value = "month"
    ex.metric.value = "conversations"
    ex.conversation_s.value = 120
    ex.managers.value = ("Chen Wei", "Anna Petrova")
    fresh = Explorer(sample, managers="Chen Wei, Anna Petrova", metric="conversations")
    fresh.conversation_s.value = 120
    fresh.months.index = (2, 7)
    pd.testing.assert_frame_equal(ex.table, fresh.table)
    assert list(ex.table.columns) == ["Chen Wei", "Anna Petrova"]
    assert list(ex.table.index) == [f"2026-{m:02d}-01" for m in range(1, 7)]  # Jan..Jun 2026
    for label in ("Median of all managers", "Chen Wei", "Anna Petrova"):
        np.testing.assert_array_equal(
            _line(ex, label).get_xydata(), _line(fresh, label).get_xydata()
        )
    assert ex.image().data == fresh.image().data  # the PNG encoder is deterministic
    # the same pixels as the old path (a new Figure per update, savefig at 80 dpi)
    np.testing.assert_array_equal(_pixels(ex.image().data), _pixels(_reference_png(ex)))


def test_the_threshold_redraws_only_a_metric_that_counts_conversations(sample):
    ex = Explorer(sample, managers=["Chen Wei"], metric="delinquency_rate")
    png, table = ex.image().data, ex.table.copy()
    ex.conversation_s.value = 300
    assert "unchanged" in ex.status.value
    assert ex.image().data == png
    pd.testing.assert_frame_equal(ex.table, table)
    assert set(ex.timings) == {"total"}
    # the panel itself follows the threshold: conversations = connected calls >= 300 s
    calls = sample.calls
    mine = calls[
        (calls["manager"] == "Chen Wei") & calls["answered"] & (calls["duration_s"] >= 300)
    ]
    panel = ex.panel()
    assert panel.loc[panel["manager"] == "Chen Wei", "conversations"].sum() == len(mine)
    ex.metric.value = "conversations"
    assert ex.table["Chen Wei"].sum() == len(mine)
    ex.conversation_s.value = 0  # every connected call (answered, duration > 0) counts
    chen = calls.loc[calls["manager"] == "Chen Wei"]
    assert ex.table["Chen Wei"].sum() == (chen["answered"] & (chen["duration_s"] > 0)).sum()
    assert set(ex.timings) == {"data", "draw", "png", "display", "total"}
    assert ex.timings["total"] == ex.last_update_s
    assert sum(ex.timings[k] for k in ("data", "draw", "png", "display")) == pytest.approx(
        ex.last_update_s
    )


def test_going_back_to_a_view_shows_it_without_drawing_and_the_figure_follows(sample):
    ex = Explorer(sample, managers=["Anna Petrova"], metric="delinquency_rate")
    png, table = ex.image().data, ex.table.copy()
    ex.metric.value = "talk_mean_min"
    assert ex.timings["draw"] > 0
    ex.table.iloc[0, 0] = -1.0  # a caller editing the table must not edit the remembered one
    ex.metric.value = "delinquency_rate"
    assert ex.timings["draw"] == 0 and ex.timings["png"] == 0
    assert ex.image().data == png
    pd.testing.assert_frame_equal(ex.table, table)
    ex.metric.value = "talk_mean_min"
    assert ex.table.iloc[0, 0] != -1.0
    # the Figure was left at the last drawn view; reading it brings it to the one on show
    ex.metric.value = "delinquency_rate"
    fresh = Explorer(sample, managers=["Anna Petrova"], metric="delinquency_rate")
    for label in ("Median of all managers", "Anna Petrova"):
        np.testing.assert_array_equal(
            _line(ex, label).get_xydata(), _line(fresh, label).get_xydata()
        )
    assert ex.figure.axes[0].get_ylabel() == fresh.figure.axes[0].get_ylabel()


def test_sliders_report_on_release_only(sample):
    ex = Explorer(sample)
    assert ex.months.continuous_update is False
    assert ex.conversation_s.continuous_update is False
