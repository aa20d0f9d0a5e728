"""Tests of workbench.plots: artists checked against values worked out by hand."""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from cycler import cycler
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.patches import StepPatch
from matplotlib.text import Text
from matplotlib.ticker import PercentFormatter

from workbench import plots
from workbench.plots import MANAGER_COLOR, TARGET_COLOR, TEAM_COLOR

FOCUS = "Focus Person"
OTHERS = ["Alice Zed", "Bob Yul", "Cora Xi", "Dan Wu"]
TZ = "Europe/Moscow"  # periods start at local midnight, 21:00 UTC the day before
PERIODS = pd.DatetimeIndex(["2026-01-01", "2026-02-01", "2026-03-01"]).tz_localize(TZ)
X = mdates.date2num(pd.DatetimeIndex(["2026-01-01", "2026-02-01", "2026-03-01"]).to_numpy())


def _panel() -> pd.DataFrame:
    """3 months x 5 managers; Dan has no data in Feb/Mar, Cora none in Mar."""
    nan = np.nan
    rows = {
        # manager: [(delinquency_rate, dials, connected) per Jan, Feb, Mar]
        FOCUS: [(0.44, 50, 20), (0.15, 60, 30), (0.16, 70, 35)],
        "Alice Zed": [(0.10, 100, 10), (0.20, 100, 10), (0.10, 100, 10)],
        "Bob Yul": [(0.20, 200, 20), (0.20, 200, 20), (0.30, 200, 20)],
        "Cora Xi": [(0.30, 300, 30), (0.60, 600, 60), (nan, nan, nan)],
        "Dan Wu": [(0.40, 400, 40), (nan, nan, nan), (nan, nan, nan)],
    }
    records = []
    for manager, values in rows.items():
        for period, (rate, dials, connected) in zip(PERIODS, values, strict=True):
            records.append(
                {
                    "manager": manager,
                    "period": period,
                    "delinquency_rate": rate,
                    "dials": dials,
                    "connected": connected,
                }
            )
    panel = pd.DataFrame(records)
    panel["tasks_new"] = np.arange(len(panel)) + 10
    panel["tasks_completed"] = np.arange(len(panel)) + 5
    panel["tasks_overdue"] = np.arange(len(panel)) % 4
    panel["leads"] = np.arange(len(panel)) + 20
    panel["conversion"] = 0.25
    panel["sales_volume"] = 1_000_000.0 + 1000 * np.arange(len(panel))
    panel["won"] = pd.array(np.arange(len(panel)) % 5, dtype="Int64")
    return panel


def _calls() -> pd.DataFrame:
    rows = [
        # FOCUS connected: 1, 2, 3, 4, 10 min; one unanswered 15 min; one 0 s
        *[(FOCUS, s, True) for s in (60, 120, 180, 240, 600)],
        (FOCUS, 900, False),
        (FOCUS, 0, True),
        # team connected, pooled: 5, 10 | 2 | 1, 30 min -> 3 managers, 5 calls
        ("Alice Zed", 300, True),
        ("Alice Zed", 600, True),
        ("Bob Yul", 120, True),
        ("Cora Xi", 60, True),
        ("Cora Xi", 1800, True),
        ("Dan Wu", 3600, False),  # Dan has no connected call: not counted as a team member
    ]
    return pd.DataFrame(rows, columns=["manager", "duration_s", "answered"])


def _texts(fig) -> list[str]:
    """Every text in the figure: titles, labels, tick labels, legend entries, annotations."""
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text)]


def _assert_anonymous(ax) -> None:
    texts = _texts(ax.figure)
    assert any(texts), "no text collected"
    for name in OTHERS + [FOCUS]:
        assert not any(name in t for t in texts), f"{name!r} appears in {texts}"


def _line(ax, label: str):
    found = [ln for ln in ax.get_lines() if ln.get_label() == label]
    assert len(found) == 1, [ln.get_label() for ln in ax.get_lines()]
    return found[0]


def _has_no_data_text(ax) -> bool:
    return any(t.get_text().startswith("No data for") for t in ax.texts)


