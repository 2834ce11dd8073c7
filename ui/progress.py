"""A Streamlit progress bar with an estimate of the time left, as a core progress callback."""

from __future__ import annotations

import time

import streamlit as st

MIN_INTERVAL = 0.1  # seconds between two bar updates (a 2,000-pick run reported 200 times)


class ProgressWithEta:
    """Callable ``(done, total) -> True`` that updates ``st.progress`` with rate and ETA."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar = st.progress(0.0, text=f"{label}…")
        self.started = time.monotonic()
        self.drawn = self.started - MIN_INTERVAL
        self.first_done: int | None = None

    def __call__(self, done: int, total: int) -> bool:
        total = max(int(total), 1)
        done = min(int(done), total)
        now = time.monotonic()
        if now - self.drawn < MIN_INTERVAL and done < total:
            return True  # each update is a message and a redraw in the browser
        self.drawn = now
        elapsed = now - self.started
        if self.first_done is None:
            self.first_done = done
        work = done - self.first_done
        if work > 0 and elapsed > 0.5:
            rate = work / elapsed
            left = (total - done) / rate
            text = (f"{self.label}: {done:,} / {total:,} ({rate:,.0f}/s, about "
                    f"{_fmt(left)} left)")
        else:
            text = f"{self.label}: {done:,} / {total:,}"
        self.bar.progress(done / total, text=text)
        return True

    def done(self, text: str | None = None) -> None:
        self.bar.progress(1.0, text=text or f"{self.label}: done in "
                          f"{_fmt(time.monotonic() - self.started)}")


def _fmt(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
