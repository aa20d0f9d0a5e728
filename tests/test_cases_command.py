"""``workbench cases``: the list of KPI changes, skipped ones with their reason, the
department-wide case, Benjamini-Hochberg q-values by hand, one real render, exit codes."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from case_batch_data import case_batch, write_export  # noqa: F401 (a fixture)

from workbench.cli import main
from workbench.data.loading import load_dataset
from workbench.files import OutputLock
from workbench.i18n import using
from workbench.reports.case_batch import CaseOutcome, bh_q_values, plan_cases, render_cases
from workbench.reports.case_index import case_index_page, skip_reason


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    return write_export(tmp_path_factory.mktemp("cases-export"))


def test_every_kpi_change_is_a_case_or_skipped_with_its_reason(export):
    plan = plan_cases(load_dataset(export))
    got = [(c.manager, c.metric, c.change, c.status, c.reason, c.months_before) for c in plan]
    assert got == [
        # '*' sorts first; January to April have calls: 4 months before May
        ("*", "talk_mean_min", "2026-05-01", "pending", "", 4),
        ("A", "delinquency_rate", "2026-05-01", "pending", "", 4),
        # B's own calls before February: January only
        ("B", "talk_mean_min", "2026-02-01", "skipped", "too_few_months", 1),
        # C has 5 months of activity before June, but conversion has no case study
        ("C", "conversion", "2026-06-01", "skipped", "no_case_study", 5),
        # D's data end in August: nothing from December on
        ("D", "delinquency_rate", "2026-12-01", "skipped", "nothing_after", 8),
    ]
    assert plan[0].dates == ["2026-05-01"] and plan[0].slug.startswith("whole-team-")


def test_a_stepped_target_gives_one_case_per_step_judged_from_before_the_first(export):
    ds = load_dataset(export)
    a_row = ds.targets.iloc[[1]]
    extra = a_row.assign(effective_from=a_row["effective_from"] + pd.DateOffset(months=2))
    ds.targets = pd.concat([ds.targets, extra], ignore_index=True)
    steps = [c for c in plan_cases(ds) if c.manager == "A"]
    assert [(c.change, c.dates) for c in steps] == [
        ("2026-05-01", ["2026-05-01"]),
        ("2026-07-01", ["2026-05-01", "2026-07-01"]),
    ]
    assert [c.months_before for c in steps] == [4, 4]  # before the FIRST date


def test_fewer_than_three_months_is_skipped_with_the_count(export):
    plan = plan_cases(load_dataset(export), min_months=5)
    a = next(c for c in plan if c.manager == "A")
    assert (a.status, a.reason, a.months_before) == ("skipped", "too_few_months", 4)
    assert skip_reason("too_few_months", 4) == (
        "skipped: only 4 months of data before the change (at least 3 needed)"
    )
    assert skip_reason("too_few_months", 1).startswith("skipped: only 1 month of data")
    with using("ru"):
        assert "1 месяц" in skip_reason("too_few_months", 1)


def test_q_values_are_benjamini_hochberg_by_hand():
    # p = 0.01, 0.04, 0.03 (m = 3), one case without a p-value. Sorted: 0.01, 0.03, 0.04;
    # m p / rank: 0.03, 0.045, 0.04; running minimum from the top: 0.03, 0.04, 0.04.
    cases = [CaseOutcome("A", "delinquency_rate", "2026-05-01", ["2026-05-01"], "a",
                         status="rendered", summary={"p_value": p})
             for p in (0.01, 0.04, 0.03, None)]  # fmt: skip
    cases.append(CaseOutcome("B", "conversion", "2026-05-01", [], "b", status="skipped"))
    bh_q_values(cases)
    assert [c.q_value for c in cases] == pytest.approx([0.03, 0.04, 0.04, None, None])


def test_the_index_lists_skipped_changes_with_their_reason():
    rows = [
        {"manager": "*", "metric": "talk_mean_min", "change": "2026-05-01", "status": "cached",
         "reason": "", "months_before": 4, "html": "whole/case.html", "q_value": 0.5,
         "summary": {"verdict": "no_change", "verdict_text": "No detectable change",
                     "effect_text": "-1.0 min (95% CI -2.0 to 0.5)", "p_value": 0.25}},
        {"manager": "B <b>", "metric": "talk_mean_min", "change": "2026-02-01",
         "status": "skipped", "reason": "too_few_months", "months_before": 1,
         "html": "b/case.html", "q_value": None, "summary": None},
    ]  # fmt: skip
    page = case_index_page(rows)
    assert "The whole team" in page and "B &lt;b&gt;" in page and "B <b>" not in page
    assert "skipped: only 1 month of data before the change (at least 3 needed)" in page
    assert "-1.0 min (95% CI -2.0 to 0.5)" in page and "0.500" in page and "0.250" in page
    with using("ru"):
        ru = case_index_page(rows)
    assert "Вся команда" in ru or "вся команда" in ru.lower()


@pytest.mark.notebook
def test_a_real_batch_renders_the_cases_the_index_and_the_q_values(case_batch):  # noqa: F811
    _export, run = case_batch
    assert run.ok, run.to_dict()
    assert run.counts == {"rendered": 2, "cached": 0, "failed": 0, "skipped": 3}
    folder = run.out_dir
    index = (folder / "index.html").read_text("utf-8")
    assert "skipped: only 1 month of data before the change (at least 3 needed)" in index
    assert "skipped: no data from the change on yet" in index
    rendered = [c for c in run.cases if c.status == "rendered"]
    # q-values by hand from the two p-values: m = 2, q_low = min(2 p_low, p_high)
    p = sorted(c.summary["p_value"] for c in rendered)
    want = {p[0]: min(2 * p[0], p[1]), p[1]: p[1]}
    for c in rendered:
        assert c.q_value == pytest.approx(want[c.summary["p_value"]])
    # the department-wide case pools the team and says it has no untreated group
    team = next(c for c in rendered if c.manager == "*")
    page = (folder / team.html).read_text("utf-8")
    assert "no untreated group to compare with" in page
    assert team.summary["pooled"] and team.summary["basis"] == "plain"
    # A's case compares with the four colleagues without the KPI
    a = next(c for c in rendered if c.manager == "A")
    assert a.summary["basis"] == "did"
    assert "The 4 colleagues without this KPI moved by" in (folder / a.html).read_text("utf-8")
    # the conclusion comes before every table and figure
    body = (folder / a.html).read_text("utf-8")
    assert "<title>Case study: A, " in body
    assert body.index("Conclusion") < body.index("The figures behind it") < body.index("<img")
    summary = json.loads((folder / "run_summary.json").read_text("utf-8"))
    assert [c["status"] for c in summary["cases"]] == [
        "rendered", "rendered", "skipped", "skipped", "skipped"]  # fmt: skip
    assert (folder / a.slug / "case.ipynb").exists() and not (folder / "_batch").exists()
    # the progress lines count cases (the 3 skipped ones are done from the start)
    log = (folder / "run.log").read_text("utf-8")
    assert re.search(r" case 4/5 rendered \*, talk_mean_min, 2026-05-01 \(", log)
    assert re.search(r" case 5/5 rendered A, delinquency_rate, 2026-05-01 \(", log)
    assert not re.search(r" report \d+/", log)


@pytest.mark.notebook
def test_a_second_run_serves_the_cases_from_the_cache(case_batch, tmp_path):  # noqa: F811
    import shutil

    export, run = case_batch
    out = tmp_path / "out"
    shutil.copytree(run.out_dir.parent, out)
    again = render_cases(export, out=out, jobs=1, n_boot=200, progress=False)
    assert again.counts == {"rendered": 0, "cached": 2, "failed": 0, "skipped": 3}
    # the index's q-values come from the cached summaries, as in the first run
    assert [c.q_value for c in again.cases] == [c.q_value for c in run.cases]


def test_cli_exit_codes_without_a_kernel(export, tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:  # a usage error, as for every verb's --lang
        main(["cases", "--data", str(export), "--out", str(tmp_path), "--lang", "de"])
    assert stop.value.code == 2
    assert "argument --lang: invalid choice: 'de'" in capsys.readouterr().err
    assert main(["cases", "--data", str(tmp_path / "none"), "--out", str(tmp_path)]) == 2
    with OutputLock(tmp_path, command="test"):
        assert main(["cases", "--data", str(export), "--out", str(tmp_path)]) == 75


def test_cases_takes_as_of_the_cluster_and_the_timeouts(export, tmp_path, capsys):
    args = ["cases", "--data", str(export), "--out", str(tmp_path)]
    # --as-of reaches render_cases: a value that is no instant is said before anything runs
    assert main([*args, "--as-of", "last Friday"]) == 2
    assert "as_of must be an ISO date or instant" in capsys.readouterr().err
    assert not (tmp_path / "cases").exists()
    # --cluster reaches the executor: an address that is none exits 2 before any kernel
    more = ["--as-of", "2026-09-01T00:00:00+00:00", "--cell-timeout", "5", "--report-timeout", "60"]
    assert main([*args, *more, "--cluster", "scheduler:8786"]) == 2
    err = capsys.readouterr().err
    assert "workbench cases: error: " in err and "--cluster" in err
    assert not list((tmp_path / "cases").glob("*/case.html"))
