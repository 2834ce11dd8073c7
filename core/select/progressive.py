"""A selection shown before it ends: the first picks, then the whole run.

Greedy picks are final in order, and a resumable strategy (``Strategy.resumable``) run with
its own first j picks pinned continues exactly as the uninterrupted run. So

    head = run_selection(ws, request with k = first)            # shown at once
    rest = run_selection(ws, request with head's picks pinned)  # the same k-run

gives the k-run's picks and objective trace; the pinned picks' gains are taken from the
head (a pinned row's gain may be scaled differently: qdit's relative gain divides by the
best gain on offer at its step, which a pinned step does not look for). The cost over one
run is the head itself plus replaying its picks: about first / k of a run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.progress import ProgressFn, against_total
from core.select.registry import STRATEGIES
from core.select.request import SelectionRequest
from core.select.result import SelectionResult
from core.select.run import run_selection


def can_run_progressively(request: SelectionRequest) -> bool:
    """A resumable strategy with no quota or token budget (both reorder or cut the picks)."""
    cls = STRATEGIES.get(request.strategy)
    return (cls is not None and cls.resumable and request.quota is None
            and request.budget_tokens is None)


def first_stage_size(request: SelectionRequest, n_rows: int, dim: int) -> int:
    """How many picks to show first: a quarter of k, or fewer where the strategy bounds
    the work of a first stage (``Strategy.first_stage_work``: pool rows x embedding
    dimensions x picks), but at least one; 0 when the request cannot run progressively or
    k < 4."""
    if request.k < 4 or not can_run_progressively(request):
        return 0
    first = request.k // 4
    work = STRATEGIES.get(request.strategy).first_stage_work
    if work is not None:
        first = min(first, max(1, int(work) // max(int(n_rows) * int(dim), 1)))
    return first


def run_progressively(ws: Any, request: SelectionRequest, first: int,
                      on_partial: Callable[[SelectionResult], Any] | None = None,
                      progress: ProgressFn | None = None) -> SelectionResult:
    """``run_selection(ws, request)``, calling ``on_partial(head)`` with the first ``first``
    picks as soon as they are made. The result equals the direct run's (picks, gains,
    trace) and its config is the request's. ``first`` must be below ``request.k``."""
    if not 0 < first < request.k:
        raise ValueError(f"first must lie in 1..k-1, got {first} for k={request.k}")
    head = run_selection(ws, request.replace(k=first), progress=against_total(progress, request.k))
    if on_partial is not None:
        on_partial(head)
    pinned = tuple(int(i) for i in head.indices)
    rest = run_selection(ws, request.replace(must_include=pinned),
                         progress=against_total(progress, request.k))
    rest.gains[:first] = head.gains
    rest.config.update({"k": request.k, "must_include": list(request.must_include)})
    rest.timings = {"first_picks": head.timings.get("total", 0.0), "first_k": float(first),
                    "total": head.timings.get("total", 0.0) + rest.timings.get("total", 0.0)}
    return rest

