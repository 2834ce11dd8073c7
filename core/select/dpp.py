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

Algorithm: Chen et al.'s incremental Cholesky, C[j, :] = L^{-1} k_{A,j} with L the Cholesky
factor of K_A, d_j^2 = 1 - ||C[j, :]||^2, in *panels* of ``panel`` picks. Within a panel
the picks are found by lazy greedy (d_j^2 only shrinks, so a stale score is an upper bound;
core.select.lazy), re-evaluating only the top candidates from the panel-start state; at the
end of a panel C and d^2 are brought up to date for every candidate with matrix-matrix
products (level-3 BLAS instead of one matrix-vector product per pick). Exact: the same picks
as Chen's per-step update, up to float round-off. Time O(n k^2 + n k d); memory O(n k)
(C is n_candidates x k float64) plus O(k^2) for L; kernel columns are computed on the fly,
never an n x n matrix.
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
    check_choice,
    check_positive,
    check_unit_interval,
)
from core.select.lazy import LazyGreedy
from core.select.quality_topk import quality_order

ROW_BLOCK = 8192


def solve_triangular(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a^{-1} b for lower-triangular ``a`` (scipy imported on first use: it is slow to load)."""
    from scipy.linalg import solve_triangular as solve

    return solve(a, b, lower=True, check_finite=False)


def kernel_block(xa: np.ndarray, xb: np.ndarray, kernel: str = "exp_cosine",
                 gamma: float = 1.0) -> np.ndarray:
    """K(a, b) for rows of ``xa`` (p, d) and ``xb`` (m, d): float64 (p, m)."""
    dots = (np.asarray(xa, dtype=np.float32) @ np.asarray(xb, dtype=np.float32).T)
    dots = dots.astype(np.float64)
    if kernel == "exp_cosine":
        return np.exp(gamma * (dots - 1.0) / 2.0)
    na = np.einsum("ij,ij->i", xa, xa, dtype=np.float64)
    nb = np.einsum("ij,ij->i", xb, xb, dtype=np.float64)
    sq = np.maximum(na[:, None] + nb[None, :] - 2.0 * dots, 0.0)
    return np.exp(-gamma * sq / 4.0)


class DppStrategy(Strategy):
    """Quality-weighted DPP greedy MAP; ``lam`` is the quality weight theta."""

    name = "dpp"
    needs = frozenset({"embeddings", "quality"})
    greedy = True

    def __init__(self, lam: float = 0.5, gamma: float = 1.0, kernel: str = "exp_cosine",
                 quality_floor: float = 1e-6, min_variance: float = 1e-10,
                 panel: int = 64) -> None:
        self.lam = lam
        self.gamma = gamma
        self.kernel = kernel
        self.quality_floor = quality_floor
        self.min_variance = min_variance
        self.panel = panel

    def check_params(self) -> None:
        check_unit_interval("lam", self.lam)
        check_positive("gamma", self.gamma)
        check_choice("kernel", self.kernel, ("exp_cosine", "rbf"))
        check_positive("quality_floor", self.quality_floor)
        check_positive("min_variance", self.min_variance)
        check_positive("panel", self.panel, integer=True)

    def context_needs(self, n: int) -> frozenset[str]:
        return frozenset({"quality"}) if float(self.lam) == 1.0 else self.needs

    def _select(self, ctx: SelectionContext, plan: SelectionPlan, seed: int,
                report: ProgressReporter) -> Picks:
        q = ctx.quality_or_uniform()
        if float(self.lam) == 1.0:
            return _quality_top_k(q, plan, self.quality_floor, report)
        x = ctx.require("embeddings", self.name)
        # One BLAS thread: OpenBLAS threads add synchronisation stalls that become 3-15x
        # slowdowns when the cores are shared with other work (measured on 2 busy cores).
        with threadpool_limits(limits=1, user_api="blas"):
            return _GreedyMap(self, x, q, plan, report).run()


def _quality_top_k(q: np.ndarray, plan: SelectionPlan, floor: float,
                   report: ProgressReporter) -> Picks:
    rows = np.concatenate([plan.must, quality_order(q, plan.pool)[:plan.n_free]])
    gains = np.log(np.maximum(q[rows], floor))
    report(len(rows))
    return Picks(rows, gains, np.cumsum(gains))


class _GreedyMap:
    """State of one panel-blocked greedy MAP run (see the module docstring).

    Positions index the candidate rows ``cols``. ct[pos, :upto[pos]] holds the first
    upto[pos] entries of C for that candidate and d2[pos] its conditional variance given
    the first upto[pos] factor rows; ``_catch_up`` brings candidates to the current factor.
    """

    def __init__(self, params: DppStrategy, x: np.ndarray, q: np.ndarray, plan: SelectionPlan,
                 report: ProgressReporter) -> None:
        self.x = x
        self.theta = float(params.lam)
        self.kern = {"kernel": params.kernel, "gamma": float(params.gamma)}
        self.min_var = float(params.min_variance)
        self.panel = int(params.panel)
        self.logq = np.log(np.maximum(q, float(params.quality_floor)))
        self.plan = plan
        self.report = report
        self.cols = plan.pool
        self.xc = np.ascontiguousarray(x[plan.pool], dtype=np.float32)  # gathered once
        k = plan.k
        self.ct = np.zeros((len(self.cols), k), dtype=np.float64)  # C transposed
        self.upto = np.zeros(len(self.cols), dtype=np.int64)
        self.d2 = np.ones(len(self.cols), dtype=np.float64)
        self.chol = np.zeros((k, k), dtype=np.float64)  # L, lower triangular
        self.basis: list[int] = []  # rows in the factor, in order
        self.indices: list[int] = []
        self.gains: list[float] = []

    def run(self) -> Picks:
        for row in self.plan.must:
            self._take_forced(int(row))
        stopped = None
        alive = np.ones(len(self.cols), dtype=bool)
        evaluations = 0
        while len(self.indices) < self.plan.k and not stopped:
            self._refresh()
            live = np.flatnonzero(alive)
            step0 = len(self.basis)
            picker = LazyGreedy(live, self._scores(live), len(self.cols), step0)
            while len(self.indices) < self.plan.k and len(self.basis) - step0 < self.panel:
                found = picker.pick(len(self.basis), self._evaluate)
                if found is None or not np.isfinite(found[1]):
                    stopped = (f"dpp stopped after {len(self.indices)} of {self.plan.k} picks: "
                               f"every remaining candidate's conditional variance is below "
                               f"{self.min_var:g}")
                    break
                alive[found[0]] = False
                self._take_candidate(*found)
            evaluations += picker.evaluations
        return Picks(self.indices, self.gains, np.cumsum(self.gains), stopped_early=stopped,
                     info={"factor_rank": len(self.basis), "lazy_evaluations": evaluations})

    def _scores(self, pos: np.ndarray) -> np.ndarray:
        d2 = self.d2[pos]
        with np.errstate(divide="ignore"):
            s = self.theta * self.logq[self.cols[pos]] + (1.0 - self.theta) * np.log(d2)
        s[d2 < self.min_var] = -np.inf
        return s

    def _evaluate(self, pos: np.ndarray) -> np.ndarray:
        self._catch_up(pos)
        return self._scores(pos)

    def _catch_up(self, pos: np.ndarray) -> None:
        """Extend C and d^2 of candidates ``pos`` to every factor row (forward substitution)."""
        r = len(self.basis)
        pos = pos[self.upto[pos] < r]
        if not len(pos):
            return
        u = int(self.upto[pos].min())
        for blk in range(0, len(pos), ROW_BLOCK):
            self._extend(pos[blk:blk + ROW_BLOCK], u, r)

    def _refresh(self) -> None:
        """Bring every candidate to the current factor with level-3 products over row slices.

        Rows already picked are refreshed too (harmless, at most k of them); slices instead
        of a gather keep C in place. Candidates evaluated lazily during the panel are
        already partly ahead: ``_extend`` recomputes their rows but counts each row once.
        """
        r = len(self.basis)
        u = int(self.upto.min()) if len(self.upto) else r
        for start in range(0, len(self.cols), ROW_BLOCK):
            self._extend(slice(start, start + ROW_BLOCK), u, r)

    def _extend(self, g: np.ndarray | slice, u: int, r: int) -> None:
        """Rows u..r of C for candidates g; d^2 loses only the rows a candidate lacked."""
        upto = self.upto[g]
        for t0 in range(u, r, self.panel):  # panels bound the (rows x candidates) temporaries
            t1 = min(r, t0 + self.panel)
            kb = kernel_block(self.x[self.basis[t0:t1]], self.xc[g], **self.kern)
            if t0:
                kb -= self.chol[t0:t1, :t0] @ self.ct[g, :t0].T
            e = solve_triangular(self.chol[t0:t1, t0:t1], kb)
            self.ct[g, t0:t1] = e.T
            sq = e * e
            ahead = upto > t0
            if ahead.any():
                sq[:, ahead] *= np.arange(t0, t1)[:, None] >= upto[ahead][None, :]
            self.d2[g] = np.maximum(self.d2[g] - sq.sum(axis=0), 0.0)
        self.upto[g] = r

    def _take_candidate(self, pos: int, score: float) -> None:
        r = len(self.basis)
        self.chol[r, :r] = self.ct[pos, :r]
        self.chol[r, r] = np.sqrt(self.d2[pos])
        self.basis.append(int(self.cols[pos]))
        self._record(int(self.cols[pos]), score)

    def _take_forced(self, row: int) -> None:
        """A must-include row: enters the factor unless it lies in the span (d^2 tiny)."""
        r = len(self.basis)
        c = np.zeros(0)
        if r:
            kv = kernel_block(self.x[self.basis], self.x[[row]], **self.kern)[:, 0]
            c = solve_triangular(self.chol[:r, :r], kv)
        d2 = max(1.0 - float(c @ c), 0.0)
        score = self.theta * self.logq[row] + (1.0 - self.theta) * np.log(max(d2, self.min_var))
        if d2 >= self.min_var:
            self.chol[r, :r] = c
            self.chol[r, r] = np.sqrt(d2)
            self.basis.append(row)
        self._record(row, float(score))

    def _record(self, row: int, score: float) -> None:
        self.indices.append(row)
        self.gains.append(float(score))
        self.report(len(self.indices))
