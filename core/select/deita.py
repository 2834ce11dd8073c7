"""``deita``: DEITA-style score-first selection with a cosine redundancy threshold.

Walk the candidates by descending quality (ties to the lower row; with no quality score, in
row order) and keep a row only if its cosine to every row kept so far, must-include rows
included, is at most ``threshold`` (default 0.9), until k rows are kept. When the walk runs
out first the result is shorter than k and ``stopped_early`` says why.

gains: each pick's quality; objective_trace: the running sum. The walk goes in chunks: one
matrix product against the kept rows per chunk, then a short sequential pass inside the
chunk. O(m k d) time for m rows walked, O(k d) memory.
"""

from __future__ import annotations

import numpy as np

from core.select.base import (
    Picks,
    ProgressReporter,
    SelectionContext,
    SelectionPlan,
    Strategy,
)
from core.select.params import Param
from core.select.quality_topk import quality_order

CHUNK = 512


class DeitaStrategy(Strategy):
    """Score-first walk that skips rows too similar to a kept row."""

    name = "deita"
    needs = frozenset({"embeddings", "quality"})
    greedy = True
    resumable = True
    order = 80
    summary = "Score-first: by quality, skipping rows too similar to kept ones."
    params = (
        Param("threshold", "float", 0.9, "a row is skipped when its cosine similarity to a "
              "kept row exceeds this", low=0.0, high=1.0, step=0.01, label="cosine threshold"),
    )

    def gain_quality_part(self, gains: np.ndarray, rows: np.ndarray, q: np.ndarray
                          ) -> np.ndarray:
        """The whole gain: each pick's gain is its quality."""
        return np.asarray(gains, dtype=np.float64).copy()

    def _select(self, ctx: SelectionContext, plan: SelectionPlan, seed: int,
                report: ProgressReporter) -> Picks:
        x = np.asarray(ctx.require("embeddings", self.name), dtype=np.float32)
        thr = float(self.threshold)
        kept = np.empty((plan.k, x.shape[1]), dtype=np.float32)
        indices: list[int] = [int(r) for r in plan.must]
        kept[:len(indices)] = x[plan.must]
        walk = quality_order(ctx.quality_or_uniform(), plan.candidates)
        walked = 0
        for start in range(0, len(walk), CHUNK):
            if len(indices) >= plan.k:
                break
            chunk = walk[start:start + CHUNK]
            xc = x[chunk]
            n_kept = len(indices)
            ok = (xc @ kept[:n_kept].T).max(axis=1) <= thr if n_kept else \
                np.ones(len(chunk), dtype=bool)
            inner = xc @ xc.T
            chosen: list[int] = []
            for i in range(len(chunk)):
                walked = start + i + 1
                if ok[i] and (not chosen or inner[i, chosen].max() <= thr):
                    chosen.append(i)
                    indices.append(int(chunk[i]))
                    if len(indices) >= plan.k:
                        break
            kept[n_kept:len(indices)] = xc[chosen]
            report(len(indices))
        stopped = None
        if len(indices) < plan.k:
            stopped = (f"deita kept {len(indices)} of {plan.k} rows: every other candidate has "
                       f"a cosine above {thr:g} to a kept row")
        gains = ctx.quality_or_uniform()[indices]
        info = {"rows_walked": int(walked), "rows_skipped": int(walked - len(indices)
                                                               + len(plan.must))}
        return Picks(indices, gains, np.cumsum(gains), stopped_early=stopped, info=info)
