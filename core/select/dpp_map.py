"""Panel-blocked greedy MAP for the DPP strategy (core.select.dpp), in bounded memory.

Chen et al.'s incremental Cholesky: C[j, :] = L^{-1} k_{A,j} with L the Cholesky factor of
K_A, d_j^2 = 1 - ||C[j, :]||^2, in *panels* of ``panel`` picks. Within a panel the picks are
found by lazy greedy (d_j^2 only shrinks, so a stale score is an upper bound;
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
kernel columns are computed on the fly, never an n x n matrix (timings: README,
"Benchmarks").

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

The state has three parts, each class stating its invariants: :class:`Factor` (L and what
grows with it), :class:`HotSet` (the candidates' C rows and d^2) and :class:`MapScore` (the
score of a candidate from its d^2); :class:`GreedyMap` runs the panels over them.
"""

from __future__ import annotations

import math
import mmap
import os
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.select.base import Picks, ProgressReporter, SelectionPlan
from core.select.lazy import LazyGreedy

ROW_BLOCK = 8192
REFRESH_BLOCK = 4096  # rows per refresh job (jobs are shared out among WORKERS threads)
WORKERS = max(1, min(2, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                     else (os.cpu_count() or 1)))
SLACK = 2.0  # refresh candidates whose bound is within SLACK panels' gain drop of the top
PAGE = mmap.PAGESIZE


