"""Task-description quality: the rules, the score, and per-manager shares."""

from __future__ import annotations

from workbench.quality.score import (
    OnTime,
    escape,
    frequent_descriptions,
    quality_by_manager,
    quality_definitions,
    quality_on_time_verdict,
    quality_vs_on_time,
    score_descriptions,
    to_html_table,
    weakest_examples,
)

__all__ = [
    "score_descriptions",
    "quality_by_manager",
    "weakest_examples",
    "frequent_descriptions",
    "quality_definitions",
    "OnTime",
    "quality_vs_on_time",
    "quality_on_time_verdict",
    "to_html_table",
    "escape",
]
