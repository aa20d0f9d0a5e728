"""Task-description quality: flags, a 0-100 score, summaries per manager, and on-time rates.

"Contact the client" tells a new employee nothing; "call the client, conduct qualification
according to the script <link>" names the channel, the steps and the material. The score
rewards four habits: brevity, links to the materials needed, CRM data substituted correctly
into templates, and a deadline. The word lists and weights live in
:mod:`workbench.quality.rules`; this module applies them with vectorised string operations.

Definitions (registered with :mod:`workbench.catalogue`, see ``DEFINITIONS``)
--------------------------------------------------------------------------------------
Population: every task in the table, one verdict per task; nothing is dropped. The text is
judged with HTML markup (tags of known elements, ``<script>``/``<style>`` code, comments,
``&amp;``-style references), URLs and template placeholders cut out (a URL counts as one
word); the raw text is what is shown, escaped. A description that is empty, whitespace only
or only markup raises only ``flag_empty``, ``flag_too_short`` and (when so)
``flag_no_deadline``: there is no wording to judge.

language
    ``ru`` when runs of Cyrillic letters (а-я, ё) are at least as many as runs of Latin
    letters (a-z), ``en`` (any Latin-script text) when fewer, ``unknown`` when there are
    none. A run is a maximal sequence of letters of one script, so "e-mail" is two.
flag_vague_action
    A generic verb ("contact", "follow up", "связаться", "уточнить"...) and no concrete
    channel or action ("call", "e-mail", "meeting", "позвонить", "отправить"...) and no
    concrete step: a step verb followed by at least two words ("answer the two open
    questions", "confirm the budget", "согласовать дату встречи"). A channel named by
    ``task_type`` (e.g. type "call") counts only with ``channel_from_task_type``.
flag_no_method
    No material or procedure named: script, checklist, template, offer, presentation,
    qualification, "according to", steps, a numbered list (1. / 1))...
flag_no_link
    A material that lives in a document is named (script, checklist, template, price list,
    presentation, contract, КП...) but the text has no URL (``scheme://`` or ``www.``).
    Attachments are not visible in the data and do not count.
flag_template_trouble
    An unrendered placeholder (``{{x}}``, ``${x}``, ``{x}``, ``%X%``, ``#X#``, ``[NAME]``)
    or traces of an empty field: two spaces between words (not after ``.!?:;`` nor at a
    line break), ``()``, ``[]``, ``""``, ``, ,``, ``null``/``undefined``/``NaN``, or a text
    ending on a preposition ("Call  about").
flag_too_short / flag_too_long
    Fewer than ``min_words`` / more than ``max_words`` words (runs of letters or digits).
flag_no_deadline
    The task's own ``due_at`` is empty.
score
    ``max(0, 100 - sum of the weights of the raised flags)``; weights in
    :data:`workbench.quality.rules.DEFAULT_WEIGHTS`.
band
    ``good`` when score >= ``good_min`` (80), ``fair`` when >= ``fair_min`` (50), else ``poor``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.i18n import N_, _, ngettext, number, percent
from workbench.metrics.definition import definitions_frame, from_rows
from workbench.quality import rules
from workbench.quality.tables import Table, escape
from workbench.stats import compare_proportions, wilson_interval

__all__ = [
    "score_descriptions",
    "quality_by_manager",
    "weakest_examples",
    "frequent_descriptions",
    "quality_definitions",
    "OnTime",
    "quality_vs_on_time",
    "quality_on_time_verdict",
    "to_html_table",
    "escape",
    "p_text",
    "band_word",
    "DEFINITIONS",
]

_SCORE_COLUMNS = ("language", "n_words", *rules.FLAGS, "score", "band", "explanation")
_STRIP_LEAD = r"^[^0-9a-zа-яё]+"


def _require(df: pd.DataFrame, columns: list[str], where: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{where}: the table has no column(s) {missing}; got {list(df.columns)}")


def _contains(text: pd.Series, pattern: str) -> pd.Series:
    return text.str.contains(pattern, regex=True, na=False).astype("bool")


def _language(clean: pd.Series) -> pd.Series:
    # Runs of letters rather than single letters: about 4x faster with Arrow regexes.
    cyrillic = clean.str.count("[а-яё]+").astype("float64")
    latin = clean.str.count("[a-z]+").astype("float64")
    lang = np.where(cyrillic + latin == 0, "unknown", np.where(cyrillic >= latin, "ru", "en"))
    return pd.Series(lang, index=clean.index, dtype="str")


def _first_match(text: pd.Series, mask: pd.Series, pattern: str) -> pd.Series:
    """The first match of ``pattern`` in the rows where ``mask`` holds ("" elsewhere)."""
    out = pd.Series("", index=text.index, dtype="str")
    if mask.any():
        out.loc[mask] = text[mask].str.extract(f"({pattern})", expand=False).fillna("")
    return out


def _first_word(clean: pd.Series, mask: pd.Series, pattern: str) -> pd.Series:
    """The first word (stem completed to the whole word) matching ``pattern`` where ``mask``."""
    found = _first_match(clean, mask, f"(?:{rules.with_lookahead(pattern)}){rules.WORD_TAIL}")
    return found.str.replace(_STRIP_LEAD, "", regex=True).str.strip()


def _fill(template: str, key: str, values: pd.Series) -> pd.Series:
    """A translated ``template`` with ``{key}`` replaced by each row's value (vectorised)."""
    head, _sep, tail = template.partition("{" + key + "}")
    return head + values + tail


