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

The greedy maximises score(c) = scale * gain(c) + modular[c] (QDIT's quality term is the
modular part) with lazy evaluation in a binary max-heap compiled with numba: stale scores
are upper bounds because gains only shrink, and heap ties go to the lower row, so the picks
equal a brute-force greedy that takes ``argmax`` over rows in order.
"""

from __future__ import annotations

import weakref

import numpy as np
import scipy.sparse as sp
from numba import njit

from core.neighbors import KnnGraph
from core.select.lazy import heapify, sift_down

DENSE_BLOCK = 1024


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

    O(n K log K). The last two results are kept while their graph is alive, so
    a dashboard slider that re-runs QDIT on the same graph pays this once.
    """
    key = (id(knn.indices), id(knn.sims))
    hit = _SYM_CACHE.get(key)
    if hit is not None and hit[0]() is knn.indices and hit[1]() is knn.sims:
        return hit[2]
    s = knn.to_csr(clip_negative=True)
    mat = s.maximum(s.T).tocsr()
    mat.sort_indices()
    if len(_SYM_CACHE) >= 2:
        _SYM_CACHE.pop(next(iter(_SYM_CACHE)))
    _SYM_CACHE[key] = (weakref.ref(knn.indices), weakref.ref(knn.sims), mat)
    return mat


_SYM_CACHE: dict[tuple[int, int], tuple] = {}


class FacilityLocationGreedy:
    """Exact lazy greedy of ``scale * coverage gain + modular`` over a dense or sparse similarity.

    Usage: ``add(row)`` for forced picks (must-include), then ``start(pool, modular, scale)``
    and ``pick(n_steps)`` repeatedly (so a caller can report progress between chunks).
    """

    def __init__(self, similarity: np.ndarray | sp.csr_matrix) -> None:
        if sp.issparse(similarity):
            csr = similarity.tocsr()
            self.dense = np.zeros((0, 0), dtype=np.float32)
            self.indptr = csr.indptr.astype(np.int64)
            self.indices = csr.indices.astype(np.int32)
            self.data = csr.data.astype(np.float32)
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
