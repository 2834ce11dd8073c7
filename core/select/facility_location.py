"""Facility-location coverage of the pool and its exact lazy greedy (the diversity half of QDIT).

    d(A) = sum over v in V of max over a in A of s(a, v),   s(a, v) = max(0, cos(a, v))

Negative cosines are clipped to 0 (a row that points away covers nothing), so d is monotone
submodular and d(empty set) = 0. The state is cur[v] = max_a s(a, v); the marginal gain of
a candidate c is sum_v max(0, s(c, v) - cur[v]).

Two similarities, one greedy:

- dense: the full n x n clipped cosine, float32 (4 n^2 bytes, O(n^2 d) to build); one gain
  evaluation costs O(n);
- sparse: the shared kNN graph, symmetrised (s(a, v) is kept when a is among v's K nearest
  rows or v among a's), as CSR with at most 2 n K entries; one gain evaluation costs O(K).
  Identical to the dense similarity when the graph is complete (K = n).

Two greedy objectives, both exact with lazy evaluation compiled with numba (stale gains are
upper bounds because gains only shrink; ties go to the lower row, so the picks equal a
brute-force greedy that takes ``argmax`` over rows in order):

- FacilityLocationGreedy: score(c) = scale * gain(c) + modular[c] (QDIT's "mean" and "sum"
  modes; the quality term is the modular part), one binary max-heap of stale scores.
- RelativeGainGreedy: score_t(c) = (1 - alpha) * gain(c) / G_t + alpha * q[c] with
  G_t = max over candidates of gain (QDIT's "relative" mode). Each step first finds G_t
  exactly with a lazy max-heap of gain upper bounds. G_t changes every step, so a heap of
  scores cannot be carried across steps; but among rows of equal quality the score is
  ordered by the gain alone, so rows whose quality value is shared by at least TIER_MIN
  candidates (a "tier": heuristic scores tie most of a pool at one value) keep one lazy
  gain heap per tier across steps, and a tier costs one exact top per step. The other rows
  are scanned: their score bounds (1 - alpha) * ub(c) / G_t + alpha * q[c] (O(rows) per
  step) are compared with the best exact score known (the G_t row's, the best-quality
  row's, the tiers' tops) and the few that reach it are resolved lazily in a small heap.
  Without the tiers, 31,851 tied rows of a 50,000-row pool reached the bound every step
  and were heapified every step (k = 2,000 at alpha 0.7: 1.8 s; with them 0.1 s).
"""

from __future__ import annotations

import hashlib

import numpy as np
import scipy.sparse as sp
from numba import njit

from core.neighbors import KnnGraph
from core.select.lazy import heapify, sift_down

DENSE_BLOCK = 1024
# A quality value shared by at least this many candidates gets its own lazy gain heap in
# the relative greedy (see RelativeGainGreedy); rarer values are scanned every step.
TIER_MIN = 32


def dense_similarity(embeddings: np.ndarray) -> np.ndarray:
    """(n, n) float32 max(0, X X^T) with a unit diagonal. O(n^2 d) time, 4 n^2 bytes."""
    x = np.ascontiguousarray(embeddings, dtype=np.float32)
    n = x.shape[0]
    sim = np.empty((n, n), dtype=np.float32)
    for start in range(0, n, DENSE_BLOCK):
        block = sim[start:start + DENSE_BLOCK]
        np.matmul(x[start:start + DENSE_BLOCK], x.T, out=block)
        np.maximum(block, 0.0, out=block)
    # Self-similarity is 1 by definition, whatever round-off did (as in the kNN graph).
    sim[np.arange(n), np.arange(n)] = 1.0
    return sim


