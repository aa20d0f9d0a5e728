"""The template parameters of a batch: what a template declares, and the values a batch
passes, checked before any kernel starts.

Both batches (:func:`workbench.reports.runner.render_reports`,
:func:`workbench.reports.case_batch.render_cases`) hand a template the same export
parameters (:func:`export_parameters`) in the same language (:func:`batch_language`), and
check every value against the template's ``parameters`` cell (:func:`check_parameters`):
papermill only warns about a name the template lacks; here it is an error.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pandas as pd
import papermill

from workbench.config import DEFAULT_TZ
from workbench.data import mappings
from workbench.errors import ParameterError

__all__ = [
    "batch_language",
    "check_parameters",
    "declares",
    "export_parameters",
    "template_parameters",
]

_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
}


def template_parameters(template: str | Path) -> dict[str, dict[str, Any]]:
    """The template's declared parameters: name -> papermill's inferred type and default."""
    return papermill.inspect_notebook(str(template))


def declares(template: str | Path, name: str) -> bool:
    """Whether the template's ``parameters`` cell declares ``name``."""
    return name in template_parameters(template)


def check_parameters(params: dict[str, Any], *, template: str | Path) -> None:
    """Raise :class:`ParameterError` for a name the template lacks or a value of wrong type.

    papermill only warns about unknown names; here they are errors, found before any kernel
    starts. ``int`` is accepted where the default is a float.
    """
    declared = template_parameters(template)
    for name, value in params.items():
        if name not in declared:
            known = ", ".join(sorted(declared))
            raise ParameterError(f"{template}: unknown parameter {name!r} (known: {known})")
        kind = _declared_type(declared[name])
        expected = _TYPES.get(kind)
        wrong_bool = isinstance(value, bool) and bool not in (expected or ())
        if expected and (not isinstance(value, expected) or wrong_bool):
            raise ParameterError(
                f"{template}: parameter {name!r} must be {kind}, "
                f"got {type(value).__name__} {value!r}"
            )


def _declared_type(spec: dict[str, Any]) -> str:
    """The annotated type, else the type of the literal default (``60`` -> float)."""
    kind = spec["inferred_type_name"]
    if kind in _TYPES:
        return kind
    try:
        default = ast.literal_eval(spec["default"])
    except (ValueError, SyntaxError):
        return "any"
    kind = type(default).__name__
    return "float" if kind == "int" else kind


def export_parameters(
    data: str | Path,
    *,
    mapping: str | Path | None = None,
    tz: str | None = None,
    as_of: str | None = None,
) -> dict[str, str]:
    """The parameters that tell a template which export to read, and how: ``data``,
    ``mapping``, ``tz`` and ``as_of``, as strings that survive papermill.

    The export and a mapping FILE become absolute paths (the kernels run elsewhere); a
    preset's name stays a name; ``tz`` None is the default zone (the runner fills in the
    data's own once loaded); ``as_of`` None is ``""`` (the end of the data).

    Raises
    ------
    ParameterError
        ``as_of`` is not an ISO instant (said now, not by every kernel).
    """
    if as_of:
        try:
            pd.Timestamp(as_of)
        except ValueError as exc:
            raise ParameterError(
                f"as_of must be an ISO date or instant (2026-10-31T18:00:00+03:00), got {as_of!r}"
            ) from exc
    mapping_path = Path(mapping) if mapping else None
    if mapping_path is not None and mapping_path.exists():
        mapping = str(mapping_path.resolve())
    return {
        "data": str(Path(data).resolve()),
        "mapping": str(mapping) if mapping else "",
        "tz": tz or DEFAULT_TZ,
        "as_of": as_of or "",
    }


def batch_language(lang: str | None, mapping: str | Path | None = None) -> str:
    """The batch's language (:func:`workbench.data.mappings.batch_language`: ``lang``, else
    the mapping's ``language:``, else English), checked before anything runs.

    A mapping file that is missing is said when the data is loaded (with its path), so its
    language is English here.

    Raises
    ------
    ParameterError
        ``lang``, or the mapping's ``language:``, has no message catalogue (or the mapping
        cannot be read); the message says which.
    """
    try:
        return mappings.batch_language(lang, mapping)
    except FileNotFoundError:
        return mappings.batch_language(lang)
    except ValueError as exc:
        raise ParameterError(str(exc)) from None
