"""Every figure nbval pins in a committed notebook, worked out again from the CSV with plain pandas.

nbval compares the cells marked ``# NBVAL_CHECK_OUTPUT`` with the outputs committed in the
notebooks; re-executing the notebooks (``make notebooks``) rewrites those outputs, so on its
own nbval would approve a wrong number. These tests read the committed outputs (no kernel)
and check each pinned figure against the sample's CSV files read with plain pandas and the
written definitions (docs/metrics.md), never with the workbench's own functions.

Not re-derived here (stated, so the gap is visible): bootstrap intervals, the placebo and
peer comparisons of the case conclusions, description-quality scores and the team trends;
those are covered by the unit tests of their functions on hand-made tables.
"""

from __future__ import annotations

import html
import re

import nbformat
import pandas as pd
import pytest

from workbench.config import NOTEBOOKS_DIR, SAMPLE_DIR

OCT = "2026-10"


def _pinned(relpath: str, mime: str = "text/html") -> list[str]:
    """The committed output of each ``# NBVAL_CHECK_OUTPUT`` cell, in order: printed text,
    else the ``mime`` representation, else ``text/plain``."""
    nb = nbformat.read(NOTEBOOKS_DIR / relpath, as_version=4)
    texts = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "NBVAL_CHECK_OUTPUT" not in cell.source:
            continue
        parts = []
        for out in cell.outputs:
            if out.output_type == "stream":
                parts.append(out.text)
            elif mime in out.get("data", {}):
                parts.append(out.data[mime])
            elif "text/plain" in out.get("data", {}):
                parts.append(out.data["text/plain"])
        texts.append("".join(parts))
    return texts


def _html_rows(table_html: str) -> list[list[str]]:
    """The body rows of an HTML table as lists of unescaped cell texts (a line break inside
    a cell as a newline, other markup dropped)."""
    body = table_html.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.DOTALL)

    def text(cell: str) -> str:
        return html.unescape(re.sub(r"<[^>]+>", "", cell.replace("<br>", "\n")))

    return [[text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.DOTALL)] for r in rows]


def _html_items(ul_html: str) -> list[str]:
    return [html.unescape(li) for li in re.findall(r"<li>(.*?)</li>", ul_html, re.DOTALL)]


def _month_words(month: str) -> str:
    """ "2026-05" as the report writes a month in a table: "May 2026"."""
    return pd.Timestamp(month + "-01").strftime("%b %Y")


def _month(stamps: pd.Series) -> pd.Series:
    return stamps.dt.strftime("%Y-%m")


@pytest.fixture(scope="module")
def t(sample_csv) -> pd.DataFrame:
    return sample_csv["tasks"]


@pytest.fixture(scope="module")
def c(sample_csv) -> pd.DataFrame:
    return sample_csv["calls"]


@pytest.fixture(scope="module")
def d(sample_csv) -> pd.DataFrame:
    return sample_csv["deals"]


@pytest.fixture(scope="module")
def as_of(t, c, d) -> pd.Timestamp:
    """The latest event of the whole sample (the notebooks' default "now")."""
    return max(t["created_at"].max(), t["completed_at"].max(), c["started_at"].max(),
               d["created_at"].max(), d["closed_at"].max())  # fmt: skip


def _due(t: pd.DataFrame, as_of) -> pd.DataFrame:
    """Due tasks (original deadline <= as_of, not cancelled) with an ``overdue`` flag."""
    keep = (t["status"] != "cancelled") & t["original_due_at"].notna()
    due = t.loc[keep & (t["original_due_at"] <= as_of)].copy()
    due["overdue"] = due["completed_at"].isna() | (due["completed_at"] > due["original_due_at"])
    return due


def _connected(c: pd.DataFrame) -> pd.DataFrame:
    return c.loc[c["answered"] & (c["duration_s"] > 0)]