def _per_count(counts: pd.Series, message) -> pd.Series:
    """Per row, ``message(count)``: computed once per distinct count (plural forms differ)."""
    return counts.map({n: message(int(n)) for n in counts.unique()}).astype("str")


def _messages(flags: dict[str, pd.Series], extra: dict[str, pd.Series]) -> pd.Series:
    """Join the one-line messages of the raised flags with "; ", in the current language."""
    index = flags[rules.FLAGS[0]].index
    out = pd.Series("", index=index, dtype="str")
    for name in rules.FLAGS:
        fixed = _(rules.FLAG_MESSAGES[name])
        msg = extra.get(name, pd.Series(fixed, index=index, dtype="str"))
        out = out + (msg + "; ").where(flags[name], "")
    return out.str.replace("; $", "", regex=True)


def score_descriptions(
    tasks: pd.DataFrame,
    *,
    min_words: int = 3,
    max_words: int = 40,
    weights: dict[str, float] | None = None,
    good_min: float = 80.0,
    fair_min: float = 50.0,
    channel_from_task_type: bool = False,
) -> pd.DataFrame:
    """Flag and score every task description (see the module docstring for definitions).

    Parameters
    ----------
    tasks : DataFrame
        Canonical tasks table; needs ``task_id``, ``manager``, ``description``, ``due_at``
        (``task_type`` is used when present).
    min_words, max_words : int
        A description with fewer / more words is too short / too long.
    weights : dict, optional
        Points per flag, overriding :data:`~workbench.quality.rules.DEFAULT_WEIGHTS`.
    good_min, fair_min : float
        Lowest score of the ``good`` and ``fair`` bands.
    channel_from_task_type : bool
        Whether a channel named by ``task_type`` ("call", "meeting") clears the vague flag.
        Off by default: the description should stand on its own for a new employee.

    Returns
    -------
    DataFrame
        The input columns plus ``language``, ``n_words``, the ``flag_*`` columns (bool),
        ``score`` (float, 0-100), ``band`` (categorical good/fair/poor) and ``explanation``.
    """
    _require(tasks, ["task_id", "manager", "description", "due_at"], "score_descriptions")
    w = dict(rules.DEFAULT_WEIGHTS)
    unknown = set(weights or {}) - set(w)
    if unknown:
        raise ValueError(f"score_descriptions: unknown weight(s) {sorted(unknown)}; use {list(w)}")
    w.update(weights or {})
    if not 0 <= fair_min <= good_min <= 100:
        raise ValueError(f"need 0 <= fair_min <= good_min <= 100, got {fair_min}, {good_min}")

    text = tasks["description"].astype("str").fillna("")
    lower = text.str.lower()
    # Judge the wording without HTML markup, URLs and placeholders ("<script>" is no
    # material, "{{contact.name}}" is not "contact").
    plain, plain_lower = text, lower
    tagged = text.str.contains("[<&]", regex=True)  # few rows: skip the costly regex elsewhere
    if tagged.any():
        plain = text.mask(tagged, text[tagged].str.replace(rules.MARKUP, " ", regex=True))
        plain_lower = lower.mask(tagged, plain[tagged].str.lower())
    clean = plain.str.replace(rules.PLACEHOLDER, " ", regex=True).str.lower()
    n_links = clean.str.count(rules.LINK)
    clean = clean.str.replace(rules.LINK, " ", regex=True)
    n_words = (clean.str.count(rules.WORD) + n_links).astype("int64")

    blank = text.str.strip() == ""
    empty = plain.str.strip() == ""
    said = ~empty
    concrete = _contains(clean, rules.CONCRETE_ACTIONS) | _contains(clean, rules.CONCRETE_STEPS)
    if channel_from_task_type and "task_type" in tasks.columns:
        task_type = tasks["task_type"].astype("str").fillna("").str.lower()
        concrete = concrete | _contains(task_type, rules.CONCRETE_ACTIONS)
    placeholder = _contains(text, rules.PLACEHOLDER)
    flags = {
        "flag_empty": empty,
        "flag_vague_action": said & _contains(clean, rules.GENERIC_VERBS) & ~concrete,
        "flag_no_method": said & ~_contains(clean, rules.METHOD_TERMS),
        "flag_no_link": said
        & _contains(clean, rules.MATERIALS_NEEDING_LINK)
        & ~_contains(lower, rules.LINK),
        "flag_template_trouble": said
        & (
            placeholder
            | _contains(text, rules.EMPTY_SUBSTITUTION)
            | _contains(plain_lower, rules.DANGLING_END)
        ),
        "flag_too_short": n_words < min_words,
        "flag_too_long": n_words > max_words,
        "flag_no_deadline": tasks["due_at"].isna(),
    }
    flags = {k: v.astype("bool") for k, v in flags.items()}

    penalty = sum(flags[k].astype("float64") * float(w[k]) for k in rules.FLAGS)
    score = (100.0 - penalty).clip(lower=0.0)
    band = np.select([score >= good_min, score >= fair_min], ["good", "fair"], "poor")

    verb = _first_word(clean, flags["flag_vague_action"], rules.GENERIC_VERBS)
    holder = _first_match(text, flags["flag_template_trouble"] & placeholder, rules.PLACEHOLDER)
    # the explanations are read in the report: whole sentences, translated now
    extra = {
        "flag_empty": pd.Series(
            np.where(
                blank,
                _("empty description"),
                _("empty description: only HTML markup, no words"),
            ),
            index=text.index,
            dtype="str",
        ),
        "flag_vague_action": _fill(
            _("vague verb '{verb}' with no channel or step: say how (call, e-mail, meeting)"),
            "verb",
            verb,
        ),
        "flag_template_trouble": pd.Series(
            np.where(
                holder != "",
                _fill(
                    _("template problem: unrendered placeholder '{placeholder}'"),
                    "placeholder",
                    holder,
                ),
                _(
                    "template problem: an empty field was substituted (double space, empty "
                    "brackets, null or a dangling preposition)"
                ),
            ),
            index=text.index,
            dtype="str",
        ),
        "flag_too_short": _per_count(
            n_words,
            lambda n: ngettext(
                "too short: {n} word, fewer than {limit}",
                "too short: {n} words, fewer than {limit}",
                n,
            ).format(n=n, limit=min_words),
        ),
        "flag_too_long": _per_count(
            n_words,
            lambda n: ngettext(
                "too long: {n} word, more than {limit}; keep it brief",
                "too long: {n} words, more than {limit}; keep it brief",
                n,
            ).format(n=n, limit=max_words),
        ),
    }

    out = tasks.drop(columns=[c for c in _SCORE_COLUMNS if c in tasks.columns])
    out = out.assign(
        language=_language(clean),
        n_words=n_words,
        **flags,
        score=score.astype("float64"),
        band=pd.Categorical(band, categories=list(rules.BANDS)),
        explanation=_messages(flags, extra),
    )
    return out


