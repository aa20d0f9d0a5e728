"""The analysts' interactive explorer: ipywidgets controls over the manager panel.

Controls: managers, a range of months, period (week / month), metric, and the conversation
threshold. Every change recomputes only what it must: the panel is cached per (period,
threshold), and the selection of managers and dates is a cheap filter on it. The chart and
the table use the same unit (shares in percent, durations in minutes, money in thousands,
counts as whole numbers; :mod:`workbench.explore.labels`) and the same words, in the
explorer's language. :attr:`Explorer.table` holds the numbers, :meth:`Explorer.shown_table`
the texts on show, :attr:`Explorer.hint` what it says instead of a chart when there is
nothing to draw (no manager chosen) and :attr:`Explorer.figure` the chart, so tests can
check what a change did without a browser; the widgets only display them.

Speed (the aim is under 0.3 s per update in the browser): the chart's Figure, Axes and lines
live as long as the explorer and are updated in place, placed without a layout engine and
drawn once (:class:`~workbench.explore.chart.ExplorerChart`); the image and the table are
``Image`` and ``HTML`` widgets whose values change (one binary message, no output area to
clear); a change that cannot alter the view (the threshold, while the metric does not use
it) redraws nothing; the last views' PNG and table are kept, so going back to one draws
nothing (the Figure object is then redrawn only if read); the sliders report only on
release. The view is a pure function of the controls (:meth:`Explorer.view_key`), which is
what makes the reuse safe.

Analysts are internal users: managers are named here. Never put this in a manager's report.
"""

from __future__ import annotations

import html
import time
from collections import OrderedDict
from collections.abc import Sequence

import ipywidgets as widgets
import pandas as pd
from IPython.display import Image
from matplotlib.figure import Figure

from workbench.data.loading import Dataset
from workbench.explore.chart import ExplorerChart
from workbench.explore.labels import (
    MEDIAN_LABEL,
    METRICS,
    figure_text,
    metric_options,
    metric_title,
    period_labels,
    period_word,
    scale,
    shown_kind,
)
from workbench.formatting import unit_text
from workbench.i18n import _, language, month_year, number, using
from workbench.metrics.panel import manager_panel
from workbench.metrics.periods import period_range, to_instant
from workbench.plots import set_theme
from workbench.quality.tables import Table

__all__ = ["Explorer", "METRICS", "metric_options"]

#: Metrics that depend on the conversation threshold; for the others it changes nothing.
_THRESHOLD_METRICS = frozenset({"conversations"})
_VIEWS_KEPT = 32  # rendered views remembered (PNG ~50 kB + a small table each)
_LABEL_WIDTH = "160px"  # the controls' descriptions: long enough for every language's words
_CONTROL_WIDTH = "500px"  # a description and its control: the metric menu's longest label fits
_PERIOD_WIDTH = "320px"


