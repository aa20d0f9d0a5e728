"""One display text per metric kind, shared by plots, reports, the KPI table and the index."""

from __future__ import annotations

import pandas as pd

from workbench.formatting import format_figure, metric_label, window_words


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


def test_window_words():
    oct_ = pd.Timestamp("2026-10-01", tz="UTC")
    assert window_words(oct_, pd.Timestamp("2026-11-01", tz="UTC")) == "October 2026"
    sep = pd.Timestamp("2026-09-01", tz="UTC")
    assert window_words(sep, pd.Timestamp("2026-11-01", tz="UTC")) == "Sep 2026 to Oct 2026"
