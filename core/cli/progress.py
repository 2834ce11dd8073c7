"""Terminal progress for long steps, on stderr.

On a terminal: a tqdm bar, created when the step starts (``start``), not when the first
chunk is done, so it shows from the first second and its rate counts only work done since
it appeared (rows resumed from a cache are its ``initial`` count, not work).

Without a terminal (a log file, CI, ``2> log``): plain lines such as
``embedding (tfidf, instruction): 2,048 / 2,994 rows (68%), 410 rows/s, about 2s left``, at
most one every ``interval`` seconds (the first after ``interval`` seconds, so quick steps
print nothing) and a last one when a step that printed any finishes.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

DEFAULT_INTERVAL = 5.0  # seconds between two plain lines (QDX_PROGRESS_INTERVAL overrides)


class Progress:
    """``(done, total) -> True`` progress callback drawing on ``stream`` (default stderr).

    rate = (done - first_done) / (now - first_seen), where first_seen is when ``start`` (or
    the first update) saw ``first_done`` rows; ETA = (total - done) / rate.
    """

    def __init__(self, desc: str, unit: str = "rows", *, stream: TextIO | None = None,
                 tty: bool | None = None, interval: float | None = None) -> None:
        self.desc, self.unit = desc, unit
        self.stream = stream if stream is not None else sys.stderr
        self.tty = _isatty(self.stream) if tty is None else tty
        env = os.environ.get("QDX_PROGRESS_INTERVAL")
        self.interval = float(env) if interval is None and env else (
            DEFAULT_INTERVAL if interval is None else interval)
        self._bar = None
        self._first: tuple[float, int] | None = None
        self._last_line = 0.0
        self._printed: tuple[int, int] | None = None  # the state the last line showed
        self._state = (0, 0)

    def status(self, message: str) -> None:
        """A one-off line such as "loading model all-MiniLM-L6-v2", printed at once."""
        print(f"{self.desc}: {message}", file=self.stream, flush=True)

    def start(self, total: int, done: int = 0) -> None:
        """The step begins now with ``done`` of ``total`` already there (resumed)."""
        if self._first is None:
            self._first = (time.monotonic(), int(done))
            self._last_line = self._first[0]
            if self.tty:
                from tqdm import tqdm

                self._bar = tqdm(total=total, initial=done, desc=self.desc, unit=self.unit,
                                 leave=False, file=self.stream)
        self._state = (int(done), int(total))

    def __call__(self, done: int, total: int) -> bool:
        self.start(total, done)  # no-op after the first call
        self._state = (int(done), int(total))
        if self._bar is not None:
            self._bar.total = total
            self._bar.update(max(0, int(done) - self._bar.n))
        elif time.monotonic() - self._last_line >= self.interval:
            self._line()
        return True

    def line_text(self) -> str:
        """The plain progress line for the current state."""
        done, total = self._state
        text = f"{self.desc}: {done:,} / {total:,} {self.unit}"
        if total:
            text += f" ({100 * done / total:.0f}%)"
        started, first_done = self._first or (time.monotonic(), done)
        elapsed = time.monotonic() - started
        if done > first_done and elapsed > 0:
            rate = (done - first_done) / elapsed
            text += f", {rate:,.0f} {self.unit}/s"
            if total and done < total:
                text += f", about {_duration((total - done) / rate)} left"
        return text

    def _line(self) -> None:
        self._last_line = time.monotonic()
        self._printed = self._state
        print(self.line_text(), file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self._printed is not None and self._printed != self._state:
            self._line()  # where a long step ended, in the log too (once)


def progress_bar(desc: str, unit: str = "rows"
                 ) -> tuple[Callable[[int, int], bool], Callable[[], None]]:
    """Return (callback(done, total) -> True, close()) drawing progress on stderr."""
    progress = Progress(desc, unit)
    return progress, progress.close


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
