"""Render every manager's report for one period: the product's main command.

``render_reports`` checks the parameters against the template's ``parameters`` cell and the
output folder (:func:`workbench.files.check_output_folder`) before anything runs, takes the
output folder's lock (:class:`workbench.files.OutputLock`: one batch per folder), loads and
validates the data ONCE, computes the department's figures once, skips managers whose report
would not change, and renders the others on N spawned worker processes that each reuse ONE
kernel (:mod:`workbench.reports.workers`, :class:`workbench.reports.renderer.ReportRenderer`).
The flow is one way: the parent writes a columnar snapshot of the validated tables and the
department figures (:mod:`workbench.reports.snapshot`) into a folder of this run's own,
``<out>/<period>/_batch/<run-id>/``, and passes it to the template as ``batch``; the kernels
read it (never the export) and hand the notebook and its HTML back; only the parent writes
output files, each through :func:`workbench.files.atomic_write`. The index's figures come
from :func:`~workbench.reports.manager_view.headline_data` in the parent, the function the
report's own headlines come from. One manager's failure never stops the batch: a kernel that
dies or a report over ``cell_timeout``/``report_timeout`` fails that report ("kernel died",
"timed out after N s") and the next gets a fresh kernel. SIGINT or SIGTERM stops the batch
within seconds (:mod:`workbench.reports.stopping`): finished reports are kept, the others are
"interrupted". See ``docs/operations.md``.

Outputs, under ``<out>/<period>/`` (period ``2026-10`` for a calendar month, else
``2026-10-01_2026-10-15``)::

    index.html          every manager, headline figures, KPI status, link or failure notice
    run_summary.json    every manager: status (rendered / cached / failed / interrupted),
                        seconds, error and its traceback
    run.log             progress lines with times and every failure's traceback
    <slug>/report.ipynb the executed notebook (kept, partially executed, on failure)
    <slug>/report.html  the self-contained report (or a page saying it could not be
                        produced and whom to ask; never the technical error)
    <slug>/cache.json   the cache key of the last successful render and its headline data
    _batch/<run-id>/    the snapshot this run's kernels read (every manager's rows: a
                        working copy, removed when the run ends)
    teams/<team slug>/  per roster team, for its team head: index.html (that team's
                        managers only, linking ../../<slug>/report.html) and
                        team_overview.html (the overview of that team's members only);
                        both stamped ``<meta name="workbench-team">``

The template contract (``workbench/reports/templates/manager_report.ipynb``)
    * one cell tagged ``parameters`` with literal defaults for: ``manager``, ``period_start``,
      ``period_end`` (inclusive ISO dates), ``data`` (source path), ``mapping`` (``""`` =
      none), ``tz``, ``as_of`` (ISO instant, ``""`` = end of data), ``conversation_s`` (60),
      ``long_call_s`` (1200), ``batch`` (``""`` = load ``data`` itself);
    * a last cell tagged ``provenance`` (fingerprints, version, git commit, parameters, time);
    * it raises when the manager has no rows, and resets matplotlib itself (kernel reuse).

The team overview (``workbench/reports/templates/team_overview.ipynb``, for the head of sales; every
manager named) is rendered once per batch on a kernel of its own, in a worker, into
``team_overview.html`` (and ``team_overview.ipynb``) next to ``index.html``, which links to it.
It covers every manager in the data, whatever ``managers`` selects, and is never linked from
a manager's report. When the roster has teams, the same template renders once more per team
(``team``: its members only) into ``teams/<slug>/``; every overview reads the snapshot
(``batch``), never the export. Its failure is recorded in ``run_summary.json``
(``team_overview``; a team's under ``teams``) and makes the run not ``ok``; it never stops
the managers' reports.

Language: every page of a batch, and the e-mails that deliver it, are in one language:
``lang`` (``--lang``), else the mapping's ``language:``, else English
(:func:`workbench.data.mappings.batch_language`). Both templates get it as the parameter
``lang`` (a custom template that does not declare it is rendered without); the pages built
here (index, team pages, data health, archive) are written in it, and it is part of every
cache key and of ``run_summary.json`` (``lang``), which ``workbench send`` reads.

Paths: the kept notebooks and the pages show no path of the analyst's machine: the
injected parameters' paths (the export, the mapping file, the batch snapshot, the output
folder) are reduced to their names before anything is written
(:mod:`workbench.reports.local_paths`).

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

import contextlib
import hashlib
import json
import os
import shutil
import signal
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any, TextIO

import workbench
from workbench.config import DEFAULT_TZ, PROJECT_ROOT
from workbench.data.check import check_dataset
from workbench.data.coverage import (
    DEFAULT_MAX_LOSS,
    DataGuardError,
    latest_covered_month,
    period_coverage,
    row_losses,
)
from workbench.data.loading import Dataset, load_dataset
from workbench.errors import ParameterError
from workbench.files import (
    OutputError,
    OutputLock,
    OutputLockedError,
    atomic_write,
    check_output_folder,
    read_json,
)
from workbench.formatting import window_words
from workbench.i18n import _, ngettext, using
from workbench.metrics.kpi import KPI_METRICS
from workbench.reports.archive import write_archive
from workbench.reports.executors import make_executor
from workbench.reports.fingerprints import (
    cache_key,
    code_fingerprint,
    dataset_fingerprint,
    department_fingerprint,
    manager_fingerprints,
)
from workbench.reports.health_page import data_health_page
from workbench.reports.index_page import INDEX_METRICS, failure_page, index_page, team_index_page
from workbench.reports.local_paths import (
    local_paths,
    notebook_without_paths,
    paths_in,
    text_without_paths,
)
from workbench.reports.manager_view import (
    department_figures,
    headline_data,
    report_window,
    view_for,
)
from workbench.reports.parameters import (
    batch_language,
    check_parameters,
    declares,
    export_parameters,
    template_parameters,
)
from workbench.reports.progress import Progress, safe_text
from workbench.reports.selection import match_managers, select_people
from workbench.reports.slugs import unique_slugs
from workbench.reports.snapshot import BATCH_DIR, write_roster, write_snapshot
from workbench.reports.stamp import stamp_manager, stamp_team
from workbench.reports.stopping import BatchInterrupted, StopSignals
from workbench.reports.templates import TEMPLATES_DIR
from workbench.reports.workers import Job

__all__ = [
    "CELL_TIMEOUT_S",
    "OVERVIEW_TEMPLATE",
    "REPORT_TIMEOUT_S",
    "TEMPLATE",
    "BatchInterrupted",
    "OutputError",
    "OutputLockedError",
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
#: Default seconds one cell may run (the sample's slowest cell takes about a second).
CELL_TIMEOUT_S = 300.0
#: Default seconds one whole report may run (a sample report takes 1-5 s, a first one more).
REPORT_TIMEOUT_S = 900.0


@dataclass
class ReportOutcome:
    """What happened to one manager's report."""

    manager: str
    slug: str
    status: str  # rendered / cached / failed / interrupted
    seconds: float = 0.0
    error: str | None = None
    html: str = ""
    headline: dict | None = None
    traceback: str | None = None  # the full technical error (summary and log only)


