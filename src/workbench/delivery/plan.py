"""Who gets what: the roster of the batch, each person's attachments and the checks on them.

A plan is built from the period folder alone (``run_summary.json``, the reports, the index
and the team overview) and the roster: the one the report run left (``<period>/_roster.parquet``)
or, when the snapshot has none, the one loaded from ``--data``/``--mapping``. Nothing is
sent from here. Every message whose checks fail carries the reasons in ``problems`` and is
never sent:

* the person has no address, an invalid one, or shares it with another person;
* a manager has no report in the batch, or it failed;
* ``report.html`` is not stamped for the recipient (``<meta name="workbench-manager">``,
  written by the runner) or its ``cache.json`` names someone else: the wrong report;
* a head's index or team overview is missing, failed, or is a manager's report.

The department head gets the department's index and team overview; a team head gets their
own team's (``teams/<slug>/``, the team's managers only, as ``run_summary.json``'s
``teams`` records them), never the department's: a team head sees only their team. A team
head whose team has no pages in the batch gets none, and the message is stopped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.delivery.config import valid_address
from workbench.delivery.errors import DeliveryError
from workbench.files import read_json
from workbench.reports.slugs import manager_slug
from workbench.reports.snapshot import ROSTER_FILE, read_roster
from workbench.reports.stamp import page_manager, page_team

__all__ = [
    "HEAD_ROLES",
    "Attachment",
    "Delivery",
    "Plan",
    "build_plan",
    "load_roster",
    "sha256_file",
]

HEAD_ROLES = ("team_head", "department_head")


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's bytes, hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Attachment:
    """One file of a message: what it is, where it is, the name it travels under."""

    kind: str  # report / index / overview / team_index / team_overview / pdf
    path: Path
    filename: str
    sha256: str = ""


@dataclass
class Delivery:
    """One message to one person of the roster, and what became of it."""

    name: str
    role: str
    team: str
    address: str
    attachments: list[Attachment] = field(default_factory=list)
    headlines: list[str] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    outcome: str = ""  # sent / failed / already sent / changed / unknown / stopped / outbox
    detail: str = ""

    @property
    def is_head(self) -> bool:
        return self.role in HEAD_ROLES

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the HTML attachment; of its ``name=sha256`` lines when there are more.

        PDFs are left out: printing the same page twice gives different bytes.
        """
        files = [a for a in self.attachments if a.kind != "pdf"]
        if len(files) == 1:
            return files[0].sha256
        lines = "".join(f"{a.filename}={a.sha256}\n" for a in files)
        return hashlib.sha256(lines.encode()).hexdigest()


@dataclass
class Plan:
    """Every message of a period, plus the reports nobody in the roster receives."""

    period: str
    period_start: str
    period_end: str
    period_dir: Path
    roster_source: str
    deliveries: list[Delivery]
    unrouted: list[str] = field(default_factory=list)


def load_roster(
    period_dir: Path,
    *,
    data: str | Path | None = None,
    mapping: str | Path | None = None,
    tz: str | None = None,
) -> tuple[pd.DataFrame, str]:
    """The roster and where it came from: the one the report run left, else ``data``/``mapping``.

    Raises
    ------
    DeliveryError
        Neither holds a roster (no rows): nothing can be addressed.
    """
    roster = read_roster(period_dir)
    if roster is not None and len(roster):
        return roster, f"the run's roster {period_dir / ROSTER_FILE}"
    if data is not None:
        from workbench.data.loading import load_dataset

        roster = load_dataset(data, mapping=mapping or None, tz=tz).roster
        if len(roster):
            return roster, f"the export {data}"
    where = f"the run's roster {period_dir / ROSTER_FILE}" + (
        f" nor the export {data}" if data else ""
    )
    raise DeliveryError(
        f"no roster: neither {where} has one, so no report can be addressed. Add a roster "
        "file to the export (roster.csv: manager, team, role, email; see "
        "docs/data-contract.md) and run `workbench report` again, or give --data/--mapping"
    )


def _text(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value).strip()


