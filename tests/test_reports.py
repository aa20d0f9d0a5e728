"""The per-manager report runner: real kernels, papermill parameters, nbclient, nbconvert.

A tiny canonical department of 3 managers (one Cyrillic name, one with a quote) keeps the
suite fast; figures are checked against values worked out by hand below.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from html import escape
from pathlib import Path

import nbformat
import pytest

from workbench.cli import main
from workbench.reports.runner import (
    TEMPLATE,
    ParameterError,
    check_parameters,
    period_label,
    render_reports,
)

ANNA, BORIS, CARL = "Anna Petrova", "Борис Иванов", "Carl O'Neil"
MANAGERS = (ANNA, BORIS, CARL)
GHOST = "<i>Ghost</i>"
INJECTED = "<script>window.__pwned=1;document.title='pwned'</script>"

TASKS = f"""task_id,manager,created_at,due_at,completed_at,status,task_type,description
t1,{ANNA},2026-09-20T09:00,2026-10-05T18:00,2026-10-04T10:00,completed,call,Call back
t2,{ANNA},2026-09-25T09:00,2026-10-10T18:00,2026-10-12T10:00,completed,call,Send offer
t3,{ANNA},2026-10-01T09:00,2026-10-20T18:00,,open,call,"{INJECTED}"
t4,{ANNA},2026-10-01T09:00,2026-11-20T18:00,,open,call,Later
t5,{BORIS},2026-10-01T09:00,2026-10-03T18:00,2026-10-02T10:00,completed,call,Готово
t6,"{CARL}",2026-10-01T09:00,2026-10-03T18:00,,cancelled,call,x
"""
CALLS = f"""call_id,manager,started_at,duration_s,direction,answered
c1,{ANNA},2026-10-02T10:00:00+00:00,300,outbound,true
c2,{ANNA},2026-10-03T10:00:00+00:00,30,outbound,true
c3,{BORIS},2026-10-02T10:00:00+00:00,1800,outbound,true
c4,{BORIS},2026-10-02T11:00:00+00:00,1500,inbound,true
c5,"{CARL}",2026-10-30T23:30:00+00:00,120,outbound,true
"""
DEALS = f"""deal_id,manager,created_at,closed_at,outcome,amount
d1,{ANNA},2026-10-02T10:00:00+00:00,2026-10-15T10:00:00+00:00,won,1000
d2,{ANNA},2026-10-03T10:00:00+00:00,2026-10-16T10:00:00+00:00,lost,
d3,{BORIS},2026-10-04T10:00:00+00:00,,open,
d4,"{CARL}",2026-09-04T10:00:00+00:00,2026-10-31T12:00:00+00:00,won,500
"""
TARGETS = f"""manager,metric,target,direction,effective_from,effective_to
*,delinquency_rate,0.2,at_most,2026-05-01T00:00:00+00:00,
{BORIS},talk_mean_min,22,at_most,2026-07-01T00:00:00+00:00,
"""


def write_department(folder: Path) -> Path:
    """Write the tiny department as canonical CSV files into ``folder``; return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {"tasks": TASKS, "calls": CALLS, "deals": DEALS, "targets": TARGETS}.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def comparable(html: str) -> str:
    """The report HTML without the provenance's render time and git commit (others commit)."""
    pattern = r"(<th>(rendered at \(UTC\)|git commit)</th>\s*<td>)[^<]*"
    return re.sub(pattern, r"\1X", html, flags=re.IGNORECASE)


@pytest.fixture(scope="module")
def department(tmp_path_factory) -> Path:
    return write_department(tmp_path_factory.mktemp("dept") / "data")


@pytest.fixture(scope="module")
def batch(department, tmp_path_factory):
    """One batch of all 3 managers on 2 workers (the Makefile's way)."""
    out = tmp_path_factory.mktemp("out")
    return render_reports(department, latest_month=True, jobs=2, out=out, progress=False)


def _html(summary, manager: str) -> str:
    outcome = next(r for r in summary.reports if r.manager == manager)
    return (summary.out_dir / outcome.html).read_text(encoding="utf-8")


def test_batch_renders_every_report_index_and_summary(batch):
    # Data end 2026-10-31 12:00 (deal d4 closed) -> October 2026 is the latest full month.
    assert (batch.period_start, batch.period_end) == ("2026-10-01", "2026-10-31")
    assert batch.out_dir.name == "2026-10"
    assert batch.ok and batch.counts == {"rendered": 3, "cached": 0, "failed": 0}
    record = json.loads((batch.out_dir / "run_summary.json").read_text())
    assert sorted(r["manager"] for r in record["reports"]) == sorted(MANAGERS)
    assert {r["status"] for r in record["reports"]} == {"rendered"}
    index = (batch.out_dir / "index.html").read_text(encoding="utf-8")
    for outcome in batch.reports:
        assert (batch.out_dir / outcome.slug / "report.ipynb").is_file()
        assert f'href="{outcome.slug}/report.html"' in index
        assert escape(outcome.manager) in index