@pytest.fixture(scope="module")
def october(t, c, d, as_of) -> pd.DataFrame:
    """October 2026 per manager, each column by its written definition."""
    due = _due(t, as_of)
    due = due.loc[_month(due["original_due_at"]) == OCT]
    conn = _connected(c)
    conn = conn.loc[_month(conn["started_at"]) == OCT]
    closed = d.loc[(_month(d["closed_at"]) == OCT) & d["outcome"].isin(["won", "lost"])]
    won = closed.loc[closed["outcome"] == "won"]
    done = t.loc[(_month(t["completed_at"]) == OCT) & (t["status"] != "cancelled")]
    out = pd.DataFrame({
        "tasks_new": t.loc[_month(t["created_at"]) == OCT].groupby("manager").size(),
        "tasks_completed": done.groupby("manager").size(),
        "tasks_due": due.groupby("manager").size(),
        "tasks_overdue": due.groupby("manager")["overdue"].sum(),
        "dials": c.loc[_month(c["started_at"]) == OCT].groupby("manager").size(),
        "connected": conn.groupby("manager").size(),
        "talk_mean_min": conn.groupby("manager")["duration_s"].mean() / 60,
        "leads": d.loc[_month(d["created_at"]) == OCT].groupby("manager").size(),
        "won": won.groupby("manager").size(),
        "closed": closed.groupby("manager").size(),
        "sales_volume": won.groupby("manager")["amount"].sum(),
    })  # fmt: skip
    out["delinquency_rate"] = out["tasks_overdue"] / out["tasks_due"]
    out["conversion"] = out["won"] / out["closed"]
    assert len(out) == 10 and not out.isna().any().any()
    return out


# --------------------------------------------------------------------------------------
# explore/description_quality.ipynb
# --------------------------------------------------------------------------------------


def _cells(table: str) -> list[list[str]]:
    """A plain-text table's lines split into cells (cells stand two or more spaces apart)."""
    return [re.split(r"\s{2,}", line.strip()) for line in table.strip().splitlines()]


def test_description_quality_health_counts_every_csv_row(sample_csv):
    health = _pinned("explore/description_quality.ipynb", mime="text/plain")[0]
    expected = [["Table", "Rows read", "Loaded", "Set aside"]]
    for table in ("tasks", "calls", "deals", "targets", "roster"):
        rows = f"{len(sample_csv[table]):,}"
        expected.append([table, rows, rows, "0"])
    assert _cells(health)[:6] == expected
    assert [len(sample_csv[n]) for n in ("tasks", "calls", "deals", "targets")] == [
        6227, 26188, 3044, 4,
    ]  # fmt: skip


def test_description_quality_task_counts_and_empty_share(t):
    department, by_manager = _pinned("explore/description_quality.ipynb", mime="text/plain")[1:3]
    shown = dict(_cells(department))
    assert shown["Tasks scored"] == f"{len(t):,}"
    # empty: description missing or whitespace only; in percent to one decimal
    empty = t["description"].fillna("").str.strip().eq("").mean()
    assert shown["Empty description"] == f"{100 * empty:.1f}%"
    counts = t.groupby("manager").size()
    rows = _cells(by_manager)
    assert rows[0][:2] == ["Manager", "Tasks"]
    assert len(rows[1:]) == len(counts) == 10
    for manager, n, *_rest in rows[1:]:
        assert n == f"{counts[manager]:,}", manager


