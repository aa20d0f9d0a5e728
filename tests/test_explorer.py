"""The explorer's callbacks, without a browser: change a control, the chart and table change,
in the same units and words."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import PIL.Image
import pytest

from workbench import i18n
from workbench.catalogue import catalogue
from workbench.config import SAMPLE_DIR
from workbench.explore import METRICS, Explorer, metric_options

MEDIAN = "Median of all managers"


def _line(explorer: Explorer, label: str):
    ax = explorer.figure.axes[0]
    return next(line for line in ax.get_lines() if line.get_label() == label)


def _legend(explorer: Explorer) -> list[str]:
    return [t.get_text() for t in explorer.figure.axes[0].get_legend().get_texts()]


def _drawn(explorer: Explorer) -> list[str]:
    """Labels of the visible lines of the chart, as drawn."""
    ax = explorer.figure.axes[0]
    return sorted(line.get_label() for line in ax.get_lines() if line.get_visible())


@pytest.fixture(scope="module")
def csv_tasks() -> pd.DataFrame:
    return pd.read_csv(
        SAMPLE_DIR / "tasks.csv", parse_dates=["created_at", "original_due_at", "completed_at"]
    )


@pytest.fixture(scope="module")
def connected() -> pd.DataFrame:
    """Connected calls from the CSV: answered with talk time > 0; month as "YYYY-MM"."""
    calls = pd.read_csv(SAMPLE_DIR / "calls.csv", parse_dates=["started_at"])
    calls = calls.loc[calls["answered"] & (calls["duration_s"] > 0)].copy()
    calls["month"] = calls["started_at"].dt.tz_convert("UTC").dt.strftime("%Y-%m")
    return calls


def test_default_view_draws_the_chosen_managers_and_the_median(sample):
    ex = Explorer(sample, managers=["Anna Petrova"], metric="delinquency_rate")
    assert _legend(ex) == ["Anna Petrova", MEDIAN]
    assert _drawn(ex) == sorted(["Anna Petrova", MEDIAN])
    assert list(ex.table.columns) == ["Anna Petrova", MEDIAN]
    assert len(ex.table) == 12  # Nov 2025 .. Oct 2026
    assert ex.hint == ""


def test_the_table_shows_shares_in_percent_like_the_chart(sample, csv_tasks):
    ex = Explorer(sample, managers=["Anna Petrova"], metric="delinquency_rate")
    # From the CSV: tasks of Anna, not cancelled, whose original deadline falls in the month;
    # overdue = not completed by that deadline. Every deadline of Nov 2025 - Sep 2026 lies
    # before the data's end, so no as-of cut is needed for those months.
    t = csv_tasks.loc[csv_tasks["manager"] == "Anna Petrova"]
    t = t.loc[t["status"] != "cancelled"]
    t = t.loc[t["original_due_at"].notna()]
    overdue = t["completed_at"].isna() | (t["completed_at"] > t["original_due_at"])
    month = t["original_due_at"].dt.tz_convert("UTC").dt.strftime("%Y-%m-01")
    by_hand = overdue.groupby(month).mean()
    months = [m for m in ex.table.index if m < "2026-10-01"]
    np.testing.assert_allclose(ex.table.loc[months, "Anna Petrova"], by_hand.loc[months])
    # shown as whole percent, the unit of the chart's axis; the first row is November 2025
    shown = ex.shown_table()
    assert list(shown.columns) == ["Month", "Anna Petrova", MEDIAN]
    assert shown.loc[0, "Month"] == "Nov 2025"
    assert by_hand["2025-11-01"] == pytest.approx(23 / 35)  # 0.657
    assert shown.loc[0, "Anna Petrova"] == "66%"
    for i, m in enumerate(months):
        assert shown.loc[i, "Anna Petrova"] == f"{round(100 * by_hand[m])}%"
    ticks = [t.get_text() for t in ex.figure.axes[0].get_yticklabels()]
    assert ticks and all(t.endswith("%") for t in ticks)
    html = ex.table_view().to_html()
    assert re.search(r'text-align: right[^"]*">66%</td>', html) and "0.657" not in html
    assert re.search(r'text-align: left[^"]*">Nov 2025</td>', html)
    assert re.search(r"<caption[^>]*>Overdue share of tasks due \(%\)</caption>", html)


def test_counts_show_as_whole_numbers(sample, csv_tasks):
    ex = Explorer(sample, managers=["Anna Petrova"], metric="tasks_new")
    created = csv_tasks.loc[csv_tasks["manager"] == "Anna Petrova", "created_at"]
    by_hand = created.dt.tz_convert("UTC").dt.strftime("%Y-%m-01").value_counts().sort_index()
    shown = ex.shown_table()
    assert shown["Anna Petrova"].tolist() == [str(n) for n in by_hand.loc[list(ex.table.index)]]
    assert not any(v.endswith(".0") for v in shown["Anna Petrova"])
    assert "Tasks created (count)" in repr(ex.table_view())


def test_durations_are_minutes_in_the_menu_the_chart_and_the_table(sample, connected):
    ex = Explorer(sample, managers=["Boris Ivanov"], metric="talk_median_s")
    # Boris's median connected call per month, seconds -> minutes, by hand from the CSV
    mine = connected.loc[connected["manager"] == "Boris Ivanov"]
    by_hand = mine.groupby("month")["duration_s"].median() / 60
    months = [m[:7] for m in ex.table.index]
    np.testing.assert_allclose(ex.table["Boris Ivanov"], by_hand.loc[months])
    first = by_hand.iloc[0]
    assert 20 < first < 30  # Case B: long calls before the KPI
    assert ex.shown_table().loc[0, "Boris Ivanov"] == f"{first:.1f}"
    np.testing.assert_allclose(_line(ex, "Boris Ivanov").get_ydata(), by_hand.loc[months])
    assert ex.figure.texts[0].get_text() == "Median connected-call length (min)"
    assert ex.figure.axes[0].get_ylabel() == "min"


def test_the_metric_menu_offers_one_unit_per_concept():
    labels = dict((m, label) for label, m in metric_options())
    assert list(labels) == list(METRICS)
    cat = catalogue()
    durations = [m for m in METRICS if cat[m].kind in ("seconds", "minutes")]
    assert durations == ["talk_mean_min", "talk_median_s", "talk_p90_s"]
    for m in durations:
        assert labels[m] == f"{cat[m].label} (min)"
    assert not any(label.endswith("(s)") for label in labels.values())
    rates = [m for m in METRICS if cat[m].kind == "rate"]
    assert rates and all(labels[m] == f"{cat[m].label} (%)" for m in rates)
    assert labels["sales_volume"] == "Sales volume (amount, thousands)"
    assert len(set(labels.values())) == len(labels)  # no two entries read the same


def test_money_in_thousands_in_the_table_as_on_the_axis(sample):
    ex = Explorer(sample, managers=["Chen Wei"], metric="sales_volume")
    deals = pd.read_csv(SAMPLE_DIR / "deals.csv", parse_dates=["closed_at"])
    won = deals.loc[(deals["manager"] == "Chen Wei") & (deals["outcome"] == "won")]
    month = won["closed_at"].dt.tz_convert("UTC").dt.strftime("%Y-%m-01")
    by_hand = won.groupby(month)["amount"].sum() / 1000
    first = ex.table.index[0]
    assert ex.table.loc[first, "Chen Wei"] == pytest.approx(by_hand[first])
    assert ex.shown_table().loc[0, "Chen Wei"] == f"{by_hand[first]:,.1f}"
    assert ex.figure.axes[0].get_ylabel() == "amount, thousands"


def test_changing_the_manager_changes_chart_and_table(sample):
    ex = Explorer(sample, managers=["Anna Petrova"], metric="talk_mean_min")
    before = ex.table.copy()
    ex.managers.value = ("Boris Ivanov",)
    assert list(ex.table.columns) == ["Boris Ivanov", MEDIAN]
    assert not np.allclose(before.iloc[:, 0], ex.table.iloc[:, 0], equal_nan=True)
    # Boris's first month: mean connected call about 32 min (Case B), read from the figure
    y = _line(ex, "Boris Ivanov").get_ydata()
    assert 28 < y[0] < 36
    assert ex.table.iloc[0, 0] == pytest.approx(y[0])
    assert _legend(ex) == ["Boris Ivanov", MEDIAN]


def test_no_manager_chosen_gives_a_readable_hint_not_an_empty_plot(sample):
    ex = Explorer(sample, managers=["Anna Petrova"])
    ex.managers.value = ()
    assert "Choose one or more managers" in ex.hint
    assert ex.table.empty and ex.shown_table().empty
    assert not ex.figure.axes[0].get_visible()  # no empty axes drawn
    shown = [t.get_text() for t in ex.figure.texts if t.get_visible()]
    assert shown == [ex.hint]
    # the widgets show the hint in place of the chart and the table
    assert ex.hint_box.layout.display is None and "Choose one or more" in ex.hint_box.value
    assert ex.image_box.layout.display == "none" and ex.table_box.value == ""
    ex.managers.value = ("Chen Wei",)
    assert ex.hint == "" and ex.hint_box.layout.display == "none"
    assert ex.image_box.layout.display is None and "Chen Wei" in ex.table_box.value


def test_the_legend_is_outside_the_plot_area_with_five_managers(sample):
    five = list(sample.managers)[:5]
    ex = Explorer(sample, managers=five, metric="conversion")
    fig = ex.figure
    renderer = fig.canvas.get_renderer()
    plot = fig.axes[0].get_window_extent(renderer)
    legend = fig.axes[0].get_legend().get_window_extent(renderer)
    assert _legend(ex) == [*five, MEDIAN]
    assert legend.y0 >= plot.y1  # above the plot area: it covers no line
    assert legend.x1 <= fig.bbox.width and legend.y1 <= fig.bbox.height  # and not cut off
    title = fig.texts[0].get_window_extent(renderer)
    assert title.y0 >= legend.y1 - 1  # the title above the legend


def test_week_rows_read_as_dates(sample):
    ex = Explorer(sample, managers=["Chen Wei"], metric="dials", period="week")
    shown = ex.shown_table()
    assert shown.columns[0] == "Week (starting Monday)"
    first = pd.Timestamp(ex.table.index[0])
    assert first.weekday() == 0  # a Monday
    assert shown.iloc[0, 0] == f"{first.day} {first.strftime('%b %Y')}"


def test_every_word_in_russian_and_the_language_restored(sample):
    ex = Explorer(sample, managers="Anna Petrova", metric="delinquency_rate", lang="ru")
    assert i18n.language() == "en"  # the explorer's language is its own
    with i18n.using("ru"):
        want_title = i18n._(catalogue()["delinquency_rate"].label) + " (%)"
        median = i18n._(MEDIAN)
        month = i18n._("Month")
    assert median != MEDIAN and month != "Month"
    shown = ex.shown_table()
    assert list(shown.columns) == [month, "Anna Petrova", median]
    assert shown.iloc[0, 0] == "нояб. 2025"
    assert shown.iloc[0, 1] == "66\xa0%"  # Babel's Russian percent: a no-break space
    assert ex.figure.texts[0].get_text() == want_title
    assert _legend(ex)[-1] == median
    assert ex.metric.description != "Metric" and ex.period.options[0][0] != "Month"
    assert all(not label.endswith("(s)") for label, _m in ex.metric.options)
    ex.managers.value = ()
    assert ex.hint and "manager" not in ex.hint.lower()


def test_controls_are_labelled_and_wide_enough(sample):
    ex = Explorer(sample)
    longest = max((label for label, _m in ex.metric.options), key=len)
    assert longest == "90th-percentile connected-call length (min)"
    for control in (ex.months, ex.period, ex.metric, ex.conversation_s):
        assert control.description and control.style.description_width == "160px"
    # about 7 px per character of 13 px text, and the menu's arrow: the label fits (the
    # browser test measures the real text in the real menu)
    menu_px = int(ex.metric.layout.width.removesuffix("px")) - 160
    assert len(longest) * 7 + 30 <= menu_px
    assert ex.conversation_s.description == "Conversation from (s)"


def test_period_and_month_range_and_threshold(sample):
    ex = Explorer(sample, managers=["Chen Wei"], metric="conversations")
    monthly_total = ex.table["Chen Wei"].sum()
    ex.period.value = "week"
    assert len(ex.table) > 40  # about 52 weeks
    ex.period.value = "month"
    ex.months.value = (ex.months.options[3][1], ex.months.options[5][1])
    assert list(ex.table.index) == ["2026-02-01", "2026-03-01", "2026-04-01"]
    assert ex.months.options[3][0] == "Feb 2026"
    ex.months.index = (0, len(ex.months.options) - 1)
    ex.conversation_s.value = 300  # a stricter threshold counts fewer conversations
    assert ex.table["Chen Wei"].sum() < monthly_total
    # the stricter count equals connected calls of at least 300 s, counted by hand with pandas
    calls = sample.calls
    mine = calls[
        (calls["manager"] == "Chen Wei") & calls["answered"] & (calls["duration_s"] >= 300)
    ]
    assert ex.table["Chen Wei"].sum() == len(mine)


def test_managers_as_a_comma_separated_parameter_and_unknown_names(sample):
    ex = Explorer(sample, managers="Boris Ivanov, Chen Wei")
    assert ex.managers.value == ("Boris Ivanov", "Chen Wei")
    with pytest.raises(ValueError, match="unknown manager"):
        Explorer(sample, managers="Nobody")
    with pytest.raises(ValueError, match="unknown metric"):
        Explorer(sample, metric="talk_mean_s")  # offered in minutes only


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGBA"))


def test_a_redraw_after_many_changes_equals_a_fresh_explorer_and_a_plain_savefig(sample):
    ex = Explorer(sample, managers=["Anna Petrova"])
    ex.managers.value = ("Boris Ivanov", "Chen Wei", "Dmitri Volkov", "Emma Schulz")
    ex.metric.value = "talk_mean_min"
    ex.period.value = "week"
    ex.months.index = (2, 7)
    ex.period.value = "month"
    ex.managers.value = ()
    ex.metric.value = "conversations"
    ex.conversation_s.value = 120
    ex.managers.value = ("Chen Wei", "Anna Petrova")
    fresh = Explorer(sample, managers="Chen Wei, Anna Petrova", metric="conversations")
    fresh.conversation_s.value = 120
    fresh.months.index = (2, 7)
    pd.testing.assert_frame_equal(ex.table, fresh.table)
    assert list(ex.table.columns) == ["Chen Wei", "Anna Petrova", MEDIAN]
    assert list(ex.table.index) == [f"2026-{m:02d}-01" for m in range(1, 7)]  # Jan..Jun 2026
    assert _drawn(ex) == _drawn(fresh) == sorted(["Chen Wei", "Anna Petrova", MEDIAN])
    for label in ("Chen Wei", "Anna Petrova"):
        np.testing.assert_array_equal(
            _line(ex, label).get_xydata(), _line(fresh, label).get_xydata()
        )
    assert ex.image().data == fresh.image().data  # the PNG encoder is deterministic
    # the PNG holds the pixels savefig writes of the same figure
    buffer = io.BytesIO()
    ex.figure.savefig(buffer, format="png", dpi=ex.figure.dpi)
    np.testing.assert_array_equal(_pixels(ex.image().data), _pixels(buffer.getvalue()))


def test_the_threshold_redraws_only_a_metric_that_counts_conversations(sample):
    ex = Explorer(sample, managers=["Chen Wei"], metric="delinquency_rate")
    png, table = ex.image().data, ex.table.copy()
    ex.conversation_s.value = 300
    assert "unchanged" in ex.status.value
    assert ex.image().data == png
    pd.testing.assert_frame_equal(ex.table, table)
    assert set(ex.timings) == {"total"}
    # the panel itself follows the threshold: conversations = connected calls >= 300 s
    calls = sample.calls
    mine = calls[
        (calls["manager"] == "Chen Wei") & calls["answered"] & (calls["duration_s"] >= 300)
    ]
    panel = ex.panel()
    assert panel.loc[panel["manager"] == "Chen Wei", "conversations"].sum() == len(mine)
    ex.metric.value = "conversations"
    assert ex.table["Chen Wei"].sum() == len(mine)
    ex.conversation_s.value = 0  # every connected call (answered, duration > 0) counts
    chen = calls.loc[calls["manager"] == "Chen Wei"]
    assert ex.table["Chen Wei"].sum() == (chen["answered"] & (chen["duration_s"] > 0)).sum()
    assert set(ex.timings) == {"data", "draw", "png", "display", "total"}
    assert ex.timings["total"] == ex.last_update_s
    assert sum(ex.timings[k] for k in ("data", "draw", "png", "display")) == pytest.approx(
        ex.last_update_s
    )
    assert "Updated in" in ex.status.value


def test_going_back_to_a_view_shows_it_without_drawing_and_the_figure_follows(sample):
    ex = Explorer(sample, managers=["Anna Petrova"], metric="delinquency_rate")
    png, table = ex.image().data, ex.table.copy()
    ex.metric.value = "talk_mean_min"
    assert ex.timings["draw"] > 0
    ex.table.iloc[0, 0] = -1.0  # a caller editing the table must not edit the remembered one
    ex.metric.value = "delinquency_rate"
    assert ex.timings["draw"] == 0 and ex.timings["png"] == 0
    assert ex.image().data == png
    pd.testing.assert_frame_equal(ex.table, table)
    ex.metric.value = "talk_mean_min"
    assert ex.table.iloc[0, 0] != -1.0
    # the Figure was left at the last drawn view; reading it brings it to the one on show
    ex.metric.value = "delinquency_rate"
    fresh = Explorer(sample, managers=["Anna Petrova"], metric="delinquency_rate")
    np.testing.assert_array_equal(
        _line(ex, "Anna Petrova").get_xydata(), _line(fresh, "Anna Petrova").get_xydata()
    )
    assert ex.figure.texts[0].get_text() == fresh.figure.texts[0].get_text()
    # a remembered empty view brings its hint back
    ex.managers.value = ()
    hint = ex.hint
    ex.managers.value = ("Anna Petrova",)
    ex.managers.value = ()
    assert ex.hint == hint and ex.timings["draw"] == 0


def test_sliders_report_on_release_only(sample):
    ex = Explorer(sample)
    assert ex.months.continuous_update is False
    assert ex.conversation_s.continuous_update is False
