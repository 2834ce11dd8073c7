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
as Chen's per-step update, up to float round-off. Time O(n k^2 + n k d); kernel columns are
computed on the fly, never an n x n matrix.

Memory is bounded, not O(n k): C is kept only for the *hot* candidates, at most
``memory_mb`` MiB of it. After each panel, candidates that can never be picked again (d^2
below ``min_variance``: every later score is -inf) leave the hot set, and when the next
panel's C would not fit the lowest-scoring candidates go *dormant*: they keep their last
exact d^2, an upper bound on every later one, and nothing else. The lazy greedy holds them
with that bound; one that reaches the top is re-evaluated from scratch (k_{A,j} and one
triangular solve) and picked only if it really is the argmax, so dormancy never changes a
pick beyond round-off, it only costs time if a dormant candidate comes back into contention
(``info["wakeups"]`` counts those re-evaluations). (Round-off: a woken d^2 is summed in
another order than the incremental one; in float32 two candidates whose scores tie to
~1e-6 can then swap. Measured on the 50,000-row pool with memory_mb = 64: the first
differing pick at k = 500, lambda 0.1 was between scores 3.7e-7 apart (relative, float64),
at k = 2,000, lambda 0.5 1.8e-6 apart.) C's rows live in an anonymous memory map
whose pages are backed only once written, and the rows given up are handed back to the
operating system. On the 50,000-row benchmark pool at k = 5,000 the candidates that are
still ever picked after 3,000 picks are under 20,000 of 50,000 and after 4,000 under 6,000,
so the bound costs no wake-ups there.

``precision``: "float64", "float32" (C, L and the kernel panels in single precision, d^2
accumulated in double: half the memory traffic and memory; d^2 is good to about 1e-6, so a
pick can differ from the float64 run only between candidates that tie to that accuracy) or
"auto" (float64 while the full C would take at most 64 MiB, float32 beyond: small pools
and the exactness tests stay in double, the 50,000-row pool at k = 1,000 runs in single).
"""

from __future__ import annotations

import mmap

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
AUTO_FLOAT64_BYTES = 64 * 2**20
PAGE = mmap.PAGESIZE


def solve_triangular(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a^{-1} b for lower-triangular ``a`` (scipy imported on first use: it is slow to load)."""
    from scipy.linalg import solve_triangular as solve

    return solve(a, b, lower=True, check_finite=False)


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


def _trsm(dtype):
    """BLAS triangular solve for ``dtype`` (scipy's wrapper costs 0.4 ms a call)."""
    from scipy.linalg import blas

    return blas.strsm if dtype == np.float32 else blas.dtrsm


