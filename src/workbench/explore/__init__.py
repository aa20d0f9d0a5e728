"""The analysts' interactive explorer (ipywidgets)."""

from __future__ import annotations

from workbench.explore.explorer import METRICS, Explorer, metric_options

__all__ = [
    "Explorer",
    "METRICS",
    "metric_options",
]
