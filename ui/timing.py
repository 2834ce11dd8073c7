"""Where a rerun's time goes, for benchmarks/ui_latency.py: with QDX_TIMING_LOG=PATH set,
each :class:`PhaseLog` appends one JSON line (label, wall-clock start, seconds at each
mark) to PATH; without it, marks cost nothing."""

from __future__ import annotations

import json
import os
import time


class PhaseLog:
    def __init__(self, label: str) -> None:
        self.path = os.environ.get("QDX_TIMING_LOG")
        self.label = label
        self.wall = time.time()
        self.start = time.perf_counter()
        self.marks: dict[str, float] = {}

    def mark(self, name: str) -> None:
        if self.path:
            self.marks[name] = round(time.perf_counter() - self.start, 4)

    def write(self) -> None:
        if not self.path:
            return
        line = json.dumps({"label": self.label, "wall": self.wall, **self.marks})
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
