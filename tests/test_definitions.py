"""Every metric column has a written definition; the panel joins the three tables one-to-one.

The panel is tested here because its columns are exactly the ones that must be defined; the
sample department's Case A and Case B are checked on the panel (one load for both).
"""

from __future__ import annotations

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
          "unit", "description"]  # fmt: skip


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


def test_every_metric_column_is_defined():
    table = definitions()
    assert list(table.columns) == FIELDS
    names = set(table["name"])
    missing = set(TASK_COLUMNS + CALL_COLUMNS + DEAL_COLUMNS) - names
    assert not missing, f"metric columns without a definition: {sorted(missing)}"
    assert table["name"].is_unique
    assert (table.map(len) > 0).all().all(), "every field of every definition is filled in"


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
    assert catalogue()["tasks_new"].time_anchor == "created_at"


def test_definitions_picks_names_in_order_and_rejects_unknown():
    table = definitions(["conversion", "tasks_new"])
    assert table["name"].tolist() == ["conversion", "tasks_new"]
    assert table.loc[0, "numerator"] == "won" and table.loc[0, "denominator"] == "closed"
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
        assert f"## `{name}` (" in page
