"""QDIT: greedy facility location plus quality (Bukharin & Zhao, arXiv 2311.14736).

Each step picks the row a maximising

    f(a | A) = (1 - alpha) * [d(A + a) - d(A)] / n  +  alpha * q(a)

where d is the facility-location coverage of the whole pool (core.select.facility_location:
cosine clipped at 0, so every gain is in [0, n]) and q is the rank-normalised quality in
[0, 1]. Scaling choices (METHODS.md leaves them open):

- coverage="mean" (default) divides the gain by n, so the diversity term is the increase of
  the pool's *mean* coverage and lies in [0, 1] like q. Note the consequence: gains shrink
  as the selection grows while q does not, so past the first few dozen picks even a small
  alpha lets quality dominate. coverage="sum" keeps the paper's unnormalised sum (gains in
  [0, n]); then diversity dominates unless alpha is close to 1.
- quality None (no score chosen) counts as q = 1 for every row: pure facility location.

alpha = 0 is pure facility location, alpha = 1 is the quality top-k (ties to the lower row).
The objective after each pick is F(A) = (1 - alpha) d(A) / n + alpha * sum_{a in A} q(a);
objective_trace is its running value and gains the marginal f(a | A) of each pick.

Because f is submodular (modular plus submodular) lazy greedy is exact
(core.select.facility_location). Paths (``method``):

- "dense": the full n x n similarity (4 n^2 bytes, O(n^2 d) to build), exact;
- "sparse": the shared kNN graph, symmetrised (O(n K) memory; each re-evaluation O(K));
- "auto" (default): dense when n <= dense_max_n, else sparse.
Both are exact greedy with respect to their similarity and agree on a complete graph.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from core.neighbors import build_knn_graph
from core.select.base import (
    Picks,
    ProgressReporter,
    SelectionContext,
    SelectionPlan,
    Strategy,
    check_choice,
    check_positive,
    check_unit_interval,
)
from core.select.facility_location import (
    FacilityLocationGreedy,
    dense_similarity,
    symmetric_similarity,
)

DENSE_MAX_N = 5000


class QditStrategy(Strategy):
    """Quality-diversity greedy: (1 - alpha) * facility-location gain + alpha * quality."""

    name = "qdit"
    needs = frozenset({"embeddings", "quality"})
    greedy = True

    def __init__(self, alpha: float = 0.5, method: str = "auto", dense_max_n: int = DENSE_MAX_N,
                 coverage: str = "mean") -> None:
        self.alpha = alpha
        self.method = method
        self.dense_max_n = dense_max_n
        self.coverage = coverage

    def check_params(self) -> None:
        check_unit_interval("alpha", self.alpha)
        check_choice("method", self.method, ("auto", "dense", "sparse"))
        check_positive("dense_max_n", self.dense_max_n, integer=True)
        check_choice("coverage", self.coverage, ("mean", "sum"))

    def path(self, n: int) -> str:
        """"dense" or "sparse": the similarity this configuration uses on n rows."""
        if self.method != "auto":
            return self.method
        return "dense" if n <= int(self.dense_max_n) else "sparse"

    def context_needs(self, n: int) -> frozenset[str]:
        if float(self.alpha) == 1.0:
            return frozenset({"quality"})
        if self.path(n) == "sparse":
            return frozenset({"knn", "quality"})
        return frozenset({"embeddings", "quality"})

    def _select(self, ctx: SelectionContext, plan: SelectionPlan, seed: int,
                report: ProgressReporter) -> Picks:
        alpha = float(self.alpha)
        q = ctx.quality_or_uniform()
        t0 = time.perf_counter()
        greedy, info = self._greedy(ctx)
        timings = {"prepare": time.perf_counter() - t0}
        scale = (1.0 - alpha) / (plan.n if self.coverage == "mean" else 1.0)
        indices: list[int] = []
        gains: list[float] = []
        for row in plan.must:
            gains.append(scale * greedy.add(int(row)) + alpha * float(q[row]))
            indices.append(int(row))
            report(len(indices))
        if plan.n_free:
            greedy.start(plan.pool, alpha * q, scale)
            chunk = max(1, plan.k // 100)
            while len(indices) < plan.k:
                rows, scores = greedy.pick(min(chunk, plan.k - len(indices)))
                indices.extend(rows.tolist())
                gains.extend(scores.tolist())
                report(len(indices))
        if alpha < 1.0:
            info["final_mean_coverage"] = greedy.coverage() / plan.n
        return Picks(indices, gains, np.cumsum(gains), info=info, timings=timings)

    def _greedy(self, ctx: SelectionContext) -> tuple[FacilityLocationGreedy, dict]:
        n = int(ctx.n)
        if float(self.alpha) == 1.0:  # the coverage term has weight 0: skip the similarity
            return FacilityLocationGreedy(sp.identity(n, dtype=np.float32, format="csr")), \
                {"path": "none"}
        if self.path(n) == "dense":
            sim = dense_similarity(ctx.require("embeddings", self.name))
            return FacilityLocationGreedy(sim), {"path": "dense"}
        knn = ctx.knn
        if knn is None:
            knn = build_knn_graph(ctx.require("embeddings", self.name))
        return FacilityLocationGreedy(symmetric_similarity(knn)), \
            {"path": "sparse", "knn_k": knn.k, "knn_exact": knn.exact}