def test_description_quality_on_time_exclusions(t):
    on_time = _pinned("explore/description_quality.ipynb", mime="text/plain")[3]
    # as_of = the latest created_at/completed_at of the tasks; deadline = original, else due;
    # left out under the first reason: cancelled, no deadline, completed without a time,
    # (no band: every task has one), not due yet (not completed by as_of, deadline later).
    as_of = max(t["created_at"].max(), t["completed_at"].max())
    deadline = t["original_due_at"].fillna(t["due_at"])
    cancelled = t["status"] == "cancelled"
    no_deadline = ~cancelled & deadline.isna()
    no_time = ~cancelled & ~no_deadline & (t["status"] == "completed") & t["completed_at"].isna()
    done = t["completed_at"] <= as_of
    rest = ~cancelled & ~no_deadline & ~no_time
    not_due = rest & ~done & (deadline > as_of)
    expected = {
        "cancelled": int(cancelled.sum()),
        "no_deadline": int(no_deadline.sum()),
        "completed_without_time": int(no_time.sum()),
        "no_band": 0,
        "not_due_yet": int(not_due.sum()),
    }
    assert expected == {"cancelled": 267, "no_deadline": 537, "completed_without_time": 0,
                        "no_band": 0, "not_due_yet": 40}  # fmt: skip
    (left_out,) = [line for line in on_time.splitlines() if line.startswith("Left out:")]
    assert left_out == (
        f"Left out: {expected['cancelled']} cancelled tasks; {expected['no_deadline']} tasks "
        f"without a deadline; {expected['not_due_yet']} tasks not yet due on "
        f"{as_of.strftime('%Y-%m-%d')}."
    )
    n_in_bands = sum(int(row[1].replace(",", "")) for row in _cells(on_time)[1:4])
    assert n_in_bands == int((rest & ~not_due).sum())


# --------------------------------------------------------------------------------------
# explore/explorer.ipynb
# --------------------------------------------------------------------------------------


def test_explorer_delinquency_table(t, as_of):
    table = _pinned("explore/explorer.ipynb", mime="text/plain")[0]
    due = _due(t, as_of)
    rate = due.groupby([_month(due["original_due_at"]), "manager"])["overdue"].mean().unstack()
    lines = _cells(table)
    assert lines[0] == ["Overdue share of tasks due (%)"]  # the chart's title and unit
    assert lines[1] == ["Month", "Anna Petrova", "Boris Ivanov", "Median of all managers"]
    rows = lines[2:]
    assert len(rows) == 12
    for (month, anna, boris, median), key in zip(rows, rate.index, strict=True):
        # in percent, as on the chart; the median is over every manager of the month
        assert month == pd.Timestamp(key + "-01").strftime("%b %Y")
        assert anna == f"{round(100 * rate.loc[key, 'Anna Petrova'])}%", month
        assert boris == f"{round(100 * rate.loc[key, 'Boris Ivanov'])}%", month
        assert median == f"{round(100 * rate.loc[key].median())}%", month


# --------------------------------------------------------------------------------------
# cases/overdue_tasks.ipynb (Case A: Anna Petrova, KPI from 2026-05-01)
# --------------------------------------------------------------------------------------

BEFORE_A = ("2025-11", "2026-04")
AFTER_A = ("2026-05", "2026-10")


def _window(frame: pd.DataFrame, col: str, months: tuple[str, str]) -> pd.DataFrame:
    m = _month(frame[col])
    return frame.loc[(m >= months[0]) & (m <= months[1])]


@pytest.fixture(scope="module")
def anna(t) -> pd.DataFrame:
    return t.loc[t["manager"] == "Anna Petrova"]


def _case_rows(table_html: str) -> list[dict[str, str]]:
    """The rows of a case table (``workbench.cases.present``): each cell by its column's
    name (``data-label``), unescaped."""
    rows = re.findall(r"<tr>(.*?)</tr>", table_html.split("<tbody>", 1)[1], flags=re.DOTALL)
    cell = re.compile(r"<td class='\w+' data-label='([^']*)'>(.*?)</td>", re.DOTALL)
    return [{html.unescape(k): html.unescape(v) for k, v in cell.findall(r)} for r in rows]


