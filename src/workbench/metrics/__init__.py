"""Metrics per manager and period: the calendar, the grid, tasks, calls, deals, windows, KPIs."""

from __future__ import annotations

from workbench.metrics.calls import (
    CALL_COLUMNS,
    call_metrics,
)
from workbench.metrics.deals import (
    DEAL_COLUMNS,
    deal_metrics,
)
from workbench.metrics.grid import NEVER, PeriodGrid, instants_ns, make_grid, safe_ratio
from workbench.metrics.guardrails import (
    CALL_GUARDRAILS,
    GUARDRAIL_COLUMNS,
    RESULT_GUARDRAILS,
    TASK_GUARDRAILS,
    Guardrails,
    call_guardrails,
    guardrails,
    task_guardrails,
)
from workbench.metrics.kpi import (
    PERIOD_OFFSETS,
    kpi_attainment,
)
from workbench.metrics.ladder import (
    Ladder,
    target_ladder,
)
from workbench.metrics.panel import (
    data_end,
    manager_panel,
)
from workbench.metrics.periods import PERIODS, period_end, period_range, period_start, to_instant
from workbench.metrics.tasks import (
    TASK_COLUMNS,
    task_metrics,
)
from workbench.metrics.window import (
    SUMMED_COLUMNS,
    window_summary,
)

__all__ = [
    "PERIODS",
    "NEVER",
    "PeriodGrid",
    "check_table",
    "instants_ns",
    "make_grid",
    "period_end",
    "period_range",
    "period_start",
    "safe_ratio",
    "to_instant",
    "TASK_COLUMNS",
    "task_metrics",
    "CALL_COLUMNS",
    "call_metrics",
    "DEAL_COLUMNS",
    "deal_metrics",
    "data_end",
    "manager_panel",
    "window_summary",
    "SUMMED_COLUMNS",
    "PERIOD_OFFSETS",
    "kpi_attainment",
    "CALL_GUARDRAILS",
    "TASK_GUARDRAILS",
    "RESULT_GUARDRAILS",
    "GUARDRAIL_COLUMNS",
    "Guardrails",
    "call_guardrails",
    "task_guardrails",
    "guardrails",
    "Ladder",
    "target_ladder",
]
