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
    """The body rows of an HTML table as lists of unescaped cell texts."""
    body = table_html.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, flags=re.DOTALL)
    cells = r"<td(?: [^>]*)?>(.*?)</td>"
    return [[html.unescape(c) for c in re.findall(cells, r, re.DOTALL)] for r in rows]


def _html_items(ul_html: str) -> list[str]:
    return [html.unescape(li) for li in re.findall(r"<li>(.*?)</li>", ul_html, re.DOTALL)]


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


def test_description_quality_health_counts_every_csv_row(sample_csv):
    health = _pinned("explore/description_quality.ipynb")[0]
    lines = [line.split() for line in health.strip().splitlines()]
    expected = [["table", "measure", "reason", "reason_code", "rows"]]
    for table in ("tasks", "calls", "deals", "targets", "roster"):
        rows = str(len(sample_csv[table]))
        expected += [[table, "read", rows], [table, "loaded", rows], [table, "set_aside", "0"]]
    assert lines == expected
    assert [len(sample_csv[n]) for n in ("tasks", "calls", "deals", "targets")] == [
        6227, 26188, 3044, 4,
    ]  # fmt: skip


def test_description_quality_task_counts_and_empty_share(t):
    department, by_manager = _pinned("explore/description_quality.ipynb")[1:3]
    shown = dict(line.split() for line in department.strip().splitlines())
    assert float(shown["n_tasks"]) == len(t)
    # empty: description missing or whitespace only
    empty = t["description"].fillna("").str.strip().eq("").mean()
    assert float(shown["share_empty"]) == round(empty, 3)
    counts = t.groupby("manager").size()
    rows = by_manager.strip().splitlines()[1:]
    assert len(rows) == len(counts) == 10
    for line in rows:
        manager = next(m for m in counts.index if line.strip().startswith(m))
        n = int(line.strip()[len(manager) :].split()[0])
        assert n == counts[manager], manager


def test_description_quality_on_time_exclusions(t):
    on_time = _pinned("explore/description_quality.ipynb")[3]
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
    for reason, count in expected.items():
        assert re.search(rf"'{reason}': {count}\b", on_time), reason
    n_in_bands = sum(int(line.split()[1]) for line in on_time.splitlines()[1:4])
    assert n_in_bands == int((rest & ~not_due).sum())


# --------------------------------------------------------------------------------------
# explore/explorer.ipynb
# --------------------------------------------------------------------------------------


def test_explorer_delinquency_table(t, as_of):
    table = _pinned("explore/explorer.ipynb", mime="text/plain")[0]
    due = _due(t, as_of)
    rate = due.groupby([_month(due["original_due_at"]), "manager"])["overdue"].mean().unstack()
    rows = [line.split() for line in table.strip().splitlines()[2:]]
    assert len(rows) == 12
    for month, anna, boris in rows:
        assert float(anna) == round(rate.loc[month[:7], "Anna Petrova"], 3), month
        assert float(boris) == round(rate.loc[month[:7], "Boris Ivanov"], 3), month


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


def test_overdue_case_figures(t, anna):
    headline, output, guardrails = _pinned("cases/overdue_tasks.ipynb")[:3]
    # The case reads "now" from the tasks table: its latest created_at / completed_at.
    as_of = max(t["created_at"].max(), t["completed_at"].max())
    due = _due(anna, as_of)
    before, after = (
        _window(due, "original_due_at", BEFORE_A),
        _window(due, "original_due_at", AFTER_A),
    )
    assert (len(before), len(after)) == (181, 437)
    assert f"before   {100 * before['overdue'].mean():.1f} % " in headline
    assert f"after    {100 * after['overdue'].mean():.1f} % " in headline
    assert f"n = {len(before)}, 6 months)" in headline
    assert f"n = {len(after)}, 6 months)" in headline
    # completed tasks per whole month, 6 months each side
    done = anna.loc[anna["completed_at"].notna() & (anna["status"] != "cancelled")]
    n_before = len(_window(done, "completed_at", BEFORE_A))
    n_after = len(_window(done, "completed_at", AFTER_A))
    assert (n_before, n_after) == (150, 468)
    assert f"{n_before / 6:.1f} -> {n_after / 6:.1f} (x{n_after / n_before:.2f}," in headline
    shown = dict(line.split(maxsplit=1) for line in output.strip().splitlines()[1:])
    assert float(shown["before_total"]) == n_before and float(shown["after_total"]) == n_after
    assert float(shown["ratio"]) == round(n_after / n_before, 3)
    # guardrails: empty description among completions, last-minute (<= 1 h before the
    # deadline in force) among on-time completions, postponed (due_at later than the
    # original) among tasks with a deadline
    rows = {line.split()[1]: line.split()[2:4] for line in guardrails.strip().splitlines()[1:]}
    completed = anna.loc[(anna["status"] == "completed") & anna["completed_at"].notna()]
    for i, months in enumerate((BEFORE_A, AFTER_A)):
        w = _window(completed, "completed_at", months)
        empty = w["description"].fillna("").str.strip().eq("").mean()
        assert float(rows["empty_description_share"][i]) == round(empty, 3)
        on_time = w.loc[w["due_at"].notna() & (w["completed_at"] <= w["due_at"])]
        last = ((on_time["due_at"] - on_time["completed_at"]) <= pd.Timedelta(hours=1)).mean()
        assert float(rows["last_minute_share"][i]) == round(last, 3)
    deadline = anna["original_due_at"].fillna(anna["due_at"])
    w = anna.loc[deadline.notna() & _month(deadline).between(*BEFORE_A)]
    assert float(rows["postponed_share"][0]) == round(
        (w["due_at"] > w["original_due_at"]).mean(), 3
    )