@dataclass
class TeamPages:
    """One roster team's pages, for its team head: ``teams/<slug>/index.html`` (the team's
    managers only) and ``teams/<slug>/team_overview.html`` (``overview``; None when the run
    rendered no overview)."""

    team: str
    slug: str
    members: tuple[str, ...]  # the team's members in the window (the overview's managers)
    overview: ReportOutcome | None = None

    @property
    def folder(self) -> str:
        return f"teams/{self.slug}"

    def to_dict(self) -> dict[str, Any]:
        overview = None
        if self.overview is not None:
            overview = {k: v for k, v in asdict(self.overview).items() if k != "headline"}
        return {
            "slug": self.slug,
            "index": f"{self.folder}/index.html",
            "members": list(self.members),
            "overview": overview,
        }


@dataclass
class RunSummary:
    """The result of :func:`render_reports`; ``ok`` is False when any report failed."""

    period_start: str
    period_end: str
    out_dir: Path
    reports: list[ReportOutcome] = field(default_factory=list)
    seconds: float = 0.0
    overview: ReportOutcome | None = None  # the team overview; None when not rendered
    interrupted: int | None = None  # the signal (SIGINT, SIGTERM) that stopped the run
    #: roster team -> its pages (``TeamPages``); empty without roster teams
    teams: dict[str, TeamPages] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Not interrupted, and no manager's report and no team overview failed."""
        pages = [t.overview for t in self.teams.values() if t.overview is not None]
        reports = [*self.reports, *([self.overview] if self.overview else []), *pages]
        return self.interrupted is None and all(r.status == "rendered" or r.status == "cached"
                                                for r in reports)  # fmt: skip

    @property
    def counts(self) -> dict[str, int]:
        """Reports per status; ``interrupted`` only when the run was."""
        states = ["rendered", "cached", "failed"]
        if any(r.status == "interrupted" for r in self.reports) or self.interrupted:
            states.append("interrupted")
        return {s: sum(r.status == s for r in self.reports) for s in states}

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
            "teams": {team: pages.to_dict() for team, pages in self.teams.items()},
            "interrupted": signal.Signals(self.interrupted).name if self.interrupted else None,
        }


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