def quality_by_manager(scored: pd.DataFrame) -> pd.DataFrame:
    """Per manager: number of tasks, share with each flag, score quartiles, share per band.

    Returns
    -------
    DataFrame
        One row per manager (sorted): ``manager``, ``n_tasks``, ``share_<flag>`` for each
        flag without its ``flag_`` prefix (fraction 0..1), ``score_median``, ``score_p25``,
        ``score_p75`` (linear interpolation), ``share_good``, ``share_fair``, ``share_poor``.
    """
    _require(scored, ["manager", "score", "band", *rules.FLAGS], "quality_by_manager")
    if scored.empty:  # e.g. a month in which nobody got a task: the columns, no rows
        columns = ["manager", "n_tasks"]
        columns += ["share_" + c.removeprefix("flag_") for c in rules.FLAGS]
        columns += ["score_median", "score_p25", "score_p75"]
        columns += ["share_" + str(b) for b in rules.BANDS]
        empty = pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
        return empty.astype({"manager": "str", "n_tasks": "int64"})
    g = scored.groupby("manager", sort=True)
    out = g.size().rename("n_tasks").to_frame()
    shares = g[list(rules.FLAGS)].mean()
    shares.columns = ["share_" + c.removeprefix("flag_") for c in shares.columns]
    q = g["score"].quantile([0.5, 0.25, 0.75]).unstack()
    q.columns = ["score_median", "score_p25", "score_p75"]
    bands = pd.crosstab(scored["manager"], scored["band"], normalize="index", dropna=False)
    bands = bands.reindex(columns=list(rules.BANDS), fill_value=0.0)
    bands.columns = ["share_" + str(c) for c in bands.columns]
    out = out.join([shares, q, bands]).reset_index()
    return out.astype({c: "float64" for c in out.columns if c.startswith(("share_", "score_"))})