def symmetric_similarity(knn: KnnGraph) -> sp.csr_matrix:
    """CSR of max(S, S^T), S the kNN similarity clipped at 0 (zeros dropped), rows sorted.

    O(n K log K) (0.16 s at n = 50,000, K = 32). The last two results are kept under a
    digest of the graph's arrays (about 10 ms to compute), so a dashboard slider that re-runs
    QDIT on the same graph, even one read again from the workspace, pays this once.
    """
    digest = hashlib.blake2b(digest_size=16)
    for arr in (knn.indices, knn.sims):
        digest.update(str((arr.dtype, arr.shape)).encode())
        digest.update(np.ascontiguousarray(arr).data)
    key = digest.hexdigest()
    hit = _SYM_CACHE.get(key)
    if hit is not None:
        return hit
    s = knn.to_csr(clip_negative=True)
    mat = s.maximum(s.T).tocsr()
    mat.sort_indices()
    if len(_SYM_CACHE) >= 2:
        _SYM_CACHE.pop(next(iter(_SYM_CACHE)))
    _SYM_CACHE[key] = mat
    return mat


_SYM_CACHE: dict[str, sp.csr_matrix] = {}


class FacilityLocationGreedy:
    """Exact lazy greedy of ``scale * coverage gain + modular`` over a dense or sparse similarity.

    Usage: ``add(row)`` for forced picks (must-include), then ``start(pool, modular, scale)``
    and ``pick(n_steps)`` repeatedly (so a caller can report progress between chunks).
    """

    def __init__(self, similarity: np.ndarray | sp.csr_matrix) -> None:
        if sp.issparse(similarity):
            csr = similarity.tocsr()
            self.dense = np.zeros((0, 0), dtype=np.float32)
            # read-only use: no copies when the graph already has these types (it is shared
            # with the symmetric-graph cache between slider moves)
            self.indptr = csr.indptr.astype(np.int64, copy=False)
            self.indices = csr.indices.astype(np.int32, copy=False)
            self.data = csr.data.astype(np.float32, copy=False)
        else:
            self.dense = np.ascontiguousarray(similarity, dtype=np.float32)
            self.indptr = np.zeros(1, dtype=np.int64)
            self.indices = np.zeros(0, dtype=np.int32)
            self.data = np.zeros(0, dtype=np.float32)
        self.n = int(similarity.shape[0])
        self.cur = np.zeros(self.n, dtype=np.float32)
        self._heap_scores = np.zeros(0)
        self._heap_rows = np.zeros(0, dtype=np.int64)
        self._size = np.zeros(1, dtype=np.int64)
        self._stamp = np.full(self.n, -1, dtype=np.int64)
        self._modular = np.zeros(self.n)
        self._scale = 1.0
        self._step = 0

    def gains(self, rows: np.ndarray) -> np.ndarray:
        """Unscaled coverage gains of ``rows`` (float64) at the current state."""
        rows = np.asarray(rows, dtype=np.int64)
        return _gains(self.dense, self.indptr, self.indices, self.data, self.cur, rows)

    def add(self, row: int) -> float:
        """Add ``row`` to the selection; return its unscaled gain."""
        gain = float(self.gains(np.array([row]))[0])
        _add(self.dense, self.indptr, self.indices, self.data, self.cur, int(row))
        self._step += 1
        return gain

    def coverage(self) -> float:
        """d(A): sum over the pool of the best similarity to the selection."""
        return float(self.cur.sum(dtype=np.float64))

    def start(self, pool: np.ndarray, modular: np.ndarray, scale: float) -> None:
        """Queue the candidate rows ``pool`` with their exact scores at the current state."""
        pool = np.asarray(pool, dtype=np.int64)
        self._modular = np.asarray(modular, dtype=np.float64)
        self._scale = float(scale)
        scores = self._scale * self.gains(pool) + self._modular[pool]
        self._heap_scores = scores.astype(np.float64)
        self._heap_rows = pool.copy()
        self._size[0] = len(pool)
        self._stamp[pool] = self._step
        heapify(self._heap_scores, self._heap_rows, len(pool))

    def pick(self, n_steps: int) -> tuple[np.ndarray, np.ndarray]:
        """Make up to ``n_steps`` greedy picks; return (rows, scores) in pick order."""
        rows = np.empty(n_steps, dtype=np.int64)
        scores = np.empty(n_steps, dtype=np.float64)
        done = _lazy_steps(self.dense, self.indptr, self.indices, self.data, self.cur,
                           self._modular, self._scale, self._heap_scores, self._heap_rows,
                           self._size, self._stamp, self._step, n_steps, rows, scores)
        self._step += done
        return rows[:done], scores[:done]


