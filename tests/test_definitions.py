"""Every metric column has a written definition; the panel joins the three tables one-to-one.

The panel is tested here because its columns are exactly the ones that must be defined; the
sample department's Case A and Case B are checked on the panel (one load for both).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from workbench import catalogue as catalogue_module
from workbench.catalogue import SOURCES, catalogue, definitions
from workbench.metrics.calls import CALL_COLUMNS
from workbench.metrics.deals import DEAL_COLUMNS
from workbench.metrics.definition import Definition
from workbench.metrics.panel import manager_panel
from workbench.metrics.tasks import TASK_COLUMNS

from helpers import ts_series

FIELDS = ["name", "population", "time_anchor", "numerator", "denominator", "exclusions",
          "unit", "description", "label", "kind", "better", "ratio", "scale"]  # fmt: skip

#: Names each module must declare (a module that stops declaring one fails here).
DECLARED = {
    "workbench.metrics.tasks": {"tasks_due", "delinquency_rate", "on_time_rate"},
    "workbench.metrics.calls": {"dials", "connected", "talk_mean_min", "talk_p90_s"},
    "workbench.metrics.deals": {"leads", "won", "conversion", "sales_volume", "avg_deal"},
    "workbench.metrics.window": {"window_figure", "lead_conversion"},
    "workbench.metrics.kpi": {"met", "gap_to_target", "target_step_in_period"},
    "workbench.metrics.guardrails": {"short_call_share", "postponed_share", "kpi_in_force"},
    "workbench.stats.team": {"team_median", "percentile", "robust_z", "trend"},
    "workbench.stats.correlation": {"rho"},
    "workbench.stats.decomposition": {"volume_per_won", "log_share", "contribution_pp"},
    "workbench.quality.score": {"flag_vague_action", "score", "band", "on_time_rate_by_band"},
}

#: Every metric some page shows: the report, the overview, the explorer, the index and the
#: plots' labels (the former formatting.METRIC_INFO).
SHOWN = {
    "tasks_new", "tasks_completed", "tasks_due", "tasks_overdue", "open_overdue_at_end",
    "tasks_in_work_at_end", "delinquency_rate", "on_time_rate", "overdue_share_in_work",
    "lateness_median_days", "lateness_p90_days", "dials", "connected", "conversations",
    "missed_inbound", "talk_mean_min", "talk_mean_s", "talk_median_s", "talk_p90_s",
    "long_call_share", "leads", "won", "lost", "closed", "conversion", "cohort_conversion",
    "sales_volume", "avg_deal", "lead_conversion",
}  # fmt: skip
#: Shown metrics with no better direction, decided here: more of them is workload or
#: follows the leads, neither better nor worse.
NO_DIRECTION = {"tasks_new", "tasks_due", "tasks_in_work_at_end", "lost", "closed"}


def _tables():
    tasks = pd.DataFrame({
        "task_id": ["t1"], "manager": ["Anna"], "created_at": ts_series(["2026-01-05T10:00Z"]),
        "due_at": ts_series(["2026-01-10T10:00Z"]),
        "original_due_at": ts_series(["2026-01-10T10:00Z"]),
        "completed_at": ts_series(["2026-02-02T10:00Z"]), "status": ["completed"],
    })  # fmt: skip
    calls = pd.DataFrame({
        "call_id": ["c1"], "manager": ["Boris"], "started_at": ts_series(["2026-01-20T10:00Z"]),
        "duration_s": [600.0], "direction": ["outbound"], "answered": [True],
    })  # fmt: skip
    deals = pd.DataFrame({
        "deal_id": ["d1"], "manager": ["Boris"], "created_at": ts_series(["2026-01-21T10:00Z"]),
        "closed_at": ts_series([None]), "outcome": ["open"], "amount": [None],
    })  # fmt: skip
    return tasks, calls, deals


@pytest.mark.parametrize("module", list(SOURCES))
def test_every_declared_definition_is_written_out(module):
    declared = SOURCES[module]
    assert DECLARED[module] <= {d.name for d in declared}
    for d in declared:
        for field in ("population", "time_anchor", "numerator", "unit", "description"):
            assert getattr(d, field).strip(), f"{d.name}: {field} is empty"
        if d.name in SHOWN:
            assert d.label.strip() and d.label == d.label.strip(), f"{d.name}: no label"
            assert d.kind != "value", f"{d.name}: kind not chosen"
            assert (d.better is None) == (d.name in NO_DIRECTION), f"{d.name}: better"


def test_every_metric_column_and_shown_metric_is_defined():
    table = definitions()
    assert list(table.columns) == FIELDS
    assert table["name"].is_unique
    missing = (set(TASK_COLUMNS + CALL_COLUMNS + DEAL_COLUMNS) | SHOWN) - set(table["name"])
    assert not missing, f"metric columns without a definition: {sorted(missing)}"
    assert set(DECLARED) == set(SOURCES)


def test_the_judgement_calls():
    cat = catalogue()
    # more due tasks is workload, not performance; the overview and the report agree now
    assert cat["tasks_due"].better is None
    assert cat["delinquency_rate"].better == "lower"
    assert cat["conversion"].better == "higher"
    # a call-length KPI is "at most": lower follows it
    assert cat["talk_mean_min"].better == "lower"
    assert (cat["delinquency_rate"].label, cat["delinquency_rate"].kind) == (
        "Overdue share of tasks due", "rate")  # fmt: skip
    # on_time_rate divides by completions with a deadline, not by tasks due
    assert cat["on_time_rate"].label == "On-time share of completed tasks"


def test_pooling_ratios():
    cat = catalogue()
    assert cat["delinquency_rate"].ratio == ("tasks_overdue", ("tasks_due",))
    assert (cat["talk_mean_min"].ratio, cat["talk_mean_min"].scale) == (
        ("talk_time_total_s", ("connected",)), 1 / 60)  # fmt: skip
    assert cat["avg_deal"].ratio == ("sales_volume", ("won", "won_no_amount"))
    assert cat["lead_conversion"].ratio == ("won", ("leads",))
    # a snapshot share or a cohort rate has no summable columns: it does not pool
    assert cat["overdue_share_in_work"].ratio is None
    assert cat["cohort_conversion"].ratio is None
    row = definitions(["talk_mean_min"]).iloc[0]
    assert row["ratio"] == "sum talk_time_total_s / sum connected / 60"
    assert definitions(["tasks_due"]).iloc[0]["better"] == "-"


def test_a_bad_kind_direction_or_ratio_is_rejected():
    with pytest.raises(ValueError, match="kind 'percent'"):
        Definition("x", population="p", time_anchor="t", numerator="n", kind="percent")
    with pytest.raises(ValueError, match="better 'up'"):
        Definition("x", population="p", time_anchor="t", numerator="n", better="up")
    with pytest.raises(ValueError, match="ratio"):
        Definition("x", population="p", time_anchor="t", numerator="n", ratio=("a", "b"))


def test_a_name_declared_twice_is_rejected(monkeypatch):
    twice = (Definition("tasks_new", population="p", time_anchor="t", numerator="n"),)
    monkeypatch.setattr(catalogue_module, "SOURCES", {**SOURCES, "twice": twice})
    catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match="'tasks_new' is defined twice"):
            catalogue()
    finally:
        monkeypatch.undo()
        catalogue.cache_clear()
    assert catalogue()["tasks_new"].time_anchor == "When the task was created"


def test_definitions_picks_names_in_order_and_rejects_unknown():
    table = definitions(["conversion", "tasks_new"])
    assert table["name"].tolist() == ["conversion", "tasks_new"]
    assert table.loc[0, "numerator"] == "Deals won"
    assert table.loc[0, "denominator"] == "Deals closed (won plus lost)"
    with pytest.raises(KeyError, match="no_such_metric"):
        definitions(["no_such_metric"])


def test_panel_joins_all_columns_on_one_grid():
    tasks, calls, deals = _tables()
    panel = manager_panel(tasks, calls, deals, period="month", tz="UTC")
    assert list(panel.columns) == ["manager", "period", *TASK_COLUMNS, *CALL_COLUMNS,
                                   *DEAL_COLUMNS]  # fmt: skip
    # Managers Anna, Boris x months Jan, Feb (latest event: t1 completed Feb 2) = 4 rows.
    assert len(panel) == 4 and not panel[["manager", "period"]].duplicated().any()
    anna_jan = panel.loc[(panel["manager"] == "Anna") & (panel["period"].dt.month == 1)].iloc[0]
    boris_jan = panel.loc[(panel["manager"] == "Boris") & (panel["period"].dt.month == 1)].iloc[0]
    # Anna: t1 due Jan 10, done Feb 2 -> overdue 1/1; no calls -> dials 0, talk mean NaN.
    assert (anna_jan.tasks_due, anna_jan.delinquency_rate, anna_jan.dials) == (1, 1.0, 0)
    assert pd.isna(anna_jan.talk_mean_min)
    # Boris: one 600 s call = 10 min; one lead, still open; no tasks -> zeros.
    assert (boris_jan.talk_mean_min, boris_jan.leads, boris_jan.tasks_new) == (10.0, 1, 0)


def test_panel_as_of_and_empty():
    tasks, calls, deals = _tables()
    # as_of Jan 31: t1 open at as_of -> overdue open; grid ends in January.
    panel = manager_panel(tasks, calls, deals, as_of="2026-01-31T00:00Z")
    assert panel["period"].nunique() == 1
    anna = panel.loc[panel["manager"] == "Anna"].iloc[0]
    assert (anna.tasks_overdue_open, anna.tasks_completed) == (1, 0)
    empty = manager_panel(tasks.iloc[:0], calls.iloc[:0], deals.iloc[:0], managers=["Anna"],
                          start="2026-01-01", end="2026-01-31")  # fmt: skip
    assert len(empty) == 1 and empty.loc[0, "dials"] == 0


@pytest.mark.parametrize("period", ["week", "month"])
def test_panel_periods(period):
    tasks, calls, deals = _tables()
    panel = manager_panel(tasks, calls, deals, period=period, tz="Europe/Berlin")
    assert panel["period"].dt.tz is not None
    per_manager = panel.groupby("manager")["period"].nunique()
    assert per_manager.nunique() == 1  # every manager has every period


def _window(panel, manager, first, last):
    rows = panel.loc[panel["manager"] == manager]
    return rows.loc[(rows["period"] >= pd.Timestamp(first, tz="UTC"))
                    & (rows["period"] <= pd.Timestamp(last, tz="UTC"))]  # fmt: skip


def test_sample_case_a(sample_panel):
    # Anna Petrova: overdue / due pooled over Nov 2025-Apr 2026 ~44%, May-Oct 2026 ~15%
    # (the KPI at_most 0.20 from May), and about three times the completed tasks per month.
    before = _window(sample_panel, "Anna Petrova", "2025-11-01", "2026-04-01")
    after = _window(sample_panel, "Anna Petrova", "2026-05-01", "2026-10-01")
    assert len(before) == 6 and len(after) == 6
    rate_before = before["tasks_overdue"].sum() / before["tasks_due"].sum()
    rate_after = after["tasks_overdue"].sum() / after["tasks_due"].sum()
    assert rate_before == pytest.approx(0.44, abs=0.02)
    assert rate_after == pytest.approx(0.15, abs=0.02)
    ratio = after["tasks_completed"].mean() / before["tasks_completed"].mean()
    assert ratio == pytest.approx(3.0, abs=0.3)


def test_sample_case_b(sample_panel):
    # Boris Ivanov: connected-call mean ~32 min Nov-Mar, ~23 min Jul-Oct (KPI 27 then 22);
    # colleagues <= 15 min; leads/month 23 -> 31; sales volume/month +15.9%; conversion
    # (won / closed, pooled) unchanged within 2 points.
    def talk_min(rows):
        return rows["talk_time_total_s"].sum() / rows["connected"].sum() / 60

    before = _window(sample_panel, "Boris Ivanov", "2025-11-01", "2026-03-01")
    after = _window(sample_panel, "Boris Ivanov", "2026-07-01", "2026-10-01")
    assert talk_min(before) == pytest.approx(32, abs=1)
    assert talk_min(after) == pytest.approx(23, abs=1)
    others = sample_panel.loc[sample_panel["manager"] != "Boris Ivanov"]
    for _, rows in others.loc[others["period"] < pd.Timestamp("2026-04-01", tz="UTC")].groupby(
        "manager"
    ):
        assert talk_min(rows) <= 15
    assert before["leads"].mean() == pytest.approx(23, abs=1)
    assert after["leads"].mean() == pytest.approx(31, abs=1)
    growth = after["sales_volume"].mean() / before["sales_volume"].mean() - 1
    assert growth == pytest.approx(0.159, abs=0.005)
    conv_before = before["won"].sum() / before["closed"].sum()
    conv_after = after["won"].sum() / after["closed"].sum()
    assert abs(conv_after - conv_before) < 0.02


def test_docs_metrics_page_is_the_generated_one():
    from workbench.catalogue import definitions, definitions_markdown
    from workbench.config import PROJECT_ROOT

    page = (PROJECT_ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert page == definitions_markdown(), "docs/metrics.md is stale: run `make docs`"
    for name in definitions()["name"]:
        assert f"## `{name}`" in page
    assert "## `delinquency_rate`: Overdue share of tasks due (share, in %)" in page
    # the analysts' key from the words to the columns, once at the top
    assert "| original deadline / current deadline | `original_due_at` / `due_at` |" in page
    assert "- **Better when:** neither (more is not better, nor worse)" in page  # tasks_due
    assert "- **Pooled over a window as:** sum talk_time_total_s / sum connected / 60" in page


@pytest.fixture(scope="module")
def pages():
    from pathlib import Path

    from workbench import load_dataset
    from workbench.reports.manager_view import prepare_manager_view
    from workbench.reports.team_overview import prepare_overview

    ds = load_dataset(Path(__file__).parent / "data" / "report_dept")
    when = {"period_start": "2026-01-01", "period_end": "2026-01-31"}
    return prepare_manager_view(ds, "Ann", **when), prepare_overview(ds, **when, n_boot=20)


def test_pages_take_labels_and_directions_from_the_catalogue(pages):
    from workbench.explore import metric_options
    from workbench.plots import metric_by_manager
    from workbench.reports.index_page import INDEX_METRICS, index_page
    from workbench.reports.manager_view import REPORT_METRICS, figures_table
    from workbench.reports.team_overview import TEAM_METRICS, bar_data, figures_view, trends_view

    cat = catalogue()
    view, overview = pages
    # the manager report: one row per metric, the catalogue's label and direction
    t = figures_table(view)
    assert t["definition"].tolist() == list(REPORT_METRICS)
    assert t["figure"].tolist() == [cat[m].label for m in REPORT_METRICS]
    better = t["better when"].fillna("none").tolist()
    assert better == [cat[m].better or "none" for m in REPORT_METRICS]
    shown = figures_table(view, formatted=True).set_index("definition")["better when"]
    assert shown["tasks_due"] == "neither" and shown["delinquency_rate"] == "lower"
    # the team overview: column names, and trend labels only where a direction exists
    figures = figures_view(overview.table)
    assert [cat[m].label for m in TEAM_METRICS] == list(figures.columns[1 : 1 + len(TEAM_METRICS)])
    trends = trends_view(overview.table)
    assert list(trends.columns[1:]) == [
        f"{cat[m].label} ({cat[m].better} is better)" for m in TEAM_METRICS if cat[m].better
    ]
    assert "Tasks due (" not in " ".join(trends.columns)  # no direction: no trend
    # the explorer's menu and the index page's headers
    for label, m in metric_options():
        assert label.startswith(cat[m].label + " (")
    page = index_page("t", [])
    for m in INDEX_METRICS:
        assert f"<th>{cat[m].label}</th>" in page
    # a plot's axis label
    ax = metric_by_manager(bar_data(overview.table, "talk_mean_min"), metric="talk_mean_min")
    assert ax.get_xlabel() == "Mean connected-call length (min)"


def test_plain_definitions_read_in_words_in_the_current_language():
    from workbench import i18n
    from workbench.catalogue import PLAIN_COLUMNS, catalogue, plain_definitions

    frame = plain_definitions(["delinquency_rate", "talk_mean_min"])
    assert list(frame.columns) == list(PLAIN_COLUMNS)
    assert frame["Figure"].tolist() == [
        catalogue()[n].label for n in ("delinquency_rate", "talk_mean_min")
    ]
    assert frame["Better when"].tolist() == ["lower", "lower"]
    with i18n.using("ru"):
        ru = plain_definitions(["delinquency_rate"])
    assert ru.columns[0] == "Показатель" and ru.iloc[0, -1] == "ниже"
    with pytest.raises(KeyError, match="no_such_metric"):
        plain_definitions(["no_such_metric"])


#: Every field of a definition that people read (all but the code name).
TEXT_FIELDS = ("label", "description", "population", "time_anchor", "numerator", "denominator",
               "exclusions", "unit")  # fmt: skip
#: Marks of code in a sentence: comparisons between columns, float noise, missing-value tokens.
_CODE_MARKS = re.compile(r"<=|>=|==|!=|\b1e-\d|\bNaT\b|(?<!\")\bNaN\b(?!\")|\bas_of\b|'\\*'")


def _texts():
    from workbench.catalogue import COMMON_RULES

    for d in catalogue().values():
        for field in TEXT_FIELDS:
            yield f"{d.name}.{field}", getattr(d, field)
    for i, rule in enumerate(COMMON_RULES):
        yield f"common rule {i + 1}", rule


def test_definition_texts_have_no_code_names():
    # the words pages print: no snake_case identifier, no metric code name, no column
    # comparison, no 1e-9 (the check tests/screens.py runs on rendered pages, on the source)
    from screens import code_names_in

    found = {}
    for where, text in _texts():
        bad = code_names_in(text) + _CODE_MARKS.findall(text)
        if bad:
            found[where] = bad
    assert not found, f"code in the words people read: {found}"
    # the check itself catches what the issue found on the pages
    assert code_names_in("completed_at > original_due_at")
    assert _CODE_MARKS.findall("talk_mean_min <= 22.0; tol 1e-9; NaN when as_of")
    assert not _CODE_MARKS.findall('the words "null" or "NaN" in a description')


def test_every_definition_has_a_label_and_whole_sentences_in_the_catalogue():
    # a text built by concatenation or an f-string is not what the extractor finds: every
    # text must be one marked message, or it stays English on a Russian page
    from test_i18n import _source_messages

    marked = {msgid for _context, msgid in _source_messages()}
    unmarked = {w: t for w, t in _texts() if t not in ("", "-") and t not in marked}
    assert not unmarked, f"texts not marked with N_(...) as a whole: {unmarked}"
    assert all(d.label for d in catalogue().values()), "a definition without a label"


def _source_words(text: str) -> bool:
    """Whether ``text`` has words to translate (not empty, "-", a number or a range)."""
    return bool(re.search(r"[A-Za-z]{2}", text))


def test_plain_definitions_are_russian_in_every_field():
    from workbench import i18n
    from workbench.catalogue import plain_definitions, plain_rules

    names = list(catalogue())
    english = plain_definitions(names)
    with i18n.using("ru"):
        russian = plain_definitions(names)
        rules = plain_rules()
        units = {n: i18n._(d.unit) for n, d in catalogue().items()}
    assert russian.shape == english.shape and russian.columns[1] == "Что считает"
    same = []
    for (name, en), (_n, ru) in zip(english.iterrows(), russian.iterrows(), strict=True):
        for column, ru_column in zip(english.columns, russian.columns, strict=True):
            russian_words = ru[ru_column] != en[column] and re.search("[а-яё]", ru[ru_column])
            if _source_words(en[column]) and not russian_words:
                same.append(f"{names[name]}.{column}")
    assert not same, f"{len(same)} fields left in English on a Russian page: {same[:10]}"
    for n, unit in units.items():
        assert re.search("[а-яё]", unit), f"{n}: unit {unit!r} is not Russian"
    assert all(re.search("[а-яё]", r) for r in rules) and len(rules) == 5
    # one term for one thing: the original deadline and the cut-off time read the same
    # everywhere they are mentioned
    row = russian.set_index(russian.columns[0]).loc["Доля просроченных задач"]
    assert "первоначальный срок" in row.iloc[1] and "среза отчёта" in row.iloc[1]


def test_the_numbers_in_the_words_follow_the_code():
    # thresholds are written into the sentences (a translator sees whole sentences), so a
    # changed default must change the words: this test says which
    import inspect

    from workbench.metrics.calls import call_metrics
    from workbench.metrics.guardrails import guardrails
    from workbench.quality.rules import DEFAULT_WEIGHTS
    from workbench.quality.score import score_descriptions
    from workbench.stats.team import compare_to_team, trend

    def default(fn, arg):
        return inspect.signature(fn).parameters[arg].default

    cat = catalogue()
    assert default(call_metrics, "conversation_s") == 60
    assert "60 s or more" in cat["conversations"].numerator
    assert default(call_metrics, "long_call_s") == 20 * 60
    assert "longer than 20 min" in cat["long_call_share"].numerator
    assert default(guardrails, "short_call_s") == 30
    assert "shorter than 30 s" in cat["short_calls"].numerator
    assert default(guardrails, "last_minute_hours") == 1
    assert "at most 1 hour before" in cat["last_minute_completions"].numerator
    assert (default(trend, "periods"), default(trend, "rel_tol")) == (3, 0.05)
    assert "3 periods" in cat["trend"].time_anchor and "5%" in cat["trend"].description
    assert default(compare_to_team, "threshold") == 3.5
    assert "3.5" in cat["robust_z"].description
    assert (default(score_descriptions, "min_words"), default(score_descriptions, "max_words"),
            default(score_descriptions, "good_min"), default(score_descriptions, "fair_min")) == (
        3, 40, 80, 50)  # fmt: skip
    assert "Fewer than 3 words" in cat["flag_too_short"].numerator
    assert "More than 40 words" in cat["flag_too_long"].numerator
    assert "80 or more" in cat["band"].numerator and "below 50" in cat["band"].numerator
    # the score's points, one per problem, in the order of the weights
    points = [float(p) for p in re.findall(r"\d+", cat["score"].numerator.split(":", 1)[1])]
    assert sorted(points) == sorted(DEFAULT_WEIGHTS.values())
