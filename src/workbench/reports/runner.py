"""Render every manager's report for one period: the product's main command.

``render_reports`` checks the parameters against the template's ``parameters`` cell before
anything runs, loads and validates the data ONCE, computes the department's figures once,
skips managers whose report would not change, and renders the others on N worker processes
that each reuse ONE kernel (:class:`workbench.reports.renderer.ReportRenderer`). The flow is
one way: the parent writes a columnar snapshot of the validated tables and the department
figures (:mod:`workbench.reports.snapshot`) into ``<out>/<period>/_batch/`` and passes its
folder to the template as ``batch``; the kernels read it (never the export) and hand the
notebook and its HTML back; only the parent writes output files. The index's figures come
from :func:`~workbench.reports.manager_view.headline_data` in the parent, the function the
report's own headlines come from. One manager's failure never stops the batch.

Outputs, under ``<out>/<period>/`` (period ``2026-10`` for a calendar month, else
``2026-10-01_2026-10-15``)::

    index.html          every manager, headline figures, KPI status, link or failure notice
    run_summary.json    every manager: status (rendered / cached / failed), seconds, error
    <slug>/report.ipynb the executed notebook (kept, partially executed, on failure)
    <slug>/report.html  the self-contained report (or a failure page naming the error)
    <slug>/cache.json   the cache key of the last successful render and its headline data
    _batch/             the snapshot the kernels of the last rendering batch read (every
                        manager's rows: a working copy, never sent; safe to delete)

The template contract (``workbench/reports/templates/manager_report.ipynb``)
    * one cell tagged ``parameters`` with literal defaults for: ``manager``, ``period_start``,
      ``period_end`` (inclusive ISO dates), ``data`` (source path), ``mapping`` (``""`` =
      none), ``tz``, ``as_of`` (ISO instant, ``""`` = end of data), ``conversation_s`` (60),
      ``long_call_s`` (1200), ``batch`` (``""`` = load ``data`` itself);
    * a last cell tagged ``provenance`` (fingerprints, version, git commit, parameters, time);
    * it raises when the manager has no rows, and resets matplotlib itself (kernel reuse).

The team overview (``workbench/reports/templates/team_overview.ipynb``, for the head of sales; every
manager named) is rendered once per batch on its own kernel, after the managers, into
``team_overview.html`` (and ``team_overview.ipynb``) next to ``index.html``, which links to it.
It covers every manager in the data, whatever ``managers`` selects, and is never linked from
a manager's report. Its failure is recorded in ``run_summary.json`` (``team_overview``) and
makes the run not ``ok``; it never stops the managers' reports.

Caching: a report is reused when the template bytes, its parameters (not ``batch``, which is
only where the figures are read from), the package code and what the report shows are
unchanged: the manager's own inputs (their tasks, calls and deals rows and the target rows
that apply to them; :func:`workbench.reports.fingerprints.manager_fingerprint`) and the
department figures the report compares them with
(:func:`~workbench.reports.fingerprints.department_fingerprint`), so a change to a
colleague's rows that moves a team median re-renders everyone. The overview compares
everybody, so its key holds the WHOLE dataset's fingerprint
(:func:`~workbench.reports.fingerprints.dataset_fingerprint`) with its template, parameters
and the package version; it is also re-rendered whenever any manager's
report is, so it is never older than a report rendered with it (``team_overview.json``).
"""

from __future__ import annotations

import ast
import json
import multiprocessing as mp
import os
import queue
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import papermill

import workbench
from workbench.config import DEFAULT_TZ
from workbench.data.check import check_dataset
from workbench.data.coverage import (
    DEFAULT_MAX_LOSS,
    DataGuardError,
    latest_covered_month,
    period_coverage,
    row_losses,
)
from workbench.data.loading import load_dataset
from workbench.errors import ParameterError
from workbench.files import atomic_write
from workbench.metrics.kpi import KPI_METRICS
from workbench.reports.fingerprints import (
    cache_key,
    code_fingerprint,
    dataset_fingerprint,
    department_fingerprint,
    manager_fingerprints,
)
from workbench.reports.index_page import data_health_page, failure_page, index_page
from workbench.reports.manager_view import (
    department_figures,
    headline_data,
    report_window,
    view_for,
)
from workbench.reports.selection import match_managers, select_people
from workbench.reports.slugs import unique_slugs
from workbench.reports.snapshot import BATCH_DIR, write_snapshot
from workbench.reports.templates import TEMPLATES_DIR