# --- metric over time: delinquency with target steps and team band -------------------


def _targets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "manager": [FOCUS, FOCUS, FOCUS, "Alice Zed"],
            "period": [PERIODS[1], PERIODS[2], PERIODS[2], PERIODS[2]],
            "metric": ["delinquency_rate", "delinquency_rate", "talk_mean_min", "delinquency_rate"],
            "target": [0.25, 0.20, 27.0, 0.30],
            "direction": "at_most",
        }
    )


def test_delinquency_over_time_artists():
    fig, ax = plt.subplots()
    out = plots.delinquency_over_time(
        _panel(), manager=FOCUS, targets=_targets(), min_team=3, ax=ax
    )
    assert out is ax

    mine = _line(ax, "You")
    np.testing.assert_allclose(mine.get_xdata(), X)
    np.testing.assert_allclose(mine.get_ydata(), [0.44, 0.15, 0.16])
    assert to_hex(mine.get_color()) == MANAGER_COLOR.lower()

    # only FOCUS's delinquency rows: Feb 0.25, Mar 0.20 (talk_mean_min and Alice ignored)
    step = _line(ax, "KPI target (at most)")
    assert step.get_drawstyle() == "steps-post"
    np.testing.assert_allclose(step.get_xdata(), X[1:])
    np.testing.assert_allclose(step.get_ydata(), [0.25, 0.20])
    assert to_hex(step.get_color()) == TARGET_COLOR.lower()

    # team band = quartiles of the OTHER managers (linear interpolation):
    # Jan [.1,.2,.3,.4]: q25 = .1 + .75*.1 = .175, q75 = .3 + .25*.1 = .325
    # Feb [.2,.2,.6]:    q25 = .2,                  q75 = .2 + .5*.4 = .4
    # Mar [.1,.3]: 2 managers < min_team=3 -> no band
    (band,) = ax.collections
    assert to_hex(band.get_facecolor()[0]) == TEAM_COLOR.lower()
    vertices = {(round(x, 6), round(y, 6)) for x, y in band.get_paths()[0].vertices}
    expected = {(X[0], 0.175), (X[0], 0.325), (X[1], 0.2), (X[1], 0.4)}
    assert vertices == {(round(x, 6), y) for x, y in expected}

    assert isinstance(ax.yaxis.get_major_formatter(), PercentFormatter)
    assert "(%)" in ax.get_ylabel()
    assert ax.get_xlabel() == "Month"
    assert ax.get_title()
    fig.canvas.draw()
    # Moscow midnight periods are labelled with their own month, not the UTC one
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan 2026", "Feb 2026", "Mar 2026"]
    _assert_anonymous(ax)


def test_min_team_lower_draws_march_band():
    fig, ax = plt.subplots()
    plots.delinquency_over_time(_panel(), manager=FOCUS, min_team=2, ax=ax)
    # Mar others [.1, .3]: q25 = .15, q75 = .25
    vertices = {(round(x, 6), round(y, 6)) for x, y in ax.collections[0].get_paths()[0].vertices}
    assert (round(X[2], 6), 0.15) in vertices
    assert (round(X[2], 6), 0.25) in vertices


def test_simple_target_frame_and_label():
    targets = pd.DataFrame({"period": PERIODS[[2, 1]], "target": [22.0, 27.0]})
    fig, ax = plt.subplots()
    plots.delinquency_over_time(_panel(), manager=FOCUS, targets=targets, label=FOCUS, ax=ax)
    step = _line(ax, "KPI target")
    np.testing.assert_allclose(step.get_ydata(), [27.0, 22.0])  # sorted by period
    texts = _texts(fig)
    assert any(FOCUS in t for t in texts)  # the manager may be named in her own report
    assert not any(o in t for t in texts for o in OTHERS)


def test_raw_targets_table_is_refused():
    raw = pd.DataFrame(
        {
            "manager": ["*"],
            "metric": ["delinquency_rate"],
            "target": [0.2],
            "effective_from": [PERIODS[0]],
        }
    )
    with pytest.raises(ValueError, match="raw targets table"):
        plots.delinquency_over_time(_panel(), manager=FOCUS, targets=raw)


