"""The coaching rules of the manager report, each on hand-made figures worked out by hand.

Every test starts from Ann's January view of ``tests/data/report_dept`` and replaces the
tables a rule reads with small hand-made ones, so each rule is seen to fire with the right
evidence and to stay quiet when the evidence is absent.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from workbench import load_dataset
from workbench.reports.coaching import next_steps, verdicts
from workbench.reports.manager_view import prepare_manager_view

DEPT = Path(__file__).parent / "data" / "report_dept"
JAN = pd.Timestamp("2026-01-01", tz="UTC")


@pytest.fixture(scope="module")
def ann():
    ds = load_dataset(DEPT)
    return prepare_manager_view(ds, "Ann", period_start="2026-01-01", period_end="2026-01-31")


def _with(view, **changes):
    return dataclasses.replace(view, **changes)


def _kpi(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"manager": "Ann", "period": JAN, "metric": m, "target": t, "direction": d,
             "actual": a, "met": met}
            for m, t, d, a, met in rows
        ],
        columns=["manager", "period", "metric", "target", "direction", "actual", "met"],
    )  # fmt: skip


def _quiet(view):
    """Ann with nothing to act on: no open overdue task, no description, no KPI."""
    empty_q = view.quality.iloc[:0]
    return _with(view, open_overdue=view.open_overdue.iloc[:0], quality=empty_q, kpi=_kpi([]))


# ---------------------------------------------------------------------------- verdicts


def test_verdicts_missed_in_percent_and_minutes(ann):
    # Ann, January: 1 of 3 due tasks late = 33% against at most 20%; mean call
    # (600 s + 1200 s) / 2 = 15.0 min against at most 12 min.
    assert [v.text for v in verdicts(ann)] == [
        "Overdue share 33% — target at most 20%: missed",
        "Mean connected-call length 15.0 min — target at most 12 min: missed",
    ]
    assert [v.status for v in verdicts(ann)] == ["missed", "missed"]


def test_verdicts_met_and_no_target(ann):
    met = _with(ann, kpi=_kpi([
        ("delinquency_rate", 0.2, "at_most", 0.17, True),
        ("conversion", 0.2, "at_least", 0.25, True),
        ("talk_mean_min", 22.0, "at_most", 21.96, True),
    ]))  # fmt: skip
    assert [v.text for v in verdicts(met)] == [
        "Conversion (won / closed) 25% — target at least 20%: met",
        "Overdue share 17% — target at most 20%: met",
        "Mean connected-call length 22.0 min — target at most 22 min: met",
    ]
    # a rate that rounds onto its target keeps a decimal, so the miss stays visible
    close = _with(ann, kpi=_kpi([("delinquency_rate", 0.2, "at_most", 0.204, False)]))
    assert verdicts(close)[0].text == "Overdue share 20.4% — target at most 20%: missed"
    none = verdicts(_with(ann, kpi=_kpi([])))
    assert [(v.status, v.text) for v in none] == [
        ("no target", "No KPI target was in force for you in January 2026.")
    ]
    no_value = _with(ann, kpi=_kpi([("talk_mean_min", 12.0, "at_most", float("nan"), None)]))
    assert verdicts(no_value)[0].status == "no value"


# ---------------------------------------------------------------------------- actions


def _late(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["due", "days late", "description", "in_period"])


def test_open_overdue_fires_with_total_and_this_period_first(ann):
    late = _late([
        ("2026-01-18 18:00", 3.7, "Call the client", True),
        ("2026-01-09 18:00", 12.7, "Send the offer", True),
        ("2025-11-02 18:00", 80.0, "Contact", False),
    ])  # fmt: skip
    steps = next_steps(_with(_quiet(ann), open_overdue=late))
    [action] = steps.actions
    assert action.rule == "open_overdue" and action.section == "open-overdue"
    assert action.text == (
        "3 tasks are past their deadline, 2 of them from January 2026: close or reschedule "
        "these first, newest first, then clear the older ones."
    )
    assert action.evidence == (
        "open tasks past their deadline at 2026-01-21 10:00: 3",
        "of them with a deadline in January 2026: 2",
        "newest deadline 2026-01-18 18:00; the oldest is 80 days late",
    )
    only_old = next_steps(_with(_quiet(ann), open_overdue=late.iloc[2:]))
    assert only_old.actions[0].text.startswith("1 task is past its deadline, none from January")


def test_open_overdue_quiet_without_late_tasks_or_without_a_tasks_file(ann):
    assert next_steps(_quiet(ann)).actions == ()
    late = _late([("2026-01-18 18:00", 3.7, "Call", True)])
    absent = _with(_quiet(ann), open_overdue=late, absent_tables=("tasks",))
    assert next_steps(absent).actions == ()


def _quality(flags_per_task) -> pd.DataFrame:
    """Scored tasks: (task_id, description, score, set of raised flags)."""
    names = ["flag_empty", "flag_vague_action", "flag_no_method", "flag_no_link",
             "flag_no_deadline"]  # fmt: skip
    rows = []
    for task_id, text, score, raised in flags_per_task:
        rows.append({"task_id": task_id, "manager": "Ann", "description": text,
                     "score": score, **{f: f in raised for f in names}})  # fmt: skip
    return pd.DataFrame(rows)


def test_descriptions_fire_with_count_and_the_worst_two(ann):
    q = _quality([
        ("t1", "Contact the client", 40.0, {"flag_vague_action", "flag_no_method"}),
        ("t2", "Send the price list", 60.0, {"flag_no_link"}),
        ("t3", "Send the price list", 60.0, {"flag_no_link"}),  # same text: listed once
        ("t4", "Call, qualify by the script https://x", 100.0, set()),
        ("t5", "Call, qualify by the script https://y", 100.0, set()),
        ("t6", "", 0.0, {"flag_empty"}),  # no text: not judged here
        ("t7", "Call, qualify by the script https://z", 90.0, {"flag_no_deadline"}),
    ])  # fmt: skip
    [action] = next_steps(_with(_quiet(ann), quality=q)).actions
    # written: t1-t5, t7 = 6; missing something: t1, t2, t3, t7 = 4 (>= 2 and >= 20% of 6)
    assert action.rule == "descriptions" and action.section == "task-descriptions"
    assert action.text.startswith("4 of the 6 tasks created in January 2026 miss a concrete")
    assert action.evidence == (
        "tasks with a written description: 6; missing at least one: 4",
        "by what they miss: vague action: 1, no method: 1, material named but not linked: 2, "
        "no deadline: 1",
    )
    assert [(x["description"], x["principle"]) for x in action.examples] == [
        ("Contact the client",
         "say the channel and the step, not only that something should happen"),
        ("Send the price list", "link the material the task names"),
    ]  # fmt: skip
    assert "Call the client, qualify by the script <link>" in action.examples[0]["pattern"]


def test_descriptions_quiet_below_the_thresholds(ann):
    one = _quality([
        ("t1", "Contact the client", 40.0, {"flag_vague_action"}),
        ("t2", "Call, qualify by the script https://x", 100.0, set()),
    ])  # fmt: skip
    assert next_steps(_with(_quiet(ann), quality=one)).actions == ()  # 1 task < 2
    good = [(f"g{i}", "Call, qualify by the script https://x", 100.0, set()) for i in range(9)]
    rare = _quality([
        ("t1", "Contact the client", 40.0, {"flag_vague_action"}),
        ("t2", "Send the price list", 60.0, {"flag_no_link"}),
        *good,
    ])  # fmt: skip
    assert next_steps(_with(_quiet(ann), quality=rare)).actions == ()  # 2 of 11 < 20%


def test_call_length_fires_when_the_kpi_is_missed(ann):
    # January: 15.0 min against at most 12 min. Ladder (steps of at most 15%, whole
    # minutes): 15 x 0.85 = 12.75, rounded up to 13 (13/15 - 1 = -13%). Ann's calls:
    # 10 and 20 min, one of two longer than 13 min. Colleagues 5, 10, 15 min: median 10.
    view = _with(_quiet(ann), kpi=_kpi([("talk_mean_min", 12.0, "at_most", 15.0, False)]))
    [action] = next_steps(view).actions
    assert action.rule == "call_length" and action.section == "calls"
    assert action.text == (
        "Your mean connected call lasted 15.0 min against your target of at most 12 min: "
        "aim for 13 min next month, the next step toward 12 min."
    )
    assert action.evidence == (
        "connected calls: 2, mean 15.0 min",
        "January 2026: 15.0 min, target at most 12 min",
        "team median 10.0 min (3 colleagues)",
        "next step 13 min (13% shorter); 50% of your calls were longer",
    )


def test_call_length_fires_far_above_the_team_without_a_kpi(ann):
    w = ann.window.copy()
    others = w["manager"] != "Ann"
    w.loc[others, "talk_mean_min"] = [5.0, 6.0, 7.0]  # median 6; 15 > 1.5 x 6 = 9
    view = _with(_quiet(ann), window=w)
    [action] = next_steps(view).actions
    assert action.text == (
        "Your mean connected call lasted 15.0 min against the team median of 6.0 min "
        "(3 colleagues): aim for 13 min next month, the next step toward the team median."
    )


def test_call_length_quiet_when_met_and_not_far_above(ann):
    # KPI met; 15.0 min is exactly 1.5 x the median 10.0: not "more than" 1.5 x
    view = _with(_quiet(ann), kpi=_kpi([("talk_mean_min", 16.0, "at_most", 15.0, True)]))
    assert next_steps(view).actions == ()
    assert next_steps(_with(view, absent_tables=("calls",))).actions == ()


def _panel(leads, closed, won) -> pd.DataFrame:
    months = pd.date_range("2025-10-01", periods=len(leads), freq="MS", tz="UTC")
    p = pd.DataFrame({"manager": "Ann", "period": months, "leads": leads,
                      "closed": closed, "won": won})  # fmt: skip
    p["conversion"] = p["won"] / p["closed"]
    return p


def test_results_drop_fires_below_the_previous_three_months(ann):
    # Oct-Dec leads 10, 12, 11 -> January 8 < 10; conversion 3/10, 4/10, 35/100 -> 2/10
    panel = _panel([10, 12, 11, 8], [10, 10, 100, 10], [3, 4, 35, 2])
    [action] = next_steps(_with(_quiet(ann), panel=panel)).actions
    assert action.rule == "results_drop" and action.section == "results"
    assert action.text.startswith(
        "8 leads and a conversion of 20% in January 2026: below each of your previous 3 months."
    )
    assert action.evidence == (
        "leads handled in January 2026: 8; previous 3 months: 10 to 12",
        "conversion in January 2026: 20% (2 of 10 closed); previous 3 months: 30% to 40%",
    )


def test_results_drop_quiet_within_the_usual_range_or_on_few_deals(ann):
    # January equal to the lowest month is no drop
    same = _panel([10, 12, 11, 10], [10, 10, 10, 10], [3, 4, 4, 3])
    assert next_steps(_with(_quiet(ann), panel=same)).actions == ()
    # a conversion on 4 closed deals is not compared (fewer than 5)
    few = _panel([10, 12, 11, 11], [10, 10, 10, 4], [3, 4, 4, 0])
    assert next_steps(_with(_quiet(ann), panel=few)).actions == ()
    # only two months before: not enough history
    short = _panel([10, 12, 3], [10, 10, 10], [3, 4, 0])
    short["period"] = short["period"] + pd.DateOffset(months=1)
    assert next_steps(_with(_quiet(ann), panel=short)).actions == ()


def test_at_most_three_actions_in_priority_order_and_all_well_otherwise(ann):
    late = _late([("2026-01-18 18:00", 3.7, "Call", True)])
    q = _quality([
        ("t1", "Contact the client", 40.0, {"flag_vague_action"}),
        ("t2", "Send the price list", 60.0, {"flag_no_link"}),
    ])  # fmt: skip
    everything = _with(
        ann, open_overdue=late, quality=q,
        panel=_panel([10, 12, 11, 8], [10, 10, 10, 10], [3, 4, 4, 3]),
    )  # fmt: skip
    steps = next_steps(everything)
    assert [a.rule for a in steps.actions] == ["open_overdue", "descriptions", "call_length"]
    assert steps.all_well == ""
    quiet = next_steps(_quiet(ann))
    assert quiet.actions == () and quiet.all_well.startswith("All is well")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Two sample managers' October reports, rendered for real."""
    from workbench.config import SAMPLE_DIR
    from workbench.reports.runner import render_reports

    out = tmp_path_factory.mktemp("coached")
    run = render_reports(
        SAMPLE_DIR, period_from="2026-10-01", period_to="2026-10-31",
        managers=["Anna Petrova", "Boris Ivanov"], jobs=1, out=out, progress=False,
        overview=False,
    )  # fmt: skip
    assert [r.status for r in run.reports] == ["rendered", "rendered"]
    return {p.parent.name: p.read_text("utf-8") for p in out.rglob("report.html")}


def test_what_to_do_next_is_the_first_section_and_links_resolve(rendered):
    import re

    assert len(rendered) == 2
    for page in rendered.values():
        headings = re.findall(r"<h2[^>]*>(.*?)(?:<a class=\"anchor-link\".*?)?</h2>", page)
        assert headings[0].startswith("What to do next"), headings[:3]
        block = page.index('<div class="next-steps">')  # nbconvert writes double quotes
        assert block < page.index("Headlines")
        links = set(re.findall(r"<a href=\"#([a-z-]+)\">See the section</a>", page))
        assert links, "no action linked"
        for anchor in links:
            assert f'id="{anchor}"' in page, anchor
    boris = next(p for slug, p in rendered.items() if "boris" in slug)
    assert "Mean connected-call length 24.9 min — target at most 22 min: missed" in boris
    assert '<a href="#calls">See the section</a>' in boris