__all__ = [
    "OVERVIEW_TEMPLATE",
    "TEMPLATE",
    "ParameterError",
    "ReportOutcome",
    "RunSummary",
    "check_parameters",
    "period_label",
    "render_reports",
    "template_parameters",
]

TEMPLATE = TEMPLATES_DIR / "manager_report.ipynb"
OVERVIEW_TEMPLATE = TEMPLATES_DIR / "team_overview.ipynb"
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
}


@dataclass
class ReportOutcome:
    """What happened to one manager's report."""

    manager: str
    slug: str
    status: str  # rendered / cached / failed
    seconds: float = 0.0
    error: str | None = None
    html: str = ""
    headline: dict | None = None


@dataclass
class RunSummary:
    """The result of :func:`render_reports`; ``ok`` is False when any report failed."""

    period_start: str
    period_end: str
    out_dir: Path
    reports: list[ReportOutcome] = field(default_factory=list)
    seconds: float = 0.0
    overview: ReportOutcome | None = None  # the team overview; None when not rendered

    @property
    def ok(self) -> bool:
        """No manager's report and not the team overview failed."""
        reports = [*self.reports, *([self.overview] if self.overview else [])]
        return all(r.status != "failed" for r in reports)

    @property
    def counts(self) -> dict[str, int]:
        return {
            s: sum(r.status == s for r in self.reports) for s in ("rendered", "cached", "failed")
        }

    def to_dict(self) -> dict[str, Any]:
        reports = [{k: v for k, v in asdict(r).items() if k != "headline"} for r in self.reports]
        overview = None
        if self.overview is not None:
            overview = {k: v for k, v in asdict(self.overview).items() if k != "headline"}
        return {
            "period_start": self.period_start,
            "period_end": self.period_end,
            "seconds": round(self.seconds, 3),
            "counts": self.counts,
            "reports": reports,
            "team_overview": overview,
        }


def template_parameters(template: Path = TEMPLATE) -> dict[str, dict[str, Any]]:
    """The template's declared parameters: name -> papermill's inferred type and default."""
    return papermill.inspect_notebook(str(template))


def check_parameters(params: dict[str, Any], *, template: Path = TEMPLATE) -> None:
    """Raise :class:`ParameterError` for a name the template lacks or a value of wrong type.

    papermill only warns about unknown names; here they are errors, found before any kernel
    starts. ``int`` is accepted where the default is a float.
    """
    declared = template_parameters(template)
    for name, value in params.items():
        if name not in declared:
            known = ", ".join(sorted(declared))
            raise ParameterError(f"{template}: unknown parameter {name!r} (known: {known})")
        kind = _declared_type(declared[name])
        expected = _TYPES.get(kind)
        wrong_bool = isinstance(value, bool) and bool not in (expected or ())
        if expected and (not isinstance(value, expected) or wrong_bool):
            raise ParameterError(
                f"{template}: parameter {name!r} must be {kind}, "
                f"got {type(value).__name__} {value!r}"
            )


def _declared_type(spec: dict[str, Any]) -> str:
    """The annotated type, else the type of the literal default (``60`` -> float)."""
    kind = spec["inferred_type_name"]
    if kind in _TYPES:
        return kind
    try:
        default = ast.literal_eval(spec["default"])
    except (ValueError, SyntaxError):
        return "any"
    kind = type(default).__name__
    return "float" if kind == "int" else kind