def test_overdue_case_figures(t, anna):
    pinned = _pinned("cases/overdue_tasks.ipynb")
    conclusion, windows, output, guardrails = pinned[0], pinned[1], pinned[5], pinned[7]
    # The case reads "now" from the tasks table: its latest created_at / completed_at.
    as_of = max(t["created_at"].max(), t["completed_at"].max())
    due = _due(anna, as_of)
    before, after = (
        _window(due, "original_due_at", BEFORE_A),
        _window(due, "original_due_at", AFTER_A),
    )
    assert (len(before), len(after)) == (181, 437)
    rows = _case_rows(windows)
    assert [r["Months"] for r in rows] == ["Nov 2025 to Apr 2026", "May 2026 to Oct 2026"]
    assert [r["Due tasks"] for r in rows] == [str(len(before)), str(len(after))]
    for r, w in zip(rows, (before, after), strict=True):
        assert r["Mean"].startswith(f"{100 * w['overdue'].mean():.1f}% (95% CI ")
    assert f"fell from {before['overdue'].mean():.0%} to {after['overdue'].mean():.0%}" in (
        conclusion
    )
    # completed tasks per whole month, 6 months each side
    done = anna.loc[anna["completed_at"].notna() & (anna["status"] != "cancelled")]
    n_before = len(_window(done, "completed_at", BEFORE_A))
    n_after = len(_window(done, "completed_at", AFTER_A))
    assert (n_before, n_after) == (150, 468)
    (out,) = _case_rows(output)
    assert out["Per month before"] == f"{n_before / 6:.1f} (6 months)"
    assert out["Per month after"] == f"{n_after / 6:.1f} (6 months)"
    assert out["Ratio"].startswith(f"x{n_after / n_before:.2f} (95% CI ")
    # guardrails: empty description among completions, last-minute (<= 1 h before the
    # deadline in force) among on-time completions, postponed (due_at later than the
    # original) among tasks with a deadline; before the KPI and while it was in force
    shown = {r["Guardrail"]: r for r in _case_rows(guardrails)}
    completed = anna.loc[(anna["status"] == "completed") & anna["completed_at"].notna()]
    for column, months in (("Before the KPI", BEFORE_A), ("While the KPI was in force", AFTER_A)):
        w = _window(completed, "completed_at", months)
        empty = w["description"].fillna("").str.strip().eq("").mean()
        assert shown["Completed tasks with an empty description"][column] == f"{100 * empty:.1f}%"
        on_time = w.loc[w["due_at"].notna() & (w["completed_at"] <= w["due_at"])]
        last = ((on_time["due_at"] - on_time["completed_at"]) <= pd.Timedelta(hours=1)).mean()
        assert shown["Completions in the last hour"][column] == f"{100 * last:.1f}%"
    deadline = anna["original_due_at"].fillna(anna["due_at"])
    w = anna.loc[deadline.notna() & _month(deadline).between(*BEFORE_A)]
    postponed = (w["due_at"] > w["original_due_at"]).mean()
    assert shown["Deadlines moved later"]["Before the KPI"] == f"{100 * postponed:.1f}%"


# --------------------------------------------------------------------------------------
# cases/call_length.ipynb (Case B: Boris Ivanov, KPI steps 2026-04-01 and 2026-07-01)
# --------------------------------------------------------------------------------------

BEFORE_B, STEP1_B, STEP2_B = ("2025-11", "2026-03"), ("2026-04", "2026-06"), ("2026-07", "2026-10")


