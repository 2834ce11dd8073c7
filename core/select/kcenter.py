"""``kcenter``: greedy farthest-point selection (Gonzalez 1985), optionally quality-weighted.

Distance is the cosine distance dist(x, y) = 1 - x.y in [0, 2]; a row's distance to the
selection A is min over a in A; the distance to the empty set is 2 (the largest possible).
Each step picks the candidate maximising

    score_j = w_j * dist(x_j, A),   w_j = (1 - quality_weight) + quality_weight * q_j

so quality_weight = 0 is plain farthest-point (a 2-approximation of the k-center radius)
and 1 scales distances by the rank-normalised quality. The first pick (no must-include
rows) is therefore the best-quality candidate, or the lowest candidate row when unweighted.

gains: each pick's score. objective_trace[t]: the (weighted) covering radius of the
candidates after t + 1 picks, i.e. the largest score left, which is what the next pick
would get (lower is better; it never increases).

Exact lazy greedy (distances only shrink): a stale candidate is brought up to date against
the centres added since it was last seen with one matrix product per batch. Worst case
O(n k d) time, O(n + k d) memory.
"""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_limits

from core.select.base import (
    Picks,
    ProgressReporter,
    SelectionContext,
    SelectionPlan,
    Strategy,
)
from core.select.lazy import LazyGreedy
from core.select.params import Param

EMPTY_SET_DISTANCE = 2.0
ROW_BLOCK = 8192


class KCenterStrategy(Strategy):
    """Greedy farthest-point (k-center) selection with optional quality weighting."""

    name = "kcenter"
    needs = frozenset({"embeddings", "quality"})
    greedy = True
    resumable = True
    order = 50
    summary = "Farthest-point traversal: minimises the largest distance to a pick."
    params = (
        Param("quality_weight", "float", 0.0, "0 = plain farthest-point; 1 = distances scaled "
              "by the rank-normalised quality", low=0.0, high=1.0, step=0.05),
    )

    def gain_quality_part(self, gains: np.ndarray, rows: np.ndarray, q: np.ndarray
                          ) -> np.ndarray:
        """beta * q * dist: the share of the weighted distance w * dist the quality adds
        (w = (1 - beta) + beta * q; the coverage part is (1 - beta) * dist)."""
        beta = float(self.quality_weight)
        weight = (1.0 - beta) + beta * q[rows]
        share = np.divide(beta * q[rows], weight, out=np.zeros(len(rows)), where=weight > 0)
        return np.asarray(gains, dtype=np.float64) * share

    def _select(self, ctx: SelectionContext, plan: SelectionPlan, seed: int,
                report: ProgressReporter) -> Picks:
        x = ctx.require("embeddings", self.name)
        beta = float(self.quality_weight)
        weight = (1.0 - beta) + beta * ctx.quality_or_uniform()
        with threadpool_limits(limits=1, user_api="blas"):  # many small products
            return _FarthestPoint(x, weight, plan, report).run()


class _FarthestPoint:
    def __init__(self, x: np.ndarray, weight: np.ndarray, plan: SelectionPlan,
                 report: ProgressReporter) -> None:
        self.x = x
        self.weight = weight
        self.plan = plan
        self.report = report
        self.mind = np.full(plan.n, EMPTY_SET_DISTANCE)
        self.upto = np.zeros(plan.n, dtype=np.int64)  # centres folded into mind
        self.centers = np.empty((plan.k, x.shape[1]), dtype=np.float32)
        self.indices: list[int] = []
        self.gains: list[float] = []

    def run(self) -> Picks:
        for row in self.plan.must:
            self._update(np.array([row]))
            self._take(int(row), float(self.weight[row] * self.mind[row]))
        if not self.plan.n_free:
            return self._finish(self._radius_of_rest())
        free = self.plan.candidates
        for start in range(0, len(free), ROW_BLOCK):  # bring all candidates up to date once
            self._update(free[start:start + ROW_BLOCK])
        picker = LazyGreedy(free, self._scores(free), self.plan.n, len(self.indices))
        while len(self.indices) < self.plan.k:
            row, score = picker.pick(len(self.indices), self._evaluate)
            self._take(row, score)
        nxt = picker.pick(len(self.indices), self._evaluate)
        return self._finish(0.0 if nxt is None else nxt[1])

    def _scores(self, rows: np.ndarray) -> np.ndarray:
        return self.weight[rows] * self.mind[rows]

    def _evaluate(self, rows: np.ndarray) -> np.ndarray:
        self._update(rows)
        return self._scores(rows)

    def _update(self, rows: np.ndarray) -> None:
        t = len(self.indices)
        if not len(rows) or t == 0:
            return
        u = int(self.upto[rows].min())
        if u < t:
            sims = self.x[rows] @ self.centers[u:t].T
            self.mind[rows] = np.minimum(self.mind[rows], 1.0 - sims.max(axis=1))
            self.upto[rows] = t

    def _take(self, row: int, score: float) -> None:
        self.centers[len(self.indices)] = self.x[row]
        self.indices.append(row)
        self.gains.append(score)
        self.mind[row] = 0.0
        self.report(len(self.indices))

    def _radius_of_rest(self) -> float:
        rest = self.plan.candidates
        if not len(rest):
            return 0.0
        for start in range(0, len(rest), ROW_BLOCK):
            self._update(rest[start:start + ROW_BLOCK])
        return float(self._scores(rest).max())

    def _finish(self, last_radius: float) -> Picks:
        trace = [*self.gains[1:], last_radius]
        return Picks(self.indices, self.gains, trace)
