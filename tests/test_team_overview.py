"""The team overview: hand-made panels with values worked out by hand, and the notebook."""

from __future__ import annotations

import json
import re
from html import escape, unescape
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pandas as pd
import pytest

from workbench.config import NOTEBOOKS_DIR
from workbench.reports.notebooks import run_notebook
from workbench.reports.team_overview import (
    TeamTable,
    bar_data,
    common_target,
    figures_view,
    team_findings,
    team_table,
    trends_view,
)

NOTEBOOK = NOTEBOOKS_DIR / "reports" / "team_overview.ipynb"
MONTHS = pd.date_range("2026-05-01", periods=6, freq="MS", tz="UTC")  # May .. Oct 2026
OCT, NOV = pd.Timestamp("2026-10-01", tz="UTC"), pd.Timestamp("2026-11-01", tz="UTC")


def _row(manager, period, *, due=10, overdue=2, talk_min=10.0, leads=10) -> dict:
    """One panel row: every count fixed except the ones a test varies; rates from counts."""
    row = dict(
        manager=manager, period=period, tasks_due=due, tasks_overdue=overdue,
        tasks_completed=10, dials=100, connected=10, talk_time_total_s=10 * 60 * talk_min,
        leads=leads, won=2, closed=4, sales_volume=1000.0, won_no_amount=0,
    )  # fmt: skip
    row["delinquency_rate"] = overdue / due if due else np.nan
    row["talk_mean_min"] = talk_min
    row["conversion"] = 0.5
    return row


def _panel() -> pd.DataFrame:
    """Five managers, May-Oct 2026. Everything is constant except:

    A: overdue 5 of 10 in May-Jul, 1 of 10 in Aug-Oct (improving).
    B: overdue 2 of 10 in May-Jul, 4 of 10 in Aug-Oct (worsening); leads 10 -> 20 in Aug-Oct.
    C, D: October calls 12 and 13 min. B: October calls 11 min.
    E: October calls 40 min; no task due in Aug-Oct.
    """
    rows = []
    for i, m in enumerate(MONTHS):
        recent = i >= 3
        rows.append(_row("A", m, overdue=1 if recent else 5))
        rows.append(
            _row("B", m, overdue=4 if recent else 2, leads=20 if recent else 10,
                 talk_min=11.0 if m == OCT else 10.0)
        )  # fmt: skip
        rows.append(_row("C", m, talk_min=12.0 if m == OCT else 10.0))
        rows.append(_row("D", m, talk_min=13.0 if m == OCT else 10.0))
        rows.append(
            _row("E", m, due=0 if recent else 10, overdue=0 if recent else 2,
                 talk_min=40.0 if m == OCT else 10.0)
        )  # fmt: skip
    return pd.DataFrame(rows)


TARGETS = pd.DataFrame(
    {
        "manager": ["*", "E"],
        "metric": ["delinquency_rate", "talk_mean_min"],
        "target": [0.2, 30.0],
        "direction": ["at_most", "at_most"],
        "effective_from": pd.to_datetime(["2026-09-01", "2026-09-15"]).tz_localize("UTC"),
        "effective_to": pd.to_datetime([pd.NaT, pd.NaT]).tz_localize("UTC"),
    }
)


@pytest.fixture(scope="module")
def october_result() -> TeamTable:
    return team_table(_panel(), TARGETS, start="2026-10-01", end="2026-11-01", tz="UTC")


@pytest.fixture(scope="module")
def october(october_result) -> pd.DataFrame:
    return october_result.table


