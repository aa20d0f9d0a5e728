"""Target ladder: rungs and breach shares worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.ladder import target_ladder

CALLS = [20.0, 25.0, 30.0, 33.0, 40.0, 44.0]  # minutes; mean = 192 / 6 = 32


def test_ladder_default_step():
    # 32*0.85 = 27.2 -> 27; 27*0.85 = 22.95 -> 23; 23*0.85 = 19.55 -> 20;
    # 20*0.85 = 17.0 -> 17; 17*0.85 = 14.45 -> 14, past the norm -> 15
    out = target_ladder(CALLS, team_norm=15)
    assert out["target"].tolist() == [32.0, 27.0, 23.0, 20.0, 17.0, 15.0]
    assert out["step"].tolist() == [0, 1, 2, 3, 4, 5]
    # realised steps: 27/32 - 1 = -0.15625, 23/27 - 1 = -0.148148
    assert np.isnan(out.loc[0, "step_size"])
    assert out.loc[1, "step_size"] == pytest.approx(-0.15625)
    assert out.loc[2, "step_size"] == pytest.approx(-0.148148, abs=1e-6)
    # calls above each rung: >32: 33, 40, 44 -> 3/6; >27: 30, 33, 40, 44 -> 4/6;
    # >23: 25, 30, 33, 40, 44 -> 5/6; >20: 5/6 (20 itself is not above); >17, >15: 6/6
    assert out["share_breaching"].tolist() == pytest.approx([0.5, 4 / 6, 5 / 6, 5 / 6, 1, 1])
    assert (out["n_units"] == 6).all()


def test_ladder_reproduces_article_path():
    # 32*0.83 = 26.56 -> 27; 27*0.83 = 22.41 -> 22; 22*0.83 = 18.26 -> 18; 18*0.83 = 14.94 -> 15
    out = target_ladder(CALLS, current=32, team_norm=15, max_step=0.17)
    assert out["target"].tolist()[:3] == [32.0, 27.0, 22.0]
    assert out["target"].tolist() == [32.0, 27.0, 22.0, 18.0, 15.0]


def test_ladder_at_least_and_rates():
    # monthly conversion 0.10, 0.12, 0.14 (mean 0.12), norm 0.15, steps of 15 % on 0.01:
    # 0.12*1.15 = 0.138 -> 0.14; 0.14*1.15 = 0.161 -> 0.16, past the norm -> 0.15
    out = target_ladder([0.10, 0.12, 0.14], team_norm=0.15, direction="at_least", round_to=0.01)
    assert out["target"].tolist() == pytest.approx([0.12, 0.14, 0.15])
    # months below each rung: <0.12: 0.10 -> 1/3; <0.14: 0.10, 0.12 -> 2/3; <0.15: 3/3
    assert out["share_breaching"].tolist() == pytest.approx([1 / 3, 2 / 3, 1.0])


def test_ladder_small_levels_still_progress():
    # 3.5*0.9 = 3.15 -> 3; 3*0.9 = 2.7 -> 3 would not move -> next multiple 2; then 1 (norm)
    out = target_ladder([3.0, 4.0], team_norm=1, max_step=0.1)
    assert out["target"].tolist() == [3.5, 3.0, 2.0, 1.0]


def test_ladder_already_at_norm_and_missing_values():
    out = target_ladder([10.0, np.nan, 14.0], team_norm=15)
    assert out["target"].tolist() == [12.0]
    assert out.attrs["set_aside"] == {"missing_value": 1}
    assert out.loc[0, "n_units"] == 2


def test_ladder_bad_input():
    with pytest.raises(ValueError, match="direction"):
        target_ladder(CALLS, team_norm=15, direction="down")
    with pytest.raises(ValueError, match="max_step"):
        target_ladder(CALLS, team_norm=15, max_step=1.5)
    with pytest.raises(ValueError, match="no usable values"):
        target_ladder([np.nan], team_norm=15)