@njit(cache=True)
def _gain_one(dense, indptr, indices, data, cur, row):
    total = 0.0
    if dense.shape[0] > 0:
        srow = dense[row]
        for v in range(srow.shape[0]):
            d = srow[v] - cur[v]
            if d > 0.0:
                total += d
    else:
        for p in range(indptr[row], indptr[row + 1]):
            d = data[p] - cur[indices[p]]
            if d > 0.0:
                total += d
    return total


@njit(cache=True)
def _gains(dense, indptr, indices, data, cur, rows):
    out = np.empty(rows.shape[0], dtype=np.float64)
    for i in range(rows.shape[0]):
        out[i] = _gain_one(dense, indptr, indices, data, cur, rows[i])
    return out


@njit(cache=True)
def _add(dense, indptr, indices, data, cur, row):
    if dense.shape[0] > 0:
        srow = dense[row]
        for v in range(srow.shape[0]):
            if srow[v] > cur[v]:
                cur[v] = srow[v]
    else:
        for p in range(indptr[row], indptr[row + 1]):
            v = indices[p]
            if data[p] > cur[v]:
                cur[v] = data[p]


@njit(cache=True)
def _lazy_steps(dense, indptr, indices, data, cur, modular, scale, heap_scores, heap_rows,
                size_arr, stamp, step, n_steps, out_rows, out_scores):
    size = size_arr[0]
    done = 0
    while done < n_steps and size > 0:
        row = heap_rows[0]
        if stamp[row] == step:  # fresh: the exact argmax
            out_rows[done] = row
            out_scores[done] = heap_scores[0]
            _add(dense, indptr, indices, data, cur, row)
            size -= 1
            heap_scores[0] = heap_scores[size]
            heap_rows[0] = heap_rows[size]
            sift_down(heap_scores, heap_rows, size, 0)
            done += 1
            step += 1
        else:
            heap_scores[0] = scale * _gain_one(dense, indptr, indices, data, cur, row) \
                + modular[row]
            stamp[row] = step
            sift_down(heap_scores, heap_rows, size, 0)
    size_arr[0] = size
    return done