def _active(roster: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Rows of people active at some time in [start, end] (in the roster's time zone)."""

    def day(value: Any) -> date | None:
        return None if value is None or pd.isna(value) else pd.Timestamp(value).date()

    keep = []
    for _, row in roster.iterrows():
        begin, stop = day(row.get("active_from")), day(row.get("active_to"))
        keep.append((begin is None or begin <= end) and (stop is None or stop >= start))
    return roster.loc[keep]


def _own_report(d: Delivery, entry: dict[str, Any], period_dir: Path, period: str) -> None:
    """Attach the manager's report after checking it is theirs, else add the problem."""
    if entry.get("status") == "failed":
        d.problems.append(f"the report failed: {entry.get('error') or 'unknown error'}")
        return
    html = period_dir / (entry.get("html") or f"{entry.get('slug')}/report.html")
    if not html.is_file():
        d.problems.append(f"the report {html} is missing")
        return
    stamped = page_manager(html.read_text("utf-8", errors="replace"))
    if stamped != [d.name]:
        who = " and ".join(repr(s) for s in stamped) if stamped else "nobody"
        d.problems.append(
            f"wrong report: {html} is stamped for {who}, not for {d.name!r} "
            "(re-render with `workbench report --force` if it predates the stamp)"
        )
        return
    cache = read_json(html.parent / "cache.json") or {}
    if cache.get("manager") not in (None, d.name):
        d.problems.append(
            f"wrong report: {html.parent / 'cache.json'} names {cache['manager']!r}, not {d.name!r}"
        )
        return
    headline = cache.get("headline") or {}
    d.headlines = [str(s) for s in headline.get("headlines", [])]
    d.verdicts = [str(s) for s in headline.get("verdicts", [])]
    d.next_steps = [str(s) for s in headline.get("next_steps", []) if s]
    name = f"report-{manager_slug(d.name)}-{period}.html"
    d.attachments.append(Attachment("report", html, name, sha256_file(html)))


def _head_pages(d: Delivery, summary: dict[str, Any], period_dir: Path, period: str):
    """Attach the head's index and team overview after checking them: the department's for
    the department head, their own team's for a team head."""
    if d.role != "team_head":
        overview = summary.get("team_overview") or {}
        pages = [
            ("index", period_dir / "index.html", f"index-{period}.html", None),
            (
                "overview",
                period_dir / (overview.get("html") or "team_overview.html"),
                f"team-overview-{period}.html",
                overview,
            ),
        ]
        _attach_pages(d, pages, team=None)
        return
    team = (summary.get("teams") or {}).get(d.team) if d.team else None
    if not team or not team.get("slug") or not team.get("index"):
        which = f"team {d.team!r}" if d.team else "no team in the roster"
        d.problems.append(
            f"no pages of {which} in this batch: a team head gets their own team's index and "
            "overview only (re-render the period with the roster's teams)"
        )
        return
    overview = team.get("overview") or {}
    slug = team["slug"]
    folder = Path(team["index"]).parent
    pages = [
        ("team_index", period_dir / team["index"], f"index-{slug}-{period}.html", None),
        (
            "team_overview",
            period_dir / (overview.get("html") or str(folder / "team_overview.html")),
            f"team-overview-{slug}-{period}.html",
            overview,
        ),
    ]
    _attach_pages(d, pages, team=d.team)


def _attach_pages(
    d: Delivery, pages: list[tuple[str, Path, str, dict[str, Any] | None]], *, team: str | None
):
    """Attach each page after its checks; ``team``: the roster team the pages must be
    stamped for (None: the department's pages, stamped for no team)."""
    for kind, path, filename, outcome in pages:
        if outcome is not None and not outcome:
            d.problems.append("the batch has no team overview (rendered with --no-overview)")
            continue
        if outcome and outcome.get("status") == "failed":
            d.problems.append(f"the team overview failed: {outcome.get('error') or 'unknown'}")
            continue
        if not path.is_file():
            d.problems.append(f"{path} is missing")
            continue
        text = path.read_text("utf-8", errors="replace")
        stamped = page_manager(text)
        if stamped:
            d.problems.append(f"wrong file: {path} is {stamped[0]!r}'s report, not the {kind}")
            continue
        teams = page_team(text)
        if teams != ([team] if team is not None else []):
            whose = f"team {teams[0]!r}'s page" if teams else "not a team's page"
            want = f"team {team!r}'s" if team is not None else "the department's"
            d.problems.append(f"wrong file: {path} is {whose}, not {want} {kind}")
            continue
        d.attachments.append(Attachment(kind, path, filename, sha256_file(path)))


def build_plan(
    period_dir: Path,
    roster: pd.DataFrame,
    *,
    roster_source: str = "",
    managers: list[str] | None = None,
) -> Plan:
    """Every message of the period folder's batch, checked; see the module docstring.

    Raises
    ------
    DeliveryError
        No ``run_summary.json`` (no batch), or ``managers`` names someone not in the roster.
    """
    summary = read_json(period_dir / "run_summary.json")
    if summary is None:
        raise DeliveryError(
            f"{period_dir}: no readable run_summary.json: render the period first "
            "(`workbench report --out ... --latest-month`)"
        )
    start = date.fromisoformat(summary["period_start"])
    end = date.fromisoformat(summary["period_end"])
    period = period_dir.name
    active = _active(roster, start, end)
    names = [_text(n) for n in active["manager"]]
    if managers is not None:
        unknown = [m for m in managers if m not in names]
        if unknown:
            raise DeliveryError(
                f"not in the roster (active in {period}): {unknown}; roster: {sorted(names)}"
            )
    reports = {r["manager"]: r for r in summary.get("reports", [])}
    owners: dict[str, list[str]] = {}
    for name, address in zip(names, active["email"], strict=True):
        if _text(address):
            owners.setdefault(_text(address).casefold(), []).append(name)
    deliveries = []
    for (_, row), name in zip(active.iterrows(), names, strict=True):
        if managers is not None and name not in managers:
            continue
        d = Delivery(
            name=name,
            role=_text(row.get("role")) or "manager",
            team=_text(row.get("team")),
            address=_text(row.get("email")),
        )
        if not d.address:
            d.problems.append("no e-mail address in the roster")
        elif not valid_address(d.address):
            d.problems.append(f"invalid e-mail address {d.address!r} in the roster")
        else:
            sharing = sorted(set(owners[d.address.casefold()]))
            if len(sharing) > 1:
                d.problems.append(
                    f"the address {d.address} is given for {' and '.join(sharing)} in the "
                    "roster: one address, one person (each would read the other's report)"
                )
        if name in reports:
            _own_report(d, reports[name], period_dir, period)
        elif not d.is_head:
            d.problems.append(
                "no report in this batch (no rows in the period, or left out of the report run)"
            )
        if d.is_head:
            _head_pages(d, summary, period_dir, period)
        deliveries.append(d)
    wanted = set(managers) if managers is not None else None
    unrouted = [m for m in reports if m not in names and (wanted is None or m in wanted)]
    return Plan(
        period, start.isoformat(), end.isoformat(), period_dir, roster_source, deliveries, unrouted
    )