def test_missing_column_is_named():
    with pytest.raises(ValueError, match="delinquency_rate"):
        plots.delinquency_over_time(_panel().drop(columns="delinquency_rate"), manager=FOCUS)


def test_results_over_time_formats():
    panel = _panel()
    fig, axes = plt.subplots(1, 3)
    for ax, metric in zip(axes, ["leads", "conversion", "sales_volume"], strict=True):
        assert plots.results_over_time(panel, manager=FOCUS, metric=metric, ax=ax) is ax
        _assert_anonymous(ax)
    assert "(count)" in axes[0].get_ylabel()
    assert isinstance(axes[1].yaxis.get_major_formatter(), PercentFormatter)
    assert "thousands" in axes[2].get_ylabel()
    assert axes[2].yaxis.get_major_formatter()(1_500_000, 0) == "1,500"  # view > 10,000
    with pytest.raises(ValueError, match="metric must be one of"):
        plots.results_over_time(panel, manager=FOCUS, metric="won")


def test_single_weekly_period():
    panel = _panel()
    panel = panel.loc[panel["period"] == PERIODS[0]].copy()
    panel["period"] = pd.Timestamp("2026-01-05", tz=TZ)  # a Monday
    fig, ax = plt.subplots()
    plots.metric_over_time(panel, manager=FOCUS, metric="delinquency_rate", ax=ax)
    x = mdates.date2num(np.datetime64("2026-01-05"))
    lo, hi = ax.get_xlim()
    assert lo < x < hi
    assert ax.get_xlabel() == "Week (starting Monday)"
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["5 Jan 2026"]


# --- task flow and calls over time ----------------------------------------------------


def test_task_flow_bars():
    panel = _panel()
    fig, ax = plt.subplots()
    assert plots.task_flow(panel, manager=FOCUS, ax=ax) is ax
    assert len(ax.containers) == 3
    assert len(ax.patches) == 9  # 3 series x 3 months
    mine = panel.loc[panel["manager"] == FOCUS]
    new, completed, overdue = ax.containers
    assert [p.get_height() for p in new] == mine["tasks_new"].tolist()
    assert [p.get_height() for p in completed] == mine["tasks_completed"].tolist()
    assert [p.get_height() for p in overdue] == mine["tasks_overdue"].tolist()
    # shortest gap Feb -> Mar = 28 days; width = 0.8 * 28 / 3; the middle bar is centred
    width = 0.8 * 28 / 3
    for patch, x in zip(completed, X, strict=True):
        assert patch.get_width() == pytest.approx(width)
        assert patch.get_x() + patch.get_width() / 2 == pytest.approx(x)
    assert "(count)" in ax.get_ylabel()
    _assert_anonymous(ax)


def test_calls_over_time_team_median():
    fig, ax = plt.subplots()
    assert plots.calls_over_time(_panel(), manager=FOCUS, ax=ax) is ax
    assert len(ax.get_lines()) == 4
    np.testing.assert_allclose(_line(ax, "Dials: You").get_ydata(), [50, 60, 70])
    # others' dials: Jan [100,200,300,400] -> 250; Feb [100,200,600] -> 200; Mar 2 -> none
    team = _line(ax, "Dials: team median")
    assert team.get_linestyle() == "--"
    np.testing.assert_allclose(team.get_ydata(), [250, 200, np.nan])
    # connected: Jan [10,20,30,40] -> 25; Feb [10,20,60] -> 20
    connected = _line(ax, "Connected calls: team median")
    np.testing.assert_allclose(connected.get_ydata(), [25, 20, np.nan])
    assert "(count)" in ax.get_ylabel()
    _assert_anonymous(ax)


# --- call-length distribution ---------------------------------------------------------


