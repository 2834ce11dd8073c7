"""The background slider sweep's process (ui.tradeoff starts it; no Streamlit here).

A process rather than a thread: it takes no GIL time from the page's own runs, it can be
stopped at once (the sweep writes its result atomically, so stopping leaves nothing half
written and saves no selection), and it runs at a lower priority with one BLAS thread, so
a foreground run gets the cores first.
"""

from __future__ import annotations

import os
from typing import Any


def run_child(root: str, spec: Any, done: Any, errors: Any) -> None:
    """Run ``core.sweep.run_sweep(Workspace.open(root), spec)``; ``done`` (a shared int)
    counts the points; a one-line error goes to the ``errors`` queue."""
    try:
        os.nice(10)
    except OSError:
        pass
    from threadpoolctl import threadpool_limits

    from core.errors import InputError
    from core.sweep import run_sweep
    from core.workspace import Workspace

    def progress(count: int, total: int, value: float) -> bool:
        done.value = count
        return True

    try:
        with threadpool_limits(limits=1):
            run_sweep(Workspace.open(root), spec, progress=progress)
    except (InputError, OSError, ValueError, RuntimeError) as exc:
        errors.put(str(exc))
