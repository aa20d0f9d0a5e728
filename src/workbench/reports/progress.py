"""Progress and the run log of a report batch.

On a terminal the batch shows one live bar (tqdm) and a line for each failure; to a file or
a pipe it writes plain lines, one per step and per report. Every line also goes to the run
log (``<out>/<period>/run.log``), which holds the full traceback of every failure too.
Every CRM string (a manager's name, an error naming one) is passed through
:func:`workbench.terminal.safe_text` so a control character cannot drive the terminal.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import TextIO

from workbench.files import atomic_write
from workbench.terminal import safe_text

__all__ = ["Progress", "safe_text"]


class Progress:
    """Progress lines and bar for ``stream`` (None: silent), and the run log's lines.

    ``unit`` names what the batch renders, in its lines ("report 3/11 rendered ...", "case
    1/2 ...") and on the bar; terminal lines are English, as every verb's are.
    """

    def __init__(self, stream: TextIO | None, *, unit: str = "report") -> None:
        self.stream = stream
        self.unit = unit
        self.tty = bool(stream is not None and getattr(stream, "isatty", lambda: False)())
        self.log: list[str] = []
        self.bar = None
        self.total = self.done = 0
        self.began = time.perf_counter()

    def _log(self, text: str) -> None:
        stamp = datetime.now().astimezone().isoformat(timespec="seconds")
        self.log.extend(f"{stamp} {line}" for line in text.splitlines() or [""])

    def line(self, text: str) -> None:
        """A line for the user and the log (``text`` must already be safe)."""
        self._log(text)
        if self.stream is None:
            return
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def detail(self, text: str) -> None:
        """Log-only text (a traceback): never shown on the terminal."""
        self._log(safe_text(text).replace("\\n", "\n"))

    def start(self, total: int, done: int = 0) -> None:
        """Begin counting ``total`` reports (or cases), ``done`` of them already done."""
        self.total, self.done = total, done
        if self.tty and total:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total, initial=done, file=self.stream, unit=self.unit, dynamic_ncols=True
            )

    def report(self, status: str, manager: str, seconds: float, error: str | None) -> None:
        """One report (or case) finished (rendered, failed, interrupted)."""
        self.done += 1
        name = safe_text(manager)
        why = f": {safe_text(error)}" if error else ""
        text = f"{self.unit} {self.done}/{self.total} {status} {name} ({seconds:.1f} s){why}"
        if self.bar is not None:
            self.bar.update(1)
            self._log(text)
            if status == "failed":
                self.bar.write(text, file=self.stream)
        else:
            self.line(text)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def write_log(self, path: Path) -> None:
        """Write the log so far to ``path`` (atomically: whole or not at all)."""
        atomic_write(path, "\n".join(self.log) + "\n")
