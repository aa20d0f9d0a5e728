"""A hand-made export for ``workbench cases`` and one render of it, shared by the case tests.

Five managers (A to E), January to August 2026, four due tasks and three connected calls per
manager and month, no deals. The targets table holds one change of each kind the batch
knows (comments below say what each one gives); the written-out numbers are what the tests
check by hand.

Import the fixture into a test module with ``from case_batch_data import case_batch``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

MANAGERS = ["A", "B", "C", "D", "E"]
MONTHS = pd.date_range("2026-01-01", periods=8, freq="MS", tz="UTC")
#: Late tasks (of 4) per month: A falls at the KPI (May); the colleagues swing around 1-2.
LATE = {
    "A": [2, 3, 2, 3, 0, 1, 0, 1],
    "B": [1, 2, 1, 1, 2, 1, 1, 2],
    "C": [2, 1, 1, 2, 1, 1, 2, 1],
    "D": [1, 1, 2, 1, 1, 2, 1, 1],
    "E": [1, 2, 2, 1, 1, 1, 2, 1],
}
#: Call lengths (s) per month: every manager's calls shorten at the department-wide KPI.
CALLS_BEFORE = [300, 360, 420]
CALLS_AFTER = [240, 300, 330]
TARGETS = [
    # manager, metric, target, direction, effective_from
    ("*", "talk_mean_min", 6, "at_most", "2026-05-01"),  # the pooled team: 4 months before
    ("A", "delinquency_rate", 0.2, "at_most", "2026-05-01"),  # A vs B, C, D, E: 4 before
    ("B", "talk_mean_min", 5, "at_most", "2026-02-01"),  # 1 month before: skipped
    ("C", "conversion", 0.3, "at_least", "2026-06-01"),  # no case study for conversion
    ("D", "delinquency_rate", 0.2, "at_most", "2026-12-01"),  # no data after: skipped
]


def write_export(folder: Path) -> Path:
    """Write tasks.csv, calls.csv and targets.csv of the hand-made export into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    tasks, calls = [], []
    for m in MANAGERS:
        for k, month in enumerate(MONTHS):
            for i, day in enumerate((10, 12, 14, 16)):
                due = month + pd.Timedelta(days=day - 1, hours=12)
                late = i < LATE[m][k]
                done = due + pd.Timedelta(days=2 if late else -1)
                tasks.append({
                    "task_id": f"{m}-{k}-{i}", "manager": m,
                    "created_at": (month + pd.Timedelta(hours=9)).isoformat(),
                    "due_at": due.isoformat(), "original_due_at": due.isoformat(),
                    "completed_at": done.isoformat(), "status": "completed",
                    "description": "Call the client, qualify by the script",
                })  # fmt: skip
            lengths = CALLS_BEFORE if month < MONTHS[4] else CALLS_AFTER
            for i, seconds in enumerate(lengths):
                start = month + pd.Timedelta(days=3 + i, hours=10)
                calls.append({
                    "call_id": f"{m}-{k}-{i}", "manager": m, "started_at": start.isoformat(),
                    "duration_s": seconds + 10 * MANAGERS.index(m) + 5 * k,
                    "direction": "outbound", "answered": "true",
                })  # fmt: skip
    pd.DataFrame(tasks).to_csv(folder / "tasks.csv", index=False)
    pd.DataFrame(calls).to_csv(folder / "calls.csv", index=False)
    targets = pd.DataFrame(
        [(m, metric, t, d, f"{day}T00:00:00+00:00", "") for m, metric, t, d, day in TARGETS],
        columns=["manager", "metric", "target", "direction", "effective_from", "effective_to"],
    )
    targets.to_csv(folder / "targets.csv", index=False)
    return folder


@pytest.fixture(scope="session")
def case_batch(tmp_path_factory):
    """The hand-made export rendered ONCE by ``workbench cases`` (2 cases, 1 worker):
    ``(export folder, the CaseRun)``; tests only read it."""
    from workbench.reports.case_batch import render_cases

    root = tmp_path_factory.mktemp("case-batch")
    export = write_export(root / "export")
    run = render_cases(export, out=root / "out", jobs=1, n_boot=200, progress=False)
    return export, run
