"""Seaborn-style plots of the workbench: tidy DataFrame in, ``Axes`` out.

Every function has the shape ``f(data, *, <semantics>, ax=None, **kwargs) -> Axes``: ``ax=None``
draws on ``plt.gca()``; nothing calls ``show()`` or ``savefig()``; empty data draws a "No data
for ..." message instead of raising. Colours are passed explicitly (never the colour cycle), so
a figure does not depend on what was drawn before it on the same kernel; :func:`set_theme` sets
the shared look. Manager-facing plots name only the focus manager; the team is anonymous.
"""

from __future__ import annotations

from workbench.plots._base import (
    FIGURE_HEIGHT,
    FIGURE_WIDTH,
    FONT_SIZES,
    MANAGER_COLOR,
    OKABE_ITO,
    SERIES_COLORS,
    TARGET_COLOR,
    TEAM_COLOR,
    set_theme,
)
from workbench.plots.cases import before_after_plot, call_length_before_after
from workbench.plots.distributions import call_length_distribution
from workbench.plots.quality import on_time_by_band, score_distribution
from workbench.plots.team import managers_over_time, metric_by_manager, tasks_vs_results
from workbench.plots.timeseries import (
    calls_over_time,
    delinquency_over_time,
    metric_over_time,
    results_over_time,
    task_flow,
)

__all__ = [
    "FIGURE_HEIGHT",
    "FIGURE_WIDTH",
    "FONT_SIZES",
    "MANAGER_COLOR",
    "OKABE_ITO",
    "SERIES_COLORS",
    "TARGET_COLOR",
    "TEAM_COLOR",
    "set_theme",
    "call_length_distribution",
    "metric_over_time",
    "delinquency_over_time",
    "results_over_time",
    "task_flow",
    "calls_over_time",
    "tasks_vs_results",
    "metric_by_manager",
    "managers_over_time",
    "score_distribution",
    "on_time_by_band",
    "before_after_plot",
    "call_length_before_after",
]
