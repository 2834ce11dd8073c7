"""What a first selection needs besides the map, built right after it.

The Select page's first visit on a fresh 50,000-row workspace took 18 s, silently, while
k-means clusters, their names and the quality scores were computed on the spot. ``map``
(CLI) and the Pool page's "Embed and map" call :func:`prepare_selection_inputs` after the
map, with progress, so that visit reads them from the workspace's cache:

1. k-means clusters of the current embedding (``Workspace.clusters``, the default count);
2. their names (``Workspace.cluster_names``: top class-based TF-IDF terms);
3. the default quality score, rank-normalised (``core.quality.workspace_quality``);
4. the word tokens of both text sides the live metrics read
   (``core.metrics.workspace_pool.tokenized_side``);
5. the training-token counts of the workspace's tokenizer (``core.workspace.tokens``: the
   Training tokens card; tokenizing 50,000 rows takes about 20 s);
6. both sides' instruction units by the rules parser (``core.workspace.units``: the Units
   covered card);
7. the pool's own figures beside every selection's (Vendi, mean distance, cluster and
   text measures: ``core.metrics.workspace_pool.build_pool_figures``; the pool's compression
   ratio alone took seconds of a first visit);
8. the Pool page's minhash near-duplicate pairs at its slider's floor
   (``core.workspace.near_duplicates``: tens of seconds on 50,000 rows, which the first Pool
   visit spent before, slowing the first Select visit that interrupted it).

Each step is a cached workspace artifact: running this twice costs a few file reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from core.quality import DEFAULT_SPEC

StepProgress = Callable[[int, int, str], "bool | None"]


def preparation_steps(ws: Any, quality: str | None = DEFAULT_SPEC
                      ) -> list[tuple[str, Callable[[], Any]]]:
    """(label, compute) for each step, in order."""
    from core.metrics.workspace_pool import build_pool_figures, tokenized_side
    from core.quality import workspace_quality
    from core.workspace.near_duplicates import SLIDER_FLOORS, near_duplicate_pairs
    from core.workspace.tokens import token_counts
    from core.workspace.units import workspace_units

    return [
        ("k-means clusters", lambda: ws.clusters()),
        ("cluster names", lambda: ws.cluster_names()),
        (f"quality scores ({quality})", lambda: workspace_quality(ws, quality)),
        ("instruction word tokens", lambda: tokenized_side(ws, "instruction")),
        ("response word tokens", lambda: tokenized_side(ws, "response")),
        ("training tokens", lambda: token_counts(ws)),
        ("instruction units", lambda: workspace_units(ws, "instruction", "rules")),
        ("response units", lambda: workspace_units(ws, "response", "rules")),
        ("the pool's own figures", lambda: build_pool_figures(ws)),
        ("near-duplicate pairs (minhash)", lambda: near_duplicate_pairs(
            ws, "minhash", SLIDER_FLOORS["minhash"])),
    ]


def prepare_selection_inputs(ws: Any, quality: str | None = DEFAULT_SPEC,
                             progress: StepProgress | None = None) -> dict[str, float]:
    """Build every step (see the module docstring); returns seconds per step label.

    ``progress(done, total, label)`` is called before each step (label: what runs now) and
    once at the end with label "done".
    """
    steps = preparation_steps(ws, quality)
    seconds: dict[str, float] = {}
    for i, (label, compute) in enumerate(steps):
        if progress is not None:
            progress(i, len(steps), label)
        start = time.perf_counter()
        compute()
        seconds[label] = time.perf_counter() - start
    if progress is not None:
        progress(len(steps), len(steps), "done")
    return seconds
