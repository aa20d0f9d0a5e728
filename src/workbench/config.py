"""Paths and defaults in one place."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PROJECT_ROOT", "SAMPLE_DIR", "NOTEBOOKS_DIR", "REPORTS_DIR", "DEFAULT_TZ"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
DEFAULT_TZ = "UTC"
