"""``random``: a uniform random sample of the candidates, the baseline every comparison needs.

The pick order is a seeded permutation of the candidate rows (numpy's PCG64 via
``default_rng(seed)``), so a j-run is the prefix of a k-run with the same seed. gains are the
picks' quality (1 when no quality score is chosen) and objective_trace its running sum, so
the curve is comparable with ``quality``'s.
"""

from __future__ import annotations

import numpy as np

from core.select.base import Picks, ProgressReporter, SelectionContext, SelectionPlan, Strategy


class RandomStrategy(Strategy):
    """Uniform random sample (seeded)."""

    name = "random"
    needs = frozenset({"quality"})
    greedy = True
    order = 10
    summary = "Uniform random baseline."

    def _select(self, ctx: SelectionContext, plan: SelectionPlan, seed: int,
                report: ProgressReporter) -> Picks:
        rng = np.random.default_rng(seed)
        order = plan.candidates[rng.permutation(len(plan.candidates))][:plan.n_free]
        rows = np.concatenate([plan.must, order])
        gains = ctx.quality_or_uniform()[rows]
        return Picks(rows, gains, np.cumsum(gains))