def test_window_figures_and_outliers_by_hand(october):
    t = october.set_index("manager")
    assert list(t.index) == ["A", "B", "C", "D", "E"]
    assert (t["n_periods"] == 1).all()
    # October overdue / due: A 1/10, B 4/10, C and D 2/10, E 0 due -> undefined.
    assert t["delinquency_rate"].tolist()[:4] == pytest.approx([0.1, 0.4, 0.2, 0.2])
    assert np.isnan(t.loc["E", "delinquency_rate"])
    # A's team median is over the OTHERS with a value (B .4, C .2, D .2; E NaN) -> 0.2.
    assert t.loc["A", "delinquency_rate_team_median"] == pytest.approx(0.2)
    # E's calls 40 min; others 10, 11, 12, 13 -> median 11.5, |dev| 1.5 .5 .5 1.5 -> MAD 1.0;
    # z = (40 - 11.5) / 1.4826 = 19.22 -> outlier.
    assert t.loc["E", "talk_mean_min"] == 40.0
    assert t.loc["E", "talk_mean_min_team_median"] == 11.5
    assert t.loc["E", "talk_mean_min_robust_z"] == pytest.approx(28.5 / 1.4826)
    assert bool(t.loc["E", "talk_mean_min_outlier"]) is True
    # A's 10 min: others 11, 12, 13, 40 -> median 12.5, |dev| 1.5 .5 .5 27.5 -> MAD 1.0;
    # z = -2.5 / 1.4826 = -1.686 -> not an outlier (the extreme E does not move the MAD).
    assert t.loc["A", "talk_mean_min_robust_z"] == pytest.approx(-2.5 / 1.4826)
    assert bool(t.loc["A", "talk_mean_min_outlier"]) is False
    # Everybody converts 2 of 4: MAD 0 -> no robust z, outlier unknown (NA), not False.
    assert (t["conversion"] == 0.5).all() and t["conversion_robust_z"].isna().all()
    assert t["conversion_outlier"].isna().all()


def test_trends_by_hand(october):
    t = october.set_index("manager")
    # Last 3 months (Aug-Oct) vs the 3 before (May-Jul), unweighted means of monthly values.
    # A .5 -> .1 improving; B .2 -> .4 worsening; C, D .2 -> .2 flat; E no due task recently.
    assert t["delinquency_rate_trend"].tolist() == [
        "improving", "worsening", "flat", "flat", "insufficient data",
    ]  # fmt: skip
    # Calls: B (10+10+11)/3 = 10.33, change .33 <= 5% of 10 -> flat; C 10.67 (+.67 > .5),
    # D 11, E 20 -> worsening (lower is better); A constant -> flat.
    assert t["talk_mean_min_trend"].tolist() == ["flat", "flat", "worsening", "worsening",
                                                 "worsening"]  # fmt: skip
    assert t.loc["B", "leads_trend"] == "improving"  # 10 -> 20, higher is better
    assert "tasks_due_trend" not in october.columns  # more due tasks is neither good nor bad
    assert set(trends_view(october).columns) == {
        "Manager", "Overdue share of tasks due (lower is better)",
        "Tasks completed (higher is better)",
        "Mean connected-call length (lower is better)", "Dials (higher is better)",
        "Leads handled (higher is better)", "Conversion (won / closed) (higher is better)",
        "Sales volume (higher is better)",
    }  # fmt: skip


def test_kpi_months_met_by_hand(october):
    t = october.set_index("manager")
    # '*' overdue <= 20% from 2026-09-01: October A .1 met, B .4 missed, C/D .2 met (equal),
    # E nothing due -> neither met nor missed.
    assert t["kpi_delinquency_rate_periods"].tolist() == [1, 1, 1, 1, 1]
    assert t["kpi_delinquency_rate_met"].tolist() == [1, 0, 1, 1, 0]
    assert t["kpi_delinquency_rate_missed"].tolist() == [0, 1, 0, 0, 0]
    # E's personal call KPI <= 30 min from 2026-09-15: October 40 min -> missed; nobody else.
    assert t["kpi_talk_mean_min_periods"].tolist() == [0, 0, 0, 0, 1]
    assert t.loc["E", "kpi_talk_mean_min_missed"] == 1
    assert common_target(october, "delinquency_rate") == 0.2
    assert common_target(october, "talk_mean_min") is None  # personal: no team-wide line
    assert common_target(october, "leads") is None  # no KPI at all