class Explorer:
    """Widgets, a chart and a table over one dataset; the view follows every control change.

    Parameters
    ----------
    dataset : Dataset
        What :func:`workbench.load_dataset` returned.
    managers : sequence of str or str, optional
        Managers selected at start (a list, or names separated by commas); default the
        first two.
    metric, period : str
        Initial metric (one of :data:`~workbench.explore.labels.METRICS`) and period kind
        (``"month"`` / ``"week"``).
    conversation_s : int
        Initial conversation threshold, seconds.
    as_of : str, optional
        ISO instant at which "now" is evaluated; default the latest event in the data.
    lang : str, optional
        Language of every word shown ("en", "ru"); default the current language.

    Attributes
    ----------
    table : pandas.DataFrame
        The numbers of the view, in the unit shown (a share as a fraction, a duration in
        minutes, money in thousands): one row per period (index ``YYYY-MM-DD``), one column
        per chosen manager and the median of all managers last; no rows when no manager
        is chosen.
    hint : str
        What the explorer says instead of a chart ("" when it shows one).
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
        lang: str | None = None,
    ) -> None:
        self.dataset = dataset
        self.tz = dataset.tz
        self.lang = lang or language()
        self.as_of = to_instant(as_of, tz=self.tz) if as_of else None
        self._panels: dict[tuple[str, int], pd.DataFrame] = {}
        names = list(dataset.managers)
        if isinstance(managers, str):
            managers = [m.strip() for m in managers.split(",") if m.strip()]
        unknown = sorted(set(managers or ()) - set(names))
        if unknown:
            raise ValueError(f"{dataset.source}: unknown manager(s) {unknown}")
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}: use one of {', '.join(METRICS)}")
        with using(self.lang):
            self._make_controls(names, managers or names[:2], metric, period, conversation_s)
            set_theme()
            self._chart = ExplorerChart()
        self._drawn: tuple | None = None  # the view the Figure holds
        self._views: OrderedDict[tuple, tuple[bytes, pd.DataFrame, str]] = OrderedDict()
        self._png = b""
        self._shown: tuple | None = None
        self.table: pd.DataFrame = pd.DataFrame()
        self.hint = ""
        self.last_update_s = 0.0
        self.timings: dict[str, float] = {}
        for control in self.controls:
            control.observe(self.update, names="value")
        self.update()

    def _make_controls(
        self, names: list[str], chosen: Sequence[str], metric: str, period: str, threshold: int
    ) -> None:
        style = {"description_width": _LABEL_WIDTH}
        months = self._months()
        self.managers = widgets.SelectMultiple(
            options=names,
            value=tuple(chosen),
            rows=min(10, max(4, len(names))),
            layout=widgets.Layout(width="210px"),
        )
        self.months = widgets.SelectionRangeSlider(
            options=[(month_year(m.date(), short=True), m) for m in months],
            index=(0, len(months) - 1),
            description=_("Months"),
            continuous_update=False,
            style=style,
            layout=widgets.Layout(width=_CONTROL_WIDTH),
        )
        self.period = widgets.Dropdown(
            options=[(_("Month"), "month"), (_("Week"), "week")],
            value=period,
            description=_("Period"),
            style=style,
            layout=widgets.Layout(width=_PERIOD_WIDTH),
        )
        self.metric = widgets.Dropdown(
            options=metric_options(),
            value=metric,
            description=_("Metric"),
            style=style,
            layout=widgets.Layout(width=_CONTROL_WIDTH),
        )
        self.conversation_s = widgets.IntSlider(
            value=threshold,
            min=0,
            max=600,
            step=15,
            description=_("Conversation from (s)"),
            tooltip=_("A connected call at least this long counts as a conversation"),
            continuous_update=False,
            style=style,
            layout=widgets.Layout(width=_CONTROL_WIDTH),
        )
        self.status = widgets.HTML()
        self.hint_box = widgets.HTML(layout=widgets.Layout(display="none"))
        self.image_box = widgets.Image(format="png")
        self.table_box = widgets.HTML()

    @property
    def controls(self) -> tuple[widgets.Widget, ...]:
        return (self.managers, self.months, self.metric, self.period, self.conversation_s)

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
        """Panel rows inside the chosen months (all managers: the median needs them)."""
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
            with using(self.lang):
                self._draw(self._table())
        return self._chart.figure

    def update(self, change: dict | None = None) -> None:
        """Recompute the chart and the table from the controls, and show them.

        Does nothing but say so when the view would not change (see :meth:`view_key`); shows
        a remembered view without drawing. :attr:`timings` holds the seconds of each step of
        the last call (``draw`` and ``png`` are 0 for a remembered view).
        """
        with using(self.lang):
            self._update()

    def _update(self) -> None:
        t0 = time.perf_counter()
        key = self.view_key()
        if key == self._shown:
            self.last_update_s = time.perf_counter() - t0
            self.timings = {"total": self.last_update_s}
            self.status.value = "<small>{}</small>".format(
                _("View unchanged: the threshold changes only the conversations")
            )
            return
        self._shown = key
        t1 = t2 = t3 = time.perf_counter()
        if key in self._views:
            self._views.move_to_end(key)
            self._png, table, self.hint = self._views[key]
            self.table = table.copy()  # the remembered one stays as drawn
        else:
            self.table = self._table()
            t1 = time.perf_counter()
            self._draw(self.table)
            t2 = time.perf_counter()
            self._png = self._chart.png()
            t3 = time.perf_counter()
            self._views[key] = (self._png, self.table.copy(), self.hint)
            if len(self._views) > _VIEWS_KEPT:
                self._views.popitem(last=False)
        self._show()
        self.last_update_s = time.perf_counter() - t0
        self.timings = {
            "data": t1 - t0,
            "draw": t2 - t1,
            "png": t3 - t2,
            "display": self.last_update_s - (t3 - t0),
            "total": self.last_update_s,
        }
        self.status.value = "<small>{}</small>".format(
            _("Updated in {seconds} s").format(seconds=number(self.last_update_s, 2))
        )

    def _show(self) -> None:
        """Put the view into the widgets: the hint instead of the chart, or the chart."""
        if self.hint:
            self.hint_box.value = (
                f"<p style='font-size: 1.2em; margin: 1em 0'>{html.escape(self.hint)}</p>"
            )
            self.hint_box.layout.display = None
            self.image_box.layout.display = "none"
            self.table_box.value = ""
        else:
            self.hint_box.layout.display = "none"
            self.image_box.value = self._png
            self.image_box.layout.display = None
            self.table_box.value = self.table_view().to_html()

    def _table(self) -> pd.DataFrame:
        """The metric per period (rows, ``YYYY-MM-DD``) for each chosen manager and the
        median of all managers (columns), in the unit shown; sets :attr:`hint`."""
        metric, chosen = self.metric.value, list(self.managers.value)
        rows = self.selection()
        factor = scale(metric)
        wide = rows.pivot_table(index="period", columns="manager", values=metric, dropna=False)
        wide = wide.astype("float64") * factor
        median = rows.groupby("period")[metric].median().astype("float64") * factor
        table = wide.reindex(columns=chosen)
        table[_(MEDIAN_LABEL)] = median.reindex(table.index)
        table.columns.name = None
        starts = pd.DatetimeIndex(table.index)
        if starts.tz is not None:
            starts = starts.tz_convert(self.tz)
        table.index = pd.Index(starts.strftime("%Y-%m-%d"), name="period")
        self.hint = ""
        if not chosen:
            self.hint = _(
                "Choose one or more managers in the list above (Ctrl+click or Shift+click "
                "for several) to see their figures beside the median of all managers."
            )
            return table.iloc[:0, :0]
        if table.isna().all().all():
            self.hint = _("No figures for this metric in these months.")
        return table

    def _draw(self, table: pd.DataFrame) -> None:
        """Draw the view on the chart's Figure and canvas."""
        if self.hint:
            self._chart.message(self.hint)
        else:
            weekly = self.period.value == "week"
            kind = shown_kind(self.metric.value)
            self._chart.show(
                table.set_axis(pd.DatetimeIndex(table.index)),
                median=_(MEDIAN_LABEL),
                kind=kind,
                weekly=weekly,
                title=metric_title(self.metric.value),
                xlabel=period_word(weekly),
                ylabel="" if kind == "rate" else unit_text(kind),
            )
        self._drawn = self.view_key()

    def shown_table(self) -> pd.DataFrame:
        """The table as shown: the period in words ("Nov 2025", first column) and the
        figures as text in the chart's unit ("57%", "20", "8.6"), in the explorer's
        language."""
        with using(self.lang):
            metric, weekly = self.metric.value, self.period.value == "week"
            shown = self.table.apply(lambda col: col.map(lambda v: figure_text(metric, v)))
            starts = pd.DatetimeIndex(self.table.index)
            shown.insert(0, period_word(weekly), period_labels(starts, weekly))
            return shown.reset_index(drop=True)

    def table_view(self) -> Table:
        """The current table for ``display``: an HTML table (every text escaped, periods on
        the left, figures on the right) captioned with the metric and its unit, as the
        explorer shows it; aligned text outside a notebook."""
        with using(self.lang):
            shown, caption = self.shown_table(), metric_title(self.metric.value)
        return Table(shown, right=list(shown.columns[1:]), caption=caption)

    def image(self) -> Image:
        """The current chart as a PNG image (independent of the notebook's plot backend)."""
        return Image(data=self._png, format="png")

    def view(self) -> widgets.Widget:
        """The whole explorer as one widget, for ``display``."""
        left = widgets.VBox([self.months, self.metric, self.period, self.conversation_s])
        with using(self.lang):
            words = _("Managers")
        label = widgets.HTML(f"<b>{html.escape(words)}</b>")
        right = widgets.VBox([label, self.managers], layout=widgets.Layout(margin="0 0 0 16px"))
        box = widgets.VBox(
            [
                widgets.HBox([left, right], layout=widgets.Layout(flex_flow="row wrap")),
                self.status,
                self.hint_box,
                self.image_box,
                self.table_box,
            ]
        )
        box.add_class("workbench-explorer")
        return box
