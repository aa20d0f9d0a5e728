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

__all__ = ["refresh_notebooks", "run_notebook"]

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


def refresh_notebooks(paths: list[str | Path] | None = None) -> list[Path]:
    """Execute each notebook (default: every one under ``notebooks/``) in place."""
    targets = [Path(p) for p in paths] if paths else sorted(NOTEBOOKS_DIR.rglob("*.ipynb"))
    targets = [p for p in targets if ".ipynb_checkpoints" not in p.parts]
    for path in targets:
        nb = run_notebook(path, path)
        for key in _VOLATILE:
            nb.metadata.pop(key, None)
        for cell in nb.cells:
            for key in _VOLATILE:
                cell.metadata.pop(key, None)
        nbformat.write(nb, path)
    return targets