def test_two_month_window_pools_counts_and_counts_kpi_months():
    result = team_table(_panel(), TARGETS, start=pd.Timestamp("2026-09-01"), end=NOV, tz="UTC")
    # the window travels with the table (a frozen dataclass, not DataFrame.attrs)
    assert (result.start, result.end, result.trend_periods) == (
        pd.Timestamp("2026-09-01", tz="UTC"),
        NOV,
        3,
    )
    t = result.table.set_index("manager")
    assert (t["n_periods"] == 2).all()
    # E's calls: Sep 10 x 600 s, Oct 10 x 2400 s -> 30000 s / 20 / 60 = 25.0 min (pooled).
    assert t.loc["E", "talk_mean_min"] == pytest.approx(25.0)
    assert t.loc["B", "delinquency_rate"] == pytest.approx(8 / 20)
    # Overdue KPI in force from Sep 1: two months each. The call KPI starts mid-September,
    # so September is judged without it: one month with a target for E.
    assert t["kpi_delinquency_rate_periods"].tolist() == [2, 2, 2, 2, 2]
    assert t.loc["B", ["kpi_delinquency_rate_met", "kpi_delinquency_rate_missed"]].tolist() == [
        0,
        2,
    ]
    assert t.loc["E", "kpi_talk_mean_min_periods"] == 1


def _correlation(rho, low, high, n_managers=10) -> pd.DataFrame:
    return pd.DataFrame(
        {"level": ["pooled"], "x": ["tasks_completed"], "y": ["won"], "rho": [rho],
         "ci_low": [low], "ci_high": [high], "alpha": [0.05], "n_managers": [n_managers]}
    )  # fmt: skip


def test_findings_worked_out_by_hand(october_result):
    corr = _correlation(0.10, -0.20, 0.40)
    assert team_findings(october_result, correlation=corr) == [
        # due 10+10+10+10+0; leads 10+20+10+10+10; volume 5 x 1000
        "October 2026: 5 managers; 40 tasks due, 60 leads handled, sales volume 5,000.",
        "1 of 5 managers with the overdue share of tasks due KPI (at most 20%) missed it in "
        "October 2026: B (1 had no value to judge).",
        "E, the only manager with the mean connected-call length KPI (at most 30.0 min), "
        "missed it in October 2026.",
        # ONE team median, of all five (10, 11, 12, 13, 40 -> 12), not of E's four colleagues
        "E: mean connected-call length 40.0 min, an outlier above the team (team median 12.0 min).",
        "Overdue share of tasks due (lower is better), the last 3 months against the 3 "
        "before: worsening for B; improving for A.",
        "Mean connected-call length (lower is better), the last 3 months against the 3 "
        "before: worsening for C, D and E.",
        "Leads handled (higher is better), the last 3 months against the 3 before: improving "
        "for B.",
        "Tasks completed and deals won (one point per manager and month): rank correlation "
        "0.10; its 95% interval, -0.20 to 0.40, includes 0: it cannot be told apart from no "
        "relation.",
    ]


def test_the_correlation_in_plain_words():
    from workbench.reports.team_overview import correlation_sentences

    clear = correlation_sentences(_correlation(-0.42, -0.60, -0.21))
    assert clear == [
        "Tasks completed and deals won (one point per manager and month): rank correlation "
        "-0.42; its 95% interval, -0.60 to -0.21, excludes 0: months with more tasks "
        "completed tend to have fewer deals won."
    ]
    few = correlation_sentences(_correlation(0.3, np.nan, np.nan, n_managers=5))
    assert few[0].endswith(
        "rank correlation 0.30; with only 5 managers there is no interval (too few to "
        "resample), so it cannot be told apart from no relation."
    )
    flat = correlation_sentences(_correlation(np.nan, np.nan, np.nan))
    assert flat == [
        "Tasks completed and deals won (one point per manager and month): no rank "
        "correlation, one of them does not vary."
    ]
    explained = correlation_sentences(_correlation(0.10, -0.20, 0.40), explain=True)
    assert len(explained) == 2 and explained[1].startswith("A rank correlation runs from -1")
    assert "is not an effect" in explained[1]


def test_one_team_median_per_metric(october):
    from workbench.reports.team_overview import team_medians

    medians = team_medians(october)
    # talk: 10, 11, 12, 13, 40 -> 12; overdue: .1 .4 .2 .2 (E none) -> .2; leads 10 20 10 10 10
    assert medians["talk_mean_min"] == 12.0
    assert medians["delinquency_rate"] == pytest.approx(0.2)
    assert medians["leads"] == 10.0


