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
from workbench.i18n import N_
from workbench.metrics.definition import from_rows
from workbench.metrics.grid import NEVER, instants_ns, make_grid, safe_ratio
from workbench.metrics.periods import to_instant

__all__ = ["DEAL_COLUMNS", "deal_metrics"]

# The words a manager reads (translated where shown; docs/metrics.md maps them to columns).
_D = N_("The manager's deals (every lead is a deal)")
_CLOSED = N_("The manager's deals closed in the period (up to the report's cut-off time)")
_CREATED = N_("When the deal was created")
_CLOSED_AT = N_("When the deal was closed")
_OPEN = N_("Open deals")
_DEALS = N_("deals")
_MONEY = N_("money (in the currency of the data)")
_WON_SUM = N_("Total amount of the deals won")
_DEAL_ROWS = [
    ("leads", _D, _CREATED, N_("Deals created in the period"), "-", N_("Nothing"), _DEALS,
     N_("How many leads the manager took on.")),
    ("won", _CLOSED, _CLOSED_AT, N_("Closed deals that were won"), "-", _OPEN, _DEALS,
     N_("Deals won.")),
    ("lost", _CLOSED, _CLOSED_AT, N_("Closed deals that were lost"), "-", _OPEN, _DEALS,
     N_("Deals lost.")),
    ("closed", _CLOSED, _CLOSED_AT, N_("Deals won plus deals lost"), "-", _OPEN, _DEALS,
     N_("Deals decided, won or lost.")),
    ("conversion", _CLOSED, _CLOSED_AT, N_("Deals won"), N_("Deals closed (won plus lost)"),
     _OPEN, N_("share, in %"), N_("Share of the deals decided in the period that were won.")),
    ("cohort_conversion", N_("The manager's deals created in the period"), _CREATED,
     N_("Those of them won by the report's cut-off time"), N_("Deals created in the period"),
     N_("Nothing: deals still open count in the total"), N_("share, in %"),
     N_("Share of the period's leads won so far. Recent periods are still maturing, so "
        "compare periods of the same age.")),
    ("sales_volume", _CLOSED, _CLOSED_AT, _WON_SUM, "-", N_("Won deals without an amount "
     "(counted separately)"), _MONEY, N_("Money won in the period.")),
    ("avg_deal", _CLOSED, _CLOSED_AT, _WON_SUM, N_("Won deals that have an amount"),
     N_("Won deals without an amount"), _MONEY, N_("Average amount of a won deal.")),
    ("won_no_amount", _CLOSED, _CLOSED_AT, N_("Won deals with no amount recorded"), "-",
     N_("Nothing"), _DEALS, N_("Won deals left out of the sales volume and the average "
     "deal: a data-quality count.")),
]  # fmt: skip

# name: (label, kind, better). Lost and closed deals follow the leads taken on: more is
# neither better nor worse (conversion judges them); won_no_amount is a data-quality count.
_DEAL_READING = {
    "leads": (N_("Leads handled"), "count", "higher"),
    "won": (N_("Deals won"), "count", "higher"),
    "lost": (N_("Deals lost"), "count", None),
    "closed": (N_("Deals closed"), "count", None),
    "conversion": (N_("Conversion (won / closed)"), "rate", "higher"),
    "cohort_conversion": (N_("Cohort conversion"), "rate", "higher"),
    "sales_volume": (N_("Sales volume"), "money", "higher"),
    "avg_deal": (N_("Average deal"), "money", "higher"),
    "won_no_amount": (N_("Won deals without an amount"), "count", "lower"),
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
