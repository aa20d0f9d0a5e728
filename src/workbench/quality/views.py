"""The description-quality notebook's tables, formatted for reading.

Each function takes what the scoring functions return and gives a
:class:`~workbench.quality.tables.Table`: headers in words (the flags by their labels, not
their column names), shares in percent, counts with thousands separators, text on the left
and figures on the right, every cell escaped; in the current language. The figures are
those of :mod:`workbench.quality.score`; nothing is computed here but their display.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from workbench.i18n import N_, _, ngettext, number, percent
from workbench.quality import rules
from workbench.quality.score import (
    DEFINITIONS,
    OnTime,
    band_word,
    quality_by_manager,
    quality_definitions,
    quality_on_time_verdict,
)
from workbench.quality.tables import Prose, Table

__all__ = [
    "definitions_table",
    "department_table",
    "health_table",
    "left_out_text",
    "managers_table",
    "on_time_table",
    "on_time_verdict",
    "weights_table",
]

#: Flags shown per manager: the most telling ones.
MANAGER_FLAGS = ("flag_vague_action", "flag_no_method", "flag_template_trouble", "flag_no_deadline")
_DEFINITION_HEADERS = {
    "name": N_("Column"),
    "population": N_("Population"),
    "numerator": N_("Counted"),
    "denominator": N_("Out of"),
    "exclusions": N_("Left out"),
    "unit": N_("Unit"),
}
_MEASURES = {"read": N_("Rows read"), "loaded": N_("Loaded"), "set_aside": N_("Set aside")}


def _label(column: str) -> str:
    """A quality column's label in the current language ("Vague action (no channel or
    step)" for ``flag_vague_action``)."""
    labels = {d.name: d.label for d in DEFINITIONS}
    return _(labels[column]) if labels.get(column) else column


def _points(value: float) -> str:
    """A score in points: whole when it is whole ("65"), else one decimal ("42.5")."""
    if pd.isna(value):
        return "–"
    return number(value) if float(value).is_integer() else number(value, 1)


def _share(value: float, digits: int) -> str:
    return "–" if pd.isna(value) else percent(value, digits)


def weights_table(weights: Mapping[str, float] | None = None) -> Table:
    """The points each flag takes off the score of 100: flag in words, column, points."""
    weights = dict(rules.DEFAULT_WEIGHTS if weights is None else weights)
    frame = pd.DataFrame(
        {
            _("Flag"): [_label(f) for f in weights],
            _("Column"): list(weights),
            _("Points deducted"): [_points(w) for w in weights.values()],
        }
    )
    return Table(frame, right=[_("Points deducted")])


def definitions_table() -> Table:
    """The written definitions of the flags, the score and the bands, headed in words."""
    defs = quality_definitions()[list(_DEFINITION_HEADERS)]
    return Table(defs.rename(columns={k: _(v) for k, v in _DEFINITION_HEADERS.items()}))


def department_table(scored: pd.DataFrame) -> Table:
    """The whole department: tasks scored, the share with each flag, the score's quartiles
    and the share in each band (output of :func:`~workbench.quality.score.score_descriptions`)."""
    q = quality_by_manager(scored.assign(manager="department")).iloc[0]
    rows = [(_("Tasks scored"), number(q["n_tasks"]))]
    rows += [(_label(f), _share(q["share_" + f.removeprefix("flag_")], 1)) for f in rules.FLAGS]
    rows += [
        (_("Median score"), _points(q["score_median"])),
        (_("Score, lower quartile"), _points(q["score_p25"])),
        (_("Score, upper quartile"), _points(q["score_p75"])),
    ]
    rows += [
        (_("In the {band} band").format(band=band_word(b)), _share(q["share_" + b], 1))
        for b in rules.BANDS
    ]
    frame = pd.DataFrame(rows, columns=[_("Figure"), _("Department")])
    return Table(frame, right=[_("Department")])


