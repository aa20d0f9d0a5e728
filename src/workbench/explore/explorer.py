"""The analysts' interactive explorer: ipywidgets controls over the manager panel.

Controls: managers, a range of months, period (week / month), metric, and the conversation
threshold. Every change recomputes only what it must: the panel is cached per (period,
threshold), and the selection of managers and dates is a cheap filter on it. The figure and
the table are plain attributes (:attr:`Explorer.figure`, :attr:`Explorer.table`) so that tests
can check what a change did without a browser; the widgets only display them.

Speed (the aim is under 0.3 s per update): one Figure and Agg canvas live as long as the
explorer and are cleared, not rebuilt, on each change; the canvas is drawn once (``savefig``
draws twice under constrained layout) and its pixels are PNG-encoded at a low zlib level
(lossless: the same pixels as ``savefig(dpi=80)``, in a slightly larger file); a change that
cannot alter the view (the threshold, while the metric does not use it) redraws nothing; the
last views' PNG and table are kept, so going back to one draws nothing (the Figure object is
then redrawn only if read); the sliders report only on release. The view is a pure function
of the controls (:meth:`Explorer.view_key`), which is what makes the reuse safe.

Analysts are internal users: managers are named here. Never put this in a manager's report.
"""

from __future__ import annotations

import io
import time
from collections import OrderedDict
from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np
import pandas as pd
import PIL.Image
from IPython.display import Image, display
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from workbench.data.loading import Dataset
from workbench.formatting import metric_label
from workbench.metrics.panel import manager_panel
from workbench.metrics.periods import period_range, to_instant
from workbench.plots import managers_over_time, set_theme

__all__ = ["Explorer", "METRIC_CHOICES"]

#: Metrics the explorer offers, in its order: (label with unit from the catalogue, column).
METRIC_CHOICES: tuple[tuple[str, str], ...] = tuple(
    (metric_label(m), m)
    for m in (
        "delinquency_rate",
        "tasks_new",
        "tasks_completed",
        "tasks_overdue",
        "on_time_rate",
        "dials",
        "connected",
        "conversations",
        "talk_mean_min",
        "talk_median_s",
        "talk_p90_s",
        "leads",
        "won",
        "conversion",
        "sales_volume",
    )
)

#: Metrics that depend on the conversation threshold; for the others it changes nothing.
_THRESHOLD_METRICS = frozenset({"conversations"})
_FIGSIZE = (9, 4.2)
_DPI = 80
_PNG_COMPRESS_LEVEL = 1  # zlib level: 1 encodes ~1.5x faster than PIL's 6, ~5% more bytes
_VIEWS_KEPT = 32  # rendered views remembered (PNG ~60 kB + a small table each)


