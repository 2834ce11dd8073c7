"""DPP greedy MAP with a quality-weighted kernel (Chen, Zhang & Zhou 2018; Wang et al. 2402.02318).

Kernel on the L2-normalised embeddings (``kernel``):
- "exp_cosine" (default): K(x, y) = exp(gamma * (x.y - 1) / 2), full rank, K(x, x) = 1;
- "rbf": K(x, y) = exp(-gamma * ||x - y||^2 / 4); identical to "exp_cosine" on unit vectors,
  it differs only if the context holds unnormalised features.
(The plain cosine kernel is not offered: its rank is at most d, so greedy MAP stalls after
d picks.)

Step t picks the candidate j maximising

    score_j = theta * log q_j + (1 - theta) * log d_j^2

where d_j^2 = K_jj - k_{A,j}^T K_A^{-1} k_{A,j} is j's conditional variance given the
selection A and theta = ``lam`` (0 = pure diversity, 1 = pure quality). Summed over the
picks the score is theta * sum log q + (1 - theta) * log det K_A: objective_trace holds that
running value and gains each pick's score. q is the rank-normalised quality floored at
``quality_floor`` (rank normalisation gives the worst row q = 0 exactly; log 0 would make it
unpickable for any theta > 0); with no quality score q = 1 for every row. lam = 1 is the
quality top-k exactly (ties to the lower row, the floor plays no part).

Numerics: d^2 is clamped at 0; a candidate whose d^2 falls below ``min_variance`` (1e-10)
scores -inf and is never picked; when no candidate is left above it the run stops with
``stopped_early`` set. Nothing returns NaN.

Algorithm (core.select.dpp_map): Chen et al.'s incremental Cholesky in panels of ``panel``
picks, lazy greedy within a panel and level-3 BLAS updates between panels, exact up to
round-off; C is kept for at most ``memory_mb`` MiB of candidates, the others wait as upper
bounds and are re-evaluated from scratch if they come back into contention. Time
O(n k^2 + n k d) at worst; no n x n matrix.

``precision``: "float64", "float32" (C, L and the kernel panels in single precision, d^2
accumulated in double: half the memory traffic and memory; d^2 is good to about 1e-6, so a
pick can differ from the float64 run only between candidates that tie to that accuracy) or
"auto" (float64 while the full C would take at most 64 MiB, float32 beyond: small pools
and the exactness tests stay in double, the 50,000-row pool at k = 1,000 runs in single).
"""

from __future__ import annotations

from functools import partial

import numpy as np
from threadpoolctl import threadpool_limits

from core.select.base import (
    Picks,
    ProgressReporter,
    SelectionContext,
    SelectionPlan,
    Strategy,
)
from core.select.dpp_map import Factor, GreedyMap, HotSet, MapScore
from core.select.params import Param
from core.select.quality_topk import quality_order

AUTO_FLOAT64_BYTES = 64 * 2**20


def kernel_block(xa: np.ndarray, xb: np.ndarray, kernel: str = "exp_cosine",
                 gamma: float = 1.0, dtype=np.float64) -> np.ndarray:
    """K(a, b) for rows of ``xa`` (p, d) and ``xb`` (m, d): (p, m) in ``dtype``."""
    dots = (np.asarray(xa, dtype=np.float32) @ np.asarray(xb, dtype=np.float32).T)
    dots = dots.astype(dtype, copy=False)
    if kernel == "exp_cosine":
        dots -= 1.0
        dots *= gamma / 2.0
        return np.exp(dots, out=dots)
    na = np.einsum("ij,ij->i", xa, xa, dtype=np.float64).astype(dtype)
    nb = np.einsum("ij,ij->i", xb, xb, dtype=np.float64).astype(dtype)
    sq = np.maximum(na[:, None] + nb[None, :] - 2.0 * dots, 0.0)
    sq *= -gamma / 4.0
    return np.exp(sq, out=sq)