def _iso_date(value: str | date, name: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ParameterError(f"{name} must be an ISO date (YYYY-MM-DD), got {value!r}") from exc


def period_label(start: date, end: date) -> str:
    """``YYYY-MM`` for a whole calendar month, else ``YYYY-MM-DD_YYYY-MM-DD``."""
    whole = start.day == 1 and (end + timedelta(days=1)).day == 1 and start.month == end.month
    return start.strftime("%Y-%m") if whole else f"{start.isoformat()}_{end.isoformat()}"


class _Progress:
    """A one-line bar (done/total, ETA) on a terminal; one quiet line per report otherwise."""

    def __init__(self, total: int, stream: TextIO | None) -> None:
        self.total, self.done, self.stream = total, 0, stream
        self.tty = bool(stream is not None and stream.isatty())
        self.began = time.perf_counter()

    def update(self, outcome: ReportOutcome) -> None:
        self.done += 1
        if self.stream is None:
            return
        elapsed = time.perf_counter() - self.began
        if self.tty:
            eta = elapsed / self.done * (self.total - self.done)
            filled = int(30 * self.done / max(self.total, 1))
            bar = "#" * filled + "." * (30 - filled)
            end = "\n" if self.done == self.total else ""
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} ETA {eta:5.0f}s{end}")
        else:
            err = f" ({outcome.error})" if outcome.error else ""
            self.stream.write(
                f"report {self.done}/{self.total} {outcome.status} {outcome.manager}{err}\n"
            )
        self.stream.flush()


def _worker(template: str, tasks: Any, results: Any) -> None:
    from workbench.reports.renderer import ReportRenderer

    with ReportRenderer(Path(template)) as renderer:
        while (item := tasks.get()) is not None:
            idx, params = item
            try:
                results.put((idx, renderer.render(params)))
            except Exception as exc:  # the kernel would not start: report it, keep the worker
                results.put((idx, {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}))


def _run_jobs(template: Path, jobs: list[tuple], n_workers: int, on_result, meanwhile=None) -> None:
    """Render ``jobs`` [(idx, params)] on ``n_workers``; call ``on_result(idx, res)``.

    ``meanwhile()`` runs in this process once the workers are started (their kernels take
    a second or two to come up), before the first result is collected.
    """
    if n_workers <= 1:
        from workbench.reports.renderer import ReportRenderer

        if meanwhile is not None:
            meanwhile()
        with ReportRenderer(template) as renderer:
            for idx, params in jobs:
                on_result(idx, renderer.render(params))
        return
    ctx = mp.get_context("spawn")
    tasks, results = ctx.Queue(), ctx.Queue()
    for job in jobs:
        tasks.put(job)
    procs = [
        ctx.Process(target=_worker, args=(str(template), tasks, results)) for _ in range(n_workers)
    ]
    for p in procs:
        tasks.put(None)
        p.start()
    if meanwhile is not None:
        meanwhile()
    pending = {job[0] for job in jobs}
    while pending:
        try:
            idx, res = results.get(timeout=2)
        except queue.Empty:
            if not any(p.is_alive() for p in procs):
                break
            continue
        pending.discard(idx)
        on_result(idx, res)
    for idx in sorted(pending):  # a worker process died without answering
        on_result(idx, {"status": "failed", "error": "worker process died"})
    for p in procs:
        p.join(timeout=30)


