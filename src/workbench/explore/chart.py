"""The explorer's chart: one Figure for the explorer's life, its artists updated in place.

Not a seaborn-style plot function on purpose: the explorer redraws on every control change
and most of a redraw was building things that do not change (an Axes, its ticks, its grid)
and laying them out (constrained layout measures every text twice). Here the Axes, the
median line and a pool of manager lines are made once; a view sets their data, the ticks
(fixed positions and texts, made here in the current language), the title and a new legend,
and places the Axes by arithmetic: the left margin is the measured width of the y tick
texts, the top one the title and the legend (outside the plot area, so it never covers a
line, in as many columns as fit). Then the Agg canvas draws once and its pixels are
PNG-encoded at a low zlib level.

The plots of the reports are :mod:`workbench.plots`; this chart shows named managers and is
for analysts only.
"""

from __future__ import annotations

import io
import math

import matplotlib as mpl
import numpy as np
import pandas as pd
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import date2num
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator, NullLocator

from workbench.explore.labels import period_axis_labels, tick_text
from workbench.plots import OKABE_ITO, TEAM_COLOR

__all__ = ["ExplorerChart"]

FIGSIZE = (9.0, 4.6)  # inches: 720 x 368 px at DPI
DPI = 80
_PNG_COMPRESS_LEVEL = 1  # zlib level: 1 encodes ~1.5x faster than PIL's 6, ~5% more bytes
_MAX_TICKS = 12
_TICK_GAP = 10  # px at least between two time-axis tick texts
_LABEL_CHARS = 28  # a longer legend entry is cut with "…"
_GAP = 12  # px between the plot area and the legend, and around the figure's edges
_MESSAGE_COLOR = "#444444"


def _pt_to_px(points: float) -> float:
    return points * DPI / 72


def _size(key: str) -> float:
    """A font size of the current theme, in points."""
    return FontProperties(size=mpl.rcParams[key]).get_size_in_points()


