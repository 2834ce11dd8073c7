"""``quality``: the k candidates with the highest quality score (ties to the lower row).

gains are the picks' quality and objective_trace its running sum. Needs a quality score:
with ``--quality none`` every row ties and the "top-k" would just be the first k rows, so
that is refused with an InputError.
"""

from __future__ import annotations

import numpy as np

from core.errors import InputError
from core.select.base import Picks, ProgressReporter, SelectionContext, SelectionPlan, Strategy


def quality_order(quality: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``rows`` sorted by descending quality, ties by ascending row."""
    rows = np.asarray(rows, dtype=np.int64)
    return rows[np.lexsort((rows, -quality[rows]))]


class QualityStrategy(Strategy):
    """Quality top-k."""

    name = "quality"
    needs = frozenset({"quality"})
    greedy = True
    resumable = True
    order = 20
    summary = "Top-k by quality: the baseline QDIT improves on."

    def gain_quality_part(self, gains: np.ndarray, rows: np.ndarray, q: np.ndarray
                          ) -> np.ndarray:
        """The whole gain: each pick's gain is its quality."""
        return np.asarray(gains, dtype=np.float64).copy()

    def _select(self, ctx: SelectionContext, plan: SelectionPlan, seed: int,
                report: ProgressReporter) -> Picks:
        if ctx.quality is None:
            raise InputError("strategy 'quality' needs a quality score; choose one other than "
                             "'none'", field="quality")
        best = quality_order(ctx.quality, plan.candidates)[:plan.n_free]
        rows = np.concatenate([plan.must, best])
        gains = ctx.quality[rows]
        return Picks(rows, gains, np.cumsum(gains))