def test_headline_figures_worked_out_by_hand(batch):
    h = {r.manager: r.headline for r in batch.reports}
    # Anna, October: due t1 (done early), t2 (done 2 days late), t3 (open, due 10-20 < as_of
    # 10-31 12:00); t4 is due in November. Overdue 2 / due 3. Connected calls c1 300 s and
    # c2 30 s -> (300 + 30) / 2 / 60 = 2.75 min. Leads d1, d2; won d1 (1000); closed d1, d2.
    assert h[ANNA]["delinquency_rate"] == pytest.approx(0.6667)
    assert (h[ANNA]["talk_mean_min"], h[ANNA]["leads"], h[ANNA]["won"]) == (2.75, 2, 1)
    assert (h[ANNA]["sales_volume"], h[ANNA]["conversion"]) == (1000, 0.5)
    # The '*' KPI delinquency <= 0.20 applies to all: 0.667 > 0.20 -> missed.
    assert h[ANNA]["kpis"]["delinquency_rate"] == {
        "target": 0.2,
        "direction": "at_most",
        "met": False,
    }
    assert "talk_mean_min" not in h[ANNA]["kpis"]
    # Boris: t5 done before its deadline -> 0 / 1. Talk (1800 + 1500) / 2 / 60 = 27.5 min,
    # his own KPI talk_mean_min <= 22 -> missed. One lead (d3, open), nothing won.
    assert h[BORIS]["delinquency_rate"] == 0.0
    assert h[BORIS]["talk_mean_min"] == 27.5
    assert h[BORIS]["kpis"]["talk_mean_min"] == {
        "target": 22.0,
        "direction": "at_most",
        "met": False,
    }
    assert (h[BORIS]["leads"], h[BORIS]["won"], h[BORIS]["conversion"]) == (1, 0, None)
    # Carl: his only task is cancelled -> no due task -> rate undefined (None), KPI n/a.
    # d4 created in September, won 10-31 -> 0 leads, 1 won of 1 closed, volume 500.
    assert h[CARL]["delinquency_rate"] is None
    assert h[CARL]["kpis"]["delinquency_rate"]["met"] is None
    assert (h[CARL]["leads"], h[CARL]["won"], h[CARL]["sales_volume"]) == (0, 1, 500)
    # Two colleagues only: no "team median" (it would be a colleague's own figure).
    assert h[ANNA]["headlines"][:2] == [
        "Your average connected call lasted 2.8 min.",
        "67% of your tasks due in October 2026 were late (2 of 3); "
        "your KPI is at most 20%: not met.",
    ]
    assert not any("median" in s for r in h.values() for s in r["headlines"])


def test_reports_show_no_code_no_cdn_and_fit_a_phone(batch):
    for manager in MANAGERS:
        html = _html(batch, manager)
        assert "<script" not in html  # no require.js, MathJax or anything that could run
        assert 'name="viewport"' in html and "max-width: 100%" in html
        assert "data:image/png;base64," in html  # the trend figure is embedded
        code_cells = re.findall(r'<div class="jp-Cell jp-CodeCell[^"]*"', html)
        assert code_cells and all("jp-mod-noInput" in c for c in code_cells)
        for source in ("import workbench", "rc.", "load_report_dataset", "conversation_s ="):
            assert source not in html
        assert "celltag_parameters" not in html and "injected-parameters" not in html
        assert "application/json" not in html  # the headline-data cell is removed
        assert "Where these figures come from" in html and "Workbench version" in html


def test_no_report_names_another_manager_and_crm_text_is_escaped(batch):
    for manager in MANAGERS:
        html = _html(batch, manager)
        assert escape(manager, quote=False) in html
        for other in set(MANAGERS) - {manager}:
            assert other not in html and escape(other) not in html
            assert escape(other, quote=False) not in html
    anna = _html(batch, ANNA)
    assert INJECTED not in anna
    assert "&lt;script&gt;window.__pwned=1;" in anna  # shown as text (pandas truncates it)


def failing_template(folder: Path, manager: str) -> Path:
    """The report template with one more cell, raising LookupError for ``manager`` only."""
    nb = nbformat.read(TEMPLATE, as_version=4)
    raising = f"if manager == {manager!r}:\n    raise LookupError(f'no report for {{manager!r}}')"
    nb.cells.insert(1, nbformat.v4.new_code_cell(raising))
    path = folder / "failing_template.ipynb"
    nbformat.write(nb, path)
    return path


def test_failure_of_one_manager_keeps_the_batch_and_batch_equals_alone(tmp_path):
    # GHOST has a call in October (so gets a report) and the template raises LookupError
    # for GHOST in a real kernel. Its name is markup, which every page must show as text.
    data = write_department(tmp_path / "data")
    calls = (data / "calls.csv").read_text(encoding="utf-8")
    (data / "calls.csv").write_text(
        calls + f"c9,{GHOST},2026-10-06T10:00:00+00:00,60,outbound,true\n", encoding="utf-8"
    )
    template = failing_template(tmp_path, GHOST)
    out = tmp_path / "out"
    run = render_reports(
        data,
        latest_month=True,
        managers=[ANNA, GHOST, BORIS],
        jobs=1,
        out=out,
        progress=False,
        template=template,
        overview=False,  # the team overview's failure: test_a_failing_team_overview_...
    )
    status = {r.manager: r.status for r in run.reports}
    assert status == {ANNA: "rendered", GHOST: "failed", BORIS: "rendered"}
    assert not run.ok
    ghost = next(r for r in run.reports if r.manager == GHOST)
    assert "LookupError" in ghost.error and GHOST in ghost.error
    page = (run.out_dir / ghost.slug / "report.html").read_text(encoding="utf-8")
    # The manager's page says whom to ask (no roster here: the analyst), never the error.
    assert "could not be produced" in page and "the analyst who ran the reports" in page
    assert "LookupError" not in page and "Traceback" not in page and "File " not in page
    assert "&lt;i&gt;Ghost" in page and GHOST not in page
    assert (run.out_dir / ghost.slug / "report.ipynb").is_file()  # saved, then reported
    record = json.loads((run.out_dir / "run_summary.json").read_text())
    assert [r["status"] for r in record["reports"]] == ["rendered", "failed", "rendered"]
    assert "LookupError" in record["reports"][1]["traceback"]  # the technical error: here
    assert "LookupError" in (run.out_dir / "run.log").read_text(encoding="utf-8")
    index = (run.out_dir / "index.html").read_text(encoding="utf-8")
    assert "report failed" in index and GHOST not in index
    # Boris after a failed manager on the same kernel == Boris alone.
    alone = render_reports(
        data,
        latest_month=True,
        managers=[BORIS],
        jobs=1,
        out=tmp_path / "alone",
        progress=False,
        template=template,
        overview=False,
    )
    assert comparable(_html(alone, BORIS)) != _html(alone, BORIS)  # the pattern matched
    assert comparable(_html(run, BORIS)) == comparable(_html(alone, BORIS))


