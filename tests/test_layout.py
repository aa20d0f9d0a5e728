"""The package's shape: layering without circles, a light top-level import, shipped templates."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from workbench.reports.notebooks import template_copies
from workbench.reports.runner import OVERVIEW_TEMPLATE, TEMPLATE

ROOT = Path(__file__).resolve().parents[1]


def _sources(path: Path) -> list[tuple[str, str, list[str]]]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [
        (c["cell_type"], "".join(c["source"]), c.get("metadata", {}).get("tags", []))
        for c in nb["cells"]
    ]


def test_the_executed_report_notebooks_have_the_templates_cells():
    pairs = template_copies(ROOT / "notebooks")
    assert {p.name for p in pairs.values()} == {TEMPLATE.name, OVERVIEW_TEMPLATE.name}
    for executed, template in pairs.items():
        assert template.is_file() and executed.is_file()
        assert _sources(executed) == _sources(template), f"{executed} differs from {template}"


def test_the_templates_ship_without_outputs():
    for template in (TEMPLATE, OVERVIEW_TEMPLATE):
        cells = json.loads(template.read_text(encoding="utf-8"))["cells"]
        assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code")


def test_import_workbench_loads_no_plotting_or_notebook_machinery():
    # nor scipy (~1 s): every report worker process and `workbench` command imports workbench
    code = (
        "import sys, workbench as wb; wb.load_dataset; wb.definitions; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'seaborn', "
        "'nbclient', 'papermill', 'nbconvert', 'ipywidgets', 'scipy'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_lazy_namespaces_resolve():
    import workbench as wb

    assert wb.stats.before_after.__module__ == "workbench.stats.before_after"
    assert wb.cases.overdue_case.__module__ == "workbench.cases.study"
    assert wb.plots.delinquency_over_time.__module__ == "workbench.plots.timeseries"
    assert wb.Explorer.__module__ == "workbench.explore.explorer"
    assert wb.render_reports.__module__ == "workbench.reports.runner"


def test_import_layering_holds():
    """import-linter's contracts in pyproject.toml: the layers, and no circles."""
    lint = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 kept, 0 broken" in out.stdout


def test_the_wheel_ships_the_templates_and_presets(tmp_path):
    """A non-editable install (``pip install .``) must be able to render reports anywhere."""
    import zipfile

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("sales_workbench-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "workbench/reports/templates/manager_report.ipynb",
        "workbench/reports/templates/team_overview.ipynb",
        "workbench/data/presets/canonical.yaml",
        "workbench/data/presets/bitrix24.yaml",
    } <= names
