"""Tests of workbench.config."""

from __future__ import annotations

from workbench.config import PROJECT_ROOT, SAMPLE_DIR, resolve_data_path


def test_resolve_data_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_data_path(SAMPLE_DIR) == SAMPLE_DIR  # absolute stays
    assert resolve_data_path("data/sample") == PROJECT_ROOT / "data" / "sample"  # not in cwd
    (tmp_path / "data" / "sample").mkdir(parents=True)
    assert resolve_data_path("data/sample") == tmp_path / "data" / "sample"  # cwd wins