def render_reports(
    data: str | Path,
    *,
    mapping: str | Path | None = None,
    period_from: str | date | None = None,
    period_to: str | date | None = None,
    latest_month: bool = False,
    managers: list[str] | None = None,
    jobs: int | None = None,
    out: str | Path = "reports",
    force: bool = False,
    tz: str | None = None,
    as_of: str | None = None,
    conversation_s: float = 60,
    long_call_s: float = 1200,
    params: dict[str, Any] | None = None,
    template: str | Path = TEMPLATE,
    progress: TextIO | bool = True,
    overview: bool = True,
    history_months: int = 6,
    max_loss: float = DEFAULT_MAX_LOSS,
) -> RunSummary:
    """Render one report per manager for a period, reusing unchanged reports.

    Parameters
    ----------
    data, mapping, tz
        Passed to :func:`workbench.data.loading.load_dataset` (and to the template).
    period_from, period_to
        Inclusive ISO dates of the period, whole calendar months (the 1st of a month to the
        last day of a month); or ``latest_month=True`` for the latest full calendar month
        the data really covers (:func:`workbench.data.coverage.latest_covered_month`; the
        month and why are printed). A period outside the data is an error; one the data
        covers in part is a warning, printed and shown in every report.
    managers
        Managers to report on, matched ignoring case and surrounding spaces; default every
        recipient of the period (:func:`workbench.reports.selection.select_people`: the
        roster's active people, else every owner with activity in the period).
    jobs
        Worker processes, each with one kernel; default all cores.
    out
        Output root; reports go to ``<out>/<period>/``.
    force
        Re-render even when the cache says a report is current.
    as_of
        ISO instant at which open tasks are judged; default the end of the data.
    conversation_s, long_call_s, params
        Template parameters; ``params`` may set any other declared parameter.
    progress
        True: a bar on a terminal, else one line per report, on stderr; False: silence;
        or a stream to write to.
    overview, history_months
        Also render the team overview (:data:`OVERVIEW_TEMPLATE`) of every manager in the
        data, with ``history_months`` months of trends, into ``team_overview.html``.
    max_loss
        Largest share of a table's rows that may be set aside before the batch stops.

    Raises
    ------
    ParameterError
        Bad period arguments, or a parameter the template does not declare or of the wrong
        type, a period outside the data, a ``managers`` name nobody answers to (the
        nearest name suggested); raised before any report runs.
    DataGuardError
        A table lost more than ``max_loss`` of its rows to validation.
    """
    began = time.perf_counter()
    template = Path(template).resolve()
    if latest_month == (period_from is not None or period_to is not None):
        raise ParameterError("give either period_from and period_to, or latest_month=True")
    if not latest_month and (period_from is None or period_to is None):
        raise ParameterError("period_from and period_to must be given together")
    source = Path(data).resolve()
    base = {
        "data": str(source),
        "mapping": _mapping_param(mapping),
        "tz": tz or DEFAULT_TZ,  # checked now; the data's own zone is filled in once loaded
        "as_of": as_of or "",
        "conversation_s": conversation_s,
        "long_call_s": long_call_s,
        **(params or {}),
    }
    check_parameters(
        {"manager": "", "period_start": "", "period_end": "", "batch": "", **base},
        template=template,
    )
    overview_base = {k: base[k] for k in ("data", "mapping", "tz", "as_of")}
    overview_base["history_months"] = history_months
    if overview:
        check_parameters(
            {"period_start": "", "period_end": "", **overview_base}, template=OVERVIEW_TEMPLATE
        )
    if not latest_month:
        start, end = _iso_date(period_from, "period_from"), _iso_date(period_to, "period_to")
        try:
            report_window(start.isoformat(), end.isoformat(), tz=DEFAULT_TZ)
        except ValueError as exc:
            raise ParameterError(f"{exc} (reports cover whole calendar months)") from exc
    # tz None: the mapping's time zone (a preset's Europe/Moscow, say), else UTC
    dataset = load_dataset(source, mapping=base["mapping"] or None, tz=tz)
    tz = base["tz"] = overview_base["tz"] = dataset.tz
    notices = _Notices(progress)
    losses = row_losses(dataset, threshold=max_loss)
    if losses:
        raise DataGuardError(losses, max_loss)
    if latest_month:
        start, end, why = latest_covered_month(dataset, as_of=as_of)
        notices.say(f"period {period_label(start, end)}: {why}")
    coverage = period_coverage(dataset, start, end)
    for warning in coverage:
        notices.say(f"warning: {warning}")
    selection = select_people(dataset, *report_window(start.isoformat(), end.isoformat(), tz=tz))
    if not selection.recipients:
        raise ParameterError(
            f"nobody gets a report for {start} to {end}: "
            + ("; ".join(selection.notes) or "no activity in the period")
        )
    if managers is not None:
        names = match_managers(managers, selection.recipients)
    else:
        names = list(selection.recipients)
    slugs = unique_slugs(names)
    period_dir = Path(out).resolve() / period_label(start, end)
    template_bytes = template.read_bytes()
    # What prepare_report computes per kernel when run alone; here once for the batch.
    figures = {
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "as_of": base["as_of"] or None,
        "conversation_s": base["conversation_s"],
        "long_call_s": base["long_call_s"],
    }
    department = department_figures(dataset, **figures, selection=selection)
    department_key = department_fingerprint(department)
    data_key = dataset_fingerprint(dataset)
    inputs = manager_fingerprints(dataset, names)
    version = f"{workbench.__version__}+{code_fingerprint()[:16]}"

    outcomes: list[ReportOutcome] = []
    keys: dict[int, str] = {}
    todo: list[tuple] = []
    for idx, name in enumerate(names):
        p = {"manager": name, "period_start": start.isoformat(), "period_end": end.isoformat()}
        p.update(base)
        out_dir = period_dir / slugs[name]
        keys[idx] = cache_key(
            template=template_bytes,
            params=p,
            inputs=inputs[name],
            version=version,
            department=department_key,
        )
        outcome = ReportOutcome(name, slugs[name], "pending", html=f"{slugs[name]}/report.html")
        outcomes.append(outcome)
        cached = _read_cache(out_dir) if not force else None
        if cached and cached.get("key") == keys[idx] and (out_dir / "report.html").exists():
            outcome.status, outcome.headline = "cached", cached.get("headline")
        else:
            todo.append((idx, p))

    stream = sys.stderr if progress is True else (progress or None)
    bar = _Progress(len(names), stream)
    for o in outcomes:
        if o.status == "cached":
            bar.update(o)

    headlines: dict[int, dict | None] = {}

    def compute_headlines() -> None:
        """The index's figures, from the function the report's own headlines come from."""
        for idx, _ in todo:
            try:
                view = view_for(department, dataset.tasks, names[idx])
            except LookupError:  # no rows: the report fails and says so
                headlines[idx] = None
            else:
                headlines[idx] = headline_data(view)

    def on_result(idx: int, res: dict[str, Any]) -> None:
        o = outcomes[idx]
        o.status, o.seconds, o.error = res["status"], res.get("seconds", 0.0), res.get("error")
        folder = period_dir / o.slug
        folder.mkdir(exist_ok=True)
        if "notebook" in res:
            (folder / "report.ipynb").write_text(res["notebook"], encoding="utf-8")
        page = res.get("html") or failure_page(o.manager, o.error or "unknown error")
        (folder / "report.html").write_text(page, encoding="utf-8")
        cache_file = folder / "cache.json"
        if o.status == "rendered":
            o.headline = headlines.get(idx)
            cache_file.write_text(json.dumps({"key": keys[idx], "headline": o.headline}))
        else:
            cache_file.unlink(missing_ok=True)
        bar.update(o)

    n_workers = min(jobs or os.cpu_count() or 1, len(todo))
    period_dir.mkdir(parents=True, exist_ok=True)
    if todo:
        fingerprints = {
            "dataset": data_key,
            "department": department_key,
            "managers": inputs,
        }
        batch = write_snapshot(
            period_dir / BATCH_DIR,
            dataset,
            department,
            meta={"figures": figures, "fingerprints": fingerprints},
        )
        todo = [(idx, {**p, "batch": str(batch)}) for idx, p in todo]
        _run_jobs(template, todo, n_workers, on_result, meanwhile=compute_headlines)

    summary = RunSummary(start.isoformat(), end.isoformat(), period_dir, outcomes)
    if overview:
        overview_params = {"period_start": start.isoformat(), "period_end": end.isoformat()}
        overview_params.update(overview_base)
        any_rendered = any(o.status != "cached" for o in outcomes)
        summary.overview = _render_overview(
            period_dir, overview_params, data_key, force=force or any_rendered
        )
    summary.seconds = time.perf_counter() - began
    record = summary.to_dict()
    record.update(data=str(source), finished_at=datetime.now(UTC).isoformat(timespec="seconds"))
    (period_dir / "run_summary.json").write_text(json.dumps(record, indent=2, ensure_ascii=False))
    title = f"Manager reports {start.isoformat()} to {end.isoformat()}"
    entries = [asdict(o) for o in outcomes]
    link = asdict(summary.overview) if summary.overview else None
    health = check_dataset(
        dataset, mapping=base["mapping"] or None, max_loss=max_loss, metrics=KPI_METRICS,
        people=_people_lines(selection, names),
    )  # fmt: skip
    atomic_write(period_dir / "data_health.html", data_health_page(health.text()))
    page = index_page(
        title, entries, overview=link, tables=dataset.files, notes=[*notices.lines],
        health="data_health.html",
    )  # fmt: skip
    (period_dir / "index.html").write_text(page, encoding="utf-8")
    return summary


