"""Shared bits of the benchmark scripts: where the data is, timing, peak memory."""

from __future__ import annotations

import os
import resource
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = (ROOT / ".." / "shared" / "data").resolve()
sys.path.insert(0, str(ROOT))


def shared_data(rel: str) -> Path:
    path = SHARED_DATA / rel
    if not path.exists():
        sys.exit(f"benchmark data missing: {path} (the benchmarks read ../shared/data)")
    return path


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (MiB, from getrusage)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timer():
    box = {}
    start = time.perf_counter()
    yield box
    box["seconds"] = time.perf_counter() - start


def cpu_note() -> str:
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores, load average {load:.1f}"
