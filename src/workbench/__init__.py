"""Sales Workbench: analysis helpers for a sales department's tasks, calls, deals and KPIs."""

from __future__ import annotations

from workbench.call_metrics import call_metrics
from workbench.comparison import compare_to_team, trend
from workbench.correlation import spearman, tasks_results_correlation
from workbench.deal_metrics import deal_metrics
from workbench.decomposition import decompose_sales_change, window_totals
from workbench.definitions import definitions
from workbench.guardrails import guardrails
from workbench.kpi import kpi_attainment
from workbench.ladder import target_ladder
from workbench.loading import DataContractError, Dataset, load_dataset
from workbench.panel import manager_panel
from workbench.periods import period_range, period_start
from workbench.quality import (
    quality_by_manager,
    quality_on_time_verdict,
    quality_vs_on_time,
    score_descriptions,
    weakest_examples,
)
from workbench.statistics import (
    before_after,
    describe_change,
    diff_in_diff,
    minimum_detectable_effect,
    placebo_test,
    rate_before_after,
    wilson_interval,
)
from workbench.task_metrics import task_metrics

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "definitions",
    "DataContractError",
    "Dataset",
    "load_dataset",
    "call_metrics",
    "deal_metrics",
    "manager_panel",
    "period_range",
    "period_start",
    "task_metrics",
    "before_after",
    "rate_before_after",
    "diff_in_diff",
    "placebo_test",
    "wilson_interval",
    "minimum_detectable_effect",
    "describe_change",
    "target_ladder",
    "guardrails",
    "score_descriptions",
    "quality_by_manager",
    "weakest_examples",
    "quality_vs_on_time",
    "quality_on_time_verdict",
    "compare_to_team",
    "trend",
    "kpi_attainment",
    "decompose_sales_change",
    "window_totals",
    "spearman",
    "tasks_results_correlation",
]