def test_call_length_case_figures(c, d):
    pinned = _pinned("cases/call_length.ipynb")
    conclusion, windows, output, sales, guardrails = (pinned[i] for i in (0, 1, 5, 6, 7))
    calls = _connected(c)
    calls = calls.loc[calls["manager"] == "Boris Ivanov"]
    rows = {r["Window"]: r for r in _case_rows(windows)}
    for label, months, _n_months in (("before", BEFORE_B, 5), ("step 1", STEP1_B, 3),
                                     ("step 2", STEP2_B, 4)):  # fmt: skip
        w = _window(calls, "started_at", months)
        assert rows[label]["Mean"].startswith(f"{w['duration_s'].mean() / 60:.1f} min"), label
        assert rows[label]["Connected calls"] == f"{len(w):,}", label
    deals = d.loc[d["manager"] == "Boris Ivanov"]
    leads = {m: len(_window(deals, "created_at", m)) for m in (BEFORE_B, STEP2_B)}
    in_force = len(_window(deals, "created_at", ("2026-04", "2026-10")))
    force, last = _case_rows(output)
    assert (force["Per month before"], force["Per month after"]) == (
        f"{leads[BEFORE_B] / 5:.1f} (5 months)", f"{in_force / 7:.1f} (7 months)")  # fmt: skip
    assert last["Per month after"] == f"{leads[STEP2_B] / 4:.1f} (4 months)"
    # The sales decomposition, per whole month: leads (created), close rate (closed /
    # leads), win rate (won / closed), value per won deal, sales volume (won amounts).
    table = {r["Measure"]: r for r in _case_rows(sales)}
    expected, per_won = {}, []
    for i, (months, n) in enumerate(((BEFORE_B, 5), (STEP2_B, 4))):
        created = _window(deals, "created_at", months)
        closed = _window(deals, "closed_at", months)
        closed = closed.loc[closed["outcome"].isin(["won", "lost"])]
        won = closed.loc[closed["outcome"] == "won"]
        side = ("Before", "After")[i]
        expected[("Leads per month", side)] = f"{len(created) / n:.1f}"
        expected[("Closed of the leads", side)] = f"{len(closed) / len(created):.0%}"
        expected[("Won of the closed deals", side)] = f"{len(won) / len(closed):.0%}"
        expected[("Value per won deal", side)] = f"{won['amount'].sum() / len(won):,.0f}"
        expected[("Sales per month", side)] = f"{won['amount'].sum() / n:,.0f}"
        per_won.append(won["amount"].sum() / len(won))
    for (measure, side), value in expected.items():
        assert table[measure][side] == value, (measure, side)
    # the cost the conclusion states: value per won deal, 3,905 -> 2,845 (-27%)
    assert f"Value per won deal fell {1 - per_won[1] / per_won[0]:.0%}" in conclusion
    assert "Value per won deal fell 27%" in conclusion
    # guardrail: connected calls under his own 10th percentile before the KPI (a threshold
    # that can trigger: 10% of his calls before), before vs while the KPI was in force
    minutes = calls["duration_s"] / 60
    start = calls["started_at"].dt.strftime("%Y-%m")
    threshold = minutes[start <= BEFORE_B[1]].quantile(0.1)
    short = [(minutes[m] < threshold).mean() for m in (start <= BEFORE_B[1], start > BEFORE_B[1])]
    (row,) = _case_rows(guardrails)
    assert row["Guardrail"].startswith(f"Short calls (under {threshold:.1f} min")
    assert [row["Before the KPI"], row["While the KPI was in force"]] == [
        f"{100 * v:.1f}%" for v in short
    ]
    assert row["Rose?"] == "yes"


# --------------------------------------------------------------------------------------
# reports/manager_report.ipynb (Anna Petrova, October 2026) and reports/team_overview.ipynb
# --------------------------------------------------------------------------------------

FIGURES = {  # metric -> (its name in the report, unit included; which way is better; format)
    "tasks_new": ("Tasks created", "neither higher nor lower is better", "{:,.0f}"),
    "tasks_completed": ("Tasks completed", "better when higher", "{:,.0f}"),
    "tasks_due": ("Tasks due", "neither higher nor lower is better", "{:,.0f}"),
    "tasks_overdue": ("Tasks overdue", "better when lower", "{:,.0f}"),
    "delinquency_rate": ("Overdue share of tasks due, %", "better when lower", "{:.0%}"),
    "dials": ("Dials", "better when higher", "{:,.0f}"),
    "connected": ("Connected calls", "better when higher", "{:,.0f}"),
    "talk_mean_min": ("Mean connected-call length, min", "better when lower", "{:.1f}"),
    "leads": ("Leads handled", "better when higher", "{:,.0f}"),
    "won": ("Deals won", "better when higher", "{:,.0f}"),
    "conversion": ("Conversion (won / closed), %", "better when higher", "{:.0%}"),
    "sales_volume": ("Sales volume", "better when higher", "{:,.0f}"),
}


