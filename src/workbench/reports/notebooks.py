"""Run notebooks on this environment's kernel; re-execute the committed ones in place.

Notebooks under ``notebooks/`` are committed with the outputs they produce on the sample
department (nbval compares the cells marked ``# NBVAL_CHECK_OUTPUT``). After a change to the
package or the sample, ``make notebooks`` runs each one with papermill in its own folder,
on this environment's ``python3`` kernel, with its own default parameters (nothing is
injected), and drops run times and saved widget state. Tests run notebooks the same way
with :func:`run_notebook`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import papermill
from traitlets.config import Config

from workbench.config import NOTEBOOKS_DIR
from workbench.reports.templates import TEMPLATE_NAMES, TEMPLATES_DIR

__all__ = ["refresh_notebooks", "run_notebook", "template_copies"]

# Run times and saved widget state change on every run and say nothing about the results:
# dropped so that a refresh only shows up in git where an output really changed.
_VOLATILE = ("papermill", "execution", "widgets")


def run_notebook(
    path: str | Path,
    out: str | Path,
    *,
    parameters: dict[str, Any] | None = None,
    cwd: str | Path | None = None,
) -> nbformat.NotebookNode:
    """Execute ``path`` with papermill into ``out`` and return the executed notebook.

    The kernel is ``python3`` (this environment's, see ``rendering``), without ipykernel's
    unencrypted-transport warning; ``cwd`` defaults to the notebook's own folder. Raises
    papermill's ``PapermillExecutionError`` when a cell fails (the notebook is saved first).
    """
    path = Path(path)
    papermill.execute_notebook(
        str(path),
        str(out),
        parameters=parameters or {},
        cwd=str(cwd or path.parent),
        kernel_name="python3",
        progress_bar=False,
        config=Config({"KernelManager": {"transport_encryption": "auto"}}),
    )
    return nbformat.read(out, as_version=4)


def template_copies(notebooks_dir: Path = NOTEBOOKS_DIR) -> dict[Path, Path]:
    """Executed copy under ``notebooks/reports/`` -> the package's template it comes from."""
    return {notebooks_dir / "reports" / name: TEMPLATES_DIR / name for name in TEMPLATE_NAMES}


def refresh_notebooks(paths: list[str | Path] | None = None) -> list[Path]:
    """Execute each notebook (default: every one under ``notebooks/``) in place.

    A copy of a report template is first replaced by the package's template, so that the
    executed copy always shows the cells the runner renders.
    """
    targets = [Path(p) for p in paths] if paths else sorted(NOTEBOOKS_DIR.rglob("*.ipynb"))
    targets = [p for p in targets if ".ipynb_checkpoints" not in p.parts]
    sources = {k.resolve(): v for k, v in template_copies().items()}
    for path in targets:
        source = sources.get(path.resolve(), path)
        nb = run_notebook(source, path, cwd=path.parent)
        for key in _VOLATILE:
            nb.metadata.pop(key, None)
        for cell in nb.cells:
            for key in _VOLATILE:
                cell.metadata.pop(key, None)
        nbformat.write(nb, path)
    return targets
