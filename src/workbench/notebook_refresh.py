"""Re-execute the committed notebooks in place, so their stored outputs match the sample.

Notebooks under ``notebooks/`` are committed with the outputs they produce on the sample
department (nbval compares the cells marked ``# NBVAL_CHECK_OUTPUT``). After a change to the
package or the sample, ``make notebooks`` runs each one with papermill in its own folder,
on this environment's ``python3`` kernel, with its own default parameters (nothing is
injected), and drops run times and saved widget state.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
from traitlets.config import Config

from workbench.config import NOTEBOOKS_DIR

__all__ = ["refresh_notebooks"]

# Run times and saved widget state change on every run and say nothing about the results:
# dropped so that a refresh only shows up in git where an output really changed.
_VOLATILE = ("papermill", "execution", "widgets")


def refresh_notebooks(paths: list[str | Path] | None = None) -> list[Path]:
    """Execute each notebook (default: every one under ``notebooks/``) in place."""
    targets = [Path(p) for p in paths] if paths else sorted(NOTEBOOKS_DIR.rglob("*.ipynb"))
    targets = [p for p in targets if ".ipynb_checkpoints" not in p.parts]
    for path in targets:
        papermill.execute_notebook(
            str(path),
            str(path),
            cwd=str(path.parent),
            kernel_name="python3",
            progress_bar=False,
            config=Config({"KernelManager": {"transport_encryption": "auto"}}),
        )
        nb = nbformat.read(path, as_version=4)
        for key in _VOLATILE:
            nb.metadata.pop(key, None)
        for cell in nb.cells:
            for key in _VOLATILE:
                cell.metadata.pop(key, None)
        nbformat.write(nb, path)
    return targets