def test_cache_covers_own_rows_and_the_department_figures(tmp_path):
    data = write_department(tmp_path / "data")
    out = tmp_path / "out"
    kw = dict(period_from="2026-10-01", period_to="2026-10-31", jobs=1, out=out, progress=False)
    first = render_reports(data, **kw)
    assert first.counts["rendered"] == 3 and first.out_dir.name == "2026-10"
    assert not (first.out_dir / "_batch").exists()  # the run's snapshot: removed at its end
    pages = {p: p.stat().st_mtime_ns for p in out.rglob("report.html")}
    again = render_reports(data, **kw)  # a no-op rerun: all cached, nothing written again
    assert again.counts == {"rendered": 0, "cached": 3, "failed": 0}
    assert {r.manager: r.headline for r in again.reports} == {
        r.manager: r.headline for r in first.reports
    }
    assert {p: p.stat().st_mtime_ns for p in out.rglob("report.html")} == pages
    # One of Boris's calls changes: his figures, and so the department's (the colleagues'
    # figures Anna's and Carl's reports compare them with), change: all three re-render.
    calls = (data / "calls.csv").read_text(encoding="utf-8")
    (data / "calls.csv").write_text(calls.replace(",1500,", ",1200,"), encoding="utf-8")
    touched = render_reports(data, **kw)
    assert touched.counts == {"rendered": 3, "cached": 0, "failed": 0}
    # Boris now (1800 + 1200) / 2 / 60 = 25.0 min.
    assert next(r for r in touched.reports if r.manager == BORIS).headline["talk_mean_min"] == 25
    # Anna's task t1 (created in September, done early) gets a new description: only her own
    # report draws on it (no department figure does), so only hers is re-rendered.
    tasks = (data / "tasks.csv").read_text(encoding="utf-8")
    (data / "tasks.csv").write_text(tasks.replace("Call back", "Call back at 10"), "utf-8")
    own = render_reports(data, **kw)
    assert {r.manager: r.status for r in own.reports} == {
        ANNA: "rendered",
        BORIS: "cached",
        CARL: "cached",
    }
    # --force: Carl's report, cached just above, and the overview are rendered again
    forced = render_reports(data, force=True, managers=[CARL], **kw)
    assert forced.counts == {"rendered": 1, "cached": 0, "failed": 0}
    # The team overview: its key holds the whole dataset; re-rendered with any manager.
    overview = [r.overview.status for r in (first, again, touched, own, forced)]
    assert overview == ["rendered", "cached", "rendered", "rendered", "rendered"]


def test_kernels_read_the_batch_snapshot_never_the_export(tmp_path, monkeypatch):
    # The parent loads the export, then it vanishes: a kernel that parsed it would fail. The
    # department's and each team's overview read the snapshot too. The roster's teams: one
    # of two managers, one of one (below the privacy minimum: pages all the same) whose
    # name is markup.
    import workbench.reports.runner as runner
    from workbench.reports.stamp import page_team

    data = write_department(tmp_path / "data")
    west = "<b>West</b>"
    (data / "roster.csv").write_text(
        "manager,team,role,email,active_from,active_to\n"
        f"{ANNA},East,team_head,anna@example.com,2026-01-01T00:00:00+00:00,\n"
        f"{BORIS},East,manager,boris@example.com,2026-01-01T00:00:00+00:00,\n"
        f'"{CARL}",{west},manager,carl@example.com,2026-01-01T00:00:00+00:00,\n',
        encoding="utf-8",
    )
    gone = tmp_path / "gone"
    loads, snapshots = [], []
    real_load, real_snapshot = runner.load_dataset, runner.write_snapshot

    def load_then_remove(*args, **kwargs):
        loaded = real_load(*args, **kwargs)
        loads.append(args[0])
        data.rename(gone)
        return loaded

    def counted_snapshot(*args, **kwargs):
        folder = real_snapshot(*args, **kwargs)
        snapshots.append((folder, sorted(p.name for p in (folder / "tables").iterdir())))
        assert (folder / "department" / "window.parquet").is_file()
        return folder

    monkeypatch.setattr(runner, "load_dataset", load_then_remove)
    monkeypatch.setattr(runner, "write_snapshot", counted_snapshot)
    run = render_reports(data, latest_month=True, jobs=2, out=tmp_path / "out", progress=False)
    assert not data.exists() and len(loads) == 1
    assert run.ok and run.counts["rendered"] == 3, run.to_dict()
    assert run.overview.status == "rendered", run.overview
    assert sorted(run.teams) == sorted(["East", west])
    assert [run.teams[t].overview.status for t in sorted(run.teams)] == ["rendered"] * 2
    for team, members in {"East": [ANNA, BORIS], west: [CARL]}.items():
        folder = run.out_dir / run.teams[team].folder
        overview = (folder / "team_overview.html").read_text("utf-8")
        index = (folder / "index.html").read_text("utf-8")
        assert page_team(overview) == page_team(index) == [team]
        n = f"{len(members)} manager" + ("s" if len(members) > 1 else "")
        assert f"<h1>Team {escape(team)}: October 2026</h1><p>{n};" in overview
        assert west not in overview and west not in index  # the team's name is text
        for name in MANAGERS:
            shown = escape(name) in overview or escape(name, False) in overview
            assert shown == (name in members), (team, name)
            assert (escape(name) in index) == (name in members), (team, name)
    # written once for the batch, in a folder of this run's own beside the managers' folders
    [(batch, tables)] = snapshots
    assert batch.parent == run.out_dir / "_batch" and str(os.getpid()) in batch.name
    assert tables == sorted(
        f"{t}.parquet"
        for t in ("tasks", "calls", "deals", "targets", "roster", "set_aside", "blanked")
    )
    assert not batch.exists()  # removed when the run ended
    assert sorted(p.name for p in run.out_dir.iterdir() if p.is_dir()) == sorted(
        [*(o.slug for o in run.reports), "teams"]
    )
    for outcome in run.reports:
        folder = run.out_dir / outcome.slug
        assert sorted(p.name for p in folder.iterdir()) == [
            "cache.json",
            "report.html",
            "report.ipynb",
        ]
        assert "_batch" not in (folder / "report.html").read_text(encoding="utf-8")


