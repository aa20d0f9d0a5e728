"""Statistics for before/after case studies: intervals, bootstrap, DiD and placebo checks.

This module gathers the public API of three modules: closed-form intervals and tests
(:mod:`workbench.stats.intervals`), before/after estimates per window
(:mod:`workbench.stats.before_after`) and peer comparisons (:mod:`workbench.stats.peers`),
which share the input checks and bootstrap of :mod:`workbench.stats.resampling`.

Two levels of inference. The unit-level estimators (:mod:`~workbench.stats.before_after`,
:func:`diff_in_diff`) treat every call or task as independent evidence; bootstraps are
seeded and vectorised. Real months swing more than that (a campaign, a client mix), so the
headline intervals of a case come from :mod:`workbench.stats.monthly`, which works on
manager-month values with t critical values; the unit-level ones are kept as a secondary
line. ``benchmarks/calibration.py`` measures the coverage of both.

Conventions shared by the functions below
-----------------------------------------
units
    A DataFrame with one row per unit, a numeric ``value`` column and a tz-aware ``time``
    column (the anchor that decides the window, e.g. ``started_at`` of a call or ``due_at``
    of a task). Rows whose value or time is missing are set aside and counted in the
    result's ``set_aside``; they never enter an estimate.
results
    Each estimator returns a small frozen dataclass: the ``table`` and what goes with it
    (``set_aside``; ``share_as_extreme`` for :func:`placebo_test`), so nothing rides on
    ``DataFrame.attrs``, which concat and merge drop.
windows
    ``change_dates`` split the timeline into half-open windows ``[d_k, d_{k+1})``: the first
    window (``before``) runs from the first unit, the last one to the last unit. A unit at
    exactly a change date belongs to the later window.
change
    Always "window minus first window" (or "after minus before"), in the unit of ``value``.
alpha
    Two-sided level: the intervals are ``1 - alpha`` intervals (95 % by default).
"""

from __future__ import annotations

from workbench.stats.before_after import BeforeAfter, before_after, rate_before_after
from workbench.stats.intervals import (
    benjamini_hochberg,
    compare_proportions,
    describe_change,
    detectable_change,
    minimum_detectable_effect,
    power_two_proportions,
    wilson_interval,
)
from workbench.stats.monthly import (
    event_study,
    monthly_before_after,
    monthly_diff_in_diff,
    monthly_differences,
    pre_trend,
    pre_trend_rule,
)
from workbench.stats.peers import (
    DiffInDiff,
    Placebo,
    colleague_placebo,
    diff_in_diff,
    placebo_test,
)

__all__ = [
    "wilson_interval",
    "compare_proportions",
    "minimum_detectable_effect",
    "describe_change",
    "BeforeAfter",
    "DiffInDiff",
    "Placebo",
    "before_after",
    "rate_before_after",
    "diff_in_diff",
    "placebo_test",
    "colleague_placebo",
    "detectable_change",
    "power_two_proportions",
    "benjamini_hochberg",
    "monthly_before_after",
    "monthly_differences",
    "monthly_diff_in_diff",
    "pre_trend",
    "event_study",
    "pre_trend_rule",
]
