"""Rendered reports: the runner, the renderer, the manager view, pages and templates.

The runner's names are imported on first use, so that a report kernel importing
``workbench.reports.manager_view`` does not load papermill.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from workbench.reports.runner import (
        OVERVIEW_TEMPLATE,
        TEMPLATE,
        ReportOutcome,
        RunSummary,
        check_parameters,
        period_label,
        render_reports,
        template_parameters,
    )

__all__ = [
    "OVERVIEW_TEMPLATE",
    "TEMPLATE",
    "ReportOutcome",
    "RunSummary",
    "check_parameters",
    "period_label",
    "render_reports",
    "template_parameters",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from workbench.reports import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'workbench.reports' has no attribute {name!r}")