def test_call_length_hist():
    fig, ax = plt.subplots()
    out = plots.call_length_distribution(_calls(), manager=FOCUS, bins=2, ax=ax)
    assert out is ax
    assert ax.get_xscale() == "log"
    assert "(min, log scale)" in ax.get_xlabel()
    assert "(%)" in ax.get_ylabel()
    assert "connected calls: answered, talk time above zero" in " ".join(ax.get_title().split())
    # You: 1,2,3,4,10 min -> mean 4.0. The team figure is the median of the colleagues'
    # own means (the one team figure of the report): Alice (5+10)/2 = 7.5, Bob 2,
    # Cora (1+30)/2 = 15.5 -> 7.5 (the pooled calls' median, 5, is not drawn)
    assert _line(ax, "You: mean 4.0 min").get_xdata()[0] == pytest.approx(4.0)
    team = _line(ax, "Team: median of colleagues' means 7.5 min")
    assert team.get_xdata()[0] == pytest.approx(7.5)
    # bins: edges geomspace(1, 30, 3) = 1, 5.48, 30; You 4 | 1 -> .8, .2; team 3 | 2 -> .6, .4
    stairs = [p for p in ax.patches if isinstance(p, StepPatch)]
    assert len(stairs) == 3  # team fill, team outline, you
    np.testing.assert_allclose(stairs[-1].get_data().values, [0.8, 0.2])
    np.testing.assert_allclose(stairs[0].get_data().values, [0.6, 0.4])
    np.testing.assert_allclose(stairs[-1].get_data().edges, np.geomspace(1, 30, 3))
    [legend] = fig.legends  # under the plot, outside the axes
    labels = [t.get_text() for t in legend.get_texts()]
    assert "Colleagues' calls (5 calls, 3 colleagues)" in labels
    assert "You (5 calls)" in labels
    _assert_anonymous(ax)


def test_call_length_ecdf_and_small_team():
    fig, ax = plt.subplots()
    plots.call_length_distribution(_calls(), manager=FOCUS, kind="ecdf", min_team=4, ax=ax)
    mine = _line(ax, "You (5 calls)")
    np.testing.assert_allclose(mine.get_xdata(), [1, 2, 3, 4, 10])
    np.testing.assert_allclose(mine.get_ydata(), [0.2, 0.4, 0.6, 0.8, 1.0])
    # only 3 other managers < min_team=4: no team artists at all
    assert not ax.collections
    assert not any("team" in ln.get_label().lower() for ln in ax.get_lines())
    assert "fewer than 4 other managers" in " ".join(ax.get_title().split())
    _assert_anonymous(ax)


def test_call_length_without_answered_column():
    fig, ax = plt.subplots()
    calls = _calls().drop(columns="answered")
    plots.call_length_distribution(calls, manager=FOCUS, ax=ax)
    # the 15-min unanswered call now counts: 1,2,3,4,10,15 -> mean 35 / 6 = 5.8
    assert _line(ax, "You: mean 5.8 min").get_xdata()[0] == pytest.approx(35 / 6)
    assert "nothing of answered" in " ".join(ax.get_title().split())


def test_call_length_bad_kind():
    with pytest.raises(ValueError, match="kind"):
        plots.call_length_distribution(_calls(), manager=FOCUS, kind="box")


# --- across managers ------------------------------------------------------------------


def test_tasks_vs_results_scatter():
    panel = _panel()
    panel.loc[0, "tasks_completed"] = np.nan  # FOCUS Jan: cannot be placed, counted
    fig, ax = plt.subplots()
    ann = {"rho": 0.4213, "ci_low": 0.2, "ci_high": 0.6, "n": 14}
    out = plots.tasks_vs_results(panel, highlight=FOCUS, annotation=ann, ax=ax)
    assert out is ax
    rest, mine = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(rest.get_offsets()) == 12
    focus = panel.loc[panel["manager"] == FOCUS].iloc[1:]
    np.testing.assert_allclose(
        mine.get_offsets(), focus[["tasks_completed", "won"]].to_numpy(dtype=float)
    )
    assert "1 without both values not shown" in ax.get_title()
    note = "rank correlation 0.42; 95% interval 0.20 to 0.60; 14 points"  # under the plot
    assert note in [t.get_text() for t in ax.texts]
    assert "(count)" in ax.get_xlabel() and "(count)" in ax.get_ylabel()
    _assert_anonymous(ax)