def weakest_examples(
    scored: pd.DataFrame, *, manager: str | None = None, n: int = 5, written_only: bool = False
) -> pd.DataFrame:
    """The ``n`` lowest-scoring descriptions, ties broken by ``task_id`` (ascending).

    ``written_only`` leaves out tasks with no description at all (they would fill the list
    with identical empty rows). The text is returned raw: render it with
    :func:`to_html_table` (which escapes it), never by pasting it into HTML. An unknown
    ``manager`` gives an empty table.

    Returns
    -------
    DataFrame
        ``manager``, ``task_id``, ``description``, ``score``, ``band``, ``explanation``.
    """
    cols = ["manager", "task_id", "description", "score", "band", "explanation"]
    _require(scored, cols, "weakest_examples")
    rows = scored if manager is None else scored[scored["manager"] == manager]
    if written_only:
        rows = rows.loc[~rows["flag_empty"].astype(bool)]
    rows = rows.sort_values(["score", "task_id"], kind="stable")
    return rows.loc[:, cols].head(n).reset_index(drop=True)


def frequent_descriptions(scored: pd.DataFrame, *, flag: str, n: int = 6) -> pd.DataFrame:
    """The ``n`` most frequent texts among descriptions that raise ``flag`` (e.g.
    ``"flag_vague_action"``): the patterns worth fixing first. Columns ``description``,
    ``tasks``; the text is raw (render it with :func:`to_html_table`)."""
    _require(scored, ["description", flag], "frequent_descriptions")
    counts = scored.loc[scored[flag].astype(bool), "description"].value_counts().head(n)
    return counts.rename("tasks").rename_axis("description").reset_index()


def quality_definitions() -> pd.DataFrame:
    """The written definitions of the flags, the score and the bands."""
    return definitions_frame(DEFINITIONS)


#: Headers in words for the columns the quality tables show (translated where shown).
_HEADERS = {
    "manager": N_("Manager"),
    "task_id": N_("Task"),
    "description": N_("Description"),
    "score": N_("Score"),
    "band": N_("Band"),
    "explanation": N_("What it lacks"),
    "tasks": N_("Tasks"),
    "name": N_("Column"),
    "population": N_("Population"),
    "time_anchor": N_("Which time"),
    "numerator": N_("Counted"),
    "denominator": N_("Out of"),
    "exclusions": N_("Left out"),
    "unit": N_("Unit"),
}


def to_html_table(df: pd.DataFrame, *, float_format: str = "{:.0f}") -> str:
    """Render a table as an HTML ``<table>`` for people: every cell escaped (CRM text is
    untrusted), the known columns headed in words ("Task" for ``task_id``), text on the
    left and figures on the right."""
    shown = pd.DataFrame(index=df.index)
    right = []
    for col in df.columns:
        values = df[col]
        header = _(_HEADERS[col]) if col in _HEADERS else str(col)
        if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            shown[header] = values.map(_cell_text)
            continue
        right.append(header)
        if pd.api.types.is_integer_dtype(values):
            shown[header] = values.map(lambda v: "" if pd.isna(v) else number(v))
        else:
            shown[header] = values.map(lambda v: "" if pd.isna(v) else float_format.format(v))
    return Table(shown, right=right).to_html()