def _render_overview(
    period_dir: Path, params: dict[str, Any], data_fingerprint: str, *, force: bool
) -> ReportOutcome:
    """Render the team overview into ``period_dir/team_overview.html`` unless it is current.

    ``force`` re-renders (a manager's report was re-rendered, or ``--force``). A failure
    writes a failure page and keeps the partially executed notebook; it never raises.
    """
    from workbench.reports.renderer import ReportRenderer

    outcome = ReportOutcome("team overview", "team_overview", "pending", html="team_overview.html")
    html_file, cache_file = period_dir / outcome.html, period_dir / "team_overview.json"
    key = cache_key(
        template=OVERVIEW_TEMPLATE.read_bytes(),
        params=params,
        inputs=data_fingerprint,
        version=workbench.__version__,
    )
    cached = _read_cache(period_dir, name=cache_file.name)
    if not force and cached and cached.get("key") == key and html_file.exists():
        outcome.status = "cached"
        return outcome
    try:
        with ReportRenderer(OVERVIEW_TEMPLATE) as renderer:
            res = renderer.render(params)
    except Exception as exc:  # the kernel did not start: report it, keep the batch
        res = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
    outcome.status, outcome.seconds = res["status"], res.get("seconds", 0.0)
    outcome.error = res.get("error")
    if "notebook" in res:
        (period_dir / "team_overview.ipynb").write_text(res["notebook"], encoding="utf-8")
    if outcome.status == "rendered":
        page = res["html"].replace("<title> report</title>", "<title>Team overview</title>", 1)
        html_file.write_text(page, encoding="utf-8")
        cache_file.write_text(json.dumps({"key": key}))
    else:
        error = outcome.error or "unknown error"
        html_file.write_text(
            failure_page("Team overview", error, notebook="team_overview.ipynb"), "utf-8"
        )
        cache_file.unlink(missing_ok=True)
    return outcome


