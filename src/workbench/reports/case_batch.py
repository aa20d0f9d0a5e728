"""``workbench cases``: one case study per KPI change in the targets table, and an index.

Every row of the targets table starts a KPI on one metric for one manager (or for ``*``,
the whole department) at its ``effective_from``. Each distinct (manager, metric, date) is
one *change* and gets one case study (:func:`plan_cases`): the case compares the months
before the manager's FIRST date on that metric with the months from this change on, so a
stepped target (32 -> 27 -> 22 min) gives one case per step, each judged against the
months before any KPI. A ``*`` row gives one case for the pooled team, which has no
untreated group to compare with (the page says so). A change is listed as *skipped*, with
its reason, when there are fewer than :data:`MIN_MONTHS_BEFORE` months of data before it,
no data from it on, no data for the manager, or no case study for its metric.

The cases render through the report runner's machinery, not a copy of it: the same
parameter check, output folder check and lock, data guard, Parquet snapshot the kernels
read (:mod:`workbench.reports.snapshot`), executors with one warm kernel per worker
(:mod:`workbench.reports.executors`), timeouts, signals, cache keys and progress log. The
template is ``reports/templates/case_study.ipynb`` (with a ``lang`` parameter).

Outputs, under ``<out>/cases/``::

    index.html          the coaches' index: one row per change, with the headline effect,
                        its interval, the verdict, the p-value and the Benjamini-Hochberg
                        q-value across the batch's cases; skipped changes with the reason
    run_summary.json    every change: status (rendered / cached / failed / skipped /
                        interrupted), seconds, reason or error, the case's summary
    run.log             progress lines and every failure's traceback
    <slug>/case.html    the case study (no code); <slug>/case.ipynb the executed notebook
    <slug>/cache.json   the cache key of the last render and the case's summary
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any, TextIO

import nbformat
import numpy as np
import pandas as pd

import workbench
from workbench.cases import CASE_METRICS, TEAM, connected_call_units, due_task_units
from workbench.cases.present import SUMMARY_MIME
from workbench.config import DEFAULT_TZ
from workbench.data.coverage import DEFAULT_MAX_LOSS, DataGuardError, row_losses
from workbench.data.loading import load_dataset
from workbench.files import OutputLock, atomic_write, check_output_folder, read_json
from workbench.i18n import using
from workbench.metrics.periods import period_start
from workbench.reports.case_index import case_failure_page, case_index_page
from workbench.reports.executors import make_executor
from workbench.reports.fingerprints import cache_key, code_fingerprint, dataset_fingerprint
from workbench.reports.parameters import batch_language, check_parameters, export_parameters
from workbench.reports.progress import Progress, safe_text
from workbench.reports.runner import CELL_TIMEOUT_S, REPORT_TIMEOUT_S
from workbench.reports.slugs import manager_slug
from workbench.reports.snapshot import BATCH_DIR, write_snapshot
from workbench.reports.stopping import StopSignals
from workbench.reports.templates import TEMPLATES_DIR
from workbench.reports.workers import Job
from workbench.stats import benjamini_hochberg

__all__ = [
    "CASES_DIR",
    "CASE_TEMPLATE",
    "MIN_MONTHS_BEFORE",
    "CaseOutcome",
    "CaseRun",
    "bh_q_values",
    "plan_cases",
    "render_cases",
]

CASE_TEMPLATE = TEMPLATES_DIR / "case_study.ipynb"
#: The folder under ``--out`` the case studies go to.
CASES_DIR = "cases"
_TITLE = re.compile(r"<title>.*?</title>", re.S)
#: Months of data a change needs before it (before the manager's first date on the metric).
MIN_MONTHS_BEFORE = 3


@dataclass
class CaseOutcome:
    """One KPI change: its case study, or why there is none.

    ``reason`` is a code when skipped: ``too_few_months`` (``months_before`` says how
    many), ``nothing_after``, ``no_data`` or ``no_case_study``.
    """

    manager: str
    metric: str
    change: str  # the change's date, ISO
    dates: list[str]  # the case's step dates: the manager's dates on the metric up to it
    slug: str
    status: str = "pending"  # rendered / cached / failed / skipped / interrupted
    reason: str = ""
    months_before: int = 0
    seconds: float = 0.0
    error: str | None = None
    traceback: str | None = None
    summary: dict | None = None
    q_value: float | None = None

    @property
    def html(self) -> str:
        return f"{self.slug}/case.html"


@dataclass
class CaseRun:
    """The result of :func:`render_cases`; ``ok`` is False when a case failed."""

    out_dir: Path
    cases: list[CaseOutcome] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: int | None = None
    lang: str = "en"

    @property
    def ok(self) -> bool:
        """Not interrupted, and no case failed (skipped changes are not failures)."""
        bad = ("failed", "interrupted", "pending")
        return self.interrupted is None and not any(c.status in bad for c in self.cases)

    @property
    def counts(self) -> dict[str, int]:
        """Changes per status."""
        states = ["rendered", "cached", "failed", "skipped"]
        if self.interrupted or any(c.status == "interrupted" for c in self.cases):
            states.append("interrupted")
        return {s: sum(c.status == s for c in self.cases) for s in states}

    def to_dict(self) -> dict[str, Any]:
        return {
            "seconds": round(self.seconds, 3),
            "lang": self.lang,
            "counts": self.counts,
            "cases": [{**asdict(c), "html": c.html} for c in self.cases],
            "interrupted": signal.Signals(self.interrupted).name if self.interrupted else None,
        }


def _slug(manager: str, metric: str, change: str) -> str:
    who = "whole-team" if manager == TEAM else manager_slug(manager)
    return f"{who}-{metric.replace('_', '-')}-{change}"


def _months(times: pd.Series, tz: str) -> pd.Series:
    times = times.dropna()
    if times.empty:
        return pd.Series([], dtype=f"datetime64[ns, {tz}]")
    return pd.Series(period_start(times, period="month", tz=tz).unique())


def _data_months(dataset: Any, manager: str, metric: str) -> pd.Series:
    """The months with data for the case of ``manager`` (every manager for ``*``) on
    ``metric``: months of due tasks or of connected calls, else of any activity."""
    tz = dataset.tz or DEFAULT_TZ

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        if frame is None or frame.empty or manager == TEAM:
            return frame
        return frame.loc[frame["manager"] == manager]

    if metric == "delinquency_rate" and len(dataset.tasks):
        units = due_task_units(dataset.tasks, tz=tz).table
        return _months(mine(units)["original_due_at"], tz)
    if metric == "talk_mean_min" and len(dataset.calls):
        units = connected_call_units(dataset.calls, tz=tz).table
        return _months(mine(units)["started_at"], tz)
    parts = []
    for table, column in (
        ("tasks", "created_at"),
        ("calls", "started_at"),
        ("deals", "created_at"),
    ):
        frame = mine(getattr(dataset, table))
        if frame is not None and len(frame) and column in frame:
            parts.append(frame[column])
    if not parts:
        return pd.Series([], dtype=f"datetime64[ns, {tz}]")
    return _months(pd.concat(parts, ignore_index=True), tz)


def plan_cases(dataset: Any, *, min_months: int = MIN_MONTHS_BEFORE) -> list[CaseOutcome]:
    """Every KPI change of the targets table, as a case to render or a skipped one.

    One entry per distinct (manager, metric, ``effective_from``), in the order manager,
    metric, date. A case's ``dates`` are the manager's own dates on the metric up to this
    change (a stepped target: before the first step vs from this step on). Skipped, with
    ``reason``, the first that applies: ``no_data`` (no month with data for the manager),
    ``too_few_months`` (fewer than ``min_months`` months with data before the first date),
    ``nothing_after`` (no month with data from this change on), ``no_case_study`` (a metric
    without a case study).
    """
    targets = dataset.targets
    out: list[CaseOutcome] = []
    if targets is None or targets.empty:
        return out
    tz = dataset.tz or DEFAULT_TZ
    rows = targets.dropna(subset=["manager", "metric", "effective_from"])
    for (manager, metric), group in rows.groupby(["manager", "metric"], sort=True):
        stamps = sorted(pd.Timestamp(t).tz_convert(tz) for t in group["effective_from"].unique())
        months = _data_months(dataset, manager, metric)
        for k, date in enumerate(stamps):
            dates = [d.date().isoformat() for d in stamps[: k + 1]]
            case = CaseOutcome(str(manager), str(metric), date.date().isoformat(), dates,
                               _slug(str(manager), str(metric), dates[-1]))  # fmt: skip
            before = int((months < stamps[0]).sum()) if len(months) else 0
            after = int((months >= date).sum()) if len(months) else 0
            case.months_before = before
            if not len(months):
                case.status, case.reason = "skipped", "no_data"
            elif before < min_months:
                case.status, case.reason = "skipped", "too_few_months"
            elif after == 0:
                case.status, case.reason = "skipped", "nothing_after"
            elif metric not in CASE_METRICS:
                case.status, case.reason = "skipped", "no_case_study"
            out.append(case)
    return out


def _summary_of(notebook: str) -> dict | None:
    """The case summary the conclusion cell carries (``SUMMARY_MIME``), if any."""
    nb = nbformat.reads(notebook, as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if SUMMARY_MIME in data:
                value = data[SUMMARY_MIME]
                return json.loads(value) if isinstance(value, str) else dict(value)
    return None


def bh_q_values(cases: list[CaseOutcome]) -> None:
    """Set each case's ``q_value``: the Benjamini-Hochberg adjusted p-value across the
    batch's cases that have a p-value (:func:`workbench.stats.benjamini_hochberg`); None
    for the others (skipped, failed, no estimate)."""
    with_p = [c for c in cases if c.summary and c.summary.get("p_value") is not None]
    p = np.array([float(c.summary["p_value"]) for c in with_p], dtype="float64")
    adjusted, _rejected = benjamini_hochberg(p)
    for c, q in zip(with_p, adjusted, strict=True):
        c.q_value = float(q) if np.isfinite(q) else None


def render_cases(
    data: str | Path,
    *,
    mapping: str | Path | None = None,
    tz: str | None = None,
    out: str | Path = "reports",
    jobs: int | None = None,
    lang: str = "",
    force: bool = False,
    as_of: str | None = None,
    n_boot: int = 2000,
    seed: int = 0,
    progress: TextIO | bool = True,
    cell_timeout: float = CELL_TIMEOUT_S,
    report_timeout: float = REPORT_TIMEOUT_S,
    wait: bool = False,
    max_loss: float = DEFAULT_MAX_LOSS,
    cluster: str | None = None,
    min_months: int = MIN_MONTHS_BEFORE,
    template: str | Path = CASE_TEMPLATE,
) -> CaseRun:
    """Render one case study per KPI change of the export's targets table, and the index.

    Parameters
    ----------
    data, mapping, tz
        The export, as for ``workbench report``.
    out
        Output root; the cases go to ``<out>/cases/``. Checked writable before anything
        runs and locked for the run (one batch per output folder).
    jobs, cluster, cell_timeout, report_timeout, wait, max_loss, force
        As for :func:`workbench.reports.runner.render_reports`.
    lang
        The pages' language (``"en"``, ``"ru"``); ``""`` takes the mapping's ``language``,
        else English.
    as_of, n_boot, seed
        Template parameters: the "now" of open tasks, the unit-level bootstrap's
        resamples and seed.
    min_months
        Months of data a change needs before it; fewer: listed as skipped.

    Raises
    ------
    ParameterError, OutputError, OutputLockedError, DataGuardError, BatchInterrupted
        As :func:`~workbench.reports.runner.render_reports`, before any case runs.
    """
    began = time.perf_counter()
    template = Path(template).resolve()
    source = Path(data).resolve()
    base = {
        **export_parameters(source, mapping=mapping, tz=tz, as_of=as_of),
        "n_boot": int(n_boot),
        "seed": int(seed),
        "lang": batch_language(lang, mapping),
    }
    check_parameters(
        {"manager": "", "metric": "", "change_dates": "", "batch": "", **base}, template=template
    )
    root = check_output_folder(out)
    folder = check_output_folder(root / CASES_DIR)
    stream = sys.stderr if progress is True else (progress or None)
    bar = Progress(stream, unit="case")
    work: list[Path] = []
    with StopSignals() as stop, OutputLock(root, command="workbench cases", wait=wait):
        try:
            return _run(
                folder=folder, source=source, template=template, base=base, bar=bar, stop=stop,
                began=began, work=work, mapping=base["mapping"] or None, tz=tz, jobs=jobs,
                force=force, cell_timeout=cell_timeout, report_timeout=report_timeout,
                max_loss=max_loss, cluster=cluster, min_months=min_months,
            )  # fmt: skip
        finally:
            bar.close()
            for path in work:
                shutil.rmtree(path, ignore_errors=True)
                with contextlib.suppress(OSError):
                    path.parent.rmdir()


def _run(*, folder, source, template, base, bar, stop, began, work, mapping, tz, jobs, force,
         cell_timeout, report_timeout, max_loss, cluster, min_months) -> CaseRun:  # fmt: skip
    bar.line(f"loading {safe_text(source)} ...")
    dataset = load_dataset(source, mapping=mapping, tz=tz)
    losses = row_losses(dataset, threshold=max_loss)
    if losses:
        raise DataGuardError(losses, max_loss)
    base["tz"] = dataset.tz
    cases = plan_cases(dataset, min_months=min_months)
    run = CaseRun(folder, cases, lang=base["lang"])
    template_bytes = template.read_bytes()
    version = f"{workbench.__version__}+{code_fingerprint()[:16]}"
    data_key = dataset_fingerprint(dataset)  # a case compares with every colleague
    keys: dict[int, str] = {}
    todo: list[Job] = []
    for idx, case in enumerate(cases):
        if case.status == "skipped":
            continue
        params = {"manager": case.manager, "metric": case.metric,
                  "change_dates": ",".join(case.dates), **base}  # fmt: skip
        keys[idx] = cache_key(template=template_bytes, params=params, inputs=data_key,
                              version=version)  # fmt: skip
        cached = None if force else read_json(folder / case.slug / "cache.json")
        if cached and cached.get("key") == keys[idx] and (folder / case.html).exists():
            case.status, case.summary = "cached", cached.get("summary")
        else:
            todo.append(Job(idx, str(template), params))
    skipped = sum(c.status == "skipped" for c in cases)
    bar.line(
        f"{len(cases)} KPI changes: {len(todo)} to render, "
        f"{len(cases) - len(todo) - skipped} cached, {skipped} skipped"
    )

    def on_result(key: int, res: dict[str, Any]) -> None:
        case = cases[key]
        case.status, case.seconds = res["status"], res.get("seconds", 0.0)
        case.error, case.traceback = res.get("error"), res.get("traceback")
        target = folder / case.slug
        if "notebook" in res:
            atomic_write(target / "case.ipynb", res["notebook"])
            case.summary = _summary_of(res["notebook"]) if case.status == "rendered" else None
        with using(base["lang"]):
            title = _page_title(case)
            page = res.get("html") or case_failure_page(title)
        page = _TITLE.sub(lambda _m: f"<title>{escape(title)}</title>", page, count=1)
        atomic_write(target / "case.html", page)
        if case.status == "rendered":
            record = {"key": keys[key], "summary": case.summary}
            atomic_write(target / "cache.json", json.dumps(record, ensure_ascii=False))
        else:
            (target / "cache.json").unlink(missing_ok=True)
            bar.detail(f"{case.manager}, {case.metric}, {case.change}: {case.traceback}")
        bar.report(case.status, f"{case.manager}, {case.metric}, {case.change}", case.seconds,
                   case.error)  # fmt: skip

    bar.start(len(cases), done=len(cases) - len(todo))
    if todo:
        n_workers = min(jobs or os.cpu_count() or 1, len(todo))
        pool = make_executor(cluster, n_workers, cell_timeout=cell_timeout,
                             report_timeout=report_timeout)  # fmt: skip
        try:
            pool.start()
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            snapshot = folder / BATCH_DIR / f"{stamp}-{os.getpid()}-{os.urandom(3).hex()}"
            work.append(snapshot)
            meta = {"fingerprints": {"dataset": data_key}}
            write_snapshot(snapshot, dataset, None, meta=meta)
            for job in todo:
                job.params["batch"] = str(snapshot)
            with stop.deferred():
                left = pool.run(todo, on_result, stop=lambda: stop.signum is not None,
                                on_event=bar.line)  # fmt: skip
        except BaseException:
            pool.close(kill=True)
            raise
        for job in left:
            cases[job.key].status, cases[job.key].error = "interrupted", "interrupted"
    bar.close()
    if stop.signum is not None:
        run.interrupted = stop.signum
        bar.line(f"interrupted by {signal.Signals(stop.signum).name}: finished cases kept")
    return _finish(run, bar, began)


def _page_title(case: CaseOutcome) -> str:
    from workbench.formatting import metric_name
    from workbench.i18n import _

    who = _("the whole team") if case.manager == TEAM else case.manager
    return _("Case study: {who}, {metric}, {date}").format(
        who=who, metric=metric_name(case.metric), date=case.change
    )


def _finish(run: CaseRun, bar: Progress, began: float) -> CaseRun:
    bh_q_values(run.cases)
    run.seconds = time.perf_counter() - began
    record = run.to_dict()
    record["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    atomic_write(run.out_dir / "run_summary.json",
                 json.dumps(record, indent=2, ensure_ascii=False))  # fmt: skip
    with using(run.lang):
        page = case_index_page([asdict(c) | {"html": c.html} for c in run.cases])
    atomic_write(run.out_dir / "index.html", page)
    counts = ", ".join(f"{n} {s}" for s, n in run.counts.items())
    bar.line(f"done in {run.seconds:.1f} s: {counts}")
    bar.write_log(run.out_dir / "run.log")
    return run