def test_findings_multi_month_window_and_nobody_missing():
    t = team_table(_panel(), TARGETS, start="2026-09-01", end="2026-11-01", tz="UTC")
    kpi = [f for f in team_findings(t) if "overdue share of tasks due KPI" in f]
    assert kpi == [
        "1 of 5 managers with the overdue share of tasks due KPI (at most 20%) missed it in at "
        "least one month of Sep 2026 to Oct 2026: B (1 had no value to judge)."
    ]
    # Without B's misses (B's overdue back to 2 of 10): 4 met, E unjudged, none missed.
    panel = _panel()
    panel.loc[panel["manager"] == "B", ["tasks_overdue", "delinquency_rate"]] = [2, 0.2]
    t = team_table(panel, TARGETS, start="2026-10-01", end="2026-11-01", tz="UTC")
    assert (
        "4 of 5 managers with the overdue share of tasks due KPI (at most 20%) met it in "
        "October 2026, none missed it (1 had no value to judge)." in team_findings(t)
    )


def test_views_and_bar_data(october):
    view = figures_view(october).set_index("Manager")
    assert view.loc["E", "Mean connected-call length"] == "40.0 min *"  # * = outlier
    assert view.loc["A", "Mean connected-call length"] == "10.0 min"
    assert view.loc["E", "Overdue share of tasks due"] == "–"  # nothing due
    assert view.loc["B", "Overdue share of tasks due"] == "40%"
    assert view.loc["B", "KPI overdue share of tasks due: months met"] == "0 of 1"
    assert view.loc["A", "KPI mean connected-call length: months met"] == "–"
    assert view.loc["E", "KPI mean connected-call length: months met"] == "0 of 1"
    bars = bar_data(october, "talk_mean_min")
    assert list(bars.columns) == ["manager", "talk_mean_min", "outlier", "target"]
    assert bars["outlier"].eq(True).tolist() == [False, False, False, False, True]
    # E's personal call KPI (30 min) is the only one: a mark on E's bar, no team-wide line
    assert bars["target"].isna().tolist() == [True, True, True, True, False]
    assert bars["target"].iloc[4] == 30.0
    assert list(bar_data(october, "leads").columns) == ["manager", "leads", "outlier"]


def test_too_few_colleagues_flag_no_outlier():
    # Only A, B, E: E's 40 min against B 11 and A 10 -> median 10.5, MAD 0.5, z = 39 -- but
    # two colleagues are too few for a spread (min_others 3): outlier NA, z still reported.
    panel = _panel().loc[lambda d: d["manager"].isin(["A", "B", "E"])]
    result = team_table(panel, TARGETS, start=OCT, end=NOV, tz="UTC")
    t = result.table.set_index("manager")
    assert t.loc["E", "talk_mean_min_robust_z"] == pytest.approx(29.5 / (1.4826 * 0.5))
    assert t["talk_mean_min_outlier"].isna().all()
    assert not any("outlier" in f for f in team_findings(result))


def test_no_targets_and_bad_window():
    t = team_table(_panel(), TARGETS.iloc[:0], start=OCT, end=NOV, tz="UTC")
    assert not any(c.startswith("kpi_") for c in t.table.columns)
    assert not any("KPI" in f for f in team_findings(t))
    with pytest.raises(ValueError, match="must be before end"):
        team_table(_panel(), TARGETS, start=NOV, end=OCT, tz="UTC")


def test_parameters_cell_is_unique_with_literal_defaults():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    for default in ('period_start: str = "2026-10-01"', 'period_end: str = "2026-10-31"',
                    'data: str = "data/sample"', 'mapping: str = ""', 'tz: str = "UTC"',
                    'as_of: str = ""', "history_months: int = 6"):  # fmt: skip
        assert default in tagged[0].source
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "def " not in code and "to_csv" not in code and "write" not in code


def test_notebook_runs_on_the_sample_and_names_every_manager(tmp_path):
    out = tmp_path / "team_overview.ipynb"
    nb = run_notebook(NOTEBOOK, out)
    text = "\n".join(
        str(o.get("data", {}).get("text/html", "")) + str(o.get("text", ""))
        for c in nb.cells
        for o in c.get("outputs", [])
    )
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))
    managers = pd.read_csv(Path(NOTEBOOK.parents[2] / "data" / "sample" / "calls.csv"))[
        "manager"
    ].unique()
    for manager in managers:
        assert escape(manager) in text  # in the findings and the table, escaped
    # The case B manager's personal call KPI is the only one; October's value is his own.
    assert "Boris Ivanov, the only manager with the mean connected-call length KPI" in text


