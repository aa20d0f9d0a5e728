"""The report notebooks shipped with the package: the source of every rendered report.

``notebooks/reports/`` holds the same notebooks executed on the sample department (for
readers and nbval); ``make notebooks`` copies these sources there before executing them,
and a test checks that their cells' sources match.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["TEMPLATES_DIR", "TEMPLATE_NAMES"]

TEMPLATES_DIR = Path(__file__).resolve().parent
TEMPLATE_NAMES = ("manager_report.ipynb", "team_overview.ipynb")
