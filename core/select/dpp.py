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
end of a panel C and d^2 are brought up to date with matrix-matrix products (level-3 BLAS
instead of one matrix-vector product per pick), in blocks of rows shared out between two
threads (each with one BLAS thread: no synchronisation inside a product). Only candidates
whose score bound is within SLACK times the last panel's gain drop of the last pick are
refreshed: the others could not be picked in the next panel unless the gains fall twice as
fast, so they keep their C prefix and their stale d^2 (an upper bound), and the lazy greedy
catches one up (grouped by how far behind it is) only if its bound reaches the top. On the
50,000-row pool at k = 2,000 the 31 refreshes bring 253,000 candidate rows up to date at
lambda 0.5 and 64,000 at 0.9, where refreshing all would be about 1.5 million; at lambda 0
(diversity alone: most candidates stay in contention) 747,000. The triangular solve of a
panel is a product with the inverse of the panel's diagonal block of L, grown a row per pick
(a 64 x 64 BLAS trsm per evaluation cost as much as the update product). Exact: the same
picks as Chen's per-step update, up to float round-off. Time O(n k^2 + n k d) at worst;
kernel columns are computed on the fly, never an n x n matrix. On 2 cores, 50,000 MiniLM
rows, k = 2,000: 3.7 s at lambda 0.5, 3.2 s at 0.9, 4.6 s at 0 with the heuristic quality
(it ties 32,000 rows at one value), 2.5 s, 2.0 s and 4.6 s with the length score.

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

import math
import mmap
import os
from concurrent.futures import ThreadPoolExecutor

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
from core.select.quality_topk import quality_order

ROW_BLOCK = 8192
REFRESH_BLOCK = 4096  # rows per refresh job (jobs are shared out among WORKERS threads)
WORKERS = max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                     else (os.cpu_count() or 1)))
SLACK = 2.0  # refresh candidates whose bound is within SLACK panels' gain drop of the top
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


class DppStrategy(Strategy):
    """Quality-weighted DPP greedy MAP; ``lam`` is the quality weight theta."""

    name = "dpp"
    needs = frozenset({"embeddings", "quality"})
    greedy = True
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