def test_tasks_vs_results_no_highlight_string_annotation():
    fig, ax = plt.subplots()
    plots.tasks_vs_results(_panel(), annotation="computed elsewhere", ax=ax)
    assert len(ax.collections) == 1
    assert "computed elsewhere" in [t.get_text() for t in ax.texts]
    _assert_anonymous(ax)


def test_metric_by_manager_names_outliers_target():
    summary = pd.DataFrame(
        {
            "manager": ["Alice Zed", "Bob Yul", "Cora Xi", FOCUS],
            "delinquency_rate": [0.10, 0.30, np.nan, 0.44],
            "outlier": [False, False, False, True],
        }
    )
    fig, ax = plt.subplots()
    out = plots.metric_by_manager(
        summary, metric="delinquency_rate", highlight=FOCUS, target=0.2, ax=ax
    )
    assert out is ax
    bars = ax.containers[0]
    assert [p.get_width() for p in bars] == [0.10, 0.30, 0.44]  # largest on top
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Alice Zed", "Bob Yul", FOCUS]
    assert to_hex(bars[2].get_facecolor()) == MANAGER_COLOR.lower()
    assert to_hex(bars[0].get_facecolor()) == TEAM_COLOR.lower()
    assert bars[2].get_hatch() == "///" and not bars[0].get_hatch()
    target = _line(ax, "KPI target 20%")
    np.testing.assert_allclose(target.get_xdata(), [0.2, 0.2])
    assert "1 manager without a value not shown" in ax.get_title()
    assert "(%)" in ax.get_xlabel()
    with pytest.raises(ValueError, match="one row per manager"):
        plots.metric_by_manager(pd.concat([summary, summary]), metric="delinquency_rate")


# --- shared behaviour -----------------------------------------------------------------


def _first_period(panel: pd.DataFrame) -> pd.DataFrame:
    """One row per manager, as a team summary."""
    return panel.loc[panel["period"] == PERIODS[0]]


CASES = [
    ("calls", lambda d, ax: plots.call_length_distribution(d, manager=FOCUS, ax=ax)),
    ("panel", lambda d, ax: plots.delinquency_over_time(d, manager=FOCUS, ax=ax)),
    ("panel", lambda d, ax: plots.task_flow(d, manager=FOCUS, ax=ax)),
    ("panel", lambda d, ax: plots.calls_over_time(d, manager=FOCUS, ax=ax)),
    ("panel", lambda d, ax: plots.results_over_time(d, manager=FOCUS, ax=ax)),
    ("panel", lambda d, ax: plots.tasks_vs_results(d, highlight=FOCUS, ax=ax)),
    ("panel", lambda d, ax: plots.metric_by_manager(_first_period(d), metric="leads", ax=ax)),
]
IDS = ["calls", "delinquency", "task_flow", "calls_over_time", "results", "scatter", "by_manager"]


def _data(kind: str) -> pd.DataFrame:
    return _calls() if kind == "calls" else _panel()


@pytest.mark.parametrize(("kind", "draw"), CASES, ids=IDS)
def test_empty_input_draws_no_data_text(kind, draw):
    fig, ax = plt.subplots()
    assert draw(_data(kind).iloc[:0], ax) is ax
    assert _has_no_data_text(ax)


@pytest.mark.parametrize(("kind", "draw"), CASES[:5], ids=IDS[:5])
def test_manager_without_values_draws_no_data_text(kind, draw):
    data = _data(kind)
    data = data.loc[data["manager"] != FOCUS]
    fig, ax = plt.subplots()
    assert draw(data, ax) is ax
    assert _has_no_data_text(ax)


@pytest.mark.parametrize(("kind", "draw"), CASES, ids=IDS)
def test_ax_none_uses_current_axes(kind, draw):
    fig, ax = plt.subplots()
    assert draw(_data(kind), None) is ax


