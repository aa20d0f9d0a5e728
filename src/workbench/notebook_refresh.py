"""Re-execute the committed notebooks in place, so their stored outputs match the sample.

Notebooks under ``notebooks/`` are committed with the outputs they produce on the sample
department (nbval compares the cells marked ``# NBVAL_CHECK_OUTPUT``). After a change to the
package or the sample, ``make notebooks`` runs each one with papermill in its own folder,
on this environment's ``python3`` kernel, with its own default parameters (nothing is
injected), and drops the saved widget state, which only bloats the file.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill
from traitlets.config import Config

from workbench.config import NOTEBOOKS_DIR

__all__ = ["refresh_notebooks"]


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
        nb.metadata.pop("widgets", None)
        nbformat.write(nb, path)
    return targets