# --- per-team pages of the rendered sample (rendered once per session: conftest.py) ---------

PERIOD = "2026-10"
OCT_2026 = (pd.Timestamp("2026-10-01", tz="UTC"), pd.Timestamp("2026-11-01", tz="UTC"))


def _teams(sample_csv) -> dict[str, list[str]]:
    roster = sample_csv["roster"].dropna(subset=["team"])
    return {t: sorted(g["manager"]) for t, g in roster.groupby("team")}


def _team_files(root: Path) -> dict[str, tuple[Path, dict]]:
    summary = json.loads((root / PERIOD / "run_summary.json").read_text("utf-8"))
    return {
        team: ((root / PERIOD / pages["index"]).parent, pages)
        for team, pages in summary["teams"].items()
    }


def _october_oracle(sample_csv, managers: list[str]) -> pd.DataFrame:
    """October 2026 per manager with plain pandas: tasks due and overdue (original deadline in
    the month, not cancelled, judged at the last event of the data) and connected calls."""
    tasks, calls, deals = (sample_csv[t] for t in ("tasks", "calls", "deals"))
    start, end = OCT_2026
    events = [tasks["created_at"], tasks["completed_at"], calls["started_at"],
              deals["created_at"], deals["closed_at"]]  # fmt: skip
    as_of = min(max(e.max() for e in events), end)
    deadline = tasks["original_due_at"].fillna(tasks["due_at"])
    due = (
        (tasks["status"] != "cancelled")
        & (tasks["created_at"] <= as_of)
        & (deadline >= start)
        & (deadline < end)
        & (deadline <= as_of)
    )
    done_in_time = (tasks["completed_at"] <= as_of) & (tasks["completed_at"] <= deadline)
    t = tasks.assign(overdue=~done_in_time)[due]
    t = t[t["manager"].isin(managers)].groupby("manager")
    c = calls[
        calls["manager"].isin(managers)
        & (calls["started_at"] >= start)
        & (calls["started_at"] < end)
        & calls["answered"]
        & (calls["duration_s"] > 0)
    ].groupby("manager")["duration_s"]
    return pd.DataFrame(
        {
            "due": t.size(),
            "overdue": t["overdue"].sum(),
            "talk_mean_min": c.sum() / c.size() / 60,
        }
    )


def test_each_team_page_lists_its_managers_and_no_one_else(rendered_sample, sample_csv):
    from workbench.reports.stamp import page_manager, page_team

    teams = _teams(sample_csv)
    files = _team_files(rendered_sample)
    assert sorted(files) == sorted(teams) == ["North", "South"]
    everyone = list(sample_csv["roster"]["manager"])
    for team, members in teams.items():
        folder, pages = files[team]
        assert folder.parent.name == "teams" and pages["members"] == members
        index = (folder / "index.html").read_text("utf-8")
        overview = (folder / "team_overview.html").read_text("utf-8")
        assert page_team(index) == page_team(overview) == [team]
        # the index: exactly the team's five managers, each linked to their own report
        links = re.findall(r'<a href="\.\./\.\./([^"/]+)/report\.html">([^<]*)</a>', index)
        assert sorted(unescape(name) for _, name in links) == members and len(members) == 5
        for slug, name in links:
            report = rendered_sample / PERIOD / slug / "report.html"
            assert page_manager(report.read_text("utf-8")) == [unescape(name)]
        assert 'href="team_overview.html"' in index and "data_health" not in index
        for page in (index, overview):
            for other in everyone:
                if other in members:
                    assert escape(other) in page or escape(other, False) in page, (team, other)
                else:  # not a single name of the other team's managers, nor the head of sales
                    assert other not in page and escape(other) not in page, (team, other)
        assert f"<h1>Team {team}: October 2026</h1>" in overview


