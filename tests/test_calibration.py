"""The calibration benchmark, short and seeded: month-level intervals keep their coverage
under month-to-month swings, unit-level ones do not (benchmarks/calibration.py: the long run).
"""

from __future__ import annotations

import numpy as np

from workbench.stats.calibration import calibrate, simulate_department


def test_simulated_department_has_the_sample_shape():
    units = simulate_department(np.random.default_rng(0), effect=0.0, kind="rate", swing=0.25)
    assert units["manager"].nunique() == 10
    assert units["time"].dt.month.nunique() == 12
    assert set(units["value"].unique()) <= {0.0, 1.0}


def test_month_level_intervals_cover_under_swings_and_unit_level_do_not():
    # 150 replications with an effect and 150 without: 300 simulated departments
    out = calibrate(150, kind="rate", swing=0.35, effect=-0.10, seed=7).set_index("interval")
    assert out.loc["before/after, months", "coverage"] >= 0.90
    assert out.loc["DiD, monthly diffs", "coverage"] >= 0.90
    assert out.loc["before/after, units", "coverage"] < 0.90
    assert out.loc["before/after, months", "false_positive"] <= 0.10
