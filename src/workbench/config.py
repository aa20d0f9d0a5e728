"""Paths and defaults in one place."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "PROJECT_ROOT",
    "SAMPLE_DIR",
    "NOTEBOOKS_DIR",
    "REPORTS_DIR",
    "DEFAULT_TZ",
    "resolve_data_path",
]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
DEFAULT_TZ = "UTC"


def resolve_data_path(path: str | Path) -> Path:
    """Where a data path points: absolute as given; relative against the cwd, else the project.

    Notebooks run with their own folder as the cwd, so ``"data/sample"`` would miss; a relative
    path that does not exist under the cwd is read against :data:`PROJECT_ROOT` instead.
    """
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    return Path.cwd() / p if p.exists() else PROJECT_ROOT / p
