"""The report batch on Dask distributed: the same outputs as local worker processes.

Real Dask clusters only: a ``LocalCluster`` of 2 worker processes (``cluster="local:2"``)
and, once, a scheduler and a worker started with Dask's own commands on the loopback
address (``--cluster tcp://127.0.0.1:PORT``). A worker is killed mid-report by the report
itself (its kernel SIGKILLs its parent, the Dask worker process), so no timing is guessed.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_report_faults import (
    alive,
    children,
    mark,
    report_args,
    slow_template,
    start,
    statuses,
    wait_for,
)
from test_reports import ANNA, BORIS, CARL, comparable, failing_template, write_department

from workbench.config import SAMPLE_DIR
from workbench.reports.executors import ClusterError, parse_cluster
from workbench.reports.runner import render_reports

from helpers import write_template

distributed = pytest.importorskip("distributed")

SAMPLE_MANAGERS = ["Anna Petrova", "Chen Wei", "Priya Nair"]
ROW = re.compile(r"<tr><td class=\"name\">.*?</tr>", re.S)  # one per manager


def _run(data: Path, out: Path, **kw):
    kw.setdefault("managers", SAMPLE_MANAGERS)
    return render_reports(
        data, latest_month=True, out=out, force=True, progress=False, overview=False, **kw
    )


def _index_rows(summary) -> list[str]:
    return ROW.findall((summary.out_dir / "index.html").read_text(encoding="utf-8"))


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.timeout(120)
def test_sample_month_on_a_local_cluster_equals_local_processes(tmp_path):
    local = _run(SAMPLE_DIR, tmp_path / "local", jobs=2)
    dask = _run(SAMPLE_DIR, tmp_path / "dask", cluster="local:2")
    assert [r.status for r in local.reports] == ["rendered"] * 3
    assert [(r.manager, r.status) for r in dask.reports] == [
        (r.manager, r.status) for r in local.reports
    ]
    headlines = [json.dumps(r.headline, sort_keys=True) for r in local.reports]
    assert [json.dumps(r.headline, sort_keys=True) for r in dask.reports] == headlines
    assert len(_index_rows(local)) == 3
    assert _index_rows(dask) == _index_rows(local)
    for r in local.reports:  # the same page, whichever executor rendered it
        mine = (local.out_dir / r.html).read_text(encoding="utf-8")
        theirs = (dask.out_dir / r.html).read_text(encoding="utf-8")
        assert comparable(theirs) == comparable(mine)
    for summary in (local, dask):  # the parent wrote every file; the snapshot is gone
        files = sorted(p.name for p in (summary.out_dir / local.reports[0].slug).iterdir())
        assert files == ["cache.json", "report.html", "report.ipynb"]
        assert not any((summary.out_dir / "_batch").glob("*"))
    record = json.loads((dask.out_dir / "run_summary.json").read_text())
    assert record["counts"] == {"rendered": 3, "cached": 0, "failed": 0}
    # cached the same way: a second run without --force renders nothing
    again = render_reports(
        SAMPLE_DIR, latest_month=True, out=tmp_path / "dask", progress=False, overview=False,
        managers=SAMPLE_MANAGERS, cluster="local:2",
    )  # fmt: skip
    assert [r.status for r in again.reports] == ["cached"] * 3


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.timeout(120)
def test_one_managers_failure_on_the_cluster_is_isolated(tmp_path):
    data = write_department(tmp_path / "data")
    template = failing_template(tmp_path, BORIS)
    run = render_reports(
        data, latest_month=True, out=tmp_path / "out", progress=False, overview=False,
        template=template, cluster="local:2",
    )  # fmt: skip
    status = {r.manager: r.status for r in run.reports}
    assert status == {ANNA: "rendered", BORIS: "failed", CARL: "rendered"}
    assert not run.ok
    boris = next(r for r in run.reports if r.manager == BORIS)
    assert boris.error.startswith("LookupError") and BORIS in boris.error
    page = (run.out_dir / boris.slug / "report.html").read_text(encoding="utf-8")
    assert "could not be produced" in page and "LookupError" not in page
    assert (run.out_dir / boris.slug / "report.ipynb").is_file()
    assert not (run.out_dir / boris.slug / "cache.json").exists()
    assert "LookupError" in (run.out_dir / "run.log").read_text(encoding="utf-8")


def killing_template(folder: Path, once: str, always: str) -> tuple[Path, Path]:
    """A template whose report SIGKILLs its Dask worker: for ``once`` the first time only,
    for ``always`` every time. Each report appends its kernel's PID and manager to ``pids``."""
    pids, flag = folder / "kernel_pids.txt", folder / "killed_once.flag"
    params = (
        'manager = ""\nperiod_start = ""\nperiod_end = ""\ndata = ""\nmapping = ""\n'
        'tz = "UTC"\nas_of = ""\nconversation_s = 60\nlong_call_s = 1200\nbatch = ""'
    )
    body = (
        "import os, pathlib, signal\n"
        f"with open({str(pids)!r}, 'a') as f:\n"
        "    f.write(f'{os.getpid()} {manager.encode().hex()}\\n')\n"
        f"flag = pathlib.Path({str(flag)!r})\n"
        f"if manager == {once!r} and not flag.exists():\n"
        "    flag.touch()\n"
        "    os.kill(os.getppid(), signal.SIGKILL)  # the Dask worker running this report\n"
        f"if manager == {always!r}:\n"
        "    os.kill(os.getppid(), signal.SIGKILL)\n"
        "print('report of', manager)"
    )
    path = write_template(folder / "killing.ipynb", params, body)
    return path, pids


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_worker_killed_mid_report_is_retried_then_failed_never_hangs(tmp_path):
    data = write_department(tmp_path / "data")
    template, pids = killing_template(tmp_path, once=ANNA, always=BORIS)
    began = time.monotonic()
    run = render_reports(
        data, latest_month=True, out=tmp_path / "out", progress=False, overview=False,
        template=template, cluster="local:2",
    )  # fmt: skip
    print(f"batch with 3 worker deaths took {time.monotonic() - began:.1f} s")
    status = {r.manager: r.status for r in run.reports}
    # Anna's worker died once: retried on another worker, rendered. Boris's killed a
    # worker on each of its 2 tries (1 retry): failed with the reason. Carl: untouched.
    assert status == {ANNA: "rendered", BORIS: "failed", CARL: "rendered"}
    boris = next(r for r in run.reports if r.manager == BORIS)
    assert boris.error == "worker lost (its Dask worker died 2 times while rendering it)"
    record = json.loads((run.out_dir / "run_summary.json").read_text())
    assert record["counts"] == {"rendered": 2, "cached": 0, "failed": 1}
    assert "report failed" in (run.out_dir / "index.html").read_text(encoding="utf-8")
    runs = [line.split() for line in pids.read_text().splitlines()]
    tries = {m: sum(bytes.fromhex(h).decode() == m for _, h in runs) for m in (ANNA, BORIS, CARL)}
    # Boris: exactly 2 tries. A finished result held by a worker that then died is computed
    # again (Dask keeps results on the workers until fetched), so Anna and Carl: at least.
    assert tries[BORIS] == 2 and tries[ANNA] >= 2 and tries[CARL] >= 1, tries
    kernels = [int(pid) for pid, _ in runs]
    wait_for(lambda: not [p for p in kernels if alive(p)], "every kernel to end", 20)


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.timeout(120)
def test_cli_renders_on_a_scheduler_and_worker_started_with_dasks_commands(tmp_path):
    data = write_department(tmp_path / "data")
    bindir = Path(sys.executable).parent
    info = tmp_path / "scheduler.json"
    env = {  # what docs/scaling.md tells an operator to set on the scheduler
        **os.environ,
        "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
        "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0",
    }
    common = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    scheduler = subprocess.Popen(
        [bindir / "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
         "--no-dashboard", "--scheduler-file", info], start_new_session=True, **common,
    )  # fmt: skip
    worker = None
    try:
        wait_for(lambda: info.exists() and info.stat().st_size > 0, "the scheduler file", 60)
        worker = subprocess.Popen(
            [bindir / "dask", "worker", "--scheduler-file", info, "--nthreads", "1",
             "--nworkers", "1", "--no-dashboard"], start_new_session=True, **common,
        )  # fmt: skip
        address = json.loads(info.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        out = tmp_path / "out"
        args = ["report", "--data", data, "--from", "2026-10-01", "--to", "2026-10-31"]
        args += ["--out", out, "--cluster", address, "--managers", ANNA, CARL]
        done = subprocess.run(
            [sys.executable, "-m", "workbench.cli", *map(str, args)],
            capture_output=True, text=True, timeout=110,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "2 rendered, 0 cached, 0 failed; team overview rendered" in done.stdout
        record = json.loads((out / "2026-10" / "run_summary.json").read_text())
        assert {r["manager"]: r["status"] for r in record["reports"]} == {
            ANNA: "rendered",
            CARL: "rendered",
        }
        anna = next(r for r in record["reports"] if r["manager"] == ANNA)
        assert ANNA in (out / "2026-10" / anna["html"]).read_text(encoding="utf-8")
        assert (out / "2026-10" / "team_overview.html").is_file()
    finally:
        for proc in (worker, scheduler):
            if proc is not None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(30)


def test_cluster_addresses_are_checked():
    assert parse_cluster("local:3") == ("local", 3)
    assert parse_cluster("tcp://10.0.0.5:8786") == ("tcp://10.0.0.5:8786", None)
    for bad in ("local:0", "local:x", "scheduler:8786"):
        with pytest.raises(ClusterError, match="--cluster"):
            parse_cluster(bad)


def test_importing_workbench_imports_no_dask():
    code = (
        "import sys, workbench, workbench.cli, workbench.reports.runner, "
        "workbench.reports.executors\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def _tree(root: int) -> set[int]:
    found, frontier = set(), {root}
    while frontier:
        frontier = {c for p in frontier for c in children(p)}
        found |= frontier
    return found


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_a_signalled_cluster_batch_stops_and_leaves_no_process(tmp_path, signum):
    # Boris's report waits while the flag exists, so the batch is surely mid-report.
    dept = write_department(tmp_path / "data")
    template, marks, _flag = slow_template(tmp_path, BORIS)
    out = tmp_path / "out"
    proc = start(report_args(dept, out, template, "--cluster", "local:2"))
    wait_for(lambda: mark(marks, BORIS).exists(), "Boris's report to start", 90)
    pids = _tree(proc.pid)  # the Dask workers and their kernels
    assert len(pids) >= 4
    os.kill(proc.pid, signum)
    proc.communicate(timeout=60)
    wait_for(lambda: not [p for p in pids if alive(p)], "every worker and kernel to end", 20)
    if signum == signal.SIGTERM:  # stopped cleanly: finished reports kept, the rest marked
        assert proc.returncode == 143
        assert statuses(out)[BORIS] == "interrupted"
        assert "interrupted" in (out / "2026-10" / "run.log").read_text(encoding="utf-8")
