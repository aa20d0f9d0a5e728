"""One display text per metric kind, shared by plots, reports, the KPI table and the index."""

from __future__ import annotations

import pandas as pd

from workbench.formatting import (
    figure_with_unit,
    format_figure,
    metric_better,
    metric_kind,
    metric_label,
    metric_name,
    window_words,
)


def test_each_kind_reads_as_people_expect():
    assert format_figure("delinquency_rate", 0.1666) == "17%"
    assert format_figure("delinquency_rate", 0.2034, rate_digits=1) == "20.3%"
    assert format_figure("talk_mean_min", 22.136) == "22.1"
    assert format_figure("sales_volume", 21444.9) == "21,445"
    assert format_figure("leads", 33.0) == "33"
    assert format_figure("leads", 2.5) == "2.5"  # a count per month can be fractional
    assert format_figure("conversion", float("nan")) == "–"
    assert format_figure("won", None) == "–"
    assert metric_label("talk_mean_min") == "Mean connected-call length (min)"


def test_words_and_units_come_from_the_catalogue():
    assert metric_name("delinquency_rate") == "Overdue share of tasks due"
    assert metric_label("delinquency_rate") == "Overdue share of tasks due (%)"
    assert metric_label("sales_volume") == "Sales volume (amount, thousands)"  # axis ticks / 1000
    assert metric_label("band") == "Description quality band"  # a label kind has no unit
    assert (metric_kind("talk_p90_s"), metric_kind("met")) == ("seconds", "bool")
    assert (metric_better("tasks_due"), metric_better("delinquency_rate")) == (None, "lower")
    # a sentence or a table cell says the unit the number alone does not
    assert figure_with_unit("talk_mean_min", 22.136) == "22.1 min"
    assert figure_with_unit("lateness_median_days", 3) == "3.0 days"
    assert figure_with_unit("delinquency_rate", 0.25) == "25%"
    assert figure_with_unit("talk_mean_min", float("nan")) == "–"


def test_a_column_the_catalogue_does_not_know_reads_by_its_name():
    assert metric_kind("callback_share") == "rate"
    assert metric_label("callback_share") == "Callback share (%)"
    assert metric_label("calls_per_day") == "Calls per day (value)"
    assert metric_better("calls_per_day") is None


def test_window_words():
    oct_ = pd.Timestamp("2026-10-01", tz="UTC")
    assert window_words(oct_, pd.Timestamp("2026-11-01", tz="UTC")) == "October 2026"
    sep = pd.Timestamp("2026-09-01", tz="UTC")
    assert window_words(sep, pd.Timestamp("2026-11-01", tz="UTC")) == "Sep 2026 to Oct 2026"