def test_index_rows_are_headline_data_of_each_view(batch, department):
    # The index is built in the parent from headline_data, the function the report's own
    # headlines come from; worked out here again from the loaded data.
    from dataclasses import asdict

    from workbench.data.coverage import latest_covered_month, period_coverage
    from workbench.data.loading import load_dataset
    from workbench.reports.coaching import next_steps
    from workbench.reports.index_page import index_page
    from workbench.reports.manager_view import department_figures, headline_data, view_for

    ds = load_dataset(department)
    figures = department_figures(ds, period_start="2026-10-01", period_end="2026-10-31")
    expected = {}
    for m in MANAGERS:  # the headline figures, and the verdicts and next steps in words
        view = view_for(figures, ds.tasks, m)
        steps = next_steps(view)
        expected[m] = headline_data(view) | {
            "tasks_overdue": int(view.own["tasks_overdue"]),
            "verdicts": [v.text for v in steps.verdicts],
            "next_steps": [a.text for a in steps.actions] or [steps.all_well],
        }
    assert {r.manager: r.headline for r in batch.reports} == expected
    entries = [asdict(r) | {"headline": expected[r.manager]} for r in batch.reports]
    title = "Manager reports: October 2026"
    first, last, why = latest_covered_month(ds)
    notes = [f"Period 2026-10: {why}"]  # what the run said: the month and why, then
    notes += [f"Warning: {w}" for w in period_coverage(ds, first, last)]  # (tasks end 1 Oct)
    # one median per figure, of the three managers' window figures (worked out below)
    medians = {"delinquency_rate": 1 / 3, "talk_mean_min": 2.75, "leads": 1.0, "won": 1.0,
               "sales_volume": 500.0}  # fmt: skip
    page = index_page(
        title, entries, overview=asdict(batch.overview), tables=ds.files, notes=notes,
        health="data_health.html", medians=medians, n_managers=3,
    )  # fmt: skip
    assert (batch.out_dir / "index.html").read_text(encoding="utf-8") == page
    for r in batch.reports:  # each report shows the same headline sentences
        for sentence in expected[r.manager]["headlines"]:
            assert escape(sentence) in _html(batch, r.manager)


def test_the_index_speaks_of_the_managers_and_has_one_median_per_figure(batch):
    index = (batch.out_dir / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", index.split("<body>", 1)[1])
    # the head of sales' voice: never "your", the manager in the third person
    assert not re.search(r"\byour?\b", text, re.IGNORECASE), text
    assert "2 of 3 tasks due were late." in text  # Anna: t2 and t3 of t1-t3
    assert "1 of 1 task due was late." not in text and "No task was due." in text  # Carl
    # the department median, once: overdue 2/3, 0/1 and Carl none -> median(.667, 0) = 33%;
    # calls 2.75, 27.5, 2.0 (Carl 120 s) -> 2.75 min; leads 2, 1, 0 -> 1; won 1, 0, 1 -> 1;
    # volume 1000, 0, 500 -> 500
    (median,) = re.findall(r"<tr class=\"median\">(.*?)</tr>", index)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", median)
    assert cells[:6] == ["Department median", "33%", "2.8 min", "1", "1", "500"]
    assert index.count('class="median"') == 1
    assert "the middle of the figures of the 3 managers on this page" in text
    # KPI verdicts in words, the figure with its target
    assert "Overdue share of tasks due 67%, target at most 20%: missed" in text
    assert "Mean connected-call length 27.5 min, target at most 22.0 min: missed" in text
    # a table on a desktop, a card per manager on a phone (every cell names its column)
    assert "<table class='cards index'>" in index and "@media (max-width: 700px)" in index
    assert 'data-label="Overdue share of tasks due">67%</td>' in index
    assert '<html lang="en">' in index


def test_pages_of_the_head_in_russian_and_no_code_names():
    from workbench.i18n import using
    from workbench.reports.index_page import failure_page, index_page

    kpis = {"conversion": {"target": 0.2, "direction": "at_least", "met": True}}
    headline = {"delinquency_rate": 0.5, "tasks_due": 4, "tasks_overdue": 2,
                "talk_mean_min": 3.3, "leads": 21, "won": 1, "sales_volume": 21445.0,
                "conversion": 0.2, "kpis": kpis}  # fmt: skip
    entry = {"manager": "Анна <b>Петрова</b>", "slug": "anna", "status": "rendered",
             "error": None, "headline": headline}  # fmt: skip
    with using("ru"):
        page = index_page("Отчёты", [entry], medians={"delinquency_rate": 0.5}, n_managers=1)
        failed = failure_page("Анна")
    assert '<html lang="ru">' in page and "Просрочено 2 из 4 задач со сроком." in page
    assert "21\xa0445" in page and "3,3 мин" in page  # Babel's Russian marks
    assert "Анна &lt;b&gt;Петрова&lt;/b&gt;" in page and "<b>Петрова" not in page
    assert "20\xa0%, цель не ниже 20\xa0%: выполнен" in page  # the KPI verdict in words
    assert "Медиана отдела" in page and "Отчёт недоступен: Анна" in failed
    assert "аналитик, который запускал отчёты" in failed
    for text in (page, failed):
        assert not re.search(r"[a-z]+_[a-z]+", re.sub(r"<[^>]+>", " ", text).split("</style>")[-1])


def test_the_batch_language_comes_from_lang_else_the_mapping(tmp_path, capsys):
    from workbench.data.mappings import batch_language, resolve_mapping
    from workbench.errors import MappingError

    ru = tmp_path / "ru.yaml"
    ru.write_text("language: ru\ntasks: {}\ncalls: {}\ndeals: {}\ntargets: {}\n", "utf-8")
    assert resolve_mapping(ru).language == "ru" and resolve_mapping(None).language is None
    assert batch_language("", ru) == "ru" and batch_language("en", ru) == "en"
    assert batch_language("", None) == "en" and batch_language("RU", None) == "ru"
    with pytest.raises(ValueError, match="language 'de' has no catalogue: use one of en, ru"):
        batch_language("de", None)
    de = tmp_path / "de.yaml"
    de.write_text("language: de\n", "utf-8")
    with pytest.raises(MappingError, match="language 'de' has no message catalogue"):
        resolve_mapping(de)
    out = tmp_path / "out"
    with pytest.raises(ParameterError, match="'de' has no catalogue"):
        render_reports(tmp_path, latest_month=True, lang="de", out=out, progress=False)
    assert not out.exists()  # stopped before anything ran
    # the command line: an unknown language is a usage error, exit status 2, said in one line
    data = write_department(tmp_path / "data")
    args = ["report", "--data", str(data), "--latest-month", "--out", str(out)]
    with pytest.raises(SystemExit) as stop:
        main([*args, "--lang", "de"])
    assert stop.value.code == 2
    assert (
        "argument --lang: invalid choice: 'de' (choose from 'en', 'ru')" in capsys.readouterr().err
    )
    assert main([*args, "--mapping", str(de)]) == 2
    err = capsys.readouterr().err
    assert "language 'de' has no message catalogue; use one of en, ru" in err
    assert not out.exists()


def test_every_literal_message_is_in_the_catalogue():
    # Babel's extractor does not look inside f-strings: a _("...") written there would never
    # reach the catalogue and would stay English on a Russian page.
    import ast

    from babel.messages.pofile import read_po

    import workbench

    root = Path(workbench.__file__).parent
    with (root / "locale" / "ru" / "LC_MESSAGES" / "workbench.po").open("rb") as f:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    missing = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
                "_",
                "N_",
                "ngettext",
            ):
                first = node.args[0] if node.args else None
                literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
                if literal and first.value not in known:
                    missing.append(f"{path.relative_to(root)}:{node.lineno} {first.value!r}")
    assert not missing, missing


