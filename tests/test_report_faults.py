"""Faults injected into ``workbench report``: real processes, real signals, real file systems.

A small test template (``slow_template``) marks each report with its kernel's PID and, while
a flag file exists, keeps one manager's report running, so a kernel can be killed or the
batch signalled mid-report without guessing at timings. Each test prints how long the
command took; none asserts a speed (a hang fails after 60 s instead).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_files_output import tmpfs
from test_reports import ANNA, BORIS, CARL, write_department

from helpers import write_template

pytestmark = [pytest.mark.slow, pytest.mark.notebook, pytest.mark.timeout(60)]

WORKBENCH = [sys.executable, "-m", "workbench.cli"]
MANAGERS = [ANNA, BORIS, CARL]


def slow_template(folder: Path, slow: str) -> tuple[Path, Path, Path]:
    """(template, marks folder, flag): while ``flag`` exists ``slow``'s report sleeps."""
    marks, flag = folder / "marks", folder / "slow.flag"
    marks.mkdir(parents=True)
    flag.touch()
    params = (
        'manager = ""\nperiod_start = ""\nperiod_end = ""\ndata = ""\nmapping = ""\n'
        'tz = "UTC"\nas_of = ""\nconversation_s = 60\nlong_call_s = 1200\nbatch = ""'
    )
    body = (
        "import os, pathlib, time\n"
        f"pathlib.Path({str(marks)!r}, manager.encode().hex()).write_text(str(os.getpid()))\n"
        f"while manager == {slow!r} and pathlib.Path({str(flag)!r}).exists():\n"
        "    time.sleep(0.2)\n"
        "print('report of', manager)"
    )
    path = write_template(folder / "slow.ipynb", params, body)
    return path, marks, flag


def children(pid: int) -> list[int]:
    """The PIDs whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, what: str, timeout: float = 40.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def mark(marks: Path, manager: str) -> Path:
    return marks / manager.encode().hex()


@pytest.fixture
def dept(tmp_path) -> Path:
    return write_department(tmp_path / "data")


def start(args: list[str], **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [*WORKBENCH, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, **kw,
    )  # fmt: skip


def report_args(dept: Path, out: Path, template: Path | None = None, *extra: str) -> list[str]:
    args = ["report", "--data", str(dept), "--from", "2026-10-01", "--to", "2026-10-31"]
    args += ["--out", str(out), "--jobs", "2", "--managers", *MANAGERS, *extra]
    return args + (["--template", str(template)] if template else [])


def statuses(out: Path) -> dict[str, str]:
    record = json.loads((out / "2026-10" / "run_summary.json").read_text())
    return {r["manager"]: r["status"] for r in record["reports"]}


def batch_pids(parent: int) -> set[int]:
    """The batch's workers (children of the parent) and their kernels (their children)."""
    workers = children(parent)
    return set(workers) | {k for w in workers for k in children(w)}


def test_a_killed_kernel_fails_that_report_and_the_batch_goes_on(dept, tmp_path):
    template, marks, _ = slow_template(tmp_path, BORIS)
    began = time.monotonic()
    proc = start(report_args(dept, tmp_path / "out", template, "--no-overview"))
    wait_for(lambda: mark(marks, BORIS).exists(), "Boris's report to start")
    kernel = int(mark(marks, BORIS).read_text())
    workers = children(proc.pid)
    assert kernel in {k for w in workers for k in children(w)}  # a worker's kernel
    os.kill(kernel, signal.SIGKILL)  # as the OOM killer does
    out, err = proc.communicate(timeout=50)
    print(f"command took {time.monotonic() - began:.1f} s")
    assert proc.returncode == 1, err
    assert statuses(tmp_path / "out") == {ANNA: "rendered", BORIS: "failed", CARL: "rendered"}
    record = json.loads((tmp_path / "out" / "2026-10" / "run_summary.json").read_text())
    boris = next(r for r in record["reports"] if r["manager"] == BORIS)
    assert boris["error"] == "kernel died"
    assert "kernel died" in err and "2 rendered, 0 cached, 1 failed" in out
    assert "kernel died" in (tmp_path / "out" / "2026-10" / "run.log").read_text()