def test_manager_report_headlines_and_figures(october):
    _, headlines, figures, _ = _pinned("reports/manager_report.ipynb")
    # the sample roster puts Anna in team North: her team figures are of its other four
    roster = pd.read_csv(SAMPLE_DIR / "roster.csv")
    north = roster.loc[roster["team"] == "North", "manager"]
    me, others = october.loc["Anna Petrova"], october.loc[north].drop(index="Anna Petrova")
    items = _html_items(headlines)
    talk = others["talk_mean_min"]
    assert items[0] == (
        f"Your average connected call lasted {me['talk_mean_min']:.1f} min; the team median "
        f"is {talk.median():.1f} min ({(talk < me['talk_mean_min']).sum()} of 4 colleagues had "
        "a shorter mean call)."
    )
    assert items[1].startswith(
        f"{me['delinquency_rate']:.0%} of your tasks due in October 2026 were late "
        f"({me['tasks_overdue']:.0f} of {me['tasks_due']:.0f}); your KPI is at most 20%: met."
    )
    new, completed = me["tasks_new"], me["tasks_completed"]
    assert items[2] == f"You received {new:.0f} new tasks and completed {completed:.0f}."
    # the same team figure as the figures table: a median of four may end in .5
    med = others["leads"].median()
    leads = f"{med:.1f}" if med % 1 else f"{med:.0f}"
    assert items[3] == (
        f"You handled {me['leads']:.0f} leads (team median {leads}); "
        f"{me['won']:.0f} of {me['closed']:.0f} closed deals were won ({me['conversion']:.0%}), "
        f"sales volume {me['sales_volume']:,.0f}."
    )
    rows = _html_rows(figures)
    assert [r[0] for r in rows] == [f"{name}\n{better}" for name, better, _ in FIGURES.values()]
    for col, row in zip(FIGURES, rows, strict=True):
        _, better, fmt = FIGURES[col]
        _, you, median, doing_better = row
        assert you == fmt.format(me[col]), col
        med = others[col].median()  # of four: a count's median may end in .5, shown so
        half = fmt == "{:,.0f}" and med % 1 == 0.5
        assert median == (f"{med:,.1f}" if half else fmt.format(med)), col
        # colleagues on the better side of hers, by the figure's direction
        if better == "better when lower":
            assert doing_better == f"{(others[col] < me[col]).sum()} of 4", col
        elif better == "better when higher":
            assert doing_better == f"{(others[col] > me[col]).sum()} of 4", col
        else:
            assert doing_better == "–", col


def test_manager_report_kpi_table(d, t, as_of):
    kpi = _pinned("reports/manager_report.ipynb")[3]
    rows = _html_rows(kpi)
    deals = d.loc[d["manager"] == "Anna Petrova"]
    due = _due(t.loc[t["manager"] == "Anna Petrova"], as_of)
    months = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    expected = []
    for m in months:  # conversion: team KPI, at least 20%, from 2026-01
        closed = deals.loc[
            (_month(deals["closed_at"]) == m) & deals["outcome"].isin(["won", "lost"])
        ]
        rate = (closed["outcome"] == "won").mean()
        met = "met" if rate >= 0.2 else "missed"
        kpi = "Conversion (won / closed)\nthe team's target"
        expected.append([_month_words(m), kpi, "at least 20%", f"{rate:.1%}", met])
    for m in months:  # overdue share: Anna's own KPI, at most 20%, from 2026-05
        rate = due.loc[_month(due["original_due_at"]) == m, "overdue"].mean()
        met = "met" if rate <= 0.2 else "missed"
        kpi = "Overdue share of tasks due\nyour own target"
        expected.append([_month_words(m), kpi, "at most 20%", f"{rate:.1%}", met])
    assert rows == expected