class Explorer:
    """Widgets, a figure and a table over one dataset; the view follows every control change.

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

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The chart on show (``managers_over_time`` of :meth:`selection`).
    table : pandas.DataFrame
        The metric per period (index ``YYYY-MM-DD``) for each chosen manager (columns).
    last_update_s : float
        Wall seconds of the last :meth:`update`.
    timings : dict of str to float
        Its split: ``data``, ``draw``, ``png``, ``display`` and ``total`` seconds (only
        ``total`` when the view did not change).
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
            continuous_update=False,
            layout=widgets.Layout(width="500px"),
        )
        self.period = widgets.ToggleButtons(options=["month", "week"], value=period)
        self.metric = widgets.Dropdown(options=METRIC_CHOICES, value=metric, description="Metric")
        self.conversation_s = widgets.IntSlider(
            value=conversation_s,
            min=0,
            max=600,
            step=15,
            description="Conv. ≥ s",
            continuous_update=False,
        )
        self.figure_out = widgets.Output()
        self.table_out = widgets.Output()
        self.status = widgets.HTML()
        set_theme()
        self._figure = Figure(figsize=_FIGSIZE, dpi=_DPI, layout="constrained")
        self._canvas = FigureCanvasAgg(self._figure)
        self._drawn: tuple | None = None  # the view the Figure holds
        self._views: OrderedDict[tuple, tuple[bytes, pd.DataFrame]] = OrderedDict()
        self._png = b""
        self._shown: tuple | None = None
        self.table: pd.DataFrame = pd.DataFrame()
        self.last_update_s = 0.0
        self.timings: dict[str, float] = {}
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

    def view_key(self) -> tuple:
        """What the view depends on: equal keys draw the same figure and table."""
        metric = self.metric.value
        threshold = int(self.conversation_s.value) if metric in _THRESHOLD_METRICS else None
        return (
            tuple(self.managers.value),
            tuple(self.months.value),
            self.period.value,
            metric,
            threshold,
        )

    @property
    def figure(self) -> Figure:
        """The Figure of the view on show (redrawn here if that view came from the cache)."""
        if self._drawn != self._shown:
            self._draw()
        return self._figure

    def update(self, change: dict | None = None) -> None:
        """Recompute the figure and table from the controls, and show them.

        Does nothing but say so when the view would not change (see :meth:`view_key`); shows
        a remembered view without drawing. :attr:`timings` holds the seconds of each step of
        the last call (``draw`` and ``png`` are 0 for a remembered view).
        """
        t0 = time.perf_counter()
        key = self.view_key()
        if key == self._shown:
            self.last_update_s = time.perf_counter() - t0
            self.timings = {"total": self.last_update_s}
            self.status.value = (
                "<small>view unchanged: the threshold only counts conversations</small>"
            )
            return
        self._shown = key
        t1 = t2 = t3 = time.perf_counter()
        if key in self._views:
            self._views.move_to_end(key)
            self._png, table = self._views[key]
            self.table = table.copy()  # the remembered one stays as drawn
        else:
            self.table = self._table()
            t1 = time.perf_counter()
            self._draw()
            t2 = time.perf_counter()
            self._png = _png_bytes(self._canvas)
            t3 = time.perf_counter()
            self._views[key] = (self._png, self.table.copy())
            if len(self._views) > _VIEWS_KEPT:
                self._views.popitem(last=False)
        self.figure_out.clear_output(wait=True)
        with self.figure_out:
            display(self.image())
        self.table_out.clear_output(wait=True)
        with self.table_out:
            display(self.table.round(3))
        self.last_update_s = time.perf_counter() - t0
        self.timings = {
            "data": t1 - t0,
            "draw": t2 - t1,
            "png": t3 - t2,
            "display": self.last_update_s - (t3 - t0),
            "total": self.last_update_s,
        }
        self.status.value = f"<small>updated in {self.last_update_s:.2f} s</small>"

    def _table(self) -> pd.DataFrame:
        """The metric per period (rows, ``YYYY-MM-DD``) for each chosen manager (columns)."""
        rows = self.selection()
        metric, chosen = self.metric.value, list(self.managers.value)
        mine = rows.loc[rows["manager"].isin(chosen)]
        table = mine.pivot_table(index="period", columns="manager", values=metric, dropna=False)
        table.index = table.index.strftime("%Y-%m-%d")
        return table.reindex(columns=chosen)

    def _draw(self) -> None:
        """Draw the controls' view on the Figure and its canvas."""
        set_theme()
        self._figure.clear()  # a cleared figure lays out exactly as a new one
        managers_over_time(
            self.selection(),
            metric=self.metric.value,
            managers=list(self.managers.value),
            ax=self._figure.add_subplot(),
        )
        self._canvas.draw()
        self._drawn = self.view_key()

    def image(self) -> Image:
        """The current figure as a PNG image (independent of the notebook's plot backend)."""
        return Image(data=self._png, format="png")

    def view(self) -> widgets.Widget:
        """The whole explorer as one widget, for ``display``."""
        left = widgets.VBox([self.managers, self.period, self.metric, self.conversation_s])
        return widgets.VBox(
            [widgets.HBox([left, self.months]), self.status, self.figure_out, self.table_out]
        )


def _png_bytes(canvas: FigureCanvasAgg) -> bytes:
    """PNG of a drawn Agg canvas: the pixels ``savefig`` would write, without drawing again."""
    buffer = io.BytesIO()
    pixels = np.asarray(canvas.buffer_rgba())
    PIL.Image.fromarray(pixels).save(buffer, format="png", compress_level=_PNG_COMPRESS_LEVEL)
    return buffer.getvalue()