def test_a_batch_in_russian_and_the_language_in_every_cache_key(department, tmp_path):
    kw = dict(latest_month=True, managers=[CARL], jobs=1, out=tmp_path, progress=False)
    ru = render_reports(department, lang="ru", **kw)
    assert ru.ok, ru.to_dict()
    page = {name: (ru.out_dir / name).read_text("utf-8")
            for name in ("index.html", "team_overview.html", "data_health.html")}  # fmt: skip
    assert all('<html lang="ru">' in p for p in page.values())
    assert "<h1>Отчёты менеджеров: октябрь 2026</h1>" in page["index.html"]
    assert "Медиана отдела" in page["index.html"] and "Коротко" in page["index.html"]
    overview = page["team_overview.html"]
    assert "<title>Обзор команды: октябрь 2026</title>" in overview
    assert "<h1>Обзор команды: октябрь 2026</h1>" in overview
    for heading in ("Выводы", "Все менеджеры рядом", "Кто куда движется", "Определения"):
        assert f">{heading}</h2>" in overview, heading
    assert "Октябрь 2026: 3 менеджера; задач со сроком — 4," in overview  # t1, t2, t3, t5
    assert "Качество данных: октябрь 2026" in page["data_health.html"]
    assert "Отчёты менеджеров: все периоды" in (tmp_path / "index.html").read_text("utf-8")
    record = json.loads((ru.out_dir / "run_summary.json").read_text("utf-8"))
    assert record["lang"] == "ru"
    # the language is part of every cache key: the same batch in English is rendered again
    en = render_reports(department, **kw)
    assert en.counts["rendered"] == 1 and en.overview.status == "rendered"
    index = (en.out_dir / "index.html").read_text("utf-8")
    assert '<html lang="en">' in index and "<h1>Manager reports: October 2026</h1>" in index
    again = render_reports(department, **kw)
    assert again.counts["cached"] == 1 and again.overview.status == "cached"


def test_kept_notebooks_and_pages_show_no_path_of_the_analysts_machine(batch, department):
    from workbench.config import PROJECT_ROOT

    root = batch.out_dir.parent
    hidden = {str(department), str(department.resolve()), str(root), str(PROJECT_ROOT)}
    kept = [*batch.out_dir.rglob("*.ipynb"), *batch.out_dir.rglob("*.html"), root / "index.html"]
    assert len([p for p in kept if p.suffix == ".ipynb"]) == 4  # 3 reports and the overview
    for path in kept:
        text = path.read_text("utf-8")
        for where in hidden:
            assert where not in text and json.dumps(where)[1:-1] not in text, (path, where)
    # the injected parameters name the export's folder and the snapshot by their names only
    for path in (batch.out_dir / batch.reports[0].slug / "report.ipynb",
                 batch.out_dir / "team_overview.ipynb"):  # fmt: skip
        nb = nbformat.read(path, as_version=4)
        (cell,) = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert 'data = "data"' in cell.source, cell.source
        (snapshot,) = re.findall(r'batch = "([^"]*)"', cell.source)
        assert snapshot and "/" not in snapshot