class DppStrategy(Strategy):
    """Quality-weighted DPP greedy MAP; ``lam`` is the quality weight theta."""

    name = "dpp"
    needs = frozenset({"embeddings", "quality"})
    greedy = True
    resumable = True
    # Pick j costs O(n (d + j)): on the 50,000-row MiniLM workspace (d = 384) a first stage
    # of 250 picks took about 0.5 s, and the first cards came 0.86 s after the release; 100
    # picks there (150 at d = 256) take about 0.25 s.
    first_stage_work = 100 * 50_000 * 384
    quality_weight_param = "lam"
    prefetch = True  # O(n k^2): seconds at k = 2,000 on 50,000 rows
    order = 40
    summary = "Greedy MAP of a quality-weighted DPP. lambda 0 = pure diversity, 1 = quality."
    params = (
        Param("lam", "float", 0.5, "quality weight theta: 0 = pure diversity, 1 = quality "
              "only", low=0.0, high=1.0, step=0.05, main=True, label="lambda (quality weight)"),
        Param("gamma", "float", 1.0, "kernel bandwidth: S = exp(gamma (cos - 1)), or the RBF's",
              low=0.0, low_open=True, step=0.1, ui=False),
        Param("kernel", "str", "exp_cosine", "similarity kernel", choices=("exp_cosine", "rbf"),
              ui=False),
        Param("quality_floor", "float", 1e-6, "smallest quality used in log q", low=0.0,
              low_open=True, ui=False),
        Param("min_variance", "float", 1e-10, "stop when no candidate's conditional "
              "variance exceeds this", low=0.0, low_open=True, ui=False),
        Param("panel", "int", 64, "picks per blocked panel update", low=1, ui=False),
        Param("precision", "str", "auto", "float arithmetic of the greedy",
              choices=("auto", "float64", "float32"), ui=False),
        Param("memory_mb", "float", 512, "memory for the hot candidates' factor rows (MB)",
              low=0.0, low_open=True, ui=False),
    )

    def gain_quality_part(self, gains: np.ndarray, rows: np.ndarray, q: np.ndarray
                          ) -> np.ndarray:
        """theta * log q (floored) of each pick (its gain adds (1 - theta) * log d^2)."""
        return float(self.lam) * np.log(np.maximum(q[rows], float(self.quality_floor)))

    def _select(self, ctx: SelectionContext, plan: SelectionPlan, seed: int,
                report: ProgressReporter) -> Picks:
        q = ctx.quality_or_uniform()
        if self.quality_only():
            return _quality_top_k(q, plan, self.quality_floor, report)
        x = ctx.require("embeddings", self.name)
        # One BLAS thread: OpenBLAS threads add synchronisation stalls that become 3-15x
        # slowdowns when the cores are shared with other work (measured on 2 busy cores).
        with threadpool_limits(limits=1, user_api="blas"):
            return self._greedy_map(x, q, plan, report).run()

    def _greedy_map(self, x: np.ndarray, q: np.ndarray, plan: SelectionPlan,
                    report: ProgressReporter) -> GreedyMap:
        """The run's state: ``plan.candidates`` by position, their float32 embeddings (``x``
        itself when it already is that array), the precision ``auto`` resolves to."""
        cols, k = plan.candidates, plan.k
        precision = self.precision
        if precision == "auto":
            precision = "float64" if len(cols) * k * 8 <= AUTO_FLOAT64_BYTES else "float32"
        dtype = np.dtype(precision)
        everyone = len(cols) == len(x) and bool((cols == np.arange(len(x))).all())
        xc = (x if everyone and x.dtype == np.float32 and x.flags.c_contiguous
              else np.ascontiguousarray(x[cols], dtype=np.float32))
        kernel = partial(kernel_block, kernel=self.kernel, gamma=float(self.gamma), dtype=dtype)
        score = MapScore(float(self.lam), float(self.min_variance),
                         np.log(np.maximum(q, float(self.quality_floor))), cols)
        return GreedyMap(x, xc, plan, score, Factor(k, x.shape[1], int(self.panel), dtype, kernel),
                         HotSet(xc, k, dtype, float(self.memory_mb) * 2**20), report)


def _quality_top_k(q: np.ndarray, plan: SelectionPlan, floor: float,
                   report: ProgressReporter) -> Picks:
    rows = np.concatenate([plan.must, quality_order(q, plan.candidates)[:plan.n_free]])
    gains = np.log(np.maximum(q[rows], floor))
    report(len(rows))
    return Picks(rows, gains, np.cumsum(gains))