def test_manager_report_next_steps(october, t, as_of):
    steps = _pinned("reports/manager_report.ipynb")[0]
    assert steps.startswith("<div class='next-steps'>")
    verdicts = [html.unescape(v) for v in re.findall(r"<li class='verdict[^']*'>(.*?)</li>", steps)]
    me = october.loc["Anna Petrova"]
    # KPIs of Anna in October: conversion (team, at least 20%), overdue share (hers, at most 20%)
    assert verdicts == [
        f"Conversion (won / closed) {me['conversion']:.0%} — target at least 20%: "
        + ("met" if me["conversion"] >= 0.2 else "missed"),
        f"Overdue share {me['delinquency_rate']:.0%} — target at most 20%: "
        + ("met" if me["delinquency_rate"] <= 0.2 else "missed"),
    ]
    # open overdue at as_of: not cancelled, not completed by as_of, deadline in force passed
    mine = t.loc[(t["manager"] == "Anna Petrova") & (t["status"] != "cancelled")]
    still_open = mine["completed_at"].isna() | (mine["completed_at"] > as_of)
    late = mine.loc[still_open & (mine["due_at"] < as_of) & (mine["created_at"] <= as_of)]
    in_october = int((_month(late["due_at"]) == OCT).sum())
    assert (len(late), in_october) == (68, 1)
    assert (
        f"{len(late)} tasks are past their deadline, {in_october} of them from October 2026"
        in html.unescape(steps)
    )
    assert "<a href='#open-overdue'>" in steps and "<a href='#task-descriptions'>" in steps


def test_team_overview_figures_and_headline_totals(october):
    findings, figures, _ = _pinned("reports/team_overview.ipynb")
    items = _html_items(findings)
    total = october[["tasks_due", "leads", "sales_volume"]].sum()
    assert items[0] == (
        f"October 2026: 10 managers; {total['tasks_due']:.0f} tasks due, "
        f"{total['leads']:.0f} leads handled, sales volume {total['sales_volume']:,.0f}."
    )
    volume = october["sales_volume"]
    outliers = ("Liam O'Brien", "Ольга Смирнова")
    for name in outliers:  # one team median: of all ten managers
        assert (
            f"{name}: sales volume {volume[name]:,.0f}, an outlier above the team (team "
            f"median {volume.median():,.0f})." in items
        )
    missed = october.index[october["conversion"] < 0.2].tolist()
    assert missed == ["Emma Schulz", "James Carter"]
    assert items[3].startswith(
        "2 of 10 managers with the conversion (won / closed) KPI (at least 20%) missed"
    )
    rows = _html_rows(figures)
    assert [r[0] for r in rows] == sorted(october.index)

    def star(name: str, metric: str) -> str:
        # outlier: |x - median of the others| > 3.5 x 1.4826 x MAD of the others
        others = october[metric].drop(index=name).dropna()
        median = others.median()
        mad = (others - median).abs().median()
        far = mad > 0 and abs(october.loc[name, metric] - median) > 3.5 * 1.4826 * mad
        return " *" if far else ""

    assert star("Boris Ivanov", "talk_mean_min") == " *"  # 24.9 min against 11.5
    for row in rows:
        name = row[0]
        me = october.loc[name]
        assert row[1:9] == [
            f"{me['tasks_due']:.0f}{star(name, 'tasks_due')}",
            f"{me['delinquency_rate']:.0%}{star(name, 'delinquency_rate')}",
            f"{me['tasks_completed']:.0f}{star(name, 'tasks_completed')}",
            f"{me['talk_mean_min']:.1f} min{star(name, 'talk_mean_min')}",
            f"{me['dials']:.0f}{star(name, 'dials')}",
            f"{me['leads']:.0f}{star(name, 'leads')}",
            f"{me['conversion']:.0%}{star(name, 'conversion')}",
            f"{me['sales_volume']:,.0f}{star(name, 'sales_volume')}",
        ], name
        # KPI columns: overdue share at most 20% (Anna only), mean call at most 22 min from
        # 2026-07 (Boris only), conversion at least 20% (everyone)
        overdue_kpi = f"{int(me['delinquency_rate'] <= 0.2)} of 1"
        call_kpi = f"{int(me['talk_mean_min'] <= 22)} of 1"
        assert row[9] == (overdue_kpi if name == "Anna Petrova" else "–"), name
        assert row[10] == (call_kpi if name == "Boris Ivanov" else "–"), name
        assert row[11] == f"{int(me['conversion'] >= 0.2)} of 1", name