# --------------------------------------------------------------------------------------
# cases/call_length.ipynb (Case B: Boris Ivanov, KPI steps 2026-04-01 and 2026-07-01)
# --------------------------------------------------------------------------------------

BEFORE_B, STEP1_B, STEP2_B = ("2025-11", "2026-03"), ("2026-04", "2026-06"), ("2026-07", "2026-10")


def test_call_length_case_figures(c, d):
    headline, sales, _, guardrails = _pinned("cases/call_length.ipynb")[:4]
    calls = _connected(c)
    calls = calls.loc[calls["manager"] == "Boris Ivanov"]
    windows = (("before", BEFORE_B, 5), ("step 1", STEP1_B, 3), ("step 2", STEP2_B, 4))
    for label, months, n_months in windows:
        w = _window(calls, "started_at", months)
        assert f"{label}   {w['duration_s'].mean() / 60:.1f} min" in headline, label
        assert f"n = {len(w)}, {n_months} months)" in headline, label
    deals = d.loc[d["manager"] == "Boris Ivanov"]
    leads = {m: len(_window(deals, "created_at", m)) for m in (BEFORE_B, STEP2_B)}
    in_force = len(_window(deals, "created_at", ("2026-04", "2026-10")))
    assert f"KPI in force (7)   {leads[BEFORE_B] / 5:.1f} -> {in_force / 7:.1f} " in headline
    assert f"last step (4)      {leads[BEFORE_B] / 5:.1f} -> {leads[STEP2_B] / 4:.1f} " in headline
    # The sales decomposition, per whole month: leads (created), close rate (closed /
    # leads), win rate (won / closed), volume per won deal, sales volume (won amounts).
    table = {line.split()[1]: line.split()[2:4] for line in sales.strip().splitlines()[1:]}
    for i, (months, n) in enumerate(((BEFORE_B, 5), (STEP2_B, 4))):
        created = _window(deals, "created_at", months)
        closed = _window(deals, "closed_at", months)
        closed = closed.loc[closed["outcome"].isin(["won", "lost"])]
        won = closed.loc[closed["outcome"] == "won"]
        expected = {
            "leads": len(created) / n,
            "close_rate": len(closed) / len(created),
            "win_rate": len(won) / len(closed),
            "volume_per_won": won["amount"].sum() / len(won),
            "sales_volume": won["amount"].sum() / n,
        }
        for component, value in expected.items():
            assert float(table[component][i]) == pytest.approx(round(value, 3), abs=1e-9)
    # guardrail: connected calls shorter than 30 s, none on either side
    short = [
        (_window(calls, "started_at", m)["duration_s"] < 30).mean() for m in (BEFORE_B, STEP2_B)
    ]
    row = guardrails.strip().splitlines()[1].split()
    assert row[1] == "short_call_share" and [float(v) for v in row[2:4]] == short == [0.0, 0.0]


# --------------------------------------------------------------------------------------
# reports/manager_report.ipynb (Anna Petrova, October 2026) and reports/team_overview.ipynb
# --------------------------------------------------------------------------------------

FIGURES = {  # metric (the report's "definition" column) -> shown as
    "tasks_new": "{:.0f}",
    "tasks_completed": "{:.0f}",
    "tasks_due": "{:.0f}",
    "tasks_overdue": "{:.0f}",
    "delinquency_rate": "{:.0%}",
    "dials": "{:.0f}",
    "connected": "{:.0f}",
    "talk_mean_min": "{:.1f} min",
    "leads": "{:.0f}",
    "won": "{:.0f}",
    "conversion": "{:.0%}",
    "sales_volume": "{:,.0f}",
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
        f"Your average connected call lasted {me['talk_mean_min']:.1f} min; the team's median "
        f"is {talk.median():.1f} min (you are above {(talk < me['talk_mean_min']).sum()} of 4 "
        "colleagues)."
    )
    assert items[1].startswith(
        f"{me['delinquency_rate']:.0%} of your tasks due in October 2026 were late "
        f"({me['tasks_overdue']:.0f} of {me['tasks_due']:.0f}); your KPI is at most 20%: met."
    )
    new, completed = me["tasks_new"], me["tasks_completed"]
    assert items[2] == f"You received {new:.0f} new tasks and completed {completed:.0f}."
    assert items[3] == (
        f"You handled {me['leads']:.0f} leads (team median {others['leads'].median():.0f}); "
        f"{me['won']:.0f} of {me['closed']:.0f} closed deals were won ({me['conversion']:.0%}), "
        f"sales volume {me['sales_volume']:,.0f}."
    )
    rows = _html_rows(figures)
    assert [r[5] for r in rows] == list(FIGURES)
    for _, you, median, below, _, col in rows:
        fmt = FIGURES[col]
        assert you == fmt.format(me[col]), col
        med = others[col].median()  # of four: a count's median may end in .5, shown so
        half = fmt == "{:.0f}" and med % 1 == 0.5
        assert median == (f"{med:.1f}" if half else fmt.format(med)), col
        assert below == f"{(others[col] < me[col]).sum()} of 4", col


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
        expected.append([m, "conversion", "≥ 20.0%", f"{rate:.1%}",
                         "met" if rate >= 0.2 else "missed", "team"])  # fmt: skip
    for m in months:  # overdue share: Anna's own KPI, at most 20%, from 2026-05
        rate = due.loc[_month(due["original_due_at"]) == m, "overdue"].mean()
        expected.append([m, "delinquency_rate", "≤ 20.0%", f"{rate:.1%}",
                         "met" if rate <= 0.2 else "missed", "personal"])  # fmt: skip
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
