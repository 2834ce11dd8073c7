"""QDIT: greedy facility location plus quality (Bukharin & Zhao, arXiv 2311.14736).

Each step picks the row a maximising

    f_t(a) = (1 - alpha) * D_t(a) + alpha * q(a)

where q is the rank-normalised quality in [0, 1] and D_t(a) is the facility-location gain
g(a | A_t) = d(A_t + a) - d(A_t) of the whole pool (core.select.facility_location: cosine
clipped at 0, so every gain is in [0, n]) put on a scale by ``coverage`` (METHODS.md leaves
the scaling open; the slider must trade off smoothly on any pool size):

- "relative" (default): D_t(a) = g(a | A_t) / G_t with G_t = max over the free candidates
  b of g(b | A_t), the best gain available at this step. The diversity term is in [0, 1] at
  every step and every pool size, so alpha means the same thing throughout a run: at
  alpha = 0.5 a pick with 80% of the best coverage gain and quality 1 beats the best-coverage
  pick with quality 0.5. G_t is a constant within a step, so each step is still a greedy
  argmax, and it depends only on A_t (prefix-consistent, no dependence on k). When G_t = 0
  (everything is covered) 0 / 0 counts as 1 and the pick is the best quality. A forced
  (must-include) pick's G_t is the best gain among the free candidates and the forced row.
- "mean": D_t(a) = g(a | A_t) / n, the increase of the pool's mean coverage. Gains shrink
  about like 1 / t as picks accumulate while q does not, so past the first few dozen picks
  any alpha above ~0.01 is the quality top-k.
- "sum": D_t(a) = g(a | A_t), the paper's unnormalised sum. Early gains are O(n), so
  diversity dominates unless alpha is close to 1, and where the trade-off sits moves with n.

quality None (no score chosen) counts as q = 1 for every row: pure facility location.
alpha = 0 is pure facility location, alpha = 1 is the quality top-k (ties to the lower row),
in every mode.

gains: f_t of each pick. objective_trace after j picks:
- "relative": (1 - alpha) * d(A_j) / n + alpha * mean over A_j of q, the weighted mean
  coverage and mean quality of the selection (in [0, 1]; comparable across k and n; f_t is
  not the marginal of one set function, so there is no sum to trace);
- "mean" / "sum": F(A_j) = (1 - alpha) * d(A_j) / c + alpha * sum over A_j of q (c = n or 1),
  the running sum of the gains (f is then modular plus submodular).
info["final_mean_coverage"] is d(A) / n of the whole selection (alpha < 1).

Lazy greedy is exact in every mode (core.select.facility_location: gains only shrink, so stale
ones are upper bounds; "relative" finds G_t exactly first, then resolves the argmax over the
score bounds). Paths (``method``):

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
)
from core.select.facility_location import (
    FacilityLocationGreedy,
    dense_similarity,
    symmetric_similarity,
)
from core.select.params import Param
from core.select.relative_gain import RelativeGainGreedy

DENSE_MAX_N = 5000


class QditStrategy(Strategy):
    """Quality-diversity greedy: (1 - alpha) * facility-location gain + alpha * quality."""

    name = "qdit"
    needs = frozenset({"embeddings", "quality"})
    greedy = True
    resumable = True
    quality_weight_param = "alpha"
    order = 30
    summary = "Greedy facility location + quality (QDIT). alpha 0 = pure coverage, 1 = quality."
    params = (
        Param("alpha", "float", 0.5, "quality weight: 0 = pure coverage, 1 = quality only",
              low=0.0, high=1.0, step=0.05, main=True, label="alpha (quality weight)"),
        Param("method", "str", "auto", "similarity: dense (n x n), sparse (the kNN graph), "
              "or auto (dense up to dense_max_n rows)", choices=("auto", "dense", "sparse"),
              ui=False),
        Param("dense_max_n", "int", DENSE_MAX_N, "largest pool run dense when method=auto",
              low=1, ui=False),
        Param("coverage", "str", "relative", "the coverage gain's scale: relative (g/G_t, "
              "the paper's), mean or sum", choices=("relative", "mean", "sum"), ui=False),
    )

    def path(self, n: int) -> str:
        """"dense" or "sparse": the similarity this configuration uses on n rows."""
        if self.method != "auto":
            return self.method
        return "dense" if n <= int(self.dense_max_n) else "sparse"

    def gain_quality_part(self, gains: np.ndarray, rows: np.ndarray, q: np.ndarray
                          ) -> np.ndarray:
        """alpha * q of each pick (its gain is (1 - alpha) * D_t + alpha * q)."""
        return float(self.alpha) * q[rows]

    def context_needs(self, n: int) -> frozenset[str]:
        if self.quality_only():
            return super().context_needs(n)
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
        run = _run_relative if self.coverage == "relative" else _run_scaled
        picks = run(greedy, plan, q, alpha, self.coverage, report)
        if not self.quality_only():
            info["final_mean_coverage"] = greedy.coverage() / plan.n
        picks.info.update(info)
        picks.timings.update(timings)
        return picks

    def _greedy(self, ctx: SelectionContext) -> tuple[FacilityLocationGreedy, dict]:
        n = int(ctx.n)
        if self.quality_only():  # the coverage term has weight 0: skip the similarity
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


def _run_scaled(greedy: FacilityLocationGreedy, plan: SelectionPlan, q: np.ndarray,
                alpha: float, coverage: str, report: ProgressReporter) -> Picks:
    """"mean" / "sum": lazy greedy of scale * gain + alpha * q; trace = running sum of gains."""
    scale = (1.0 - alpha) / (plan.n if coverage == "mean" else 1.0)
    indices: list[int] = []
    gains: list[float] = []
    for row in plan.must:
        gains.append(scale * greedy.add(int(row)) + alpha * float(q[row]))
        indices.append(int(row))
        report(len(indices))
    if plan.n_free:
        greedy.start(plan.candidates, alpha * q, scale)
        chunk = max(1, plan.k // 100)
        while len(indices) < plan.k:
            rows, scores = greedy.pick(min(chunk, plan.k - len(indices)))
            indices.extend(rows.tolist())
            gains.extend(scores.tolist())
            report(len(indices))
    return Picks(indices, gains, np.cumsum(gains))


def _run_relative(greedy: FacilityLocationGreedy, plan: SelectionPlan, q: np.ndarray,
                  alpha: float, coverage: str, report: ProgressReporter) -> Picks:
    """"relative": f_t = (1 - alpha) * gain / G_t + alpha * q; trace = (1 - alpha) * mean
    coverage + alpha * mean quality of the picks so far."""
    relative = RelativeGainGreedy(greedy, plan.candidates, q, alpha)
    indices: list[int] = []
    gains: list[float] = []
    raw: list[float] = []
    for row in plan.must:
        score, gain = relative.force(int(row))
        indices.append(int(row))
        gains.append(score)
        raw.append(gain)
        report(len(indices))
    chunk = max(1, plan.k // 100)
    while len(indices) < plan.k:
        rows, scores, step_gains = relative.pick(min(chunk, plan.k - len(indices)))
        if not len(rows):
            break
        indices.extend(rows.tolist())
        gains.extend(scores.tolist())
        raw.extend(step_gains.tolist())
        report(len(indices))
    count = np.arange(1, len(indices) + 1)
    trace = ((1.0 - alpha) * np.cumsum(raw) / plan.n
             + alpha * np.cumsum(q[np.asarray(indices, dtype=np.int64)]) / count)
    return Picks(indices, gains, trace)
