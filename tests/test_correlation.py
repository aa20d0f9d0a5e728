"""Spearman correlation, cluster bootstrap and the three levels, on hand-made panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.stats.correlation import spearman, tasks_results_correlation


def test_spearman_by_hand():
    # ranks x 1,2,3,4 / y 1,3,2,4: d = 0,-1,1,0 -> rho = 1 - 6*2/(4*(16-1)) = 1 - 12/60 = 0.8
    assert spearman([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)
    # tie: x ranks 1,2.5,2.5,4 / y ranks 1,2,3,4; centred -1.5,0,0,1.5 / -1.5,-.5,.5,1.5
    # cov 2.25+0+0+2.25 = 4.5; sxx 4.5; syy 5 -> 4.5/sqrt(22.5) = 0.948683
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.948683, abs=1e-6)
    # a NaN pair is skipped: the remaining three are perfectly opposed
    assert spearman([1, 2, 3, np.nan], [3, 2, 1, 0]) == pytest.approx(-1.0)
    assert np.isnan(spearman([1, 1, 1], [1, 2, 3]))


def _panel(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["manager", "tasks_completed", "won"])


@pytest.fixture
def opposed() -> pd.DataFrame:
    # busier managers win more, but each wins less in her busier month
    return _panel(
        [
            ("A", 10, 12),
            ("A", 12, 10),
            ("B", 20, 22),
            ("B", 22, 20),
            ("C", 30, 32),
            ("C", 32, 30),
            ("D", np.nan, 5),
        ]
    )


def test_levels_answer_different_questions(opposed):
    kw = {"n_boot": 0, "min_managers": 1}
    pooled = tasks_results_correlation(opposed, level="pooled", **kw).iloc[0]
    # x ranks 1..6, y ranks 2,1,4,3,6,5: d^2 sum 6 -> 1 - 6*6/(6*35) = 0.828571
    assert pooled["rho"] == pytest.approx(0.828571, abs=1e-6)
    assert pooled["n_rows"] == 6
    assert pooled["n_dropped"] == 1  # D's row with no task count
    assert pooled["n_managers"] == 3
    # within: demeaned x -1,1,-1,1,-1,1 and y 1,-1,1,-1,1,-1 -> exactly opposed
    within = tasks_results_correlation(opposed, level="within", **kw).iloc[0]
    assert within["rho"] == pytest.approx(-1.0)
    # between: means x 11,21,31 and y 11,21,31 -> 1
    between = tasks_results_correlation(opposed, level="between", **kw).iloc[0]
    assert between["rho"] == pytest.approx(1.0)
    assert between["n_rows"] == 3


def test_within_drops_single_month_managers():
    panel = _panel([("A", 1, 1), ("A", 2, 3), ("B", 5, 5), ("B", 6, 4), ("C", 9, 9)])
    out = tasks_results_correlation(panel, level="within", n_boot=0, min_managers=1).iloc[0]
    assert out["n_rows"] == 4
    assert out["n_dropped"] == 1
    # A demeaned (-.5,-1), (.5,1); B (-.5,.5), (.5,-.5) -> x ranks 1.5,3.5,1.5,3.5;
    # y ranks 1,4,3,2 -> centred x -1,1,-1,1 and y -1.5,1.5,.5,-.5: cov 1.5+1.5-.5-.5 = 2,
    # sxx 4, syy 5 -> 2/sqrt(20) = 0.447214
    assert out["rho"] == pytest.approx(0.447214, abs=1e-6)


def test_single_manager_and_too_few(opposed):
    one = _panel([("A", 1, 2), ("A", 2, 3), ("A", 3, 1)])
    out = tasks_results_correlation(one).iloc[0]
    assert out["n_managers"] == 1
    assert np.isnan(out["ci_low"])
    assert out["verdict"].startswith("too few managers")
    # rho is still reported: ranks 1,2,3 vs 2,3,1 -> d = -1,-1,2 -> 1 - 6*6/24 = -0.5
    assert out["rho"] == pytest.approx(-0.5)


def test_empty_and_bad_input():
    out = tasks_results_correlation(_panel([])).iloc[0]
    assert out["n_rows"] == 0
    assert np.isnan(out["rho"])
    with pytest.raises(KeyError, match="tasks_completed"):
        tasks_results_correlation(pd.DataFrame({"manager": ["A"], "won": [1]}))
    with pytest.raises(ValueError, match="level"):
        tasks_results_correlation(_panel([]), level="cross")


def _simulated(strength: float, seed: int) -> pd.DataFrame:
    """10 managers x 12 months; y = strength * x + noise, both around a manager level."""
    rng = np.random.default_rng(seed)
    managers = np.repeat([f"M{i}" for i in range(10)], 12)
    level = np.repeat(rng.normal(50, 10, 10), 12)
    x = level + rng.normal(0, 10, 120)
    y = 20 + strength * x + rng.normal(0, 5, 120)
    return pd.DataFrame({"manager": managers, "tasks_completed": x, "won": y})


def test_strong_relation_is_detected():
    out = tasks_results_correlation(_simulated(1.0, seed=1)).iloc[0]
    assert out["rho"] > 0.8
    assert out["ci_low"] > 0
    assert out["n_boot_valid"] == 2000
    assert out["verdict"].startswith("positive relation (rho=")
    within = tasks_results_correlation(_simulated(1.0, seed=1), level="within").iloc[0]
    assert within["ci_low"] > 0


def test_no_relation_ci_includes_zero():
    out = tasks_results_correlation(_simulated(0.0, seed=2)).iloc[0]
    assert out["ci_low"] < 0 < out["ci_high"]
    assert out["verdict"].startswith("no detectable relation")


def test_ci_does_not_shrink_when_months_are_copied():
    # duplicating every manager's months 4x does not narrow a manager-level CI much, since
    # resampling is over the same 10 managers; the point estimate is unchanged
    base = _simulated(0.3, seed=3)
    out1 = tasks_results_correlation(base).iloc[0]
    out4 = tasks_results_correlation(pd.concat([base] * 4)).iloc[0]
    assert out4["rho"] == pytest.approx(out1["rho"], abs=0.02)
    width1 = out1["ci_high"] - out1["ci_low"]
    width4 = out4["ci_high"] - out4["ci_low"]
    assert width4 > 0.7 * width1


def test_deterministic_with_seed():
    panel = _simulated(0.3, seed=4)
    a = tasks_results_correlation(panel, seed=7)
    b = tasks_results_correlation(panel, seed=7)
    c = tasks_results_correlation(panel, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert a.loc[0, "ci_low"] != c.loc[0, "ci_low"]


def test_bootstrap_weights_equal_explicit_resamples():
    # the weighted-rank shortcut must give exactly the rho of the concatenated resample
    from workbench.stats.correlation import _cluster_bootstrap

    panel = _simulated(0.5, seed=5).iloc[::7]  # uneven months per manager, some ties below
    x = panel["tasks_completed"].round(-1).to_numpy()
    y = panel["won"].round(-1).to_numpy()
    codes = pd.factorize(panel["manager"])[0]
    boot = _cluster_bootstrap(x, y, codes, 20, seed=3)
    draws = np.random.default_rng(3).integers(0, codes.max() + 1, size=(20, codes.max() + 1))
    for b, row in enumerate(draws):
        idx = np.concatenate([np.flatnonzero(codes == c) for c in row])
        assert boot[b] == pytest.approx(spearman(x[idx], y[idx]), abs=1e-12, nan_ok=True)
