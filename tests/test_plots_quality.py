"""Tests of workbench.plots.quality: artists checked against values worked out by hand."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import PathPatch

from workbench import plots


def _scored() -> pd.DataFrame:
    # A: 0, 50, 100 -> median 50, mean 50, quartiles (linear) 25 and 75.
    # B: 80, 90 -> median 85, mean 85, quartiles 82.5 and 87.5.
    # C: 10 (and one row without a score, left out and counted) -> median 10.
    return pd.DataFrame(
        {
            "manager": ["A", "A", "A", "B", "B", "C", "C"],
            "score": [0.0, 50.0, 100.0, 80.0, 90.0, 10.0, np.nan],
        }
    )


def test_score_distribution_boxes_sorted_by_median_best_on_top():
    _fig, ax = plt.subplots()
    out = plots.score_distribution(_scored(), ax=ax)
    assert out is ax
    # Position 1 is the bottom: C (10) < A (50) < B (85).
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["C (n=1)", "A (n=3)", "B (n=2)"]
    boxes = [p for p in ax.patches if isinstance(p, PathPatch)]
    extents = [
        (p.get_path().vertices[:, 0].min(), p.get_path().vertices[:, 0].max()) for p in boxes
    ]
    assert extents == [(10.0, 10.0), (25.0, 75.0), (82.5, 87.5)]
    mean = next(line for line in ax.lines if line.get_label() == "Mean")
    np.testing.assert_allclose(mean.get_xdata(), [10.0, 50.0, 85.0])
    np.testing.assert_allclose(mean.get_ydata(), [1, 2, 3])
    thresholds = sorted(line.get_xdata()[0] for line in ax.lines if "from" in line.get_label())
    assert thresholds == [50.0, 80.0]
    assert "1 row(s) without a score" in ax.get_title()
    assert ax.get_xlabel() == "Description quality score (points, 0-100)"


def test_score_distribution_shows_names_literally_and_handles_empty():
    _fig, ax = plt.subplots()
    plots.score_distribution(pd.DataFrame({"manager": ["$x$ Co"], "score": [40.0]}), ax=ax)
    assert ax.get_yticklabels()[0].get_text() == r"\$x\$ Co (n=1)"
    _fig, ax = plt.subplots()
    plots.score_distribution(pd.DataFrame({"manager": [], "score": []}), ax=ax)
    assert "No data for description scores" in [t.get_text() for t in ax.texts]
    with pytest.raises(ValueError, match="lacks column"):
        plots.score_distribution(pd.DataFrame({"manager": ["A"]}), ax=ax)


def _bands() -> pd.DataFrame:
    # good: 8 of 10 on time = 80%; fair: no tasks (label only); poor: 1 of 4 = 25%.
    table = pd.DataFrame(
        {
            "band": ["good", "fair", "poor"],
            "n": [10, 0, 4],
            "on_time": [8, 0, 1],
            "late": [2, 0, 3],
            "on_time_rate": [0.8, np.nan, 0.25],
            "ci_low": [0.49, np.nan, 0.05],
            "ci_high": [0.94, np.nan, 0.70],
        }
    )
    return table


def test_on_time_by_band_points_intervals_and_labels():
    _fig, ax = plt.subplots()
    out = plots.on_time_by_band(_bands(), alpha=0.05, ax=ax)
    assert out is ax
    data_line, _caps, (bars,) = ax.containers[0].lines
    np.testing.assert_allclose(data_line.get_xdata(), [0, 2])  # the fair band (n=0) has no point
    np.testing.assert_allclose(data_line.get_ydata(), [0.8, 0.25])
    segments = [np.asarray(s) for s in bars.get_segments()]
    np.testing.assert_allclose(segments[0], [[0, 0.49], [0, 0.94]])
    np.testing.assert_allclose(segments[1], [[2, 0.05], [2, 0.70]])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["good", "fair", "poor"]
    assert [t.get_text() for t in ax.texts] == ["80% (n=10)", "25% (n=4)"]
    assert "95% Wilson interval" in ax.get_title()
    assert ax.get_ylabel() == "Completed on time (%)"


def test_on_time_by_band_without_tasks_says_no_data():
    _fig, ax = plt.subplots()
    plots.on_time_by_band(_bands().assign(n=0), ax=ax)
    assert "No data for tasks with a deadline" in [t.get_text() for t in ax.texts]


def test_on_time_by_band_names_the_level_it_is_given():
    _fig, ax = plt.subplots()
    plots.on_time_by_band(_bands(), alpha=0.1, ax=ax)
    assert "90% Wilson interval" in ax.get_title()
    _fig, ax = plt.subplots()
    plots.on_time_by_band(_bands(), ax=ax)  # no level given: none is claimed
    assert "bars: Wilson interval" in ax.get_title()