def test_local_paths_are_reduced_to_their_names():
    from workbench.reports.local_paths import (
        local_paths,
        notebook_without_paths,
        paths_in,
        text_without_paths,
    )

    paths = local_paths("/home/anna/exports/oct", "/home/anna/out", "relative/x", "/", None)
    assert paths == ("/home/anna/exports/oct", "/home/anna/out")
    text = (
        "read /home/anna/exports/oct/tasks.csv and /home/anna/exports/oct. "
        "Not /home/anna/exports/october, nor /home/anna/outbox; html /home/anna/out"
    )
    assert text_without_paths(text, paths) == (
        "read oct/tasks.csv and oct. Not /home/anna/exports/october, nor /home/anna/outbox; "
        "html out"
    )
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell('data = "/home/anna/exports/oct"')],
        metadata={"papermill": {"parameters": {"data": "/home/anna/exports/oct"}}},
    )
    clean = notebook_without_paths(nbformat.writes(nb), paths)
    assert paths_in(clean, paths) == [] and 'data = \\"oct\\"' in clean
    assert nbformat.reads(clean, as_version=4).metadata["papermill"]["parameters"] == {
        "data": "oct"
    }
    assert paths_in("at /home/anna/out/x", paths) == ["/home/anna/out"]


def test_parameters_are_checked_against_the_template_before_anything_runs(tmp_path):
    check_parameters({"manager": "A", "conversation_s": 30}, template=TEMPLATE)  # int: a float
    with pytest.raises(ParameterError, match="unknown parameter 'colour'"):
        check_parameters({"colour": "red"}, template=TEMPLATE)
    with pytest.raises(ParameterError, match="'conversation_s' must be float, got str"):
        check_parameters({"conversation_s": "60"}, template=TEMPLATE)
    with pytest.raises(ParameterError, match="'manager' must be str"):
        check_parameters({"manager": True}, template=TEMPLATE)
    out = tmp_path / "out"
    with pytest.raises(ParameterError, match="unknown parameter"):
        render_reports(tmp_path / "nowhere", latest_month=True, params={"x": 1}, out=out)
    with pytest.raises(ParameterError, match="either"):
        render_reports(tmp_path, latest_month=True, period_from="2026-10-01", out=out)
    with pytest.raises(ParameterError, match="together"):
        render_reports(tmp_path, period_from="2026-10-01", out=out)
    assert not out.exists()  # nothing ran, nothing written


def test_cli_report_exit_status(department, tmp_path, capsys):
    args = ["report", "--data", str(department), "--from", "2026-10-01", "--to", "2026-10-31"]
    args += ["--out", str(tmp_path), "--jobs", "1", "--no-overview", "--managers", CARL, GHOST]
    assert main(args) == 2  # Ghost gets no report: stopped before any kernel
    assert "'<i>Ghost</i>' gets no report" in capsys.readouterr().err
    assert main([*args[:-2], " carl o'neil "]) == 0  # case and spaces ignored
    assert "1 rendered, 0 cached, 0 failed" in capsys.readouterr().out
    assert main([*args[:-1]]) == 0  # Carl again: cached
    bad = ["report", "--data", str(department), "--from", "2026-13-01", "--to", "2026-10-31"]
    assert main([*bad, "--out", str(tmp_path)]) == 2
    assert "ISO date" in capsys.readouterr().err


def test_latest_covered_month_and_period_labels():
    # The runner's --latest-month is workbench.data.coverage.latest_covered_month.
    from datetime import date

    from workbench.data.coverage import latest_covered_month
    from workbench.data.loading import load_dataset

    assert period_label(date(2026, 10, 1), date(2026, 10, 31)) == "2026-10"
    assert period_label(date(2026, 10, 1), date(2026, 10, 15)) == "2026-10-01_2026-10-15"
    assert period_label(date(2026, 9, 1), date(2026, 10, 31)) == "2026-09-01_2026-10-31"
    ds = load_dataset(write_department(Path(pytest.importorskip("tempfile").mkdtemp())))
    # Data ends 2026-10-31 12:00 -> October; as of 2026-10-30 October is not over -> September.
    assert latest_covered_month(ds)[:2] == (date(2026, 10, 1), date(2026, 10, 31))
    assert latest_covered_month(ds, as_of="2026-10-30T23:00:00+00:00")[:2] == (
        date(2026, 9, 1),
        date(2026, 9, 30),
    )
    # In Moscow (UTC+3) the last instant 12:00 UTC is still 31 October.
    moscow = load_dataset(ds.source, tz="Europe/Moscow")
    assert latest_covered_month(moscow)[1] == date(2026, 10, 31)
    shutil.rmtree(Path(ds.source), ignore_errors=True)


def test_report_periods_are_whole_months(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ParameterError, match="1st of a month"):
        render_reports(tmp_path, period_from="2026-10-02", period_to="2026-10-31", out=out)
    with pytest.raises(ParameterError, match="last day of a month"):
        render_reports(tmp_path, period_from="2026-10-01", period_to="2026-10-15", out=out)
    assert not out.exists()


# --- the team overview, rendered once per batch ---------------------------------------------