def _department_head(dataset: Any, manager: str | None = None) -> tuple[str, str] | None:
    """(name, email) of the department head in the roster, whom a manager can ask; None
    without a roster, without a head, or when the report is the head's own."""
    roster = getattr(dataset, "roster", None)
    if roster is None or roster.empty or "role" not in roster:
        return None
    heads = roster[roster["role"] == "department_head"]
    if "active_to" in heads:
        heads = heads.sort_values("active_to", na_position="first")
    for _i, row in heads.iterrows():
        name = row.get("manager")
        if isinstance(name, str) and name and name != manager:
            email = row.get("email")
            return name, email if isinstance(email, str) else ""
    return None


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
    cell_timeout: float = CELL_TIMEOUT_S,
    report_timeout: float = REPORT_TIMEOUT_S,
    wait: bool = False,
    max_loss: float = DEFAULT_MAX_LOSS,
    cluster: str | None = None,
    lang: str = "",
    dataset: Dataset | None = None,
) -> RunSummary:
    """Render one report per manager for a period, reusing unchanged reports.

    Parameters
    ----------
    data, mapping, tz
        Passed to :func:`workbench.data.loading.load_dataset` (and to the template).
    period_from, period_to
        Inclusive ISO dates of the period, whole calendar months (the 1st of a month to the
        last day of a month); or ``latest_month=True`` for the latest full calendar month in
        the data (see :func:`latest_full_month`).
    managers
        Managers to report on; default every manager in the data.
    jobs
        Worker processes, each with one kernel; default all cores.
    out
        Output root; reports go to ``<out>/<period>/``. Checked writable before anything
        runs and locked for the run (one batch per output folder).
    force
        Re-render even when the cache says a report is current.
    as_of
        ISO instant at which open tasks are judged; default the end of the data.
    conversation_s, long_call_s, params
        Template parameters; ``params`` may set any other declared parameter.
    progress
        True: a bar on a terminal, else one line per step and report, on stderr; False:
        silence; or a stream to write to.
    overview, history_months
        Also render the team overview (:data:`OVERVIEW_TEMPLATE`) of every manager in the
        data, with ``history_months`` months of trends, into ``team_overview.html``.
    cell_timeout, report_timeout
        Seconds one cell, and one whole report, may run; a report over either fails with
        "timed out after N s" and its kernel is replaced.
    wait
        When another run holds ``out``: wait for it instead of raising.
    cluster
        None: render on ``jobs`` local worker processes. ``"tcp://host:8786"``: on the Dask
        distributed cluster of that scheduler; ``"local:N"``: on a Dask ``LocalCluster`` of
        N processes (:mod:`workbench.reports.executors`, ``docs/scaling.md``). Caching,
        failures, progress, signals, the lock, the index and the summary are the same.
    lang
        The language of the batch's pages (a code of :data:`workbench.i18n.LANGUAGES`);
        ``""``: the mapping's ``language:``, else English.
    dataset
        ``data`` already loaded with ``mapping`` and ``tz`` (by
        :func:`workbench.data.check.check_export`, say): used as it is, not read again.

    Returns
    -------
    RunSummary
        ``interrupted`` is the signal number when SIGINT or SIGTERM stopped the run: the
        reports finished by then are kept and cached, the others are "interrupted".

    Raises
    ------
    ParameterError
        Bad period arguments, an ``as_of`` that is no ISO instant, a language without a
        catalogue, a ``dataset`` loaded from elsewhere, or a parameter the template does
        not declare or of the wrong type; raised before any report runs.
    OutputError
        ``out`` cannot be written (read-only, not a folder, disk full); no partial file.
    OutputLockedError
        Another run holds ``out`` (and ``wait`` is False).
    BatchInterrupted
        A signal came before the managers were known (while loading).
    """
    began = time.perf_counter()
    template = Path(template).resolve()
    if latest_month == (period_from is not None or period_to is not None):
        raise ParameterError("give either period_from and period_to, or latest_month=True")
    if not latest_month and (period_from is None or period_to is None):
        raise ParameterError("period_from and period_to must be given together")
    source = Path(data).resolve()
    if dataset is not None and Path(dataset.source).resolve() != source:
        raise ParameterError(f"the dataset given was loaded from {dataset.source}, not {data}")
    language = batch_language(lang, mapping)
    base = {
        **export_parameters(source, mapping=mapping, tz=tz, as_of=as_of),
        "conversation_s": conversation_s,
        "long_call_s": long_call_s,
        **(params or {}),
    }
    if declares(template, "lang"):
        base["lang"] = language
    check_parameters(
        {"manager": "", "period_start": "", "period_end": "", "batch": "", **base},
        template=template,
    )
    overview_base = {k: base[k] for k in ("data", "mapping", "tz", "as_of")}
    overview_base["history_months"] = history_months
    if overview and declares(OVERVIEW_TEMPLATE, "lang"):
        overview_base["lang"] = language
    if overview:
        check_parameters(
            {"period_start": "", "period_end": "", **overview_base}, template=OVERVIEW_TEMPLATE
        )
    start = end = None
    if not latest_month:
        start, end = _iso_date(period_from, "period_from"), _iso_date(period_to, "period_to")
        try:
            report_window(start.isoformat(), end.isoformat(), tz=DEFAULT_TZ)
        except ValueError as exc:
            raise ParameterError(f"{exc} (reports cover whole calendar months)") from exc
    root = check_output_folder(out)
    stream = sys.stderr if progress is True else (progress or None)
    bar = Progress(stream)
    with StopSignals() as stop, OutputLock(root, command="workbench report", wait=wait):
        run = _Run(
            root=root, source=source, template=template, base=base, overview_base=overview_base,
            bar=bar, stop=stop, began=began, lang=language,
        )  # fmt: skip
        try:
            with using(language):  # the pages built here, and the headlines' words
                return run.execute(
                    mapping=base["mapping"] or None, tz=tz, start=start, end=end,
                    latest_month=latest_month, as_of=as_of, managers=managers, jobs=jobs,
                    force=force, overview=overview, cell_timeout=cell_timeout,
                    report_timeout=report_timeout, max_loss=max_loss, cluster=cluster,
                    dataset=dataset,
                )  # fmt: skip
        finally:
            bar.close()
            run.cleanup()


