"""Case studies for coaches: what a KPI change did for one manager, and how sure we are."""

from __future__ import annotations

from workbench.cases.study import (
    CASE_METRICS,
    TEAM,
    Case,
    Units,
    call_length_case,
    conclusion_text,
    connected_call_units,
    count_change,
    due_task_units,
    guardrail_change,
    overdue_case,
    parse_change_dates,
    rate_test,
    study_case,
    untreated_colleagues,
    whole_periods,
)
from workbench.cases.summary import CaseSummary, case_summary

__all__ = [
    "CASE_METRICS",
    "TEAM",
    "Case",
    "CaseSummary",
    "case_summary",
    "study_case",
    "Units",
    "due_task_units",
    "connected_call_units",
    "parse_change_dates",
    "untreated_colleagues",
    "whole_periods",
    "count_change",
    "guardrail_change",
    "rate_test",
    "conclusion_text",
    "overdue_case",
    "call_length_case",
]