def test_team_overview_is_rendered_linked_from_the_index_and_from_no_report(batch):
    assert batch.overview.status == "rendered" and batch.overview.error is None
    page = (batch.out_dir / "team_overview.html").read_text(encoding="utf-8")
    for manager in MANAGERS:  # the head of sales' page names everybody, escaped
        assert escape(manager, quote=False) in page
    assert "<script" not in page and "<title>Team overview: October 2026</title>" in page
    code_cells = re.findall(r'<div class="jp-Cell jp-CodeCell[^"]*"', page)
    assert code_cells and all("jp-mod-noInput" in c for c in code_cells)
    for source in ("import workbench", "to.", "rc.", "history_months ="):
        assert source not in page
    assert "celltag_parameters" not in page and "injected-parameters" not in page
    index = (batch.out_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="team_overview.html"' in index
    for manager in MANAGERS:
        report = _html(batch, manager)
        assert "team_overview" not in report and "Team overview" not in report
    record = json.loads((batch.out_dir / "run_summary.json").read_text())
    assert record["team_overview"]["status"] == "rendered"
    assert (batch.out_dir / "team_overview.ipynb").is_file()
    assert not (batch.out_dir / "_team_overview").exists()


def test_a_failing_team_overview_is_reported_and_keeps_the_reports(
    department, tmp_path, monkeypatch
):
    import workbench.reports.runner as reports

    broken = tmp_path / "overview.ipynb"
    cells = [
        nbformat.v4.new_code_cell(
            'period_start = ""\nperiod_end = ""\ndata = ""\nmapping = ""\ntz = ""\nas_of = ""\n'
            "history_months = 6",
            metadata={"tags": ["parameters"]},
        ),
        nbformat.v4.new_code_cell('raise RuntimeError("overview broke")'),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, broken)
    monkeypatch.setattr(reports, "OVERVIEW_TEMPLATE", broken)
    run = render_reports(
        department, latest_month=True, managers=[CARL], jobs=1, out=tmp_path, progress=False
    )
    assert run.counts == {"rendered": 1, "cached": 0, "failed": 0} and not run.ok
    assert run.overview.status == "failed" and "overview broke" in run.overview.error
    page = (run.out_dir / "team_overview.html").read_text(encoding="utf-8")
    assert "Report not available: Team overview" in page and "overview broke" not in page
    assert (run.out_dir / "team_overview.ipynb").is_file()  # kept, partially executed
    record = json.loads((run.out_dir / "run_summary.json").read_text())
    assert record["team_overview"]["status"] == "failed"
    index = (run.out_dir / "index.html").read_text(encoding="utf-8")
    assert "Team overview</a> failed: RuntimeError: overview broke" in index


def test_a_manager_name_with_markup_is_text_in_every_page(tmp_path):
    # A CRM user name is CRM text too: it must never become markup in any page we write.
    evil = "Eve <script>window.__pwned=1</script>"
    data = write_department(tmp_path / "data")
    calls = (data / "calls.csv").read_text(encoding="utf-8")
    calls += f'c9,"{evil}",2026-10-05T10:00:00+00:00,600,outbound,true\n'
    (data / "calls.csv").write_text(calls, encoding="utf-8")
    run = render_reports(
        data, latest_month=True, managers=[evil, ANNA], jobs=1, out=tmp_path / "out",
        progress=False,
    )  # fmt: skip
    assert run.ok, run.to_dict()
    pages = [run.out_dir / "index.html", run.out_dir / "team_overview.html"]
    pages += [run.out_dir / r.html for r in run.reports]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>window.__pwned" not in html, page
        assert "<script" not in html, page  # no script of ours or anybody's
    eve = next(r for r in run.reports if r.manager == evil)
    assert "Eve &lt;script&gt;window.__pwned=1&lt;/script&gt;" in (
        run.out_dir / eve.html
    ).read_text(encoding="utf-8")
    anna = next(r for r in run.reports if r.manager == ANNA)
    anna_html = (run.out_dir / anna.html).read_text(encoding="utf-8")
    assert "Eve &lt;" not in anna_html and "Eve <" not in anna_html


def test_every_file_a_manager_receives_names_no_colleague(batch):
    # The kept report.ipynb too: the template's own defaults (a sample manager's name) are
    # blanked once the values are injected.
    for outcome in batch.reports:
        folder = batch.out_dir / outcome.slug
        for path in folder.iterdir():
            text = path.read_text(encoding="utf-8")
            for other in set(MANAGERS) - {outcome.manager}:
                for spelling in (other, escape(other), json.dumps(other)[1:-1]):
                    assert spelling not in text, (path, other)


def test_a_department_without_tasks_and_a_mapping_time_zone(tmp_path):
    # No tasks file (every table is optional) and a mapping whose time zone is Moscow: the
    # reports render, and the template runs in the mapping's zone, not UTC.
    data = write_department(tmp_path / "data")
    (data / "tasks.csv").unlink()
    mapping = tmp_path / "moscow.yaml"
    mapping.write_text("tz: Europe/Moscow\ntasks: {}\ncalls: {}\ndeals: {}\ntargets: {}\n")
    run = render_reports(
        data, mapping=mapping, latest_month=True, managers=[BORIS], jobs=1,
        out=tmp_path / "out", progress=False, overview=False,
    )  # fmt: skip
    assert run.ok, run.to_dict()
    nb = (run.out_dir / run.reports[0].slug / "report.ipynb").read_text(encoding="utf-8")
    assert 'tz = \\"Europe/Moscow\\"' in nb
    html = (run.out_dir / run.reports[0].html).read_text(encoding="utf-8")
    assert "The export had no tasks file: tasks figures are not shown." in html
    assert "None of your tasks was due" not in html  # no file is not zero tasks


def test_latest_month_needs_a_full_month_of_data(tmp_path):
    data = write_department(tmp_path / "data")
    for name in ("tasks", "deals"):
        (data / f"{name}.csv").unlink()
    calls = "call_id,manager,started_at,duration_s,direction,answered\n"
    calls += f"c1,{ANNA},2026-10-10T10:00:00+00:00,300,outbound,true\n"
    (data / "calls.csv").write_text(calls, encoding="utf-8")
    with pytest.raises(ParameterError, match="no full calendar month"):
        render_reports(data, latest_month=True, out=tmp_path / "out", progress=False)


def test_reports_on_one_reused_kernel_equal_reports_rendered_alone(department, tmp_path):
    # jobs=1: Boris and Carl run on the kernel Anna's report just used.
    kw = dict(latest_month=True, jobs=1, progress=False, overview=False)
    batch = render_reports(department, managers=[ANNA, BORIS, CARL], out=tmp_path / "b", **kw)
    for manager in (BORIS, CARL):
        alone = render_reports(department, managers=[manager], out=tmp_path / manager, **kw)
        assert comparable(_html(batch, manager)) == comparable(_html(alone, manager))


# --- failure pages, exit codes (no kernel) ----------------------------------------------------


def test_a_failure_page_names_the_department_head_and_no_error(sample):
    from workbench.reports.index_page import failure_page
    from workbench.reports.runner import _department_head

    head = _department_head(sample)
    assert head == ("Elena Sokolova", "elena.sokolova@example.com")  # the sample's roster
    page = failure_page("Anna <b>Petrova</b>", head)
    assert "Elena Sokolova" in page and 'href="mailto:elena.sokolova@example.com"' in page
    assert "Anna &lt;b&gt;Petrova&lt;/b&gt;" in page and "<b>" not in page
    assert "could not be produced" in page and "<pre>" not in page
    assert _department_head(sample, "Elena Sokolova") is None  # not herself
    assert "the analyst who ran the reports" in failure_page("Anna", None)


def test_every_verb_lists_the_exit_codes_in_its_help(capsys):
    verbs = ("check", "report", "sample", "notebooks", "definitions", "send", "month", "cases")
    for verb in verbs:
        with pytest.raises(SystemExit):
            main([verb, "--help"])
        text = capsys.readouterr().out
        for line in ("0    all done", "1    some reports failed", "75   the output folder",
                     "130  interrupted by SIGINT"):  # fmt: skip
            assert line in text, (verb, line)
    ops = (Path(__file__).parents[1] / "docs" / "operations.md").read_text(encoding="utf-8")
    for code in ("| 0 ", "| 1 ", "| 2 ", "| 3 ", "| 75 ", "| 130 ", "| 143 "):
        assert code in ops


def test_the_browser_tab_title_is_the_pages_first_heading_escaped():
    from workbench.reports.renderer import _titled

    page = (
        "<html><head><title>Notebook</title></head><body>"
        '<h1 id="x">Monthly report: A &lt;b&gt;B<a class="anchor-link" href="#x">¶</a></h1>'
        "<h1>Second</h1></body></html>"
    )
    assert "<title>Monthly report: A &lt;b&gt;B</title>" in _titled(page)
    assert (
        _titled("<title>Notebook</title><p>no heading</p>")
        == "<title>Notebook</title><p>no heading</p>"
    )


# --- the options the verbs share ---------------------------------------------------------------

#: Which verb takes which shared option (docs/operations.md, "Options the verbs share").
SHARED = {
    **dict.fromkeys(("--data", "--mapping", "--tz"), {"check", "report", "month", "send", "cases"}),
    "--max-loss": {"check", "report", "month", "cases"},
    **dict.fromkeys(("--out", "--wait", "--lang"), {"report", "month", "send", "cases"}),
    **dict.fromkeys(
        ("--jobs", "--cluster", "--force", "--as-of", "--cell-timeout", "--report-timeout"),
        {"report", "month", "cases"},
    ),
    **dict.fromkeys(("--smtp-config", "--pdf", "--dry-run"), {"send", "month"}),
    "--managers": {"report", "send"},
}


def _verb_options() -> dict[str, dict[str, object]]:
    """verb -> option string -> its argparse action, for the verbs that read an export."""
    import argparse

    from workbench.cli import build_parser

    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return {
        verb: {o: a for a in sub.choices[verb]._actions for o in a.option_strings}
        for verb in ("check", "report", "month", "send", "cases")
    }


def test_the_shared_options_are_declared_alike_in_every_verb():
    options = _verb_options()
    for option, verbs in SHARED.items():
        assert {v for v, known in options.items() if option in known} == verbs, option
    # every option two of these verbs share: the same destination, default, type and help
    for option in {o for known in options.values() for o in known} - {"-h", "--help"}:
        having = {v: known[option] for v, known in options.items() if option in known}
        if len(having) < 2:
            continue
        spec = {
            v: (a.dest, a.default, a.type, a.help, a.choices, a.nargs, a.const, a.metavar)
            for v, a in having.items()
        }
        assert len(set(spec.values())) == 1, (option, spec)
        # --data is required except by send (the roster's fallback there)
        required = {v for v, a in having.items() if a.required}
        if option == "--data":
            assert required == {"check", "report", "month", "cases"}
        else:
            assert required == set(), option


def test_the_shared_options_parse_the_same_in_every_verb(capsys):
    from workbench.cli import build_parser

    parser = build_parser()
    given = ["--data", "x", "--tz", "Europe/Moscow", "--out", "o", "--lang", "ru", "--jobs", "2",
             "--as-of", "2026-10-31", "--cell-timeout", "5", "--report-timeout", "60.5",
             "--cluster", "local:2", "--force", "--wait", "--max-loss", "0.25"]  # fmt: skip
    want = {"data": "x", "mapping": None, "tz": "Europe/Moscow", "out": "o", "lang": "ru",
            "jobs": 2, "as_of": "2026-10-31", "cell_timeout": 5.0, "report_timeout": 60.5,
            "cluster": "local:2", "force": True, "wait": True, "max_loss": 0.25}  # fmt: skip
    for verb in ("month", "cases", "report"):
        extra = ["--latest-month"] if verb == "report" else []
        args = vars(parser.parse_args([verb, *given, *extra]))
        assert {k: args[k] for k in want} == want, verb
    # the defaults, by hand: everything the batch takes from the runner or the mapping
    defaults = vars(parser.parse_args(["cases", "--data", "x"]))
    assert {k: defaults[k] for k in want} == {
        "data": "x", "mapping": None, "tz": None, "out": "reports", "lang": None, "jobs": None,
        "as_of": None, "cell_timeout": None, "report_timeout": None, "cluster": None,
        "force": False, "wait": False, "max_loss": 0.1,
    }  # fmt: skip
    # a timeout must be a positive number of seconds: a usage error otherwise, in every verb
    for verb, extra, bad in (("cases", [], "0"), ("month", [], "-1"),
                             ("report", ["--latest-month"], "soon")):  # fmt: skip
        with pytest.raises(SystemExit) as stop:
            parser.parse_args([verb, "--data", "x", *extra, "--cell-timeout", bad])
        assert stop.value.code == 2
        assert "argument --cell-timeout" in capsys.readouterr().err