@dataclass
class _Run:
    """One locked run of :func:`render_reports` (its state, shared by the steps)."""

    root: Path
    source: Path
    template: Path
    base: dict[str, Any]
    overview_base: dict[str, Any]
    bar: Progress
    stop: StopSignals
    began: float
    period_dir: Path | None = None
    work: Path | None = None
    max_loss: float = DEFAULT_MAX_LOSS
    version: str = ""  # the cache keys' package version + code fingerprint
    notes: list[str] = field(default_factory=list)  # printed, and listed on the index
    dataset: Any = None
    selection: Any = None
    names: list[str] = field(default_factory=list)
    lang: str = "en"  # the batch's language
    department: Any = None  # the window's department figures (the index's medians)
    hidden: tuple[str, ...] = ()  # absolute paths no kept file may show

    def _kept(self, text: str, *, notebook: bool = False) -> str:
        """A notebook or page without the analyst's paths (see :mod:`local_paths`)."""
        work = self.work
        paths = self.hidden + local_paths(work, work.parent if work else None)
        out = notebook_without_paths(text, paths) if notebook else text
        out = text_without_paths(out, paths)
        left = paths_in(out, paths)
        if left:
            self.bar.detail(f"warning: a kept file still shows {', '.join(left)}")
        return out

    def cleanup(self) -> None:
        """Remove this run's snapshot (every manager's rows; the kernels are done with it)."""
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)
            with contextlib.suppress(OSError):
                self.work.parent.rmdir()  # only when no other run's folder is left

    def execute(self, *, mapping, tz, start, end, latest_month, as_of, managers, jobs, force,
                overview, cell_timeout, report_timeout, max_loss, cluster=None,
                dataset=None) -> RunSummary:  # fmt: skip
        bar, base, overview_base = self.bar, self.base, self.overview_base
        if dataset is None:
            bar.line(f"loading {safe_text(self.source)} ...")
            loaded_at = time.perf_counter()
            # tz None: the mapping's time zone (a preset's Europe/Moscow, say), else UTC
            dataset = load_dataset(self.source, mapping=mapping, tz=tz)
            when = f"in {time.perf_counter() - loaded_at:.1f} s"
        else:
            when = "before this run"
        rows = ", ".join(f"{len(getattr(dataset, t))} {t}" for t in ("tasks", "calls", "deals"))
        aside = len(dataset.set_aside)
        bar.line(f"loaded and validated {rows} ({aside} rows set aside) {when}")
        tz = base["tz"] = overview_base["tz"] = dataset.tz
        self.max_loss = max_loss
        losses = row_losses(dataset, threshold=max_loss)
        if losses:
            raise DataGuardError(losses, max_loss)
        if latest_month:  # said on the terminal, and on the pages in the batch's language
            start, end, why = latest_covered_month(dataset, as_of=as_of)
            bar.line(f"period {period_label(start, end)}: {why}")
            self.notes.append(
                _("Period {period}: {why}").format(period=period_label(start, end), why=why)
            )
        for warning in period_coverage(dataset, start, end):
            bar.line(f"warning: {warning}")
            self.notes.append(_("Warning: {warning}").format(warning=warning))
        window = report_window(start.isoformat(), end.isoformat(), tz=tz)
        selection = self.selection = select_people(dataset, *window)
        if not selection.recipients:
            raise ParameterError(
                f"nobody gets a report for {start} to {end}: "
                + ("; ".join(selection.notes) or "no activity in the period")
            )
        if managers is not None:
            names = match_managers(managers, selection.recipients)
        else:
            names = list(selection.recipients)
        self.names, self.dataset = names, dataset
        # a preset's name is no path: local_paths keeps only absolute ones
        self.hidden = local_paths(
            self.source, self.root, base["mapping"], PROJECT_ROOT, Path.home()
        )
        slugs = unique_slugs(names)
        period_dir = self.period_dir = self.root / period_label(start, end)
        check_output_folder(period_dir)
        template_bytes = self.template.read_bytes()
        # What prepare_report computes per kernel when run alone; here once for the batch.
        figures = {
            "period_start": start.isoformat(),
            "period_end": end.isoformat(),
            "as_of": base["as_of"] or None,
            "conversation_s": base["conversation_s"],
            "long_call_s": base["long_call_s"],
        }
        department = self.department = department_figures(dataset, **figures, selection=selection)
        department_key = department_fingerprint(department)
        data_key = dataset_fingerprint(dataset)
        inputs = manager_fingerprints(dataset, names)
        # the package version and its code: a fix re-renders every page that could show it
        version = self.version = f"{workbench.__version__}+{code_fingerprint()[:16]}"
        head = _department_head(dataset)

        outcomes: list[ReportOutcome] = []
        keys: dict[int, str] = {}
        todo: list[tuple] = []
        for idx, name in enumerate(names):
            p = {"manager": name, "period_start": start.isoformat(), "period_end": end.isoformat()}
            p.update(base)
            out_dir = period_dir / slugs[name]
            keys[idx] = cache_key(
                template=template_bytes,
                params={**p, "lang": self.lang},
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
        summary = RunSummary(start.isoformat(), end.isoformat(), period_dir, outcomes)
        bar.line(
            f"period {start.isoformat()} to {end.isoformat()}: {len(names)} managers, "
            f"{len(todo)} to render, {len(names) - len(todo)} cached"
        )

        overview_job = None
        overview_params = {"period_start": start.isoformat(), "period_end": end.isoformat()}
        overview_params.update(overview_base, team="")  # "": the department; a team's below
        overview_key = cache_key(
            template=OVERVIEW_TEMPLATE.read_bytes(),
            params={**overview_params, "lang": self.lang},
            inputs=data_key,
            version=version,
        )
        if overview:
            summary.overview = ReportOutcome(
                "team overview", "team_overview", "pending", html="team_overview.html"
            )
            cached = _read_cache(period_dir, name="team_overview.json")
            current = cached and cached.get("key") == overview_key
            if not (force or todo) and current and (period_dir / "team_overview.html").exists():
                summary.overview.status = "cached"
            else:
                overview_job = Job("overview", str(OVERVIEW_TEMPLATE), overview_params, True)
        team_jobs, team_keys = self._team_pages(
            summary, overview_params, data_key, todo=[names[i] for i, _p in todo], force=force,
            overview=overview,
        )  # fmt: skip

        headlines: dict[int, dict | None] = {}

        def on_result(key: Any, res: dict[str, Any]) -> None:
            if key == "overview":
                self._overview_result(summary.overview, res, overview_key)
                return
            if isinstance(key, tuple):  # ("team", team): a team's overview
                self._team_result(summary.teams[key[1]], res, team_keys[key[1]])
                return
            o = outcomes[key]
            o.status, o.seconds = res["status"], res.get("seconds", 0.0)
            o.error, o.traceback = res.get("error"), res.get("traceback")
            folder = period_dir / o.slug
            if "notebook" in res:
                atomic_write(folder / "report.ipynb", self._kept(res["notebook"], notebook=True))
            contact = head if head is None or head[0] != o.manager else None
            html = res.get("html")
            page = self._kept(_in_language(html, self.lang)) if html else None
            page = page or failure_page(o.manager, contact)
            # who the file is for, checked again before it is e-mailed
            atomic_write(folder / "report.html", stamp_manager(page, o.manager))
            cache_file = folder / "cache.json"
            if o.status == "rendered":
                o.headline = headlines.get(key)
                record = {"key": keys[key], "manager": o.manager, "headline": o.headline}
                atomic_write(cache_file, json.dumps(record, ensure_ascii=False))
            else:
                cache_file.unlink(missing_ok=True)
                bar.detail(f"{o.manager}: {o.traceback or o.error}")
            bar.report(o.status, o.manager, o.seconds, o.error)
            if o.status == "failed":
                bar.write_log(period_dir / "run.log")

        jobs_list = [Job(idx, str(self.template), p) for idx, p in todo]
        n_workers = min(jobs or os.cpu_count() or 1, max(len(jobs_list), 1))
        # the overviews, on kernels of their own; first when they run alongside the reports
        pages = ([overview_job] if overview_job is not None else []) + team_jobs
        jobs_list = pages + jobs_list if n_workers > 1 else jobs_list + pages
        bar.start(len(names), done=len(names) - len(todo))
        if jobs_list:
            pool = make_executor(
                cluster, n_workers, cell_timeout=cell_timeout, report_timeout=report_timeout
            )
            try:
                pool.start()
                if todo or pages:  # the overviews read it too, cached reports or not
                    self.work = _work_folder(period_dir)
                    fingerprints = {
                        "dataset": data_key,
                        "department": department_key,
                        "managers": inputs,
                    }
                    batch = write_snapshot(
                        self.work,
                        dataset,
                        department,
                        meta={"figures": figures, "fingerprints": fingerprints},
                    )
                    for job in jobs_list:
                        job.params["batch"] = str(batch)
                    for idx, _p in todo:  # the index's figures, as the report computes them
                        try:
                            view = view_for(department, dataset.tasks, names[idx])
                        except LookupError:  # no rows: the report fails and says so
                            headlines[idx] = None
                        else:
                            headlines[idx] = _headline_with_next_steps(view)
                with self.stop.deferred():
                    left = pool.run(
                        jobs_list,
                        on_result,
                        stop=lambda: self.stop.signum is not None,
                        on_event=bar.line,
                    )
            except BaseException:
                pool.close(kill=True)
                raise
            for job in left:
                if job.key == "overview":
                    target = summary.overview
                elif isinstance(job.key, tuple):
                    target = summary.teams[job.key[1]].overview
                else:
                    target = outcomes[job.key]
                target.status, target.error = "interrupted", "interrupted"
        bar.close()
        if self.stop.signum is not None:
            summary.interrupted = self.stop.signum
            name = signal.Signals(self.stop.signum).name
            bar.line(f"interrupted by {name}: finished reports kept, the others not produced")
        # The roster (names and addresses, no figures) stays beside the index for delivery;
        # the snapshot of every manager's rows is this run's working copy and goes.
        write_roster(period_dir, dataset)
        return self._finish(summary)

    def _team_pages(
        self,
        summary: RunSummary,
        overview_params: dict[str, Any],
        data_key: str,
        *,
        todo: list[str],
        force: bool,
        overview: bool,
    ) -> tuple[list[Job], dict[str, str]]:
        """Each roster team's pages (``summary.teams``) and the overview jobs to run.

        A team's overview is the team overview template with ``team`` set: that team's
        members only. Its cache key holds the template, the parameters, the WHOLE dataset's
        fingerprint (the overview shows the department's data-health counts) and the team's
        members; it is also re-rendered whenever one of its managers' reports is.
        """
        teams: dict[str, list[str]] = {}
        for member, team in self.selection.teams.items():
            if team:
                teams.setdefault(team, []).append(member)
        slugs = unique_slugs(sorted(teams))
        jobs, keys = [], {}
        template = OVERVIEW_TEMPLATE.read_bytes() if overview and teams else b""
        for team in sorted(teams):
            members = tuple(sorted(teams[team]))
            pages = summary.teams[team] = TeamPages(team, slugs[team], members)
            if not overview:
                continue
            params = {**overview_params, "team": team}
            inputs = hashlib.sha256("\n".join([data_key, *members]).encode()).hexdigest()
            keys[team] = cache_key(
                template=template, params={**params, "lang": self.lang}, inputs=inputs,
                version=self.version,
            )  # fmt: skip
            html = f"{pages.folder}/team_overview.html"
            pages.overview = ReportOutcome(f"team {team}", slugs[team], "pending", html=html)
            folder = self.period_dir / pages.folder
            cached = _read_cache(folder, name="team_overview.json")
            current = cached and cached.get("key") == keys[team]
            stale = force or any(m in todo for m in members)
            if current and not stale and (folder / "team_overview.html").exists():
                pages.overview.status = "cached"
            else:
                jobs.append(Job(("team", team), str(OVERVIEW_TEMPLATE), params, True))
        return jobs, keys

    def _team_result(self, pages: TeamPages, res: dict[str, Any], key: str) -> None:
        """Write a team's overview (or a failure page) into ``teams/<slug>/``."""
        outcome, folder = pages.overview, self.period_dir / pages.folder
        outcome.status, outcome.seconds = res["status"], res.get("seconds", 0.0)
        outcome.error, outcome.traceback = res.get("error"), res.get("traceback")
        if "notebook" in res:
            atomic_write(folder / "team_overview.ipynb", self._kept(res["notebook"], notebook=True))
        title = _("Team {team}: overview").format(team=pages.team)
        html_file, cache_file = folder / "team_overview.html", folder / "team_overview.json"
        if outcome.status == "rendered":
            page = res["html"].replace(
                "<title> report</title>", f"<title>{escape(title)}</title>", 1
            )
            page = self._kept(_in_language(page, self.lang))
            atomic_write(html_file, stamp_team(page, pages.team))
            atomic_write(cache_file, json.dumps({"key": key}))
        else:
            atomic_write(html_file, stamp_team(failure_page(title), pages.team))
            cache_file.unlink(missing_ok=True)
            self.bar.detail(
                f"team {safe_text(pages.team)} overview: {outcome.traceback or outcome.error}"
            )
        self.bar.line(
            f"team {safe_text(pages.team)} overview {outcome.status} ({outcome.seconds:.1f} s)"
        )

    def _overview_result(self, outcome: ReportOutcome, res: dict[str, Any], key: str) -> None:
        period_dir = self.period_dir
        outcome.status, outcome.seconds = res["status"], res.get("seconds", 0.0)
        outcome.error, outcome.traceback = res.get("error"), res.get("traceback")
        if "notebook" in res:
            notebook = self._kept(res["notebook"], notebook=True)
            atomic_write(period_dir / "team_overview.ipynb", notebook)
        html_file, cache_file = period_dir / outcome.html, period_dir / "team_overview.json"
        if outcome.status == "rendered":  # titled by its heading (renderer._titled)
            atomic_write(html_file, self._kept(_in_language(res["html"], self.lang)))
            atomic_write(cache_file, json.dumps({"key": key}))
        else:
            atomic_write(html_file, failure_page(_("Team overview")))
            cache_file.unlink(missing_ok=True)
            self.bar.detail(f"team overview: {outcome.traceback or outcome.error}")
        self.bar.line(f"team overview {outcome.status} ({outcome.seconds:.1f} s)")

    def _finish(self, summary: RunSummary) -> RunSummary:
        period_dir = self.period_dir
        summary.seconds = time.perf_counter() - self.began
        record = summary.to_dict()
        record.update(
            data=str(self.source), lang=self.lang,
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )  # fmt: skip
        atomic_write(
            period_dir / "run_summary.json", json.dumps(record, indent=2, ensure_ascii=False)
        )
        when = _period_words(summary.period_start, summary.period_end)
        title = _("Manager reports: {period}").format(period=when)
        entries = [asdict(o) for o in summary.reports]
        link = asdict(summary.overview) if summary.overview else None
        dataset = self.dataset
        health = check_dataset(
            dataset, mapping=self.base["mapping"] or None, max_loss=self.max_loss,
            metrics=KPI_METRICS,
        )  # fmt: skip
        page = data_health_page(
            health, title=_("Data health: {period}").format(period=when),
            people=_people_lines(self.selection, self.names), notes=[*self.notes],
        )  # fmt: skip
        atomic_write(period_dir / "data_health.html", self._kept(page))
        everyone = list(self.department.managers) if self.department is not None else []
        page = index_page(
            title, entries, overview=link, tables=dataset.files, notes=[*self.notes],
            health="data_health.html", medians=_medians(self.department, everyone),
            n_managers=len(everyone),
        )  # fmt: skip
        atomic_write(period_dir / "index.html", self._kept(page))
        for team, pages in summary.teams.items():  # the team's managers only, for its head
            members = set(pages.members)
            rows = [e for e in entries if e["manager"] in members]
            link = asdict(pages.overview) if pages.overview else None
            if link:
                link["html"] = "team_overview.html"
            title = _("Team {team}: manager reports, {period}").format(team=team, period=when)
            page = team_index_page(
                title, team, rows, overview=link,
                medians=_medians(self.department, pages.members), n_managers=len(pages.members),
            )  # fmt: skip
            atomic_write(period_dir / pages.folder / "index.html", stamp_team(page, team))
        write_archive(period_dir.parent)  # <out>/index.html: every period rendered so far
        counts = ", ".join(f"{n} {s}" for s, n in summary.counts.items())
        self.bar.line(f"done in {summary.seconds:.1f} s: {counts}")
        self.bar.write_log(period_dir / "run.log")
        return summary


def _work_folder(period_dir: Path) -> Path:
    """A fresh folder for this run's snapshot, ``_batch/<time>-<pid>``: never another run's.

    Folders left by a run that was killed are removed (the output lock is held: no other
    run of this folder is alive).
    """
    parent = period_dir / BATCH_DIR
    if parent.is_dir():
        for old in parent.iterdir():
            shutil.rmtree(old, ignore_errors=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return parent / f"{stamp}-{os.getpid()}-{os.urandom(3).hex()}"


def _read_cache(out_dir: Path, name: str = "cache.json") -> dict | None:
    return read_json(out_dir / name)


def _people_lines(selection: Any, names: list[str]) -> list[str]:
    """Who gets a report (and on what basis) and who does not, for the data-health page."""
    n = len(selection.recipients)
    if selection.basis == "roster":
        text = ngettext(
            "{n} person gets a report (the roster's active people in the period); {run} in "
            "this run.",
            "{n} people get a report (the roster's active people in the period); {run} in "
            "this run.",
            n,
        )
    else:
        text = ngettext(
            "{n} person gets a report (every CRM owner with activity in the period); {run} in "
            "this run.",
            "{n} people get a report (every CRM owner with activity in the period); {run} in "
            "this run.",
            n,
        )
    out = [text.format(n=n, run=len(names))]
    teams = sorted(set(selection.teams.values()))
    if teams:
        out.append(_("Teams: {teams}.").format(teams=", ".join(teams)))
    return out + list(selection.notes)


def _medians(department: Any, managers: Any) -> dict[str, float | None]:
    """The median of each index figure over ``managers`` (their window figures): the ONE
    team figure per metric of an index page."""
    if department is None:
        return {}
    window = department.window
    rows = window.loc[window["manager"].isin(list(managers))]
    out: dict[str, float | None] = {}
    for metric in INDEX_METRICS:
        values = rows[metric].astype("float64").dropna() if metric in rows else rows.iloc[:0]
        out[metric] = float(values.median()) if len(values) else None
    return out


def _period_words(start: str, end: str) -> str:
    """A period in words: "October 2026" for a calendar month (of whole months, the first
    to the last), else "2026-10-01 to 2026-10-15"."""
    import pandas as pd

    first, last = date.fromisoformat(start), date.fromisoformat(end)
    if first.day == 1 and (last + timedelta(days=1)).day == 1:
        return window_words(pd.Timestamp(first), pd.Timestamp(last + timedelta(days=1)))
    return _("{first} to {last}").format(first=start, last=end)


def _in_language(page: str | None, lang: str) -> str | None:
    """A page rendered by nbconvert (``<html lang="en">``) marked with the batch's language."""
    if not page:
        return page
    return page.replace('<html lang="en">', f'<html lang="{lang}">', 1)


def _headline_with_next_steps(view: Any) -> dict:
    """The index's headline figures of one report, with its verdicts and "what to do next"
    in words (the e-mail that delivers the report repeats them)."""
    from workbench.reports.coaching import next_steps

    out = headline_data(view)
    if "tasks_overdue" in view.own:  # the index's "7 of 59 tasks due were late"
        out["tasks_overdue"] = int(view.own["tasks_overdue"])
    steps = next_steps(view)
    out["verdicts"] = [v.text for v in steps.verdicts]
    out["next_steps"] = [a.text for a in steps.actions] or [steps.all_well]
    return out