def test_north_overview_figures_equal_plain_pandas(rendered_sample, sample_csv):
    north = _teams(sample_csv)["North"]
    folder, pages = _team_files(rendered_sample)["North"]
    overview = (folder / "team_overview.html").read_text("utf-8")
    oracle = _october_oracle(sample_csv, north)
    # the tasks due total of North's five managers, in the first finding
    total = int(oracle["due"].sum())
    assert f"October 2026: 5 managers; {total:,} tasks due," in overview
    # each manager's row: tasks due and overdue share (the table's first two figures)
    for name, row in oracle.iterrows():
        share = f"{row['overdue'] / row['due']:.0%}"
        cells = (
            rf"<td class=.name.>{re.escape(escape(name))}</td>\s*"
            rf'<td data-label="Tasks due">{int(row["due"])}</td>\s*'
            rf'<td data-label="Overdue share of tasks due">{share}'
        )
        assert re.search(cells, overview), (name, int(row["due"]), share)
    # ONE team median per metric, of North's five managers: the table's first row, and the
    # figure each outlier sentence names
    boris, talk = oracle.loc["Boris Ivanov", "talk_mean_min"], oracle["talk_mean_min"].median()
    assert re.search(
        rf"<tr class=.median.><td class=.name.>Team median</td>.*?{talk:.1f} min</td>", overview
    )
    assert (
        f"Boris Ivanov: mean connected-call length {boris:.1f} min, an outlier above the team "
        f"(team median {talk:.1f} min)."
    ) in overview
    # the same function the kernel called, run here from the export: the medians agree
    from workbench.config import SAMPLE_DIR
    from workbench.reports.page import prepare_team_overview

    ov = prepare_team_overview(
        period_start="2026-10-01", period_end="2026-10-31", data=str(SAMPLE_DIR), mapping="",
        tz="UTC", as_of="", history_months=6, team="North",
    )  # fmt: skip
    t = ov.table.set_index("manager")
    assert sorted(t.index) == north
    rates = oracle["overdue"] / oracle["due"]
    assert t["delinquency_rate"].to_dict() == pytest.approx(rates.to_dict())
    assert t.loc["Anna Petrova", "delinquency_rate_team_median"] == pytest.approx(
        rates.drop("Anna Petrova").median()
    )


def test_department_pages_are_unchanged_by_the_team_pages(rendered_sample, sample_csv):
    from workbench.reports.stamp import page_team

    period = rendered_sample / PERIOD
    index = (period / "index.html").read_text("utf-8")
    overview = (period / "team_overview.html").read_text("utf-8")
    assert page_team(index) == page_team(overview) == []
    links = re.findall(r'<a href="([^"/.][^"/]*)/report\.html">([^<]*)</a>', index)
    sellers = sorted(set(sample_csv["calls"]["manager"]))
    assert sorted(unescape(n) for _, n in links) == sellers and len(sellers) == 10
    assert 'href="team_overview.html"' in index and 'href="data_health.html"' in index
    assert "<h1>Team overview: October 2026</h1><p>10 managers;" in overview
    # every figure is on the page (four bar charts and the scatter), not only the first
    assert len(re.findall(r'<img[^>]*src="data:image/png;base64,', overview)) == 5
    assert "for the head of sales only" in overview
    for name in sellers:
        assert escape(name, quote=False) in overview


# --- the overview's page: figures at phone width, tables as cards, the language --------------


@pytest.fixture(scope="module")
def dept_overview():
    """The overview of the small department of tests/data/report_dept, January 2026: a
    team-wide overdue KPI (at most 20%) and Ann's personal call KPI (at most 12 min)."""
    from workbench import load_dataset
    from workbench.reports.team_overview import prepare_overview

    ds = load_dataset(Path(__file__).parent / "data" / "report_dept")
    return prepare_overview(ds, period_start="2026-01-01", period_end="2026-01-31", n_boot=20)


def _texts(fig):
    from matplotlib.text import Text

    fig.canvas.draw()
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_overview_figures_read_at_phone_width_with_legends_outside(dept_overview, lang):
    import workbench.reports.overview_page as op
    from workbench.i18n import using

    with using(lang):
        figures = [op.bars(dept_overview, m) for m in ("delinquency_rate", "talk_mean_min",
                                                        "leads", "conversion")]  # fmt: skip
        figures.append(op.scatter(dept_overview))
    for fig in figures:
        width = fig.get_figwidth()
        texts = _texts(fig)
        assert texts
        for t in texts:  # shown 390 px wide: pt x 390 / (width in x 72) >= 11 CSS px
            assert t.get_fontsize() * 390 / (width * 72) >= 11, (t.get_text(), t.get_fontsize())
        drawn = fig.get_tightbbox()  # and nothing drawn is cut off at the figure's edges
        assert drawn.x0 >= -0.01 and drawn.x1 <= width + 0.01, (drawn, width)
        assert drawn.y0 >= -0.01 and drawn.y1 <= fig.get_figheight() + 0.01
        ax = fig.axes[0]
        plot = ax.get_window_extent()
        legend = ax.get_legend()
        if legend is not None:  # legends sit outside the plot area
            assert not legend.get_window_extent().overlaps(plot)
        plt.close(fig)
    (note,) = figures[-1].axes[0].texts  # the correlation's note, under the scatter
    assert not note.get_window_extent().overlaps(figures[-1].axes[0].get_window_extent())


