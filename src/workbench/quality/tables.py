"""Tables for people to read: every cell escaped, text on the left, figures on the right.

A notebook's HTML table right-aligns every cell by default, which makes a column of
descriptions or names hard to read; and a printed frame right-aligns text too. :class:`Table`
renders a frame of display texts both ways with the alignment written on each cell (inline
styles survive JupyterLab's sanitizer, where a ``<style>`` block may not), so the same table
reads in a live notebook, a committed one and a plain-text output. CRM text is untrusted:
every cell and header is HTML-escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

import pandas as pd

__all__ = ["Prose", "Table", "escape"]

# Text keeps its spaces ("Call  about" shows the gap an empty CRM field left); a column of
# long texts wraps at them, one of short texts (names, ids) and figures stay on one line;
# headers wrap between words.
_SHORT = 40  # characters: a column whose texts are all this short never wraps
_CELL = "padding: 2px 10px; vertical-align: top; text-align: {align}; white-space: {space}"


def escape(text: object) -> str:
    """HTML-escape one value (``<script>`` becomes ``&lt;script&gt;``); NA becomes ""."""
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        return ""
    return html.escape(str(text), quote=True)


class Table:
    """A frame of display texts for ``display``: an HTML table, or aligned text.

    Parameters
    ----------
    frame : pandas.DataFrame
        The texts to show, one row per row; its column names are the headers (already in
        words). The index is not shown.
    right : iterable of str, optional
        Columns of figures, aligned right; every other column is text, aligned left.
    caption : str, optional
        A line above the table.
    note : str, optional
        A sentence below the table.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        *,
        right: Iterable[str] = (),
        caption: str = "",
        note: str = "",
    ) -> None:
        self.frame = frame.reset_index(drop=True)
        self.right = frozenset(right)
        self.caption, self.note = caption, note

    def _align(self, column: object) -> str:
        return "right" if column in self.right else "left"

    def _space(self, column: object) -> str:
        """How a column's cells wrap: long text at its spaces, short text (a name, an id)
        never; both keep their spaces as written. Figures never wrap."""
        if column in self.right:
            return "nowrap"
        longest = self.frame[column].astype("str").str.len().max()
        return "pre-wrap" if longest > _SHORT else "pre"

    def to_html(self) -> str:
        """The table as HTML, every text escaped, each cell's alignment inline."""
        cols = list(self.frame.columns)
        style = {c: _CELL.format(align=self._align(c), space=self._space(c)) for c in cols}
        head = "".join(
            f'<th style="{_CELL.format(align=self._align(c), space="normal")}">{escape(c)}</th>'
            for c in cols
        )
        rows = self.frame.itertuples(index=False, name=None)
        body = "".join(
            "<tr>"
            + "".join(
                f'<td style="{style[c]}">{escape(v)}</td>' for c, v in zip(cols, row, strict=True)
            )
            + "</tr>"
            for row in rows
        )
        caption = (
            f'<caption style="text-align: left; font-weight: bold">{escape(self.caption)}</caption>'
            if self.caption
            else ""
        )
        note = f"<p>{escape(self.note)}</p>" if self.note else ""
        return (
            f'<table class="workbench-table">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>{note}"
        )

    def to_text(self) -> str:
        """The table as aligned plain text: text left, figures right."""
        frame = self.frame.astype("str").replace({"<NA>": "", "nan": "", "None": ""})
        lines = []
        widths = {c: max([len(str(c)), *(len(v) for v in frame[c])]) for c in frame.columns}

        def cells(values) -> str:
            return "  ".join(
                str(v).rjust(widths[c]) if c in self.right else str(v).ljust(widths[c])
                for c, v in zip(frame.columns, values, strict=True)
            ).rstrip()

        lines.append(cells(frame.columns))
        lines += [cells(row) for row in frame.itertuples(index=False, name=None)]
        if self.caption:
            lines.insert(0, self.caption)
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return self.to_text()


class Prose:
    """A paragraph for ``display``: wraps at spaces in a notebook (a printed line in a
    monospace output breaks words), plain text elsewhere."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_html_(self) -> str:
        return f"<p>{escape(self.text)}</p>"

    def __repr__(self) -> str:
        return self.text
