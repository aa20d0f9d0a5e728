"""Deal metrics per manager x period: leads taken on, deals won and lost, conversion, volume.

Every column is defined in :mod:`workbench.catalogue`. Two conversions on purpose:
``conversion`` judges the deals *closed* in a period (won / closed), ``cohort_conversion``
follows the leads *created* in a period (won so far / leads), which matures over time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import require_columns
from workbench.metrics.definition import from_rows
from workbench.metrics.grid import NEVER, instants_ns, make_grid, safe_ratio
from workbench.metrics.periods import to_instant

__all__ = ["DEAL_COLUMNS", "deal_metrics"]

_D = "deals (leads) of the manager"
_CLOSED = "deals closed in the period (closed_at in the period and <= as_of)"
_DEAL_ROWS = [
    ("leads", _D, "created_at", "deals created in the period", "-", "none", "deals",
     "Throughput: leads taken on."),
    ("won", _CLOSED, "closed_at", "closed deals with outcome won", "-", "open deals",
     "deals", "Deals won."),
    ("lost", _CLOSED, "closed_at", "closed deals with outcome lost", "-", "open deals",
     "deals", "Deals lost."),
    ("closed", _CLOSED, "closed_at", "won + lost", "-", "open deals", "deals",
     "Deals decided."),
    ("conversion", _CLOSED, "closed_at", "won", "closed", "open deals", "fraction 0..1",
     "Win rate of the deals decided in the period."),
    ("cohort_conversion", "deals created in the period", "created_at", "of them, won with "
     "closed_at <= as_of", "leads", "none (still-open deals count in the denominator)",
     "fraction 0..1", "Share of the period's leads won so far; recent cohorts are still "
     "maturing, so compare cohorts of the same age."),
    ("sales_volume", _CLOSED, "closed_at", "sum of amount of won deals", "-", "won deals "
     "with no amount (counted in won_no_amount)", "currency", "Money won in the period."),
    ("avg_deal", _CLOSED, "closed_at", "sales_volume", "won deals with an amount (won - "
     "won_no_amount)", "won deals with no amount", "currency", "Mean amount of a won deal."),
    ("won_no_amount", _CLOSED, "closed_at", "won deals with a missing amount", "-", "-",
     "deals", "Won deals left out of sales_volume and avg_deal: the exclusion count."),
]  # fmt: skip

# name: (label, kind, better). Lost and closed deals follow the leads taken on: more is
# neither better nor worse (conversion judges them); won_no_amount is a data-quality count.
_DEAL_READING = {
    "leads": ("Leads handled", "count", "higher"),
    "won": ("Deals won", "count", "higher"),
    "lost": ("Deals lost", "count", None),
    "closed": ("Deals closed", "count", None),
    "conversion": ("Conversion (won / closed)", "rate", "higher"),
    "cohort_conversion": ("Cohort conversion", "rate", "higher"),
    "sales_volume": ("Sales volume", "money", "higher"),
    "avg_deal": ("Average deal", "money", "higher"),
    "won_no_amount": ("Won deals without an amount", "count", "lower"),
}
_DEAL_POOLING = {
    "conversion": (("won", ("closed",)), 1.0),
    "avg_deal": (("sales_volume", ("won", "won_no_amount")), 1.0),
}

DEFINITIONS = from_rows(_DEAL_ROWS, _DEAL_READING, _DEAL_POOLING)


DEAL_COLUMNS = (
    "leads",
    "won",
    "lost",
    "closed",
    "conversion",
    "cohort_conversion",
    "sales_volume",
    "avg_deal",
    "won_no_amount",
)


def deal_metrics(
    deals: pd.DataFrame,
    *,
    period: str = "month",
    tz: str = "UTC",
    as_of=None,
    start=None,
    end=None,
    managers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Deal metrics, one row per manager x period (columns: ``DEAL_COLUMNS``).

    Parameters
    ----------
    deals : canonical deals table (see :mod:`workbench.data.schema`).
    period : ``"week"`` (Monday start) or ``"month"``, in the business time zone ``tz``.
    tz : business time zone of the period buckets.
    as_of : instant "now" is evaluated at; default = the latest ``created_at`` /
        ``closed_at``. Closings after it have not happened yet.
    start, end : first and last period reported; default = the span of the data.
    managers : managers that get rows even with no deals (added to those in the data).

    Returns
    -------
    DataFrame with ``manager``, ``period`` and ``DEAL_COLUMNS``. ``won_no_amount`` counts
    won deals without an amount, left out of ``sales_volume`` and ``avg_deal``.
    A won or lost deal without ``closed_at`` counts in ``leads`` only (the loader keeps
    such deals and reports them in data health).
    """
    require_columns(
        deals,
        table="deals table",
        columns=["manager", "created_at", "outcome"],
        not_null=["manager", "created_at"],
    )
    created_ts = deals["created_at"]
    if "closed_at" in deals.columns:
        closed_ts = deals["closed_at"]
    else:
        closed_ts = pd.Series(pd.NaT, index=deals.index, dtype=created_ts.dtype)
    created = instants_ns(created_ts)
    closed_at = instants_ns(closed_ts)
    as_of_ts = to_instant(as_of, tz=tz)
    if as_of_ts is None:
        events = np.concatenate([created, closed_at[closed_at != NEVER]])
        as_of_ns = int(events.max()) if len(events) else NEVER
    else:
        as_of_ns = int(pd.Timestamp(as_of_ts).as_unit("ns").value)

    exists = created <= as_of_ns
    outcome = deals["outcome"].to_numpy(dtype=object)
    # A won/lost deal without a close date is a lead (counted by created_at) that closed in
    # no period: it counts in no won, lost, closed, volume or cohort figure.
    dated = closed_at != NEVER
    is_closed = exists & dated & (closed_at <= as_of_ns) & np.isin(outcome, ["won", "lost"])
    won = is_closed & (outcome == "won")
    lost = is_closed & (outcome == "lost")
    if "amount" in deals.columns:
        amount = deals["amount"].to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        amount = np.full(len(deals), np.nan)
    has_amount = ~np.isnan(amount)

    grid = make_grid(
        [deals["manager"]],
        [created_ts[exists], closed_ts[is_closed]],
        period=period,
        tz=tz,
        start=start,
        end=end,
        managers=managers,
    )
    mi = grid.manager_index(deals["manager"])
    c_created = grid.cells(mi, created_ts, "created_at")
    c_closed = grid.cells(mi, closed_ts, "closed_at")

    cols: dict[str, np.ndarray] = {}
    cols["leads"] = grid.count(c_created, exists)
    cols["won"] = grid.count(c_closed, won)
    cols["lost"] = grid.count(c_closed, lost)
    cols["closed"] = cols["won"] + cols["lost"]
    cols["conversion"] = safe_ratio(cols["won"], cols["closed"])
    cols["cohort_conversion"] = safe_ratio(grid.count(c_created, won), cols["leads"])
    priced = won & has_amount
    cols["sales_volume"] = grid.sum(c_closed, np.where(priced, amount, 0.0), priced)
    cols["won_no_amount"] = grid.count(c_closed, won & ~has_amount)
    cols["avg_deal"] = safe_ratio(cols["sales_volume"], cols["won"] - cols["won_no_amount"])
    return grid.frame({name: cols[name] for name in DEAL_COLUMNS})
