"""The explorer's callbacks, without a browser: change a control, the figure and table change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench import load_dataset
from workbench.config import SAMPLE_DIR
from workbench.explorer import Explorer


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE_DIR)


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


def test_table_values_equal_the_panel_computed_directly(sample):
    ex = Explorer(sample, managers=["Anna Petrova"], metric="delinquency_rate")
    panel = ex.panel()
    own = panel.loc[panel["manager"] == "Anna Petrova", "delinquency_rate"].to_numpy()
    np.testing.assert_allclose(ex.table["Anna Petrova"].to_numpy(), own)


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
