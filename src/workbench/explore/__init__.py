"""The analysts' interactive explorer (ipywidgets)."""

from __future__ import annotations

from workbench.explore.explorer import (
    METRIC_CHOICES,
    Explorer,
)

__all__ = [
    "Explorer",
    "METRIC_CHOICES",
]