class ExplorerChart:
    """A line per chosen manager and the median of all managers, per period.

    Make it once (after :func:`workbench.plots.set_theme`, whose fonts it keeps), then call
    :meth:`show` or :meth:`message` for each view and read :meth:`png`. The title is at the
    top, the legend between it and the plot area, in as many columns as fit the width.
    """

    def __init__(self) -> None:
        self.figure = Figure(figsize=FIGSIZE, dpi=DPI)  # no layout engine: placed by hand
        self.canvas = FigureCanvasAgg(self.figure)
        self._renderer = self.canvas.get_renderer()
        ax = self.ax = self.figure.add_axes((0.1, 0.2, 0.8, 0.6))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_minor_locator(NullLocator())
        self._y_locator = MaxNLocator(nbins=6, steps=[1, 2, 5, 10])
        (self.median_line,) = ax.plot(
            [], [], color=TEAM_COLOR, linestyle="--", linewidth=2, zorder=2
        )
        self.lines: list = []  # one per manager shown, made when first needed, then reused
        height = self.figure.bbox.height
        self.title = self.figure.text(
            0.5, 1 - _GAP / 2 / height, "", ha="center", va="top",
            fontsize=_size("axes.titlesize"),
        )  # fmt: skip
        self.note = self.figure.text(
            0.5, 0.5, "", ha="center", va="center", wrap=True, color=_MESSAGE_COLOR,
            fontsize=_size("axes.titlesize"),
        )  # fmt: skip
        self._fonts = {
            "tick": FontProperties(size=_size("ytick.labelsize")),
            "legend": FontProperties(size=_size("legend.fontsize")),
        }
        self._widths: dict[tuple[str, str], float] = {}
        tick_px = _pt_to_px(_size("ytick.labelsize"))
        label_px = _pt_to_px(_size("axes.labelsize"))
        tick_pad = _pt_to_px(mpl.rcParams["xtick.major.size"] + mpl.rcParams["xtick.major.pad"])
        # fixed: the title's line above; two lines of time ticks and the axis label below
        self._title_px = _GAP / 2 + 1.3 * _pt_to_px(_size("axes.titlesize")) + _GAP / 2
        self._bottom = tick_pad + 2 * 1.2 * tick_px + 1.3 * label_px + _GAP / 2
        self._ylabel_px = 1.2 * label_px + _pt_to_px(mpl.rcParams["axes.labelpad"])
        self._ytick_pad = _pt_to_px(
            mpl.rcParams["ytick.major.size"] + mpl.rcParams["ytick.major.pad"]
        )

    def _line(self, i: int):
        while len(self.lines) <= i:
            (line,) = self.ax.plot([], [], marker="o", linewidth=2, markersize=5, zorder=3)
            self.lines.append(line)
        return self.lines[i]

    def message(self, text: str) -> None:
        """Show ``text`` alone, in place of a plot (no axes, no title)."""
        self.ax.set_visible(False)
        self.title.set_visible(False)
        self.note.set_text(text)
        self.note.set_visible(True)
        self.canvas.draw()

    def show(
        self,
        frame: pd.DataFrame,
        *,
        median: str,
        kind: str,
        weekly: bool,
        title: str,
        xlabel: str,
        ylabel: str,
    ) -> None:
        """Draw one view.

        Parameters
        ----------
        frame : pandas.DataFrame
            Index: the period starts (wall-clock, naive); one column per line, in the
            legend's order, values in the unit shown; NaN breaks a line.
        median : str
            The column drawn as the dashed grey median line (the others are managers).
        kind : str
            The kind of the values as shown ("rate" draws percent ticks).
        weekly : bool
            Whether the periods are weeks (tick texts "5 Jan") or months ("Nov").
        title, xlabel, ylabel : str
            Texts, already in the reader's language.
        """
        ax = self.ax
        self.note.set_visible(False)
        ax.set_visible(True)
        self.title.set_visible(True)
        self.title.set_text(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        x = date2num(frame.index.to_numpy(dtype="datetime64[us]"))
        handles, labels = [], []
        managers = [c for c in frame.columns if c != median]
        for i, name in enumerate(managers):
            line = self._line(i)
            line.set_data(x, frame[name].to_numpy(dtype="float64"))
            line.set_color(OKABE_ITO[i % len(OKABE_ITO)])
            line.set_visible(True)
            line.set_label(_legend_text(name))
            handles.append(line)
            labels.append(line.get_label())
        for line in self.lines[len(managers) :]:
            line.set_visible(False)
            line.set_label("_hidden")
        self.median_line.set_data(x, frame[median].to_numpy(dtype="float64"))
        self.median_line.set_label(_legend_text(median))
        handles.append(self.median_line)
        labels.append(self.median_line.get_label())

        ytexts = self._value_axis(frame.to_numpy(dtype="float64"), kind)
        left = (
            _GAP
            + (self._ylabel_px if ylabel else 0.0)
            + max((self._text_px(t) for t in ytexts), default=0.0)
            + self._ytick_pad
        )
        legend_px = self._legend(handles, labels, self.figure.bbox.width - left - _GAP)
        self._place(left=left, top=self._title_px + legend_px + _GAP / 2)
        self._time_axis(x, frame.index, weekly)
        self.canvas.draw()

    def _value_axis(self, values: np.ndarray, kind: str) -> list[str]:
        """From 0 to a little above the largest value, ticks at round steps; their texts."""
        top = np.nanmax(values) if np.isfinite(values).any() else 0.0
        top = float(top) * 1.05 if top > 0 else 1.0
        ticks = [t for t in self._y_locator.tick_values(0.0, top) if -1e-12 <= t <= top]
        step = ticks[1] - ticks[0] if len(ticks) > 1 else 0.0
        texts = [tick_text(kind, t, step) for t in ticks]
        self.ax.yaxis.set_major_locator(FixedLocator(ticks))
        self.ax.yaxis.set_major_formatter(FixedFormatter(texts))
        self.ax.set_ylim(0.0, top)
        return texts

    def _legend(self, handles: list, labels: list[str], room: float) -> float:
        """The legend just above the plot area, in as many columns as fit ``room`` px; its
        height in px."""
        size = self._fonts["legend"].get_size_in_points()
        em = _pt_to_px(size)
        # an entry: the line sample (2 em), a gap (0.8 em), its text; 2 em between columns
        entry = 2.8 * em + max(self._text_px(t, "legend") for t in labels)
        ncol = max(1, min(len(labels), int((room + 2 * em) // (entry + 2 * em))))
        legend = self.ax.legend(
            handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=ncol,
            borderaxespad=0.3, borderpad=0.0, frameon=False, fontsize=size,
        )  # fmt: skip
        return legend.get_window_extent(self._renderer).height

    def _place(self, *, left: float, top: float) -> None:
        """Put the plot area ``left`` px from the left edge and ``top`` px from the top."""
        width, height = self.figure.bbox.width, self.figure.bbox.height
        self.ax.set_position(
            (
                left / width,
                self._bottom / height,
                (width - left - 2 * _GAP) / width,
                max(0.2, (height - top - self._bottom) / height),
            )
        )

    def _time_axis(self, x: np.ndarray, starts: pd.DatetimeIndex, weekly: bool) -> None:
        """Ticks at every n-th period start, n as small as lets their texts stand apart."""
        texts = period_axis_labels(starts, weekly)
        widest = max((self._text_px(line) for t in texts for line in t.split("\n")), default=0)
        plot_px = self.ax.get_position().width * self.figure.bbox.width
        room = plot_px / max(1, len(x))  # px per period
        every = max(1, math.ceil((widest + _TICK_GAP) / room), math.ceil(len(x) / _MAX_TICKS))
        self.ax.xaxis.set_major_locator(FixedLocator(x[::every]))
        self.ax.xaxis.set_major_formatter(
            FixedFormatter(period_axis_labels(starts[::every], weekly))
        )
        pad = (3.5 if weekly else 15.0) * (1 if len(x) > 1 else 3)  # days
        self.ax.set_xlim(x[0] - pad, x[-1] + pad)

    def _text_px(self, text: str, font: str = "tick") -> float:
        """Width of a text in pixels (remembered: the same texts come back)."""
        key = (text, font)
        if key not in self._widths:
            self._widths[key] = self._renderer.get_text_width_height_descent(
                text, self._fonts[font], ismath=False
            )[0]
        return self._widths[key]

    def png(self) -> bytes:
        """PNG of what was drawn last: the pixels ``savefig`` would write, without drawing
        again."""
        buffer = io.BytesIO()
        pixels = np.asarray(self.canvas.buffer_rgba())
        image = PIL.Image.fromarray(pixels)
        image.save(buffer, format="png", compress_level=_PNG_COMPRESS_LEVEL)
        return buffer.getvalue()


def _legend_text(name: str) -> str:
    """A legend entry: CRM text shown literally (no mathtext), cut when very long."""
    text = str(name)
    if len(text) > _LABEL_CHARS:
        text = text[: _LABEL_CHARS - 1].rstrip() + "…"
    return text.replace("$", r"\$")