def test_all_nan_metric_draws_no_data_text():
    panel = _panel()
    panel["delinquency_rate"] = np.nan
    fig, ax = plt.subplots()
    plots.delinquency_over_time(panel, manager=FOCUS, ax=ax)
    assert _has_no_data_text(ax)


def _render(draw) -> np.ndarray:
    fig, ax = plt.subplots(figsize=(4, 3), dpi=50)
    draw(ax)
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba()).copy()
    plt.close(fig)
    return image


@pytest.mark.parametrize(("kind", "draw"), CASES, ids=IDS)
def test_figure_does_not_depend_on_earlier_figures(kind, draw):
    data = _data(kind)
    alone = _render(lambda ax: draw(data, ax))
    other = data.assign(manager=data["manager"].replace({FOCUS: "Alice Zed", "Alice Zed": FOCUS}))
    with plt.rc_context({"axes.prop_cycle": cycler(color=["red", "green"])}):
        _render(lambda ax: draw(other, ax))  # another manager's figure drawn first
        again = _render(lambda ax: draw(data, ax))
    np.testing.assert_array_equal(alone, again)


def test_text_collector_sees_ticks_and_legend():
    # guards the privacy checks above against collecting nothing
    fig, ax = plt.subplots()
    plots.metric_by_manager(_first_period(_panel()), metric="leads", target=20, ax=ax)
    texts = _texts(fig)
    assert "Alice Zed" in texts  # a tick label
    assert "KPI target 20" in texts  # a legend entry


def test_set_theme_palette():
    # Okabe & Ito's colour-blind-safe palette as published (RGB 0-255), black moved last:
    # orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple, black.
    published = [(230, 159, 0), (86, 180, 233), (0, 158, 115), (240, 228, 66),
                 (0, 114, 178), (213, 94, 0), (204, 121, 167), (0, 0, 0)]  # fmt: skip
    with plt.rc_context():
        plots.set_theme()
        colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
        assert [to_hex(c).upper() for c in colors] == [
            "#{:02X}{:02X}{:02X}".format(*rgb) for rgb in published
        ]


def test_dollar_in_crm_names_is_shown_literally():
    # "$...$" would otherwise be parsed as mathtext (and a lone "$" can fail to render)
    name = "Cash $ Money $ Ltd"
    panel = _panel().replace({"manager": {FOCUS: name, "Alice Zed": "A $x^2"}})
    fig, (ax1, ax2) = plt.subplots(1, 2)
    plots.delinquency_over_time(panel, manager=name, label=name, ax=ax1)
    plots.metric_by_manager(_first_period(panel), metric="leads", ax=ax2)
    texts = _texts(fig)  # draws: mathtext errors would raise here
    # two axes in the figure: each legend sits right of its plot area
    assert r"Cash \$ Money \$ Ltd" in [t.get_text() for t in ax1.get_legend().get_texts()]
    assert r"A \$x^2" in texts


def test_band_by_default_needs_five_colleagues():
    # _panel() has at most 4 other managers in a month: with 3 or 4, quartiles plus the
    # median give each colleague's value away, so by default no band is drawn at all.
    fig, ax = plt.subplots()
    plots.delinquency_over_time(_panel(), manager=FOCUS, ax=ax)
    assert len(ax.collections) == 0
    assert _line(ax, "You") is not None


# --- the manager report's figures on a phone ------------------------------------------

PHONE_CSS_PX = 390


def _report_figures(sample) -> dict:
    """Anna Petrova's October figures, drawn the way the report template draws them."""
    from workbench.reports import page as rc
    from workbench.reports.manager_view import prepare_manager_view

    view = prepare_manager_view(
        sample, "Anna Petrova", period_start="2026-10-01", period_end="2026-10-31"
    )
    rc.apply_report_style()
    draws = {
        "overdue": lambda: plots.delinquency_over_time(
            view.panel, manager=view.manager, targets=view.kpi
        ),
        "task flow": lambda: plots.task_flow(view.panel, manager=view.manager),
        "call length": lambda: plots.call_length_distribution(view.calls, manager=view.manager),
        "calls": lambda: plots.calls_over_time(view.panel, manager=view.manager),
    }
    figures = {}
    for name, draw in draws.items():
        plt.figure()
        draw()
        figures[name] = plt.gcf()
    figures["results"] = rc.results_figure(view)
    for fig in figures.values():
        fig.canvas.draw()
    return view, figures