@pytest.mark.parametrize("how", ["SIGINT to the process group", "SIGTERM to the parent"])
def test_a_signal_stops_the_batch_keeps_finished_reports_and_leaves_no_process(dept, tmp_path, how):
    template, marks, flag = slow_template(tmp_path, BORIS)
    out = tmp_path / "out"
    began = time.monotonic()
    proc = start(report_args(dept, out, template, "--no-overview"))
    wait_for(lambda: mark(marks, BORIS).exists(), "Boris's report to start")
    wait_for(lambda: len(list(out.glob("2026-10/*/cache.json"))) == 2, "the other two reports")
    pids = batch_pids(proc.pid)
    assert len(pids) >= 3  # two workers and at least Boris's kernel
    if how.startswith("SIGINT"):
        os.killpg(proc.pid, signal.SIGINT)
    else:
        os.kill(proc.pid, signal.SIGTERM)
    signalled = time.monotonic()
    _, err = proc.communicate(timeout=30)
    print(f"stopped {time.monotonic() - signalled:.1f} s after the signal "
          f"({time.monotonic() - began:.1f} s in all)")  # fmt: skip
    assert proc.returncode == (130 if how.startswith("SIGINT") else 143), err
    # multiprocessing's resource tracker (a child of the parent) ends on its own at once
    wait_for(lambda: not [p for p in pids if alive(p)], "every worker and kernel to end", 5)
    assert statuses(out) == {ANNA: "rendered", BORIS: "interrupted", CARL: "rendered"}
    index = (out / "2026-10" / "index.html").read_text(encoding="utf-8")
    assert "the run was interrupted" in index
    assert "AssertionError" not in err and "Traceback" not in err
    if how.startswith("SIGINT"):  # a rerun completes from the cache
        flag.unlink()
        rerun = subprocess.run([*WORKBENCH, *report_args(dept, out, template, "--no-overview")],
                               capture_output=True, text=True, timeout=50)  # fmt: skip
        assert rerun.returncode == 0, rerun.stderr
        assert statuses(out) == {ANNA: "cached", BORIS: "rendered", CARL: "cached"}


def test_no_worker_or_kernel_survives_a_killed_parent(dept, tmp_path):
    template, marks, _ = slow_template(tmp_path, BORIS)
    proc = start(report_args(dept, tmp_path / "out", template, "--no-overview"))
    wait_for(lambda: mark(marks, BORIS).exists(), "Boris's report to start")
    pids = batch_pids(proc.pid)
    assert int(mark(marks, BORIS).read_text()) in pids
    os.kill(proc.pid, signal.SIGKILL)
    killed = time.monotonic()
    proc.wait(timeout=10)
    wait_for(lambda: not [p for p in pids if alive(p)], "the workers and kernels to end", 20)
    print(f"every worker and kernel gone {time.monotonic() - killed:.1f} s after SIGKILL")
    written = sorted(p.name for p in (tmp_path / "out" / "2026-10").iterdir())
    time.sleep(1)  # nothing is written after the batch is gone
    assert sorted(p.name for p in (tmp_path / "out" / "2026-10").iterdir()) == written


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_output_errors_are_one_line_exit_2_and_write_nothing(dept, tmp_path):
    a_file = tmp_path / "reports"
    a_file.write_text("not a folder")
    began = time.monotonic()
    done = subprocess.run([*WORKBENCH, *report_args(dept, a_file)], capture_output=True,
                          text=True, timeout=50)  # fmt: skip
    print(f"command took {time.monotonic() - began:.1f} s")
    assert done.returncode == 2
    assert "it is a file, not a folder" in _one_line(done.stderr) and str(a_file) in done.stderr
    assert a_file.read_text() == "not a folder"
    with tmpfs(tmp_path / "ro", readonly=True) as folder:
        done = subprocess.run([*WORKBENCH, *report_args(dept, folder / "out")],
                              capture_output=True, text=True, timeout=50)  # fmt: skip
        assert done.returncode == 2
        assert "read-only file system" in _one_line(done.stderr)
        assert list(folder.iterdir()) == []


