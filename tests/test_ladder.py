"""Target ladder: rungs and breach shares worked out by hand; no step exceeds max_step."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.metrics.ladder import target_ladder

CALLS = [20.0, 25.0, 30.0, 33.0, 40.0, 44.0]  # minutes; mean = 192 / 6 = 32


def test_ladder_default_step_rounds_toward_the_level():
    # 32*0.85 = 27.2 -> up to 28; 28*0.85 = 23.8 -> 24; 24*0.85 = 20.4 -> 21;
    # 21*0.85 = 17.85 -> 18; 18*0.85 = 15.3 -> 16; 16*0.85 = 13.6 <= 15: the norm is in reach
    ladder = target_ladder(CALLS, team_norm=15)
    out = ladder.table
    assert out["target"].tolist() == [32.0, 28.0, 24.0, 21.0, 18.0, 16.0, 15.0]
    assert out["step"].tolist() == list(range(7))
    # realised steps: 28/32 - 1 = -0.125, 24/28 - 1 = -0.142857, 15/16 - 1 = -0.0625
    assert np.isnan(out.loc[0, "step_size"])
    assert out.loc[1, "step_size"] == pytest.approx(-0.125)
    assert out.loc[2, "step_size"] == pytest.approx(-0.142857, abs=1e-6)
    assert out.loc[6, "step_size"] == pytest.approx(-0.0625)
    # calls above each rung: >32: 33, 40, 44 -> 3/6; >28: 30, 33, 40, 44 -> 4/6;
    # >24: 25 too -> 5/6; >21: 5/6 (20 is not above); >18, >16, >15: 6/6
    assert out["share_breaching"].tolist() == pytest.approx([0.5, 4 / 6, 5 / 6, 5 / 6, 1, 1, 1])
    assert (out["n_units"] == 6).all()
    assert ladder.reaches_norm is True and ladder.note == ""
    assert ladder.set_aside == {"missing_value": 0}


def test_ladder_and_the_article_path():
    # 0.17: 32*0.83 = 26.56 -> 27; 27*0.83 = 22.41 -> 23 (22 would be a step of 18.5 %);
    # 23*0.83 = 19.09 -> 20; 20*0.83 = 16.6 -> 17; 17*0.83 = 14.11 <= 15 -> 15
    out = target_ladder(CALLS, current=32, team_norm=15, max_step=0.17).table
    assert out["target"].tolist() == [32.0, 27.0, 23.0, 20.0, 17.0, 15.0]
    # 32 -> 27 -> 22 needs 27 * (1 - s) <= 22 (s >= 0.1852) and 32 * (1 - s) > 26 (s < 0.1875)
    art = target_ladder(CALLS, current=32, team_norm=15, max_step=0.186).table
    assert art["target"].tolist() == [32.0, 27.0, 22.0, 18.0, 15.0]
    # 0.2: 25.6 -> 26; 20.8 -> 21; 16.8 -> 17; 13.6 <= 15 -> 15
    fifth = target_ladder(CALLS, current=32, team_norm=15, max_step=0.2).table
    assert fifth["target"].tolist() == [32.0, 26.0, 21.0, 17.0, 15.0]


def test_ladder_at_least_and_rates():
    # monthly conversion 0.10, 0.12, 0.14 (mean 0.12), norm 0.15, steps of 15 % on 0.01,
    # rounded down: 0.12*1.15 = 0.138 -> 0.13; 0.13*1.15 = 0.1495 -> 0.14;
    # 0.14*1.15 = 0.161 >= 0.15: the norm
    out = target_ladder(
        [0.10, 0.12, 0.14], team_norm=0.15, direction="at_least", round_to=0.01
    ).table
    assert out["target"].tolist() == pytest.approx([0.12, 0.13, 0.14, 0.15])
    # months below each rung: <0.12: 0.10 -> 1/3; <0.13, <0.14: 0.10, 0.12 -> 2/3; <0.15: 3/3
    assert out["share_breaching"].tolist() == pytest.approx([1 / 3, 2 / 3, 2 / 3, 1.0])


def test_ladder_stops_when_the_grid_is_too_coarse():
    # 3.5*0.9 = 3.15 -> up to 4, not below 3.5: no whole number within 10 % below 3.5
    ladder = target_ladder([3.0, 4.0], team_norm=1, max_step=0.1)
    assert ladder.table["target"].tolist() == [3.5]
    assert ladder.reaches_norm is False
    assert "stops at 3.5" in ladder.note and "round_to" in ladder.note
    # from 30: 27 (exactly 30*0.9), 25 (24.3 up), 23 (22.5 up), 21, 19, 18 (17.1 up), 17, ...
    result = target_ladder([30.0], team_norm=1, max_step=0.1)
    long = result.table
    steps = long["step_size"].dropna()
    assert (steps >= -0.1 - 1e-9).all() and result.reaches_norm is False
    # 10*0.9 = 9 -> 9; 9*0.9 = 8.1 -> up to 9: stuck at 9
    assert long["target"].tolist()[:7] == [30.0, 27.0, 25.0, 23.0, 21.0, 19.0, 18.0]
    assert long["target"].iloc[-1] == 9.0


@pytest.mark.parametrize("direction", ["at_most", "at_least"])
def test_no_step_exceeds_max_step_on_a_grid(direction):
    sign = -1 if direction == "at_most" else 1
    for max_step in (0.05, 0.1, 0.15, 0.17, 0.2, 0.33, 0.5):
        for round_to in (0.01, 0.5, 1.0):
            for current in (0.3, 0.44, 1.0, 7.0, 15.5, 32.0, 47.3):
                norm = current * (0.25 if sign < 0 else 3.0)
                ladder = target_ladder([current], current=current, team_norm=norm,
                                       max_step=max_step, direction=direction,
                                       round_to=round_to)  # fmt: skip
                out = ladder.table
                steps = out["step_size"].dropna().to_numpy()
                where = (direction, max_step, round_to, current)
                assert (np.abs(steps) <= max_step + 1e-9).all(), where
                assert (np.sign(steps) == sign).all(), where  # always toward the norm
                t = out["target"].to_numpy()
                if ladder.reaches_norm:
                    assert t[-1] == pytest.approx(norm), where
                    inner = t[1:-1]  # rungs between the start and the norm are on the grid
                else:
                    assert sign * (norm - t[-1]) > 0, where
                    inner = t[1:]
                assert np.allclose(inner / round_to, np.round(inner / round_to)), where


def test_ladder_already_at_norm_and_missing_values():
    ladder = target_ladder([10.0, np.nan, 14.0], team_norm=15)
    assert ladder.table["target"].tolist() == [12.0]
    assert ladder.set_aside == {"missing_value": 1}
    assert ladder.table.loc[0, "n_units"] == 2 and ladder.reaches_norm


def test_ladder_bad_input():
    with pytest.raises(ValueError, match="direction"):
        target_ladder(CALLS, team_norm=15, direction="down")
    with pytest.raises(ValueError, match="max_step"):
        target_ladder(CALLS, team_norm=15, max_step=1.5)
    with pytest.raises(ValueError, match="no usable values"):
        target_ladder([np.nan], team_norm=15)