class _Notices:
    """Lines the run prints before the reports (the month chosen, coverage warnings), kept
    for the index page too."""

    def __init__(self, progress: TextIO | bool) -> None:
        self.stream = sys.stderr if progress is True else (progress or None)
        self.lines: list[str] = []

    def say(self, line: str) -> None:
        self.lines.append(line)
        if self.stream is not None:
            self.stream.write(line + "\n")
            self.stream.flush()


def _people_lines(selection, names: list[str]) -> list[str]:
    """Who gets a report (and on what basis) and who does not, for the data-health page."""
    basis = {"roster": "the roster's active people", "activity": "every owner with activity"}
    out = [
        f"{len(selection.recipients)} recipient(s) ({basis[selection.basis]} in the period); "
        f"{len(names)} in this run"
    ]
    teams = sorted(set(selection.teams.values()))
    if teams:
        out.append(f"teams: {', '.join(teams)}")
    return out + list(selection.notes)


def _mapping_param(mapping: str | Path | None) -> str:
    """A mapping file becomes an absolute path (kernels run elsewhere); a preset name stays."""
    if not mapping:
        return ""
    path = Path(mapping)
    return str(path.resolve()) if path.exists() else str(mapping)


def _read_cache(out_dir: Path, name: str = "cache.json") -> dict | None:
    try:
        return json.loads((out_dir / name).read_text())
    except (OSError, ValueError):
        return None
