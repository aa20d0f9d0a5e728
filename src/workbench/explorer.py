"""The analysts' interactive explorer: ipywidgets controls over the manager panel.

Controls: managers, a range of months, period (week / month), metric, and the conversation
threshold. Every change recomputes only what it must: the panel is cached per (period,
threshold), and the selection of managers and dates is a cheap filter on it. The figure and
the table are plain attributes (:attr:`Explorer.figure`, :attr:`Explorer.table`) so that tests
can check what a change did without a browser; the widgets only display them.

Analysts are internal users: managers are named here. Never put this in a manager's report.
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence

import ipywidgets as widgets
import pandas as pd
from IPython.display import Image, display
from matplotlib.figure import Figure

from workbench.loading import Dataset
from workbench.panel import manager_panel
from workbench.periods import period_range, to_instant
from workbench.plots import managers_over_time, set_theme

__all__ = ["Explorer", "METRIC_CHOICES"]

METRIC_CHOICES: tuple[tuple[str, str], ...] = (
    ("Delinquency rate (overdue / due)", "delinquency_rate"),
    ("Tasks new", "tasks_new"),
    ("Tasks completed", "tasks_completed"),
    ("Tasks overdue", "tasks_overdue"),
    ("On-time rate", "on_time_rate"),
    ("Dials", "dials"),
    ("Connected calls", "connected"),
    ("Conversations (>= threshold)", "conversations"),
    ("Mean connected call (min)", "talk_mean_min"),
    ("Median connected call (s)", "talk_median_s"),
    ("p90 connected call (s)", "talk_p90_s"),
    ("Leads handled", "leads"),
    ("Deals won", "won"),
    ("Conversion (won / closed)", "conversion"),
    ("Sales volume", "sales_volume"),
)


class Explorer:
    """Widgets, a figure and a table over one dataset; redraws on every control change.

    Parameters
    ----------
    dataset : Dataset
        What :func:`workbench.load_dataset` returned.
    managers : sequence of str or str, optional
        Managers selected at start (a list, or names separated by commas); default the
        first two.
    metric, period : str
        Initial metric column and period kind (``"month"`` / ``"week"``).
    conversation_s : int
        Initial conversation threshold, seconds.
    as_of : str, optional
        ISO instant at which "now" is evaluated; default the latest event in the data.
    """

    def __init__(
        self,
        dataset: Dataset,
        *,
        managers: Sequence[str] | str | None = None,
        metric: str = "delinquency_rate",
        period: str = "month",
        conversation_s: int = 60,
        as_of: str | None = None,
    ) -> None:
        self.dataset = dataset
        self.tz = dataset.tz
        self.as_of = to_instant(as_of, tz=self.tz) if as_of else None
        self._panels: dict[tuple[str, int], pd.DataFrame] = {}
        months = self._months()
        names = list(dataset.managers)
        if isinstance(managers, str):
            managers = [m.strip() for m in managers.split(",") if m.strip()]
        unknown = sorted(set(managers or ()) - set(names))
        if unknown:
            raise ValueError(f"{dataset.source}: unknown manager(s) {unknown}")
        self.managers = widgets.SelectMultiple(
            options=names, value=tuple(managers or names[:2]), description="Managers", rows=6
        )
        self.months = widgets.SelectionRangeSlider(
            options=[(m.strftime("%b %Y"), m) for m in months],
            index=(0, len(months) - 1),
            description="Months",
            layout=widgets.Layout(width="500px"),
        )
        self.period = widgets.ToggleButtons(options=["month", "week"], value=period)
        self.metric = widgets.Dropdown(options=METRIC_CHOICES, value=metric, description="Metric")
        self.conversation_s = widgets.IntSlider(
            value=conversation_s, min=0, max=600, step=15, description="Conv. ≥ s"
        )
        self.figure_out = widgets.Output()
        self.table_out = widgets.Output()
        self.status = widgets.HTML()
        self.figure: Figure | None = None
        self.table: pd.DataFrame = pd.DataFrame()
        self.last_update_s = 0.0
        for control in self.controls:
            control.observe(self.update, names="value")
        self.update()

    @property
    def controls(self) -> tuple[widgets.Widget, ...]:
        return (self.managers, self.months, self.period, self.metric, self.conversation_s)

    def _months(self) -> pd.DatetimeIndex:
        ds = self.dataset
        stamps = pd.concat(
            [ds.tasks["created_at"], ds.calls["started_at"], ds.deals["created_at"]]
        ).dropna()
        if stamps.empty:
            raise ValueError(f"{ds.source}: no tasks, calls or deals to explore")
        return period_range(stamps.min(), stamps.max(), period="month", tz=self.tz)

    def panel(self) -> pd.DataFrame:
        """The manager panel for the current period kind and threshold (cached)."""
        key = (self.period.value, int(self.conversation_s.value))
        if key not in self._panels:
            ds = self.dataset
            self._panels[key] = manager_panel(
                ds.tasks,
                ds.calls,
                ds.deals,
                period=key[0],
                tz=self.tz,
                as_of=self.as_of,
                managers=ds.managers,
                conversation_s=key[1],
            )
        return self._panels[key]

    def selection(self) -> pd.DataFrame:
        """Panel rows inside the chosen months (all managers: the team median needs them)."""
        first, last = self.months.value
        end = last + pd.offsets.MonthBegin(1)
        panel = self.panel()
        return panel.loc[(panel["period"] >= first) & (panel["period"] < end)]

    def update(self, change: dict | None = None) -> None:
        """Recompute the figure and table from the controls, and show them."""
        t0 = time.perf_counter()
        rows = self.selection()
        metric, chosen = self.metric.value, list(self.managers.value)
        set_theme()
        fig = Figure(figsize=(9, 4.2), layout="constrained")
        managers_over_time(rows, metric=metric, managers=chosen, ax=fig.add_subplot())
        mine = rows.loc[rows["manager"].isin(chosen)]
        table = mine.pivot_table(index="period", columns="manager", values=metric, dropna=False)
        table.index = table.index.strftime("%Y-%m-%d")
        self.figure, self.table = fig, table.reindex(columns=chosen)
        self.figure_out.clear_output(wait=True)
        with self.figure_out:
            display(self.image())
        self.table_out.clear_output(wait=True)
        with self.table_out:
            display(self.table.round(3))
        self.last_update_s = time.perf_counter() - t0
        self.status.value = f"<small>updated in {self.last_update_s:.2f} s</small>"

    def image(self) -> Image:
        """The current figure as a PNG image (independent of the notebook's plot backend)."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=80)
        return Image(data=buffer.getvalue(), format="png")

    def view(self) -> widgets.Widget:
        """The whole explorer as one widget, for ``display``."""
        left = widgets.VBox([self.managers, self.period, self.metric, self.conversation_s])
        return widgets.VBox(
            [widgets.HBox([left, self.months]), self.status, self.figure_out, self.table_out]
        )