def test_the_kpi_is_drawn_as_a_line_or_as_each_managers_mark(dept_overview):
    import workbench.reports.overview_page as op

    fig = op.bars(dept_overview, "delinquency_rate")  # everyone's target: one line at 20%
    (line,) = [ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("KPI target")]
    assert line.get_label() == "KPI target 20%" and list(line.get_xdata()) == [0.2, 0.2]
    fig = op.bars(dept_overview, "talk_mean_min")  # Ann's own target: a mark on her bar only
    ax = fig.axes[0]
    (mark,) = [ln for ln in ax.get_lines() if ln.get_label() == "A manager's own KPI target"]
    xs = [x for x in mark.get_xdata() if not np.isnan(x)]
    assert xs == [12.0, 12.0]
    names = [t.get_text() for t in ax.get_yticklabels()]
    ys = [y for y in mark.get_ydata() if not np.isnan(y)]
    assert names[round(sum(ys) / 2)] == "Ann"  # the mark sits on Ann's bar
    note = op.kpi_note(dept_overview, "talk_mean_min").data
    assert "own KPI target (1 manager has one: Ann)" in note
    assert "every manager shares" in op.kpi_note(dept_overview, "delinquency_rate").data


def test_the_overview_tables_are_cards_on_a_phone_with_one_team_median(dept_overview):
    import workbench.reports.overview_page as op
    from workbench.reports.team_overview import team_medians

    page = op.figures(dept_overview).data
    assert "@media (max-width: 700px)" in page and "<table class='wb-cards'>" in page
    (median,) = re.findall(r"<tr class='median'>(.*?)</tr>", page)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", median)
    medians = team_medians(dept_overview.table)
    assert cells[0] == "Team median" and cells[1] == f"{medians['tasks_due']:.0f}"
    n = len(dept_overview.table)
    assert f"the middle of the {n} managers' figures" in unescape(page)  # said once
    assert page.count("Team median") == 2  # the row and the sentence
    assert 'data-label="Overdue share of tasks due"' in page
    trends = op.trends(dept_overview).data
    assert "(lower is better)" in trends and "insufficient data" not in trends


def test_the_overview_page_in_russian_names_no_code(dept_overview):
    import workbench.reports.overview_page as op
    from workbench.i18n import using

    with using("ru"):
        parts = [op.heading(dept_overview).data, op.intro().data, op.section("figures").data,
                 op.findings(dept_overview).data, op.trends(dept_overview).data,
                 op.correlation(dept_overview).data, op.health(dept_overview).data,
                 op.kpi_note(dept_overview, "talk_mean_min").data]  # fmt: skip
    text = unescape(re.sub(r"<style>.*?</style>|<[^>]+>", " ", " ".join(parts), flags=re.S))
    assert "Обзор команды: январь 2026" in text and "Все менеджеры рядом" in text
    assert not re.search(r"\b[a-z]+_[a-z0-9_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b", text)
    for english in ("Findings", "manager", "rank correlation", "Set aside"):
        assert english not in text, english


def test_the_template_takes_the_language_as_a_parameter():
    from workbench.reports.runner import OVERVIEW_TEMPLATE, template_parameters

    declared = template_parameters(OVERVIEW_TEMPLATE)
    assert declared["lang"]["default"] == '""'
    nb = nbformat.read(OVERVIEW_TEMPLATE, as_version=4)
    assert not [c for c in nb.cells if c.cell_type == "markdown"]  # words come from the catalogue
    assert "lang=lang" in "".join(c.source for c in nb.cells)