def solve_triangular(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a^{-1} b for lower-triangular ``a`` (scipy imported on first use: it is slow to load)."""
    from scipy.linalg import solve_triangular as solve

    return solve(a, b, lower=True, check_finite=False)


class Factor:
    """The Cholesky factor L of K_A, A the picks that entered it (``rows``, in order).

    Invariants, r = len(rows): chol[:r, :r] is lower triangular with L L^T = K_A, row t
    being [C of pick t against picks 0..t-1, sqrt(d^2 of pick t)]; xb[:r] holds the picks'
    float32 embeddings in order; inverses[p] is the inverse of L's diagonal block of panel p
    (factor rows p * panel .. (p + 1) * panel), grown a row per pick. ``kernel`` is
    a function (xa, xb) -> K(a, b) (p, m) in ``dtype``.
    """

    def __init__(self, k: int, dim: int, panel: int, dtype: np.dtype, kernel: Any) -> None:
        self.panel = panel
        self.dtype = dtype
        self.kernel = kernel
        self.chol = np.zeros((k, k), dtype=dtype)
        self.rows: list[int] = []
        self.xb = np.empty((k, dim), dtype=np.float32)
        self.inverses: list[np.ndarray] = []

    @property
    def rank(self) -> int:
        return len(self.rows)

    def append(self, row: int, c: np.ndarray, d2: float, xrow: np.ndarray) -> None:
        """Factor row r = [c, sqrt(d2)] for pool row ``row``; the inverse of its panel's
        diagonal block grows by one row: for L = [[A, 0], [b, l]], L^{-1} = [[A^{-1}, 0],
        [-b A^{-1} / l, 1 / l]]."""
        r = self.rank
        self.chol[r, :r] = c
        self.chol[r, r] = root = np.sqrt(d2)
        self.xb[r] = xrow
        self.rows.append(row)
        p0, i = r - r % self.panel, r % self.panel
        if i == 0:
            self.inverses.append(np.zeros((self.panel, self.panel), dtype=self.dtype))
        inv = self.inverses[-1]
        inv[i, :i] = -(self.chol[r, p0:r] @ inv[:i, :i]) / root
        inv[i, i] = 1.0 / root

    def windows(self, u: int, r: int) -> list[tuple[int, int]]:
        """Factor rows u..r in windows of at most ``panel`` rows on the panel grid (so that
        the windows' inverses are shared)."""
        edges = [u, *range((u // self.panel + 1) * self.panel, r, self.panel), r]
        return list(zip(edges[:-1], edges[1:], strict=True))

    def solve_panel(self, xg: np.ndarray, prev: np.ndarray, t0: int, t1: int) -> np.ndarray:
        """Factor rows t0..t1 of C, as (m, t1 - t0), for candidates with embeddings ``xg``
        whose rows 0..t0 are ``prev`` (m, t0): one forward-substitution panel."""
        kb = self.kernel(self.xb[t0:t1], xg)  # (p, m)
        if t0:
            kb -= self.chol[t0:t1, :t0] @ prev.T
        # e^T = L_pp^{-1} kb: a product with the panel's inverse (BLAS trsm with a 64 x 64
        # triangle took as long as the whole update product above)
        i = t0 % self.panel  # a diagonal block of a triangular inverse inverts that block
        inv = self.inverses[t0 // self.panel][i:i + t1 - t0, i:i + t1 - t0]
        return (inv @ kb).T

    def from_scratch(self, xg: np.ndarray) -> np.ndarray:
        """C rows (m, r) of candidates with embeddings ``xg`` against the whole factor."""
        r = self.rank
        c = np.empty((len(xg), r), dtype=self.dtype)
        for t0, t1 in self.windows(0, r):
            c[:, t0:t1] = self.solve_panel(xg, c[:, :t0], t0, t1)
        return c


class HotSet:
    """The candidates' conditional variances, and C rows for the hot ones within a budget.

    Positions index the run's candidate rows; ``xc[pos]`` is a candidate's embedding.
    Invariants: d2[pos] is the conditional variance given the first upto[pos] factor rows,
    so an upper bound on the current one. A hot candidate owns slot s = slot[pos] >= 0, with
    members[s] = pos, ct[s, :upto[pos]] its C entries and xh[s] its embedding. A dormant
    candidate has slot -1 and only its d2 (dead ones, d2 < min_variance, stay dormant).
    ``cap`` is the most hot rows the budget allows for the current panel (``update_cap``).
    ``ct``'s rows live in an anonymous memory map, pages past the last hot row are given back.
    """

    def __init__(self, xc: np.ndarray, k: int, dtype: np.dtype, budget: float) -> None:
        n_c = len(xc)
        self.xc = xc
        self.xh = xc  # hot rows' embeddings in slot order (a copy once some leave)
        self.budget = budget
        self.cap = n_c
        self.row_bytes = k * dtype.itemsize
        self.buffer = mmap.mmap(-1, max(n_c * self.row_bytes, PAGE))
        self.ct = np.frombuffer(self.buffer, dtype=dtype, count=n_c * k).reshape(n_c, k)
        self.members = np.arange(n_c)
        self.slot = np.arange(n_c)
        self.upto = np.zeros(n_c, dtype=np.int64)
        self.d2 = np.ones(n_c, dtype=np.float64)

    def extend_all(self, slots: np.ndarray, factor: Factor,
                   executor: Executor | None = None) -> None:
        """Bring the hot ``slots`` to the factor's rank, grouped by how far behind they are
        (a group starts from its least advanced row; rows ahead are recomputed but their
        d^2 counts each row once): serially in ROW_BLOCK jobs, or in REFRESH_BLOCK jobs
        shared out by ``executor``."""
        r = factor.rank
        upto = self.upto[self.members[slots]]
        slots = slots[upto < r]
        if not len(slots):
            return
        upto = upto[upto < r]
        order = np.lexsort((slots, upto // factor.panel))  # by bucket, then slot
        slots, bucket = slots[order], upto[order] // factor.panel
        cuts = np.flatnonzero(np.diff(bucket)) + 1
        size = ROW_BLOCK if executor is None else REFRESH_BLOCK
        jobs = []
        for grp in np.split(slots, cuts):
            for blk in range(0, len(grp), size):
                g = grp[blk:blk + size]
                if g[-1] - g[0] == len(g) - 1:
                    g = slice(int(g[0]), int(g[-1]) + 1)
                jobs.append(g)
        if executor is not None and len(jobs) > 1:
            for done in executor.map(lambda g: self._extend(g, factor), jobs):
                del done
        else:
            for g in jobs:
                self._extend(g, factor)

    def _extend(self, g: np.ndarray | slice, factor: Factor) -> None:
        """C rows from the least advanced one of the hot slots ``g`` up to the factor's rank;
        d^2 loses only the rows a candidate lacked."""
        r = factor.rank
        pos = self.members[g]
        upto = self.upto[pos]
        d2 = self.d2[pos]
        xg = self.xh[g]
        for t0, t1 in factor.windows(int(upto.min()), r):  # bounded temporaries
            et = factor.solve_panel(xg, self.ct[g, :t0], t0, t1)
            self.ct[g, t0:t1] = et
            sq = et * et
            ahead = upto > t0
            if ahead.any():
                sq[ahead] *= np.arange(t0, t1)[None, :] >= upto[ahead][:, None]
            d2 -= sq.sum(axis=1, dtype=np.float64)
        self.d2[pos] = np.maximum(d2, 0.0)
        self.upto[pos] = r

    def update_cap(self, columns: int, least: int) -> int:
        """``cap``: the most hot rows whose first ``columns`` C entries fit the budget, at
        least ``least``, at most every candidate."""
        width = columns * self.ct.dtype.itemsize
        # a row's first ``width`` bytes touch at most one page beyond them, and never more
        # than the row itself (rows are contiguous in the buffer)
        per_row = min(width + PAGE, self.row_bytes) if self.row_bytes > PAGE else self.row_bytes
        self.cap = min(max(int(self.budget // per_row), least), len(self.slot))
        return self.cap

    def compact(self, keep: np.ndarray, r: int) -> None:
        """Keep the hot rows where ``keep`` (a mask over slots) and make the others dormant:
        move ``ct`` and ``xh`` down and give the freed pages back. Skipped while fewer than
        an eighth would leave and the hot set fits ``cap``: compaction moves every hot row
        (the rows left in meanwhile cost a little refresh)."""
        members = self.members
        if len(members) - keep.sum() < max(len(members) // 8, 1) and len(members) <= self.cap:
            return
        src = np.flatnonzero(keep)
        for a in range(0, len(src), ROW_BLOCK):  # src[i] >= i: moving rows down is safe
            block = src[a:a + ROW_BLOCK]
            if block[0] != a or block[-1] != a + len(block) - 1:
                self.ct[a:a + len(block), :r] = self.ct[block, :r]
        xh = np.empty((max(self.cap, len(src)), self.xc.shape[1]), dtype=np.float32)
        xh[:len(src)] = self.xh[src]  # room for candidates admitted back (``admit``)
        self.xh = xh
        self.slot[members[~keep]] = -1
        self.members = members[src]
        self.slot[self.members] = np.arange(len(self.members))
        # Pages wholly past the last hot row go back to the OS (read again, they are zeros).
        start = -(-len(self.members) * self.row_bytes // PAGE) * PAGE
        end = min(len(members) * self.row_bytes, len(self.buffer))
        if end > start and hasattr(mmap, "MADV_DONTNEED"):
            self.buffer.madvise(mmap.MADV_DONTNEED, start, end - start)

    def admit(self, pos: np.ndarray, c: np.ndarray, r: int) -> int:
        """Dormant candidates ``pos`` with exact C rows ``c`` (against r factor rows) rejoin
        the hot set while ``cap`` leaves room; returns how many did (a prefix of ``pos``)."""
        h = len(self.members)
        room = 0 if self.xh is self.xc else max(min(self.cap, len(self.xh)) - h, 0)
        back = pos[:room]
        if len(back):
            self.ct[h:h + len(back), :r] = c[:len(back)]
            self.xh[h:h + len(back)] = self.xc[back]
            self.slot[back] = np.arange(h, h + len(back))
            self.upto[back] = r
            self.members = np.concatenate([self.members, back])
        return len(back)


@dataclass(frozen=True)
class MapScore:
    """score = theta * log q + (1 - theta) * log d^2 of candidate row ``cols[pos]``; -inf
    when d^2 < min_var (never picked). ``logq``: (n,) log of the floored quality."""

    theta: float
    min_var: float
    logq: np.ndarray
    cols: np.ndarray

    def of(self, pos: np.ndarray, d2: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            s = self.theta * self.logq[self.cols[pos]] + (1.0 - self.theta) * np.log(d2)
        s[d2 < self.min_var] = -np.inf
        return s

    def forced(self, row: int, d2: float) -> float:
        """A must-include pool row's score (d^2 floored at min_var: it is picked anyway)."""
        return float(self.theta * self.logq[row]
                     + (1.0 - self.theta) * np.log(max(d2, self.min_var)))


class GreedyMap:
    """One panel-blocked greedy MAP run: the picks so far (``indices``, ``gains``, reported
    as they are made), the Factor of the ones that entered it, the HotSet of the candidates
    ``plan.candidates`` by position, and ``fresh``: C rows of dormant candidates woken at this
    step without a slot (emptied at every pick)."""

    def __init__(self, x: np.ndarray, xc: np.ndarray, plan: SelectionPlan, score: MapScore,
                 factor: Factor, hot: HotSet, report: ProgressReporter) -> None:
        self.x = x
        self.xc = xc
        self.plan = plan
        self.score = score
        self.factor = factor
        self.hot = hot
        self.report = report
        self.indices: list[int] = []
        self.gains: list[float] = []
        self.wakeups = 0
        self.refreshed = 0
        self.fresh: dict[int, np.ndarray] = {}

    def run(self) -> Picks:
        for row in self.plan.must:
            self._take_forced(int(row))
        stopped = None
        alive = np.ones(len(self.xc), dtype=bool)
        evaluations = 0
        with ThreadPoolExecutor(WORKERS) if WORKERS > 1 else nullcontext() as threads:
            while len(self.indices) < self.plan.k and not stopped:
                stopped, used = self._panel(alive, threads)
                evaluations += used
        return Picks(self.indices, self.gains, np.cumsum(self.gains), stopped_early=stopped,
                     info={"factor_rank": self.factor.rank, "lazy_evaluations": evaluations,
                           "precision": self.factor.dtype.name,
                           "hot_rows": len(self.hot.members), "wakeups": self.wakeups,
                           "refreshed": self.refreshed})

    def _panel(self, alive: np.ndarray, threads: Executor | None) -> tuple[str | None, int]:
        """Up to ``panel`` picks from one refresh; returns (stop reason, evaluations)."""
        stopped = None
        self._refresh(self._threshold(), threads)
        self._shrink(alive)
        live = np.flatnonzero(alive)
        step0 = self.factor.rank
        behind = (self.hot.slot[live] < 0) | (self.hot.upto[live] < step0)
        picker = LazyGreedy(live, self._scores(live), len(self.xc), step0, stale=behind)
        while len(self.indices) < self.plan.k and self.factor.rank - step0 < self.factor.panel:
            found = picker.pick(self.factor.rank, self._evaluate)
            if found is None or not np.isfinite(found[1]):
                stopped = (f"dpp stopped after {len(self.indices)} of {self.plan.k} picks: "
                           f"every remaining candidate's conditional variance is below "
                           f"{self.score.min_var:g}")
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
        drop = g[-min(len(g), self.factor.panel)] - g[-1]
        return g[-1] - SLACK * max(drop, 0.0) - 1e-9 if np.isfinite(drop) else -math.inf

    def _scores(self, pos: np.ndarray) -> np.ndarray:
        return self.score.of(pos, self.hot.d2[pos])

    def _evaluate(self, pos: np.ndarray) -> np.ndarray:
        slots = self.hot.slot[pos]
        dormant = pos[slots < 0]
        if len(dormant):
            self._wake(dormant)
        self.hot.extend_all(slots[slots >= 0], self.factor)
        return self._scores(pos)

    def _refresh(self, tau: float, threads: Executor | None) -> None:
        """After a panel: bring the hot candidates whose score bound is at least ``tau`` to the
        current factor with level-3 products (the rest stay behind, their bound still valid)."""
        r = self.factor.rank
        members = self.hot.members
        if not r or not len(members):
            return
        slots = np.flatnonzero(self.hot.upto[members] < r)
        if tau > -math.inf and len(slots):
            slots = slots[self._scores(members[slots]) >= tau]
        self.refreshed += len(slots)
        # one thread runs the jobs itself, in REFRESH_BLOCK rows as with two
        self.hot.extend_all(slots, self.factor, threads or _Serial())

    def _shrink(self, alive: np.ndarray) -> None:
        """After a refresh (every hot candidate exact): drop picked and dead candidates from
        the hot set, and the lowest-scoring ones while the next panel's C would exceed the
        budget (down to 7/8 of the cap, so the next panels need no compaction)."""
        r, panel = self.factor.rank, self.factor.panel
        members = self.hot.members
        keep = alive[members] & (self.hot.d2[members] >= self.score.min_var)
        cap = self.hot.update_cap(min(self.plan.k, r + panel), panel)
        if keep.sum() > cap:
            cand = np.flatnonzero(keep)
            order = np.argsort(-self._scores(members[cand]), kind="stable")
            keep[:] = False
            keep[cand[order[:max(cap * 7 // 8, panel)]]] = True
        self.hot.compact(keep, r)

    def _wake(self, pos: np.ndarray) -> None:
        """Exact d^2 of dormant candidates; they rejoin the hot set while it has room under
        the budget, else keep the exact value as a fresh upper bound (and their C row for
        this step, in case one is picked)."""
        live = pos[self.hot.d2[pos] >= self.score.min_var]
        self.wakeups += len(live)
        if not len(live) or not self.factor.rank:
            return
        c = self.factor.from_scratch(self.xc[live])
        self.hot.d2[live] = np.maximum(1.0 - np.einsum("ij,ij->i", c, c, dtype=np.float64),
                                       0.0)
        back = self.hot.admit(live, c, self.factor.rank)
        self.fresh.update((int(p), c[i]) for i, p in enumerate(live[back:], start=back))

    def _take_candidate(self, pos: int, score: float) -> None:
        r = self.factor.rank
        s = self.hot.slot[pos]
        if s >= 0:
            c = self.hot.ct[s, :r]
        elif r:
            c = self.fresh.get(pos)
            c = c if c is not None else self.factor.from_scratch(self.xc[[pos]])[0]
        else:
            c = np.zeros(0)
        self.fresh = {}
        row = int(self.score.cols[pos])
        self.factor.append(row, c, self.hot.d2[pos], self.xc[pos])
        self._record(row, score)

    def _take_forced(self, row: int) -> None:
        """A must-include row: enters the factor unless it lies in the span (d^2 tiny)."""
        r = self.factor.rank
        c = np.zeros(0)
        if r:
            kv = self.factor.kernel(self.x[self.factor.rows], self.x[[row]])[:, 0]
            c = solve_triangular(self.factor.chol[:r, :r], kv)
        d2 = max(1.0 - float(np.dot(c, c)), 0.0)
        if d2 >= self.score.min_var:
            self.factor.append(row, c, d2, self.x[row])
        self._record(row, self.score.forced(row, d2))

    def _record(self, row: int, score: float) -> None:
        self.indices.append(row)
        self.gains.append(float(score))
        self.report(len(self.indices))


class _Serial:
    """Stand-in for a one-thread executor."""

    def map(self, fn, items):
        return map(fn, items)
