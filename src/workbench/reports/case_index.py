"""The coaches' index of ``workbench cases`` (``cases/index.html``) and a case's failure page.

One row per KPI change: who, which KPI, from when, the headline effect with its 95%
interval, the verdict, the p-value and the Benjamini-Hochberg q-value across the batch's
cases (reading many cases at once, some look real by chance; the q-value keeps the share
of false claims among those with ``q <= 0.05`` at about 5%), and a link to the case. A
skipped change says why. On a phone each row is a card; on a desktop a table. Static,
script-free, every CRM string escaped, every word in the batch's language.
"""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np

from workbench.cases import TEAM
from workbench.formatting import capitalized, metric_name
from workbench.i18n import _, language, month_year, ngettext, number

__all__ = ["case_failure_page", "case_index_page", "skip_reason"]

_HEAD = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 8px;
  line-height: 1.4; overflow-wrap: break-word; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 6px; text-align: left; vertical-align: top; }}
td.num, th.num {{ text-align: right; white-space: nowrap; }}
.skipped, .failed {{ color: #6b6b6b; }}
.failed b {{ color: #b00020; }}
.verdict-improvement {{ color: #1b5e20; font-weight: bold; }}
.verdict-worsening {{ color: #b00020; font-weight: bold; }}
.verdict-doubtful, .verdict-no_change, .verdict-no_data {{ font-weight: bold; }}
@media (max-width: 640px) {{
  table, tbody, tr, td {{ display: block; width: auto; }}
  thead {{ display: none; }}
  tr {{ border: 1px solid #ddd; border-radius: 6px; margin-bottom: 10px; padding: 4px; }}
  td {{ border: none; padding: 2px 4px; }}
  td.num {{ text-align: left; white-space: normal; }}
  td::before {{ content: attr(data-label) ": "; font-weight: bold; }}
  td.who::before {{ content: none; }}
  td.who {{ font-size: 1.1em; }}
}}
</style></head><body>
"""


def skip_reason(reason: str, months_before: int) -> str:
    """Why a KPI change has no case study, in words."""
    if reason == "too_few_months":
        return ngettext(
            "skipped: only {n} month of data before the change (at least 3 needed)",
            "skipped: only {n} months of data before the change (at least 3 needed)",
            months_before,
        ).format(n=months_before)
    if reason == "nothing_after":
        return _("skipped: no data from the change on yet")
    if reason == "no_data":
        return _("skipped: no data for this manager")
    if reason == "no_case_study":
        return _("skipped: there is no case study for this KPI yet (only for the overdue share "
                 "and the mean call length)")  # fmt: skip
    return _("skipped")


def _p(v: Any) -> str:
    if v is None or not np.isfinite(float(v)):
        return "–"
    return f"< {number(0.001, 3)}" if float(v) < 0.001 else number(float(v), 3)


def _who(manager: str) -> str:
    return capitalized(_("the whole team")) if manager == TEAM else manager


def _when(case: dict) -> str:
    from datetime import date

    return month_year(date.fromisoformat(case["change"]))


def case_index_page(cases: list[dict]) -> str:
    """The coaches' index: one row per KPI change (the :class:`CaseOutcome` fields as a dict
    with ``html``, ``summary`` and ``q_value``), in the current language."""
    title = _("Case studies of KPI changes")
    done = [c for c in cases if c["status"] in ("rendered", "cached")]
    skipped = [c for c in cases if c["status"] == "skipped"]
    failed = [c for c in cases if c["status"] not in ("rendered", "cached", "skipped")]
    intro = [
        ngettext(
            "{n} KPI change in the targets table",
            "{n} KPI changes in the targets table",
            len(cases),
        ).format(n=len(cases)),  # fmt: skip
        ngettext("{n} case study", "{n} case studies", len(done)).format(n=len(done)),
        ngettext("{n} skipped", "{n} skipped", len(skipped)).format(n=len(skipped)),
    ]
    if failed:
        intro.append(ngettext("{n} failed", "{n} failed", len(failed)).format(n=len(failed)))
    explain = _(
        "Each case compares the months before a KPI with the months under it. Read the "
        "verdict first, then the effect and its 95% interval: net of the colleagues without "
        "the KPI when there are enough of them, else before vs after. Reading many cases at "
        "once, some look real by chance: the q-value adjusts each p-value for all the cases "
        "here (Benjamini-Hochberg); trust a case with a q-value above 0.05 less than its "
        "p-value suggests."
    )
    headers = [_("Who"), _("KPI"), _("From"), _("Verdict"), _("Effect (95% CI)"),
               _("p-value"), _("q-value"), _("Case")]  # fmt: skip
    numeric = {5, 6}
    rows = []
    for c in cases:
        who = escape(_who(c["manager"]))
        kpi = escape(metric_name(c["metric"]))
        when = escape(_when(c))
        s = c.get("summary") or {}
        link = "<a href='" + escape(c["html"]) + "'>" + escape(_("Open")) + "</a>"
        if c["status"] in ("rendered", "cached") and s:
            verdict = (f"<span class='verdict-{escape(s['verdict'])}'>"
                       f"{escape(s['verdict_text'])}</span>")  # fmt: skip
            cells = [verdict, escape(s["effect_text"]), _p(s.get("p_value")), _p(c["q_value"]),
                     link]  # fmt: skip
            cls = "case"
        elif c["status"] == "skipped":
            cells = [escape(skip_reason(c["reason"], c["months_before"])), "–", "–", "–", "–"]
            cls = "skipped"
        else:
            cells = ["<b>" + escape(_("not produced")) + "</b>: "
                     + escape(_("the cause is in run.log")), "–", "–", "–",
                     link]  # fmt: skip
            cls = "failed"
        values = [who, kpi, when, *cells]
        tds = "".join(
            f"<td class='{'num' if i in numeric else 'who' if i == 0 else 'text'}' "
            f"data-label='{escape(h)}'>{v}</td>"
            for i, (h, v) in enumerate(zip(headers, values, strict=True))
        )
        rows.append(f"<tr class='{cls}'>{tds}</tr>")
    head = "".join(
        f"<th class='{'num' if i in numeric else 'text'}'>{escape(h)}</th>"
        for i, h in enumerate(headers)
    )
    return (
        _HEAD.format(title=escape(title), lang=language())
        + f"<h1>{escape(title)}</h1>\n"
        + f"<p>{escape('; '.join(intro))}.</p>\n<p>{escape(explain)}</p>\n"
        + f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>\n"
        + "</body></html>\n"
    )


def case_failure_page(title: str) -> str:
    """The page in a case's place when it could not be produced (the cause: run.log)."""
    return (
        _HEAD.format(title=escape(title), lang=language())
        + f"<h1>{escape(title)}</h1>\n<p>"
        + escape(
            _(
                "This case study could not be produced. The cause is recorded in the "
                "run's log (run.log) beside the coaches' index."
            )
        )  # fmt: skip
        + "</p>\n</body></html>\n"
    )