def managers_table(scored: pd.DataFrame, *, flags: tuple[str, ...] = MANAGER_FLAGS) -> Table:
    """Per manager: tasks scored, median score, the share in the poor band and with each of
    ``flags``; best median first (ties by name). Names managers: analysts and coaches only."""
    by = quality_by_manager(scored).sort_values(
        ["score_median", "manager"], ascending=[False, True]
    )
    frame = pd.DataFrame(
        {
            _("Manager"): by["manager"].astype("str"),
            _("Tasks"): by["n_tasks"].map(number),
            _("Median score"): by["score_median"].map(_points),
            _("In the {band} band").format(band=band_word("poor")): by["share_poor"].map(
                lambda v: _share(v, 0)
            ),
        }
    )
    for flag in flags:
        frame[_label(flag)] = by["share_" + flag.removeprefix("flag_")].map(lambda v: _share(v, 0))
    return Table(frame, right=list(frame.columns[1:]))


def left_out_text(on_time: OnTime) -> str:
    """The tasks :func:`~workbench.quality.score.quality_vs_on_time` left out, as a sentence:
    "Left out: 267 cancelled tasks; 537 tasks without a deadline; ..."."""
    words = {
        "cancelled": lambda n: ngettext("{n} cancelled task", "{n} cancelled tasks", n),
        "no_deadline": lambda n: ngettext(
            "{n} task without a deadline", "{n} tasks without a deadline", n
        ),
        "completed_without_time": lambda n: ngettext(
            "{n} completed task without a completion time",
            "{n} completed tasks without a completion time",
            n,
        ),
        "no_band": lambda n: ngettext(
            "{n} task without a quality band", "{n} tasks without a quality band", n
        ),
        "not_due_yet": lambda n: ngettext(
            "{n} task not yet due on {day}", "{n} tasks not yet due on {day}", n
        ),
    }
    day = on_time.as_of.strftime("%Y-%m-%d")
    parts = [
        words[reason](n).format(n=number(n), day=day)
        for reason, n in on_time.excluded.items()
        if n and reason in words
    ]
    if not parts:
        return _("No task was left out.")
    return _("Left out: {parts}.").format(parts="; ".join(parts))


def on_time_table(on_time: OnTime) -> Table:
    """On-time completion per quality band: tasks, on time, late, the on-time share and its
    interval (percent, one decimal), and the tasks left out below."""
    t = on_time.table
    level = round(100 * (1 - on_time.alpha))
    interval = _("{level}% interval").format(level=level)
    frame = pd.DataFrame(
        {
            _("Band"): t["band"].astype("str").map(band_word),
            _("Tasks"): t["n"].map(number),
            _("On time"): t["on_time"].map(number),
            _("Late"): t["late"].map(number),
            _("On-time share"): t["on_time_rate"].map(lambda v: _share(v, 1)),
            interval: [
                "–" if pd.isna(lo) else f"{percent(lo, 1)} – {percent(hi, 1)}"
                for lo, hi in zip(t["ci_low"], t["ci_high"], strict=True)
            ],
        }
    )
    return Table(frame, right=list(frame.columns[1:]), note=left_out_text(on_time))


def health_table(health: pd.DataFrame) -> Table:
    """What loading read, loaded and set aside per table (``Dataset.health()``), and below,
    the rows set aside and the values blanked, by reason."""
    wide = (
        health.loc[health["measure"].isin(list(_MEASURES))]
        .pivot_table(index="table", columns="measure", values="rows", aggfunc="sum", sort=False)
        .reindex(columns=list(_MEASURES))
    )
    frame = pd.DataFrame({_("Table"): [str(t) for t in wide.index]})
    for measure, header in _MEASURES.items():
        frame[_(header)] = [number(v) for v in wide[measure].fillna(0)]
    notes = []
    for measure, sentence in (
        ("reason", N_("Set aside, by reason: {items}.")),
        ("blanked", N_("Values blanked, by reason: {items}.")),
        ("notice", N_("Noticed: {items}.")),
    ):
        rows = health.loc[health["measure"] == measure]
        if len(rows):
            items = "; ".join(
                f"{table}, {reason}: {number(n)}"
                for table, reason, n in zip(
                    rows["table"], rows["reason"], rows["rows"], strict=True
                )
            )
            notes.append(_(sentence).format(items=items))
    note = " ".join(notes) or _("No row was set aside and no value blanked.")
    return Table(frame, right=[_(h) for h in _MEASURES.values()], note=note)


def on_time_verdict(on_time: OnTime) -> Prose:
    """:func:`~workbench.quality.score.quality_on_time_verdict` as a paragraph that wraps
    between words (the p-value stays on one line)."""
    return Prose(quality_on_time_verdict(on_time))
