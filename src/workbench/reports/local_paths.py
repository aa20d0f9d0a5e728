"""No path of the analyst's machine in what the runner keeps: pages and kept notebooks.

The kernels need absolute paths (the export, the mapping file, the batch snapshot); the
kept ``report.ipynb`` and ``team_overview.ipynb`` and the pages must not show them: a
manager's report travels by e-mail, and a folder name such as ``/home/anna/exports`` says
more about the analyst's machine than about the report. :func:`notebook_without_paths`
reduces every such path in a notebook (the injected parameters, papermill's metadata,
any output) to its file or folder name; :func:`text_without_paths` does the same to a page;
:func:`paths_in` checks that none is left.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Any

import nbformat

__all__ = ["local_paths", "notebook_without_paths", "paths_in", "text_without_paths"]


def local_paths(*paths: str | Path | None) -> tuple[str, ...]:
    """The absolute forms of ``paths`` worth hiding, longest first (a path inside another
    is replaced before it); None, "", relative names and the root itself are skipped."""
    out = set()
    for p in paths:
        if not p:
            continue
        path = Path(p)
        if not path.is_absolute() or len(path.parts) < 2:
            continue
        out.add(str(path))
        with contextlib.suppress(OSError):
            out.add(str(path.resolve()))
    return tuple(sorted(out, key=len, reverse=True))


def _pattern(paths: Iterable[str]) -> re.Pattern | None:
    forms = {}
    for p in paths:
        for form in (p, escape(p, quote=True), escape(p, quote=False)):
            forms.setdefault(form, Path(p).name)
    if not forms:
        return None
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    return re.compile(f"(?:{alternatives})(?![\\w-])(?!\\.\\w)")


def text_without_paths(text: str, paths: Iterable[str]) -> str:
    """``text`` with each of ``paths`` (also HTML-escaped) replaced by its last name:
    ``/home/anna/exports/october/tasks.csv`` -> ``october/tasks.csv`` when the folder is
    one of ``paths``."""
    paths = tuple(paths)
    pattern = _pattern(paths)
    if pattern is None:
        return text
    names = {}
    for p in paths:
        for form in (p, escape(p, quote=True), escape(p, quote=False)):
            names.setdefault(form, Path(p).name)
    return pattern.sub(lambda m: names[m.group(0)], text)


def _walk(value: Any, paths: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return text_without_paths(value, paths)
    if isinstance(value, list):
        return [_walk(v, paths) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, paths) for k, v in value.items()}
    return value


def notebook_without_paths(notebook: str, paths: Iterable[str]) -> str:
    """A notebook's JSON text with every string's ``paths`` reduced to their names (cell
    sources, outputs and metadata alike), written back in nbformat's layout."""
    paths = tuple(paths)
    if not paths:
        return notebook
    nb = nbformat.reads(notebook, as_version=nbformat.NO_CONVERT)
    cleaned = nbformat.from_dict(_walk(nb, paths))
    return nbformat.writes(cleaned)


def paths_in(text: str, paths: Iterable[str]) -> list[str]:
    """The ``paths`` that still occur in ``text`` (plain, HTML- or JSON-escaped)."""
    import json

    found = []
    for p in paths:
        forms = {p, escape(p, quote=True), json.dumps(p)[1:-1]}
        if any(f in text for f in forms):
            found.append(p)
    return found