class _Serial:
    """Stand-in for a one-thread executor."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def map(self, fn, items):
        return map(fn, items)


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
        self.xb = np.empty((k, x.shape[1]), dtype=np.float32)  # their embeddings, in order
        self.indices: list[int] = []
        self.gains: list[float] = []
        self.wakeups = 0
        self.refreshed = 0
        self.pool = None
        self.fresh: dict[int, np.ndarray] = {}  # C rows of dormant rows evaluated this step
        # the inverse of each panel's diagonal block of L, grown a row per pick
        self.inverses: list[np.ndarray] = []

    def run(self) -> Picks:
        for row in self.plan.must:
            self._take_forced(int(row))
        stopped = None
        alive = np.ones(len(self.cols), dtype=bool)
        evaluations = 0
        with ThreadPoolExecutor(WORKERS) if WORKERS > 1 else _Serial() as self.pool:
            while len(self.indices) < self.plan.k and not stopped:
                stopped, used = self._panel(alive)
                evaluations += used
        return Picks(self.indices, self.gains, np.cumsum(self.gains), stopped_early=stopped,
                     info={"factor_rank": len(self.basis), "lazy_evaluations": evaluations,
                           "precision": self.dtype.name, "hot_rows": len(self.hot),
                           "wakeups": self.wakeups, "refreshed": self.refreshed})

    def _panel(self, alive: np.ndarray) -> tuple[str | None, int]:
        """Up to ``panel`` picks from one refresh; returns (stop reason, evaluations)."""
        stopped = None
        self._refresh(self._threshold())
        self._shrink(alive)
        live = np.flatnonzero(alive)
        step0 = len(self.basis)
        behind = (self.slot[live] < 0) | (self.upto[live] < step0)
        picker = LazyGreedy(live, self._scores(live), len(self.cols), step0, stale=behind)
        while len(self.indices) < self.plan.k and len(self.basis) - step0 < self.panel:
            found = picker.pick(len(self.basis), self._evaluate)
            if found is None or not np.isfinite(found[1]):
                stopped = (f"dpp stopped after {len(self.indices)} of {self.plan.k} picks: "
                           f"every remaining candidate's conditional variance is below "
                           f"{self.min_var:g}")
                break
            alive[found[0]] = False
            self._take_candidate(*found)
        return stopped, picker.evaluations

    def _threshold(self) -> float:
        """Hot candidates whose score bound is below this are not refreshed after a panel:
        the next panel's picks will most likely score above it (the last pick's gain less
        SLACK times the drop over the last panel). A candidate left behind keeps its C
        prefix and is caught up by the lazy greedy if its bound reaches the top."""
        g = self.gains
        if len(g) < 2:
            return -math.inf
        drop = g[-min(len(g), self.panel)] - g[-1]
        return g[-1] - SLACK * max(drop, 0.0) - 1e-9 if np.isfinite(drop) else -math.inf

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
        self._extend_all(slots, parallel=False)

    def _refresh(self, tau: float) -> None:
        """After a panel: bring the hot candidates whose score bound is at least ``tau`` to the
        current factor with level-3 products (the rest stay behind, their bound still valid)."""
        r = len(self.basis)
        if not r or not len(self.hot):
            return
        slots = np.flatnonzero(self.upto[self.hot] < r)
        if tau > -math.inf and len(slots):
            slots = slots[self._scores(self.hot[slots]) >= tau]
        self.refreshed += len(slots)
        self._extend_all(slots, parallel=True)

    def _extend_all(self, slots: np.ndarray, parallel: bool) -> None:
        """``_extend`` the hot ``slots`` to the current factor, grouped by how far behind they
        are (a group starts from its least advanced row; rows ahead are recomputed but their
        d^2 counts each row once), the groups shared out among the worker threads."""
        r = len(self.basis)
        upto = self.upto[self.hot[slots]]
        slots = slots[upto < r]
        if not len(slots):
            return
        upto = upto[upto < r]
        order = np.lexsort((slots, upto // self.panel))  # by bucket, then slot
        slots, bucket = slots[order], upto[order] // self.panel
        cuts = np.flatnonzero(np.diff(bucket)) + 1
        jobs = []
        for grp in np.split(slots, cuts):
            size = REFRESH_BLOCK if parallel else ROW_BLOCK
            for blk in range(0, len(grp), size):
                g = grp[blk:blk + size]
                if g[-1] - g[0] == len(g) - 1:
                    g = slice(int(g[0]), int(g[-1]) + 1)
                jobs.append(g)
        if parallel and len(jobs) > 1:
            for done in self.pool.map(lambda g: self._extend(g, None, r), jobs):
                del done
        else:
            for g in jobs:
                self._extend(g, None, r)

    def _extend(self, g: np.ndarray | slice, u: int | None, r: int) -> None:
        """Rows u..r of C for the hot slots g (u: their least advanced row when None); d^2
        loses only the rows a candidate lacked."""
        pos = self.hot[g]
        upto = self.upto[pos]
        if u is None:
            u = int(upto.min())
        d2 = self.d2[pos]
        xg = self.xh[g]
        for t0, t1 in self._windows(u, r):  # panels bound the (rows x candidates) temporaries
            et = self._solve_panel(xg, self.ct[g, :t0], t0, t1)
            self.ct[g, t0:t1] = et
            sq = et * et
            ahead = upto > t0
            if ahead.any():
                sq[ahead] *= np.arange(t0, t1)[None, :] >= upto[ahead][:, None]
            d2 -= sq.sum(axis=1, dtype=np.float64)
        self.d2[pos] = np.maximum(d2, 0.0)
        self.upto[pos] = r

    def _windows(self, u: int, r: int) -> list[tuple[int, int]]:
        """Factor rows u..r in windows of at most ``panel`` rows on the panel grid (so that
        the windows' inverses are shared)."""
        edges = [u, *range((u // self.panel + 1) * self.panel, r, self.panel), r]
        return list(zip(edges[:-1], edges[1:], strict=True))

    def _solve_panel(self, xg: np.ndarray, prev: np.ndarray, t0: int, t1: int) -> np.ndarray:
        """Factor rows t0..t1 of C, as (m, t1 - t0), for candidates with embeddings ``xg``
        whose rows 0..t0 are ``prev`` (m, t0): one forward-substitution panel."""
        kb = kernel_block(self.xb[t0:t1], xg, **self.kern)  # (p, m)
        if t0:
            kb -= self.chol[t0:t1, :t0] @ prev.T
        # e^T = L_pp^{-1} kb: a product with the panel's inverse (BLAS trsm with a 64 x 64
        # triangle took as long as the whole update product above)
        return (self._panel_inverse(t0, t1) @ kb).T

    def _panel_inverse(self, t0: int, t1: int) -> np.ndarray:
        """L[t0:t1, t0:t1]^{-1} for a window inside one panel of the grid: a diagonal block
        of a lower-triangular matrix's inverse is the inverse of that block."""
        i = t0 % self.panel
        return self.inverses[t0 // self.panel][i:i + t1 - t0, i:i + t1 - t0]

    def _shrink(self, alive: np.ndarray) -> None:
        """After a refresh (every hot candidate exact): drop picked and dead candidates from
        the hot set, and the lowest-scoring ones while the next panel's C would exceed the
        budget; compact ``ct`` and ``xh`` and give the freed pages back."""
        r = len(self.basis)
        hot = self.hot
        keep = alive[hot] & (self.d2[hot] >= self.min_var)
        width = min(self.plan.k, r + self.panel) * self.dtype.itemsize
        # a row's first ``width`` bytes touch at most one page beyond them, and never more
        # than the row itself (rows are contiguous in the buffer)
        per_row = min(width + PAGE, self.row_bytes) if self.row_bytes > PAGE else self.row_bytes
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
        for t0, t1 in self._windows(0, r):
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
            c = self.ct[s, :r]
        elif r:
            c = self.fresh.get(pos)
            c = c if c is not None else self._from_scratch(np.array([pos]))[0]
        else:
            c = np.zeros(0)
        self.fresh = {}
        self._append_factor(int(self.cols[pos]), c, self.d2[pos], self.xc[pos])
        self._record(int(self.cols[pos]), score)

    def _append_factor(self, row: int, c: np.ndarray, d2: float, xrow: np.ndarray) -> None:
        """Factor row r = [c, sqrt(d2)] for pool row ``row``; the inverse of its panel's
        diagonal block grows by one row: for L = [[A, 0], [b, l]], L^{-1} = [[A^{-1}, 0],
        [-b A^{-1} / l, 1 / l]]."""
        r = len(self.basis)
        self.chol[r, :r] = c
        self.chol[r, r] = root = np.sqrt(d2)
        self.xb[r] = xrow
        self.basis.append(row)
        p0, i = r - r % self.panel, r % self.panel
        if i == 0:
            self.inverses.append(np.zeros((self.panel, self.panel), dtype=self.dtype))
        inv = self.inverses[-1]
        inv[i, :i] = -(self.chol[r, p0:r] @ inv[:i, :i]) / root
        inv[i, i] = 1.0 / root

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
            self._append_factor(row, c, d2, self.x[row])
        self._record(row, float(score))

    def _record(self, row: int, score: float) -> None:
        self.indices.append(row)
        self.gains.append(float(score))
        self.report(len(self.indices))