class RelativeGainGreedy:
    """Exact lazy greedy of f_t(c) = (1 - alpha) * gain(c) / G_t + alpha * q[c].

    G_t = max over the free candidates of gain(b) at step t (QDIT's "relative" mode). When
    G_t = 0 (no candidate covers anything new) the ratio 0/0 counts as 1: every candidate has
    all of the best gain, so the pick is the best quality (ties to the lower row) and
    f_t = (1 - alpha) + alpha * q. Usage: ``RelativeGainGreedy(fl, pool, quality, alpha)``
    on a FacilityLocationGreedy ``fl`` (its coverage state is shared and advanced),
    ``force(row)`` for must-include rows, then ``pick(n_steps)`` repeatedly.
    Memory O(n); time per step: one exact top per quality tier, the scan of the untiered
    rows, and the lazy gain evaluations.
    """

    def __init__(self, fl: FacilityLocationGreedy, pool: np.ndarray, quality: np.ndarray,
                 alpha: float) -> None:
        self.fl = fl
        n = fl.n
        pool = np.asarray(pool, dtype=np.int64)
        self.q = np.asarray(quality, dtype=np.float64)
        self.alpha = float(alpha)
        self._sim = (fl.dense, fl.indptr, fl.indices, fl.data)
        self._gval = np.zeros(n)
        self._gval[pool] = fl.gains(pool)
        self._stamp = np.full(n, -1, dtype=np.int64)
        self._stamp[pool] = fl._step
        self._taken = np.ones(n, dtype=np.bool_)
        self._taken[pool] = False
        # Lazy max-heap of gain upper bounds (finds G_t), the free candidates (bound scan)
        # with each row's position, the candidates by quality (best first, ties lower row)
        # and scratch space for one step's shortlist.
        self._gheap = (self._gval[pool].copy(), pool.copy(), np.array([len(pool)]))
        heapify(self._gheap[0], self._gheap[1], len(pool))
        # (rows, position of each row, count, alpha * q in the rows' order): the per-step
        # bound scan reads quality sequentially instead of gathering it
        self._tiers, scanned = _quality_tiers(pool, self.q, self._gval)
        self._free = np.array([len(pool)])
        self._cand = (scanned.copy(), np.full(n, -1, dtype=np.int64), np.array([len(scanned)]),
                      self.alpha * self.q[scanned])
        self._cand[1][scanned] = np.arange(len(scanned))
        self._by_quality = (pool[np.lexsort((pool, -self.q[pool]))], np.zeros(1, dtype=np.int64))
        self._scratch = (np.empty(len(scanned)), np.empty(len(scanned), dtype=np.int64))

    def _state(self) -> tuple:
        return (self._gval, self._stamp, self._taken, self._gheap, self._cand,
                self._by_quality, self._scratch, self._tiers, self._free)

    def force(self, row: int) -> tuple[float, float]:
        """Add a must-include ``row``; return (f_t, unscaled gain), G_t counting the row too."""
        gain = float(self.fl.gains(np.array([row]))[0])
        best = max(gain, _best_gain(self._sim, self.fl.cur, self._state(), self.fl._step))
        ratio = gain / best if best > 0.0 else 1.0
        _take(self._state(), int(row))
        self.fl.add(int(row))
        return (1.0 - self.alpha) * ratio + self.alpha * float(self.q[row]), gain

    def pick(self, n_steps: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Up to ``n_steps`` greedy picks: (rows, f_t of each pick, unscaled gains)."""
        rows = np.empty(n_steps, dtype=np.int64)
        scores = np.empty(n_steps, dtype=np.float64)
        gains = np.empty(n_steps, dtype=np.float64)
        done = _relative_steps(self._sim, self.fl.cur, self.q, self.alpha, self._state(),
                               self.fl._step, n_steps, rows, scores, gains)
        self.fl._step += done
        return rows[:done], scores[:done], gains[:done]


def _quality_tiers(pool: np.ndarray, q: np.ndarray, gval: np.ndarray
                   ) -> tuple[tuple, np.ndarray]:
    """Split the candidates ``pool`` into tiers (quality values held by >= TIER_MIN of them,
    best quality first) and the rest, which is returned to be scanned.

    Tiers: (keys, rows, start, size, quality, stack): tier t's lazy max-heap of gain upper
    bounds is keys/rows[start[t]:start[t] + size[t]] (taken rows leave it when they reach
    the top); ``stack`` is scratch for a walk down the largest heap."""
    values, inverse, counts = np.unique(q[pool], return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    tiered = counts[inverse] >= TIER_MIN
    tier_values = np.flatnonzero(counts >= TIER_MIN)[::-1]  # best quality first
    rank = np.full(values.size, -1, dtype=np.int64)
    rank[tier_values] = np.arange(tier_values.size)
    members = pool[tiered]
    order = np.lexsort((members, rank[inverse[tiered]]))
    rows = members[order].astype(np.int64)
    sizes = counts[tier_values].astype(np.int64)
    start = np.zeros(sizes.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=start[1:])
    keys = gval[rows].astype(np.float64)
    for t in range(sizes.size):
        heapify(keys[start[t]:start[t + 1]], rows[start[t]:start[t + 1]], int(sizes[t]))
    tiers = (keys, rows, start, sizes.copy(), values[tier_values].astype(np.float64),
             np.empty(int(sizes.max()) if sizes.size else 1, dtype=np.int64))
    return tiers, pool[~tiered]


@njit(cache=True)
def _tier_best(sim, cur, state, step, w, alpha, best, t, best_s, best_r):
    """(score, row) of the better of (best_s, best_r) and tier t's best free candidate.

    The tier's top is made exact lazily (taken rows popped, stale bounds tightened to a
    gain evaluated since, or re-evaluated): it is then the largest gain, lowest row among
    equal gains, so the tier's best score. If rounding can give a smaller gain the same
    score (w * (g / best) + alpha * q equal for the next float below g: whenever the quality
    term is the larger, never at g = 0), the heap is also walked down from the top, without
    changing it, through every entry whose bound still reaches the best score (usually the
    top's children end the walk), so equal scores go to the lower row as in a brute-force
    argmax."""
    gval, stamp, taken = state[0], state[1], state[2]
    all_keys, all_rows, start, sizes, tq, stack = state[7]
    qt = tq[t]
    keys = all_keys[start[t]:start[t + 1]]
    rows = all_rows[start[t]:start[t + 1]]
    size = sizes[t]
    while size > 0:
        # not even the bound can win; a stale key may exceed G_t = best, but no gain does
        if w * (min(keys[0], best) / best) + alpha * qt < best_s:
            sizes[t] = size
            return best_s, best_r
        size, exact = _refine_top(sim, cur, gval, stamp, taken, keys, rows, size, step)
        if exact:
            break
    sizes[t] = size
    if size == 0:
        return best_s, best_r
    g0 = keys[0]
    s0 = w * (g0 / best) + alpha * qt
    if s0 > best_s or (s0 == best_s and rows[0] < best_r):
        best_s, best_r = s0, rows[0]
    if s0 < best_s or g0 <= 0.0 or w * (np.nextafter(g0, -np.inf) / best) + alpha * qt < s0:
        return best_s, best_r
    stack[0] = 0
    depth = 1
    while depth > 0:
        depth -= 1
        i = stack[depth]
        if w * (keys[i] / best) + alpha * qt < best_s:
            continue  # the whole subtree is bounded by this key
        row = rows[i]
        if not taken[row]:
            s = w * (_fresh_gain(sim, cur, gval, stamp, row, step) / best) + alpha * qt
            if s > best_s or (s == best_s and row < best_r):
                best_s = s
                best_r = row
        for child in (2 * i + 1, 2 * i + 2):
            if child < size:
                stack[depth] = child
                depth += 1
    return best_s, best_r


@njit(cache=True)
def _take(state, row):
    """Mark ``row`` picked and swap it out of the scanned candidates (a tier's heap drops it
    when it reaches the top)."""
    rows, pos, count, aq = state[4]
    if not state[2][row]:
        state[8][0] -= 1
    state[2][row] = True
    i = pos[row]
    if i < 0:
        return
    last = rows[count[0] - 1]
    rows[i] = last
    aq[i] = aq[count[0] - 1]
    pos[last] = i
    pos[row] = -1
    count[0] -= 1


@njit(cache=True)
def _fresh_gain(sim, cur, gval, stamp, row, step):
    """gval[row] made exact at ``step`` (evaluated at most once per step)."""
    if stamp[row] != step:
        gval[row] = _gain_one(sim[0], sim[1], sim[2], sim[3], cur, row)
        stamp[row] = step
    return gval[row]


@njit(cache=True)
def _refine_top(sim, cur, gval, stamp, taken, keys, rows, size, step):
    """One move of a lazy max-heap of gain upper bounds (keys, rows: its first ``size``
    entries) towards an exact top: a taken top leaves, a stale top takes a gain evaluated
    since its key was set (by another heap, a tier or the scan: a tighter bound, free) or
    is evaluated. Returns (new size, whether the top is exact: then keys[0] is its gain and,
    the others being upper bounds, the heap's maximum)."""
    row = rows[0]
    if taken[row]:
        size -= 1
        keys[0] = keys[size]
        rows[0] = rows[size]
        sift_down(keys, rows, size, 0)
        return size, False
    if stamp[row] != step and gval[row] < keys[0]:
        keys[0] = gval[row]
        sift_down(keys, rows, size, 0)
        return size, False
    g = _fresh_gain(sim, cur, gval, stamp, row, step)
    if keys[0] == g:
        return size, True
    keys[0] = g
    sift_down(keys, rows, size, 0)
    return size, False


@njit(cache=True)
def _best_gain(sim, cur, state, step):
    """G_t: the exact largest gain among free candidates (0 when none is left); afterwards
    the gain heap's top row is that candidate, fresh."""
    gval, stamp, taken, gheap = state[0], state[1], state[2], state[3]
    keys, rows, size_arr = gheap
    size = size_arr[0]
    while size > 0:
        size, exact = _refine_top(sim, cur, gval, stamp, taken, keys, rows, size, step)
        if exact:
            break
    size_arr[0] = size
    return keys[0] if size > 0 else 0.0


@njit(cache=True)
def _best_quality_row(by_quality, taken):
    """The free candidate with the best quality (ties to the lower row)."""
    order, ptr = by_quality
    while taken[order[ptr[0]]]:
        ptr[0] += 1
    return order[ptr[0]]


@njit(cache=True)
def _relative_argmax(sim, cur, q, alpha, best, state, step):
    """(row, f_t) maximising (1 - alpha) * gain / best + alpha * q over free candidates.

    Lower bound: the exact scores of the G_t row and of the best-quality row, raised by each
    tier's exact best (:func:`_tier_best`). Then the scanned rows: those whose bound
    (1 - alpha) * gval / best + alpha * q (gval a stale upper bound or exact) reaches it go
    into a lazy heap that re-evaluates stale rows until an exact score is on top."""
    gval, stamp, cand, scratch = state[0], state[1], state[4], state[6]
    top = state[3][1][0]
    qrow = _best_quality_row(state[5], state[2])
    _fresh_gain(sim, cur, gval, stamp, qrow, step)
    w = 1.0 - alpha
    best_r = top
    best_s = w * (gval[top] / best) + alpha * q[top]
    s = w * (gval[qrow] / best) + alpha * q[qrow]
    if s > best_s or (s == best_s and qrow < best_r):
        best_s, best_r = s, qrow
    for t in range(state[7][3].shape[0]):
        best_s, best_r = _tier_best(sim, cur, state, step, w, alpha, best, t, best_s, best_r)
    keys, rows = scratch
    m = 0
    scale = w / best
    # The scan's bound w / best * gval + alpha * q is rounded differently from the scores
    # (w * (gval / best) + alpha * q); a relative slack of 1e-12 keeps every row whose exact
    # score could reach ``best_s`` (the shortlist is then scored with the exact formula).
    cut = best_s - 1e-12 * abs(best_s)
    cand_rows, aq = cand[0], cand[3]
    for i in range(cand[2][0]):
        row = cand_rows[i]
        key = scale * gval[row] + aq[i]
        if key >= cut:
            key = w * (gval[row] / best) + alpha * q[row]
            if key >= best_s:
                keys[m] = key
                rows[m] = row
                m += 1
    if m == 0:
        return best_r, best_s
    heapify(keys, rows, m)
    while stamp[rows[0]] != step:  # keys of rows fresh at this step are exact
        row = rows[0]
        keys[0] = w * (_fresh_gain(sim, cur, gval, stamp, row, step) / best) + alpha * q[row]
        sift_down(keys, rows, m, 0)
    if keys[0] > best_s or (keys[0] == best_s and rows[0] < best_r):
        return rows[0], keys[0]
    return best_r, best_s


@njit(cache=True)
def _relative_steps(sim, cur, q, alpha, state, step, n_steps, out_rows, out_scores, out_gains):
    done = 0
    while done < n_steps and state[8][0] > 0:
        best = _best_gain(sim, cur, state, step)
        if best > 0.0 and alpha == 0.0:
            # Pure coverage: the gain heap's top is already the argmax of gain / G_t (the
            # largest gain, ties to the lower row), so the bound scan is skipped.
            row = state[3][1][0]
            score = 1.0
            gain = best
        elif best > 0.0 and alpha == 1.0:
            # Pure quality: every score is 0 * (gain / G_t) + q exactly, so the best quality
            # (ties to the lower row) is the pick.
            row = _best_quality_row(state[5], state[2])
            score = q[row]
            gain = _fresh_gain(sim, cur, state[0], state[1], row, step)
        elif best > 0.0:
            row, score = _relative_argmax(sim, cur, q, alpha, best, state, step)
            gain = state[0][row]
        else:  # everything is covered: 0 / 0 counts as 1, quality decides
            row = _best_quality_row(state[5], state[2])
            score = (1.0 - alpha) + alpha * q[row]
            gain = 0.0
        out_rows[done] = row
        out_scores[done] = score
        out_gains[done] = gain
        _take(state, row)
        _add(sim[0], sim[1], sim[2], sim[3], cur, row)
        done += 1
        step += 1
    return done