def _cell_text(value: object) -> str:
    """A cell as text ("" for NA); :class:`~workbench.quality.tables.Table` escapes it."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _as_of(scored: pd.DataFrame, as_of, tz) -> pd.Timestamp:
    if as_of is None:
        cols = [c for c in ("created_at", "completed_at") if c in scored.columns]
        latest = max((scored[c].max() for c in cols), default=pd.NaT)
        if pd.isna(latest):
            raise ValueError("quality_vs_on_time: give as_of; the table has no timestamps")
        return latest
    ts = pd.Timestamp(as_of)
    return ts.tz_localize(tz) if ts.tzinfo is None else ts


@dataclass(frozen=True, eq=False)
class OnTime:
    """What :func:`quality_vs_on_time` returns.

    Attributes
    ----------
    table : DataFrame
        One row per band (see :func:`quality_vs_on_time`).
    excluded : dict[str, int]
        Tasks left out, by the first reason that applies; with the ``n`` column they add up
        to the tasks given.
    as_of : Timestamp
        The "now" the rates were worked out at.
    alpha : float
        Level of the intervals (``1 - alpha`` intervals).
    """

    table: pd.DataFrame
    excluded: dict[str, int]
    as_of: pd.Timestamp
    alpha: float


def quality_vs_on_time(scored: pd.DataFrame, *, as_of=None, alpha: float = 0.05) -> OnTime:
    """On-time completion rate by quality band, with Wilson intervals.

    Population: tasks with a deadline (``original_due_at``, else ``due_at``), not
    cancelled, that were completed by ``as_of`` or whose deadline passed by ``as_of``.
    On time: ``completed_at <= deadline`` and ``completed_at <= as_of``. ``as_of`` defaults
    to the latest ``created_at``/``completed_at`` in the table; a naive value is read in the
    table's time zone. Tasks left out are counted in the result's ``excluded`` under the
    first reason that applies: ``cancelled``, ``no_deadline``, ``completed_without_time``
    (status completed, no completed_at), ``no_band``, ``not_due_yet``.

    Returns
    -------
    OnTime
        ``table``: one row per band (good, fair, poor): ``band``, ``n``, ``on_time``,
        ``late``, ``on_time_rate`` (NaN when n == 0), ``ci_low``, ``ci_high`` (a
        ``1 - alpha`` Wilson interval); and ``excluded``, ``as_of``, ``alpha``.
    """
    _require(scored, ["band", "due_at", "completed_at", "status"], "quality_vs_on_time")
    for col in ("due_at", "original_due_at", "completed_at"):
        if col in scored.columns and not isinstance(scored[col].dtype, pd.DatetimeTZDtype):
            raise ValueError(
                f"quality_vs_on_time: column '{col}' must hold tz-aware timestamps, "
                f"got {scored[col].dtype}"
            )
    deadline = scored["due_at"]
    if "original_due_at" in scored.columns:
        deadline = scored["original_due_at"].fillna(deadline)
    now = _as_of(scored, as_of, deadline.dt.tz)
    done_at = scored["completed_at"].where(scored["completed_at"] <= now)

    # Exclusions in this order; each task is counted under the first that applies.
    reasons = {
        "cancelled": scored["status"] == "cancelled",
        "no_deadline": deadline.isna(),
        "completed_without_time": (scored["status"] == "completed") & scored["completed_at"].isna(),
        "no_band": scored["band"].isna(),
        "not_due_yet": done_at.isna() & (deadline > now),
    }
    left = pd.Series(True, index=scored.index)
    excluded = {}
    for reason, mask in reasons.items():
        hit = left & mask.fillna(False).astype("bool")
        excluded[reason] = int(hit.sum())
        left = left & ~hit
    in_pop = left
    on_time = in_pop & (done_at <= deadline).fillna(False).astype("bool")

    band = scored["band"].astype(pd.CategoricalDtype(list(rules.BANDS)))
    counts = pd.DataFrame({"band": band, "n": in_pop, "on_time": on_time})
    out = counts.groupby("band", observed=False, sort=True)[["n", "on_time"]].sum()
    out = out.astype("int64").reset_index()
    out["late"] = out["n"] - out["on_time"]
    out["on_time_rate"] = (out["on_time"] / out["n"].where(out["n"] > 0)).astype("float64")
    low, high = wilson_interval(out["on_time"].to_numpy(), out["n"].to_numpy(), alpha=alpha)
    out["ci_low"], out["ci_high"] = low, high
    return OnTime(table=out, excluded=excluded, as_of=now, alpha=alpha)


def p_text(p_value: float) -> str:
    """A p-value as people read it, kept on one line: "p = 0.006", "p < 0.001" (no-break
    spaces; the current language's decimal mark)."""
    if p_value < 0.001:
        return "p\u00a0<\u00a0" + number(0.001, 3)
    return "p\u00a0=\u00a0" + number(p_value, 3)


def band_word(band: str) -> str:
    """A quality band's name in the current language ("good", "fair", "poor")."""
    return _(_BAND_WORDS[band]) if band in _BAND_WORDS else str(band)


_BAND_WORDS = {"good": N_("good"), "fair": N_("fair"), "poor": N_("poor")}


def quality_on_time_verdict(on_time: OnTime) -> str:
    """Say in words whether the best and the worst band with tasks differ in on-time rate.

    Compares the best and the worst band that have tasks in ``on_time`` (from
    :func:`quality_vs_on_time`): whether their intervals overlap, and a pooled
    two-proportion z-test at the level of those intervals (``on_time.alpha``), so the
    words and the intervals shown never use two levels. An association, not proof of cause.
    Figures in the current language's marks; the p-value never breaks across lines.
    """
    table, alpha = on_time.table, on_time.alpha
    rows = table[table["n"] > 0]
    if len(rows) < 2:
        return _("Fewer than two quality bands have tasks with a deadline: nothing to compare.")
    best, worst = rows.iloc[0], rows.iloc[-1]
    test = compare_proportions(worst["on_time"], worst["n"], best["on_time"], best["n"],
                               alpha=alpha)  # fmt: skip
    level = round(100 * (1 - alpha))

    def _fmt(r: pd.Series) -> str:
        return _("{band} {rate} on time (n={n}, {level}% CI {low}-{high})").format(
            band=band_word(r["band"]),
            rate=percent(r["on_time_rate"]),
            n=number(r["n"]),
            level=level,
            low=percent(r["ci_low"]),
            high=percent(r["ci_high"]),
        )

    apart = best["ci_low"] > worst["ci_high"] or worst["ci_low"] > best["ci_high"]
    differ = test["p_value"] < alpha
    verdict = (
        _("the bands differ")
        if differ
        else _(
            "the difference could be chance: the bands are not distinguishable with these numbers"
        )
    )
    overlap = _("The intervals do not overlap") if apart else _("The intervals overlap")
    return _(
        "{best} vs {worst}. {overlap}; two-proportion z-test {p}: {verdict}. This is an "
        "association, not proof that better descriptions cause on-time work."
    ).format(
        best=_fmt(best), worst=_fmt(worst), overlap=overlap, p=p_text(test["p_value"]),
        verdict=verdict,
    )  # fmt: skip


# The words people read (translated where shown; docs/metrics.md maps them to columns).
_ALL = N_("Every task in the data, one verdict per task")
_TEXT = N_(
    "HTML markup, web links and template placeholders are cut out before judging; empty "
    "descriptions are not judged"
)
_YES_NO = N_("yes/no")
_NOTHING = N_("Nothing")
_DEFS = [
    ("language", _ALL, "-", N_("Russian when the words in Cyrillic letters are at least as "
     "many as the words in Latin letters, English when fewer, unknown when there are none "
     "(\"e-mail\" counts as two words)"), "-", N_("Web links and template placeholders"),
     N_("a word: Russian, English or unknown"), N_("The language of the description, from "
     "its alphabet.")),
    ("flag_empty", _ALL, "-", N_("The description is missing, only spaces, or only HTML "
     "markup"), "-", _NOTHING, _YES_NO, N_("Nothing written.")),
    ("flag_vague_action", _ALL, "-", N_("A vague verb (contact, follow up, связаться, "
     "уточнить...) with no concrete channel or action (call, e-mail, meeting, позвонить...) "
     "and no concrete step (a step verb followed by at least two words, as in \"answer the "
     "two open questions\"); when the analyst chooses so, a task type such as \"call\" "
     "counts as a channel"), "-", _TEXT, _YES_NO, N_("Says what, not how.")),
    ("flag_no_method", _ALL, "-", N_("No method or material named: no script, checklist, "
     "template, offer, presentation, qualification, \"according to\", steps or numbered "
     "list"), "-", _TEXT, _YES_NO, N_("No method or material named.")),
    ("flag_no_link", _ALL, "-", N_("Names a material that lives in a document (script, "
     "checklist, price list, presentation, contract, КП...) but has no web link"), "-",
     N_("HTML markup, web links and template placeholders are cut out before judging; empty "
        "descriptions are not judged; attachments are not visible in the data"), _YES_NO,
     N_("A material is expected but not linked.")),
    ("flag_template_trouble", _ALL, "-", N_("A placeholder the CRM did not fill in ({{x}}, "
     "${x}, {x}, %X%, #X#, [NAME]) or traces of an empty field: a double space between "
     "words (not after a punctuation mark or at a line break), empty brackets or quotes, a "
     "doubled comma, the words \"null\", \"undefined\" or \"NaN\", or a text that ends "
     "on a preposition"), "-",
     N_("Empty descriptions"), _YES_NO, N_("A CRM template gone wrong.")),
    ("flag_too_short", _ALL, "-", N_("Fewer than 3 words (a web link counts as one word)"),
     "-", _NOTHING, _YES_NO, N_("Too short to instruct.")),
    ("flag_too_long", _ALL, "-", N_("More than 40 words (a web link counts as one word)"), "-",
     _NOTHING, _YES_NO, N_("Too long to read at a glance.")),
    ("flag_no_deadline", _ALL, N_("The task's current deadline"), N_("The task has no "
     "deadline"), "-", _NOTHING, _YES_NO, N_("The task has no deadline.")),
    ("score", _ALL, "-", N_("100 minus the points of each problem found, never below 0: "
     "empty 100, vague action 35, template problem 35, too short 30, no method 25, no "
     "deadline 20, material not linked 15, too long 10"), "-", _NOTHING,
     N_("points from 0 to 100"), N_("How well the description tells a colleague what to do, "
     "how and by when.")),
    ("band", _ALL, "-", N_("Good: a score of 80 or more; fair: at least 50 but below 80; "
     "poor: below 50"), "-", _NOTHING, N_("a word: good, fair or poor"),
     N_("The score in three bands: good, fair, poor.")),
    ("on_time_rate_by_band", N_("Tasks with a deadline (the original one, else the current "
     "one), not cancelled, that were completed by the report's cut-off time or whose "
     "deadline had passed by then"), N_("The task's deadline"), N_("Tasks completed no later "
     "than their deadline and by the report's cut-off time"), N_("All tasks of the band in "
     "this group"), N_("Cancelled tasks, tasks without a deadline and tasks not yet due "
     "(counted separately)"), N_("share, in %"), N_("On-time completion per description "
     "quality band, with 95% Wilson intervals.")),
]  # fmt: skip

# name: (label, kind, better); a raised flag is worse, a higher score better.
_READING = {
    "language": (N_("Description language"), "label", None),
    "flag_empty": (N_("Empty description"), "bool", "lower"),
    "flag_vague_action": (N_("Vague action (no channel or step)"), "bool", "lower"),
    "flag_no_method": (N_("No method (script, checklist, template)"), "bool", "lower"),
    "flag_no_link": (N_("Material named but not linked"), "bool", "lower"),
    "flag_template_trouble": (N_("Template placeholder or empty field"), "bool", "lower"),
    "flag_too_short": (N_("Too short to act on"), "bool", "lower"),
    "flag_too_long": (N_("Too long to read at a glance"), "bool", "lower"),
    "flag_no_deadline": (N_("No deadline"), "bool", "lower"),
    "score": (N_("Description quality score"), "value", "higher"),
    "band": (N_("Description quality band"), "label", None),
    "on_time_rate_by_band": (N_("On-time share by quality band"), "rate", "higher"),
}
DEFINITIONS = from_rows(_DEFS, _READING)
"""The written definitions of the quality columns."""
