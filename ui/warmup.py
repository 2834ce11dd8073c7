"""What a fresh dashboard server does once, in the background, after its first page is drawn.

A server's first visit to the Select page paid for work that has nothing to do with the
user's pool: importing every strategy module (the registry discovers them), loading the
compiled numba loops of the greedy from their cache (the first call of each in a process),
and importing the modules behind the page's widgets, map picture and explanations. On the
50,000-row workspace that was 0.6 to 0.9 s of a first visit that must be drawn within 2 s.
:func:`start`, called by ``app.py`` after each page is drawn, does that work once per
process on a daemon thread, on a pool of 64 synthetic rows, while the user reads the first
page. The same calls in the page then cost nothing. QDX_WARMUP=0 turns it off.
"""

from __future__ import annotations

import logging
import threading

from ui import settings

log = logging.getLogger(__name__)

_lock = threading.Lock()
_thread: threading.Thread | None = None
# Strategies whose first run in a process loads compiled loops or builds kernels: qdit on
# the kNN graph (a large pool's path) with the paper's relative gain and the scaled one,
# kcenter, dpp.
WARM_RUNS = (("qdit", {"method": "sparse"}), ("qdit", {"method": "sparse", "coverage": "mean"}),
             ("kcenter", {}), ("dpp", {}))
PAGE_MODULES = ("ui.explain_view", "ui.tradeoff", "ui.map_figure", "ui.params",
                "ui.composition", "ui.run_memo", "PIL.PngImagePlugin")


def start() -> bool:
    """Start the warm-up thread unless it has been started in this process (or QDX_WARMUP
    turns it off); True when this call started it."""
    global _thread
    with _lock:
        if _thread is not None or not settings.warmup_enabled():
            return False
        _thread = threading.Thread(target=warm, name="qdx-warmup", daemon=True)
        _thread.start()
        return True


def join(timeout: float | None = None) -> bool:
    """Wait for a started warm-up; True when none is running (any more)."""
    thread = _thread
    if thread is not None:
        thread.join(timeout)
    return thread is None or not thread.is_alive()


def warm() -> list[str]:
    """Do the warm-up now, in this thread; returns what it warmed. Never raises: a failure
    is logged and only means the page pays for it later, as before."""
    import importlib

    done: list[str] = []
    try:
        from core.select.registry import STRATEGIES

        done.append(f"{len(STRATEGIES)} strategies")
        for module in PAGE_MODULES:
            importlib.import_module(module)
        done.append("page modules")
        ctx = _tiny_context()
        for name, params in WARM_RUNS:
            cls = STRATEGIES.get(name)
            if cls is None:
                continue
            params = {k: v for k, v in params.items() if k in cls.param_names()}
            cls(**params).select(ctx, 8, seed=0)
            done.append(name + "".join(f" {k}={v}" for k, v in params.items()))
    except Exception:  # a warm-up must never break the page that started it
        log.exception("dashboard warm-up failed")
    return done


def _tiny_context():
    """64 unit vectors with a quality score and their kNN graph: the same array types as
    a workspace's, so the compiled loops loaded here are the ones real runs call."""
    import numpy as np

    from core.neighbors import build_knn_graph
    from core.select.base import SelectionContext

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 16)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return SelectionContext(embeddings=x, quality=rng.random(64), knn=build_knn_graph(x, 8))