class DppStrategy(Strategy):
    """Quality-weighted DPP greedy MAP; ``lam`` is the quality weight theta."""

    name = "dpp"
    needs = frozenset({"embeddings", "quality"})
    greedy = True

    def __init__(self, lam: float = 0.5, gamma: float = 1.0, kernel: str = "exp_cosine",
                 quality_floor: float = 1e-6, min_variance: float = 1e-10,
                 panel: int = 64, precision: str = "auto", memory_mb: float = 512) -> None:
        self.lam = lam
        self.gamma = gamma
        self.kernel = kernel
        self.quality_floor = quality_floor
        self.min_variance = min_variance
        self.panel = panel
        self.precision = precision
        self.memory_mb = memory_mb

    def check_params(self) -> None:
        check_unit_interval("lam", self.lam)
        check_positive("gamma", self.gamma)
        check_choice("kernel", self.kernel, ("exp_cosine", "rbf"))
        check_positive("quality_floor", self.quality_floor)
        check_positive("min_variance", self.min_variance)
        check_positive("panel", self.panel, integer=True)
        check_choice("precision", self.precision, ("auto", "float64", "float32"))
        check_positive("memory_mb", self.memory_mb)

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

    Positions index the candidate rows ``cols``; d2[pos] is a candidate's conditional
    variance given the first upto[pos] factor rows. Hot candidates own a slot: row
    slot[pos] of ``ct`` holds the first upto[pos] entries of C and row slot[pos] of ``xh``
    its embedding; hot[s] is the position in slot s. Dormant candidates have slot -1 and
    their d2 is only an upper bound (dead ones, d2 < min_variance, are dormant for good).
    """

    def __init__(self, params: DppStrategy, x: np.ndarray, q: np.ndarray, plan: SelectionPlan,
                 report: ProgressReporter) -> None:
        self.x = x
        self.theta = float(params.lam)
        self.min_var = float(params.min_variance)
        self.panel = int(params.panel)
        self.logq = np.log(np.maximum(q, float(params.quality_floor)))
        self.plan = plan
        self.report = report
        self.cols = plan.pool
        n_c, k = len(self.cols), plan.k
        precision = params.precision
        if precision == "auto":
            precision = "float64" if n_c * k * 8 <= AUTO_FLOAT64_BYTES else "float32"
        self.dtype = np.dtype(precision)
        self.kern = {"kernel": params.kernel, "gamma": float(params.gamma), "dtype": self.dtype}
        self.trsm = _trsm(self.dtype)
        self.budget = float(params.memory_mb) * 2**20
        everyone = len(self.cols) == len(x) and bool((self.cols == np.arange(len(x))).all())
        self.xc = (x if everyone and x.dtype == np.float32 and x.flags.c_contiguous
                   else np.ascontiguousarray(x[self.cols], dtype=np.float32))
        self.xh = self.xc  # hot rows' embeddings in slot order (a copy once some leave)
        self.cap = n_c  # most hot rows the budget allows this panel (set by ``_shrink``)
        self.row_bytes = k * self.dtype.itemsize
        self.buffer = mmap.mmap(-1, max(n_c * self.row_bytes, PAGE))
        self.ct = np.frombuffer(self.buffer, dtype=self.dtype, count=n_c * k).reshape(n_c, k)
        self.hot = np.arange(n_c)
        self.slot = np.arange(n_c)
        self.upto = np.zeros(n_c, dtype=np.int64)
        self.d2 = np.ones(n_c, dtype=np.float64)
        self.chol = np.zeros((k, k), dtype=self.dtype)  # L, lower triangular
        self.basis: list[int] = []  # rows in the factor, in order
        self.indices: list[int] = []
        self.gains: list[float] = []
        self.wakeups = 0
        self.fresh: dict[int, np.ndarray] = {}  # C rows of dormant rows evaluated this step

    def run(self) -> Picks:
        for row in self.plan.must:
            self._take_forced(int(row))
        stopped = None
        alive = np.ones(len(self.cols), dtype=bool)
        evaluations = 0
        while len(self.indices) < self.plan.k and not stopped:
            self._refresh()
            self._shrink(alive)
            live = np.flatnonzero(alive)
            step0 = len(self.basis)
            picker = LazyGreedy(live, self._scores(live), len(self.cols), step0,
                                stale=self.slot[live] < 0)
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
                     info={"factor_rank": len(self.basis), "lazy_evaluations": evaluations,
                           "precision": self.dtype.name, "hot_rows": len(self.hot),
                           "wakeups": self.wakeups})

    def _scores(self, pos: np.ndarray) -> np.ndarray:
        d2 = self.d2[pos]
        with np.errstate(divide="ignore"):
            s = self.theta * self.logq[self.cols[pos]] + (1.0 - self.theta) * np.log(d2)
        s[d2 < self.min_var] = -np.inf
        return s

    def _evaluate(self, pos: np.ndarray) -> np.ndarray:
        slots = self.slot[pos]
        dormant = pos[slots < 0]
        if len(dormant):
            self._wake(dormant)
        self._catch_up(slots[slots >= 0])
        return self._scores(pos)

    def _catch_up(self, slots: np.ndarray) -> None:
        """Extend C and d^2 of the hot ``slots`` to every factor row (forward substitution)."""
        r = len(self.basis)
        slots = slots[self.upto[self.hot[slots]] < r]
        if not len(slots):
            return
        u = int(self.upto[self.hot[slots]].min())
        for blk in range(0, len(slots), ROW_BLOCK):
            self._extend(slots[blk:blk + ROW_BLOCK], u, r)

    def _refresh(self) -> None:
        """Bring every hot candidate to the current factor with level-3 products over slices.

        Candidates evaluated lazily during the panel are already partly ahead: ``_extend``
        recomputes their rows but counts each row once.
        """
        r = len(self.basis)
        h = len(self.hot)
        u = int(self.upto[self.hot].min()) if h else r
        for start in range(0, h, ROW_BLOCK):
            self._extend(slice(start, min(h, start + ROW_BLOCK)), u, r)

    def _extend(self, g: np.ndarray | slice, u: int, r: int) -> None:
        """Rows u..r of C for the hot slots g; d^2 loses only the rows a candidate lacked."""
        pos = self.hot[g]
        upto = self.upto[pos]
        d2 = self.d2[pos]
        xg = self.xh[g]
        for t0 in range(u, r, self.panel):  # panels bound the (rows x candidates) temporaries
            t1 = min(r, t0 + self.panel)
            et = self._solve_panel(xg, self.ct[g, :t0], t0, t1)
            self.ct[g, t0:t1] = et
            sq = et * et
            ahead = upto > t0
            if ahead.any():
                sq[ahead] *= np.arange(t0, t1)[None, :] >= upto[ahead][:, None]
            d2 -= sq.sum(axis=1, dtype=np.float64)
        self.d2[pos] = np.maximum(d2, 0.0)
        self.upto[pos] = r

    def _solve_panel(self, xg: np.ndarray, prev: np.ndarray, t0: int, t1: int) -> np.ndarray:
        """Factor rows t0..t1 of C, as (m, t1 - t0), for candidates with embeddings ``xg``
        whose rows 0..t0 are ``prev`` (m, t0): one forward-substitution panel."""
        kb = kernel_block(self.x[self.basis[t0:t1]], xg, **self.kern)  # (p, m)
        if t0:
            kb -= self.chol[t0:t1, :t0] @ prev.T
        # e^T solves e^T L_pp^T = kb^T; kb^T is Fortran-ordered, so it is solved in place
        return self.trsm(1.0, self.chol[t0:t1, t0:t1], kb.T, side=1, lower=1, trans_a=1,
                         overwrite_b=1)

    def _shrink(self, alive: np.ndarray) -> None:
        """After a refresh (every hot candidate exact): drop picked and dead candidates from
        the hot set, and the lowest-scoring ones while the next panel's C would exceed the
        budget; compact ``ct`` and ``xh`` and give the freed pages back."""
        r = len(self.basis)
        hot = self.hot
        keep = alive[hot] & (self.d2[hot] >= self.min_var)
        width = min(self.plan.k, r + self.panel) * self.dtype.itemsize
        per_row = width + (PAGE if self.row_bytes > PAGE else self.row_bytes - width)
        cap = min(max(int(self.budget // per_row), self.panel), len(self.cols))
        self.cap = cap
        if keep.sum() > cap:  # down to 7/8 of the cap, so the next panels need no compaction
            cand = np.flatnonzero(keep)
            order = np.argsort(-self._scores(hot[cand]), kind="stable")
            keep[:] = False
            keep[cand[order[:max(cap * 7 // 8, self.panel)]]] = True
        if len(hot) - keep.sum() < max(len(hot) // 8, 1) and len(hot) <= cap:
            # Compaction moves every hot row: only worth it once an eighth has left (picked
            # and dead rows stay out of the picker meanwhile; they cost a little refresh).
            return
        src = np.flatnonzero(keep)
        for a in range(0, len(src), ROW_BLOCK):  # src[i] >= i: moving rows down is safe
            block = src[a:a + ROW_BLOCK]
            if block[0] != a or block[-1] != a + len(block) - 1:
                self.ct[a:a + len(block), :r] = self.ct[block, :r]
        xh = np.empty((max(cap, len(src)), self.xc.shape[1]), dtype=np.float32)
        xh[:len(src)] = self.xh[src]  # room for candidates admitted back (``_wake``)
        self.xh = xh
        self.slot[hot[~keep]] = -1
        self.hot = hot[src]
        self.slot[self.hot] = np.arange(len(self.hot))
        # Pages wholly past the last hot row go back to the OS (read again, they are zeros).
        start = -(-len(self.hot) * self.row_bytes // PAGE) * PAGE
        end = min(len(hot) * self.row_bytes, len(self.buffer))
        if end > start and hasattr(mmap, "MADV_DONTNEED"):
            self.buffer.madvise(mmap.MADV_DONTNEED, start, end - start)

    def _from_scratch(self, pos: np.ndarray) -> np.ndarray:
        """C rows (m, r) of candidates ``pos`` against the whole factor, panel by panel."""
        r = len(self.basis)
        c = np.empty((len(pos), r), dtype=self.dtype)
        xg = self.xc[pos]
        for t0 in range(0, r, self.panel):
            t1 = min(r, t0 + self.panel)
            c[:, t0:t1] = self._solve_panel(xg, c[:, :t0], t0, t1)
        return c

    def _wake(self, pos: np.ndarray) -> None:
        """Exact d^2 of dormant candidates; they rejoin the hot set while it has room under
        the budget, else keep the exact value as a fresh upper bound (and their C row for
        this step, in case one is picked)."""
        live = pos[self.d2[pos] >= self.min_var]
        self.wakeups += len(live)
        if not len(live) or not self.basis:
            return
        r = len(self.basis)
        c = self._from_scratch(live)
        self.d2[live] = np.maximum(1.0 - np.einsum("ij,ij->i", c, c, dtype=np.float64), 0.0)
        h = len(self.hot)
        room = 0 if self.xh is self.xc else max(min(self.cap, len(self.xh)) - h, 0)
        back = live[:room]
        if len(back):
            self.ct[h:h + len(back), :r] = c[:len(back)]
            self.xh[h:h + len(back)] = self.xc[back]
            self.slot[back] = np.arange(h, h + len(back))
            self.upto[back] = r
            self.hot = np.concatenate([self.hot, back])
        self.fresh.update((int(p), c[i]) for i, p in enumerate(live[room:], start=room))

    def _take_candidate(self, pos: int, score: float) -> None:
        r = len(self.basis)
        s = self.slot[pos]
        if s >= 0:
            self.chol[r, :r] = self.ct[s, :r]
        elif r:
            row = self.fresh.get(pos)
            self.chol[r, :r] = row if row is not None else self._from_scratch(np.array([pos]))[0]
        self.fresh = {}
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
        d2 = max(1.0 - float(np.dot(c, c)), 0.0)
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