@pytest.fixture(scope="module", params=["en", "ru"])
def report_figures(sample, request):
    from workbench.i18n import using

    with plt.rc_context(), using(request.param):
        view, figures = _report_figures(sample)
        figures = {**figures, "view": view}
        yield figures
    for name, fig in figures.items():
        if name != "view":
            plt.close(fig)


def _figures(report_figures) -> dict:
    return {k: v for k, v in report_figures.items() if k != "view"}


def test_report_figure_text_is_at_least_11_css_px_on_a_phone(report_figures):
    # A figure shown 390 CSS px wide scales 1 pt of text to 390 / (width in inches x 72)
    # px. Every visible text (titles, axis labels, ticks, legend entries) must reach 11 px.
    for name, fig in _figures(report_figures).items():
        scale = PHONE_CSS_PX / (fig.get_figwidth() * 72)
        texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
        assert len(texts) > 10, name
        small = {t.get_text(): round(t.get_fontsize() * scale, 1) for t in texts
                 if t.get_fontsize() * scale < 11}  # fmt: skip
        assert not small, f"{name}: text under 11 CSS px at 390 px: {small}"


def test_report_figure_text_is_never_cut_off(report_figures):
    # a title or legend wider than the figure runs off its edges in the saved PNG
    for name, fig in _figures(report_figures).items():
        renderer = fig.canvas.get_renderer()
        for text in fig.findobj(Text):
            if not (text.get_visible() and text.get_text().strip()):
                continue
            box = text.get_window_extent(renderer)
            inside = fig.bbox.x0 - 1 <= box.x0 and box.x1 <= fig.bbox.x1 + 1
            assert inside, f"{name}: {text.get_text()!r} runs off the figure"


def test_report_figure_legends_are_outside_every_plot_area(report_figures):
    for name, fig in _figures(report_figures).items():
        renderer = fig.canvas.get_renderer()
        legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
        assert legends, name
        for legend in legends:
            box = legend.get_window_extent(renderer)
            for ax in fig.axes:
                assert not box.overlaps(ax.get_window_extent(renderer)), name
            # and inside the figure (not cut off when the PNG is saved)
            assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1), name


def test_histogram_legend_leaves_every_tick_readable(report_figures):
    # the case: the legend covered the plot and its 12% tick
    fig = report_figures["call length"]
    [ax] = fig.axes
    renderer = fig.canvas.get_renderer()
    [legend] = fig.legends
    box = legend.get_window_extent(renderer)
    ticks = [t for t in ax.get_yticklabels() if t.get_text()]
    assert "12%" in [t.get_text() for t in ticks] or len(ticks) >= 4
    for tick in ticks + [t for t in ax.get_xticklabels() if t.get_text()]:
        assert not box.overlaps(tick.get_window_extent(renderer)), tick.get_text()


def test_histogram_marks_the_same_team_figure_as_the_report(report_figures):
    # one team figure per metric: the median of the colleagues' own mean calls, in the
    # headline, the figures table and the histogram alike (never the pooled calls' median)
    from workbench.reports.manager_view import figures_table

    table = figures_table(report_figures["view"]).set_index("definition")
    [ax] = report_figures["call length"].axes
    # the two vertical lines: the manager's mean, then the team figure
    _mine, team = [ln for ln in ax.get_lines() if len(set(ln.get_xdata())) == 1]
    expected = table.loc["talk_mean_min", "team median"]
    assert team.get_xdata()[0] == pytest.approx(expected)
    assert f"{expected:.1f}".replace(".", "," if "мин" in team.get_label() else ".") in (
        team.get_label()
    )