def test_a_full_disk_stops_with_one_line_and_no_partial_file(dept, tmp_path):
    with tmpfs(tmp_path / "small", size="400k") as folder:
        began = time.monotonic()
        args = report_args(dept, folder, None, "--no-overview", "--jobs", "1")
        done = subprocess.run([*WORKBENCH, *args], capture_output=True, text=True, timeout=55)
        print(f"command took {time.monotonic() - began:.1f} s")
        assert done.returncode == 2, done.stderr
        errors = [line for line in done.stderr.splitlines() if "error" in line]
        assert len(errors) == 1 and done.stderr.strip().endswith(errors[0]), done.stderr
        assert "no space left on the device" in errors[0] and str(folder) in errors[0]
        files = [p for p in folder.rglob("*") if p.is_file()]
        assert not [p for p in files if p.name.endswith(".tmp")]
        for page in (p for p in files if p.suffix == ".html"):
            assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page


def test_two_batches_into_one_folder_one_stops_or_waits(dept, tmp_path):
    template, marks, flag = slow_template(tmp_path, BORIS)
    out = tmp_path / "out"
    began = time.monotonic()
    first = start(report_args(dept, out, template))
    wait_for(lambda: mark(marks, BORIS).exists(), "Boris's report to start")
    second = subprocess.run([*WORKBENCH, *report_args(dept, out, template)],
                            capture_output=True, text=True, timeout=50)  # fmt: skip
    assert second.returncode == 75, second.stderr
    assert f"pid {first.pid}" in _one_line(second.stderr) and "--wait" in second.stderr
    waiting = start(report_args(dept, out, template, "--wait"))
    time.sleep(1)
    assert waiting.poll() is None  # waiting for the lock
    flag.unlink()
    assert first.wait(timeout=50) == 0, first.stderr.read()
    w_out, w_err = waiting.communicate(timeout=50)
    print(f"both runs took {time.monotonic() - began:.1f} s")
    assert waiting.returncode == 0, w_err
    assert statuses(out) == dict.fromkeys(MANAGERS, "cached")
    index = (out / "2026-10" / "index.html").read_text(encoding="utf-8")
    assert index.count("/report.html") == 3 and 'href="team_overview.html"' in index
    overview = (out / "2026-10" / "team_overview.html").read_text(encoding="utf-8")
    assert all(name in overview for name in ("Anna Petrova", "Борис", "Carl O'Neil"))
    assert not (out / ".workbench.lock").exists()
    assert not (out / "2026-10" / "_batch").exists()  # each run's snapshot folder removed


def test_control_characters_in_a_manager_name_never_reach_the_terminal(tmp_path):
    evil = "Eve\x1b[2J\x1b]0;pwned\x07 Bad"
    data = write_department(tmp_path / "data")
    for name in ("tasks", "calls", "deals"):
        path = data / f"{name}.csv"
        path.write_text(path.read_text(encoding="utf-8").replace(ANNA, evil), encoding="utf-8")
    args = ["report", "--data", str(data), "--from", "2026-10-01", "--to", "2026-10-31"]
    args += ["--out", str(tmp_path / "out"), "--jobs", "1", "--no-overview"]
    args += ["--managers", evil, BORIS]
    began = time.monotonic()
    done = subprocess.run([*WORKBENCH, *args], capture_output=True, text=True, timeout=55)
    print(f"command took {time.monotonic() - began:.1f} s")
    assert done.returncode == 0, done.stderr
    for text in (done.stdout, done.stderr):
        assert not any(ord(c) < 32 and c not in "\n\t" for c in text), repr(text)
    assert "Eve\\x1b[2J\\x1b]0;pwned\\x07 Bad" in done.stderr
    log = (tmp_path / "out" / "2026-10" / "run.log").read_text(encoding="utf-8")
    assert "\x1b" not in log and "Eve\\x1b[2J" in log
