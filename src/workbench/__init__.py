"""Sales Workbench: analysis helpers for a sales department's tasks, calls, deals and KPIs.

``import workbench as wb`` gives the verbs an analyst uses in a notebook (loading, metrics,
windows, KPIs, description quality, definitions) and, on first use, the namespaces
``wb.stats``, ``wb.cases``, ``wb.plots``, the explorer and the report runner, so that
importing the package never pulls in matplotlib or a notebook client by itself.

Where things live: ``data`` (reading exports), ``metrics`` (figures per manager and period),
``stats`` (intervals and comparisons), ``quality`` (task descriptions), ``cases`` (case
studies), ``plots``, ``explore`` (the explorer) and ``reports`` (rendered reports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.catalogue import definitions
from workbench.data.loading import DataContractError, Dataset, load_dataset
from workbench.errors import WorkbenchError
from workbench.metrics import (
    call_metrics,
    deal_metrics,
    guardrails,
    kpi_attainment,
    manager_panel,
    period_range,
    period_start,
    target_ladder,
    task_metrics,
    window_summary,
)
from workbench.quality import (
    quality_by_manager,
    quality_on_time_verdict,
    quality_vs_on_time,
    score_descriptions,
    weakest_examples,
)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors only
    from workbench import cases, plots, stats
    from workbench.explore import Explorer
    from workbench.reports import render_reports

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "WorkbenchError",
    "DataContractError",
    "Dataset",
    "load_dataset",
    "task_metrics",
    "call_metrics",
    "deal_metrics",
    "manager_panel",
    "period_range",
    "period_start",
    "window_summary",
    "kpi_attainment",
    "guardrails",
    "target_ladder",
    "definitions",
    "score_descriptions",
    "quality_by_manager",
    "weakest_examples",
    "quality_vs_on_time",
    "quality_on_time_verdict",
    "stats",
    "cases",
    "plots",
    "Explorer",
    "render_reports",
]


def __getattr__(name: str) -> Any:
    # Plain imports (not importlib) so that the layering check sees every edge.
    # ``import workbench.x`` binds the submodule as this package's attribute ``x``.
    if name == "stats":
        import workbench.stats  # noqa: F401
    elif name == "cases":
        import workbench.cases  # noqa: F401
    elif name == "plots":
        import workbench.plots  # noqa: F401
    if name in ("stats", "cases", "plots"):
        return globals()[name]
    if name == "Explorer":
        from workbench.explore import Explorer as value
    elif name == "render_reports":
        from workbench.reports import render_reports as value
    else:
        raise AttributeError(f"module 'workbench' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
