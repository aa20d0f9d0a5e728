"""What the case-study notebook runs first: the language, the look, the data and the case.

The coaches' notebooks (``notebooks/cases/``) and the template that ``workbench cases``
renders (``reports/templates/case_study.ipynb``) call :func:`prepare_case` once: it sets
the batch's language (every later word is in it), resets matplotlib (a reused kernel must
not inherit the previous case's look), reads the data (the batch snapshot when the runner
wrote one, else the export, parsed once per kernel) and builds the case
(:func:`workbench.cases.study_case`). :func:`provenance_html` says where the figures come
from without a path on the analyst's machine: the files' names, the data's fingerprint,
the package version and the render time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import workbench
from workbench.cases import TEAM, Case, study_case
from workbench.cases.present import html_table
from workbench.cases.text import METRIC_WORDS
from workbench.data.mappings import batch_language
from workbench.formatting import capitalized
from workbench.i18n import _, month_year, set_language
from workbench.reports.fingerprints import code_fingerprint, dataset_fingerprint

__all__ = ["load_case_dataset", "prepare_case", "provenance_html"]

_SNAPSHOTS: dict[tuple, Any] = {}  # the last batch snapshot read on this kernel


def _stat_key(path: Path) -> tuple:
    files = sorted(p for p in path.rglob("*") if p.is_file())
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


def load_case_dataset(data: str, *, mapping: str = "", tz: str = "UTC", batch: str = "") -> Any:
    """The validated dataset: from the batch snapshot ``batch`` (read once per kernel while
    its files are unchanged), else the export ``data`` (parsed once per kernel)."""
    if batch:
        from workbench.reports.snapshot import read_dataset

        key = _stat_key(Path(batch))
        if key not in _SNAPSHOTS:
            _SNAPSHOTS.clear()
            _SNAPSHOTS[key] = read_dataset(batch)
        return _SNAPSHOTS[key]
    from workbench.reports.page import load_report_dataset

    return load_report_dataset(data, mapping=mapping, tz=tz)


def prepare_case(
    *,
    manager: str,
    metric: str,
    change_dates: str,
    data: str,
    mapping: str = "",
    tz: str = "UTC",
    as_of: str = "",
    n_boot: int = 2000,
    seed: int = 0,
    lang: str = "",
    batch: str = "",
) -> tuple[Case, Any]:
    """Set the language and the look, load the data, build the case: ``(case, dataset)``.

    ``lang`` ``""`` takes the mapping's ``language``, else English; ``manager`` ``"*"``
    pools the whole team (a department-wide target); ``change_dates`` ``""`` takes the
    targets table's dates.
    """
    set_language(batch_language(lang, mapping or None))
    from workbench.reports.page import apply_report_style

    apply_report_style()
    ds = load_case_dataset(data, mapping=mapping, tz=tz, batch=batch)
    case = study_case(
        metric, tasks=ds.tasks, calls=ds.calls, deals=ds.deals, targets=ds.targets,
        manager=manager, change_dates=change_dates, tz=ds.tz or tz, as_of=as_of or None,
        n_boot=n_boot, seed=seed,
    )  # fmt: skip
    return case, ds


def provenance_html(case: Case, ds: Any):
    """Where the case's figures come from: the data's file names (never a folder on the
    analyst's machine), its fingerprint, the package version and the render time."""
    files = sorted({Path(p).name for paths in ds.files.values() for p in paths})
    who = _("the whole team") if case.manager == TEAM else case.manager
    dates = ", ".join(month_year(d.date()) for d in case.change_dates)
    rows = [
        [_("Case"), f"{capitalized(_(METRIC_WORDS[case.metric]))}: {who}; {dates}"],
        [_("Data files"), ", ".join(files) or "–"],
        [_("Data fingerprint"), dataset_fingerprint(ds)[:16]],
        [_("Workbench version"), f"{workbench.__version__} ({code_fingerprint()[:12]})"],
        [_("Rendered at (UTC)"), datetime.now(UTC).strftime("%Y-%m-%d %H:%M")],
    ]
    return html_table(rows, [_("Item"), _("Value")])
