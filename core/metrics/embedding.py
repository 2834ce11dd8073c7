"""Embedding-level diversity of a selection: coverage, radius, spread and Vendi score.

All functions take L2-normalised embeddings X of shape (n, d) (cosine = dot product) and a
selection given as pool row indices (k,), and return plain floats or arrays. They never
modify their inputs.

- facility-location coverage: FL(A) = (1/n) * sum_v max(0, max_{a in A} cos(v, a)), in [0, 1]
  (the QDIT objective, mean instead of sum so pools of different sizes compare);
- k-center radius: distances dist(v) = 1 - max_{a in A} cos(v, a) (cosine distance, in
  [0, 2]); the max over the pool and its 95th percentile;
- mean pairwise cosine distance of the selection, in closed form;
- Vendi score (Friedman & Dieng 2023) with the cosine kernel.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from core.errors import InputError
from core.neighbors import KnnGraph

# Pool rows per block of the dense max-similarity search: block * k floats stay near 64 MB.
_BLOCK_FLOATS = 16 * 1024 * 1024


def check_selection(indices, n: int, *, field: str = "selection") -> np.ndarray:
    """Validate pool row indices: 1-D, at least one, unique, inside [0, n). Returns int64."""
    idx = np.asarray(indices)
    if idx.ndim != 1 or (idx.size and not np.issubdtype(idx.dtype, np.integer)):
        raise InputError("expected a 1-D array of integer pool row indices", field=field)
    idx = idx.astype(np.int64, copy=False)
    if idx.size == 0:
        raise InputError("the selection is empty; metrics need at least one row", field=field)
    if idx.min() < 0 or idx.max() >= n:
        raise InputError(f"row indices must lie in [0, {n}); got {idx.min()}..{idx.max()}",
                         field=field)
    if np.unique(idx).size != idx.size:
        raise InputError("the selection repeats a row; expected unique pool rows", field=field)
    return idx


def _dense_nearest(x: np.ndarray, pick_rows: np.ndarray, rows: np.ndarray | None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(max_a cos(x_v, a), the pool row of that a) for v in ``rows`` (all rows if None), a
    over the pool rows ``pick_rows``, by blocked float32 matmul."""
    sel_t = np.ascontiguousarray(np.asarray(x[pick_rows], dtype=np.float32).T)
    n_rows = x.shape[0] if rows is None else rows.size
    best = np.empty(n_rows, dtype=np.float32)
    near = np.empty(n_rows, dtype=np.int64)
    block = max(256, _BLOCK_FLOATS // max(1, sel_t.shape[1]))
    for start in range(0, n_rows, block):
        stop = min(start + block, n_rows)
        chunk = x[start:stop] if rows is None else x[rows[start:stop]]
        sims = chunk @ sel_t
        arg = sims.argmax(axis=1)
        best[start:stop] = sims[np.arange(stop - start), arg]
        near[start:stop] = pick_rows[arg]
    return best, near


@dataclass(frozen=True)
class _Nearest:
    """One selection's dense results: for the rows in ``valid``, the similarity to the
    nearest pick and that pick's pool row."""

    picked: np.ndarray  # (n,) bool
    valid: np.ndarray   # (n,) bool
    sims: np.ndarray    # (n,) float32
    near: np.ndarray    # (n,) int64


class NearestPickMemo:
    """The dense nearest-pick results of the last few selections (``size``), so that a
    selection differing from one of them in a few rows (a slider step) is updated instead of
    recomputed: a row whose nearest pick is still selected only meets the added picks, the
    others meet every pick. O(n |added| d + |affected| k d) instead of O(n k d).

    The values agree with a fresh computation up to float32 rounding of the dot products
    (the same products, in matmuls of other shapes). Thread-safe; ``hits`` counts updates.
    """

    def __init__(self, size: int = 4) -> None:
        self.size = int(size)
        self.hits = 0
        self._entries: OrderedDict[bytes, _Nearest] = OrderedDict()
        self._lock = threading.Lock()

    def closest(self, picked: np.ndarray) -> tuple[_Nearest | None, int]:
        """The remembered selection nearest to ``picked`` and how many rows it lacks
        (picks to add); ties to the most recent."""
        with self._lock:
            entries = list(self._entries.values())
        best, best_added = None, -1
        for entry in reversed(entries):
            if entry.picked.shape != picked.shape:
                continue
            added = int(np.count_nonzero(picked & ~entry.picked))
            if best is None or added < best_added:
                best, best_added = entry, added
        return best, best_added

    def remember(self, entry: _Nearest) -> None:
        key = np.packbits(entry.picked).tobytes()
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def _nearest_with_memo(x: np.ndarray, idx: np.ndarray, rows: np.ndarray | None,
                       memo: NearestPickMemo) -> np.ndarray:
    """Max similarity of ``rows`` (all if None) to the picks ``idx`` through ``memo``."""
    n = x.shape[0]
    picked = np.zeros(n, dtype=bool)
    picked[idx] = True
    wanted = np.arange(n) if rows is None else rows
    sims = np.zeros(n, dtype=np.float32)
    near = np.zeros(n, dtype=np.int64)
    base, n_added = memo.closest(picked)
    if base is not None and n_added <= idx.size // 2:
        # rows the base computed whose nearest pick is still selected: only the added
        # picks can beat it
        kept = wanted[base.valid[wanted] & picked[base.near[wanted]]]
        sims[kept] = base.sims[kept]
        near[kept] = base.near[kept]
        added = np.flatnonzero(picked & ~base.picked)
        if added.size and kept.size:
            add_sims, add_near = _dense_nearest(x, added, kept)
            better = add_sims > sims[kept]
            sims[kept[better]] = add_sims[better]
            near[kept[better]] = add_near[better]
        fresh = np.setdiff1d(wanted, kept, assume_unique=True)
        memo.hits += 1
    else:
        fresh = wanted
    if fresh.size:
        sims[fresh], near[fresh] = _dense_nearest(x, idx, fresh)
    valid = np.zeros(n, dtype=bool)
    valid[wanted] = True
    memo.remember(_Nearest(picked, valid, sims, near))
    return sims[wanted]


def max_similarity_to_selection(embeddings: np.ndarray, indices, *, knn: KnnGraph | None = None,
                                memo: NearestPickMemo | None = None) -> np.ndarray:
    """Cosine of every pool row to its most similar selected row: (n,) float32.

    Dense path: blocked float32 matmul X @ X_A^T, O(n k d) time, O(64 MB) memory.
    With ``knn`` (the pool's kNN graph, row itself in column 0, sorted by descending
    similarity): a row whose neighbour list holds a selected row takes the similarity of
    the first such neighbour; only the other rows go through the dense path. With an exact
    graph this is exact (a pick outside the list cannot be closer than one inside it); with
    an approximate (NN-descent) graph a row's true nearest pick may have been missed, so the
    value is a lower bound that is exact for almost every row.
    With ``memo`` (:class:`NearestPickMemo`) the dense part is updated from a remembered
    selection that shares most rows with this one (the dashboard's slider steps).
    """
    x = np.asarray(embeddings)
    idx = check_selection(indices, x.shape[0])
    if x.dtype != np.float32:
        x = x.astype(np.float32)

    def dense(rows: np.ndarray | None) -> np.ndarray:
        if memo is not None:
            return _nearest_with_memo(x, idx, rows, memo)
        return _dense_nearest(x, idx, rows)[0]

    if knn is None:
        return dense(None)
    if knn.n != x.shape[0]:
        raise InputError(f"the kNN graph has {knn.n} rows but the pool has {x.shape[0]}",
                         field="knn")
    selected = np.zeros(x.shape[0], dtype=bool)
    selected[idx] = True
    hit = selected[knn.indices]
    found = hit.any(axis=1)
    first = hit.argmax(axis=1)
    out = knn.sims[np.arange(x.shape[0]), first].astype(np.float32)
    rest = np.flatnonzero(~found)
    if rest.size:
        out[rest] = dense(rest)
    return out


def facility_location_coverage(max_sims: np.ndarray) -> float:
    """FL = mean over the pool of max(0, cos to the nearest pick); 1 when every row is picked.

    ``max_sims`` is the output of :func:`max_similarity_to_selection` (or any subset of its
    rows, e.g. a pool sample, which gives an unbiased estimate).
    """
    return float(np.clip(np.asarray(max_sims, dtype=np.float64), 0.0, 1.0).mean())


def kcenter_radius(max_sims: np.ndarray, percentile: float = 95.0) -> tuple[float, float]:
    """(max, percentile) over the pool of the cosine distance 1 - cos to the nearest pick.

    The max is the k-center (farthest-point) covering radius; the percentile is robust to a
    few outliers. Both in [0, 2]; lower = better covered.
    """
    dist = np.clip(1.0 - np.asarray(max_sims, dtype=np.float64), 0.0, 2.0)
    return float(dist.max()), float(np.percentile(dist, percentile))


def mean_pairwise_cosine_distance(embeddings: np.ndarray, indices=None) -> float | None:
    """Mean of 1 - cos(a, b) over ordered pairs a != b of the selection (all rows if None).

    Closed form, O(k d): sum_{a != b} cos(a, b) = |sum_a x_a|^2 - sum_a |x_a|^2, so no k x k
    matrix is formed. None for fewer than two rows.
    """
    x = np.asarray(embeddings)
    rows = x if indices is None else x[check_selection(indices, x.shape[0])]
    m = rows.shape[0]
    if m < 2:
        return None
    total = rows.sum(axis=0, dtype=np.float64)
    sq_norms = np.einsum("ij,ij->", rows, rows, dtype=np.float64)
    mean_cos = (float(total @ total) - float(sq_norms)) / (m * (m - 1))
    return 1.0 - mean_cos


def vendi_from_eigenvalues(eigenvalues: np.ndarray) -> float:
    """exp(-sum p log p) of eigenvalues normalised to sum 1 (round-off negatives dropped)."""
    lam = np.clip(np.asarray(eigenvalues, dtype=np.float64), 0.0, None)
    total = lam.sum()
    if total <= 0:
        return 1.0
    p = lam[lam > 0] / total
    return float(np.exp(-(p * np.log(p)).sum()))


def vendi_score(embeddings: np.ndarray, indices=None) -> float:
    """Vendi score with the cosine kernel: exp(H), H the Shannon entropy of eig(K / m).

    K = X_A X_A^T (m x m, diagonal 1). Its non-zero eigenvalues equal those of the
    d x d feature covariance X_A^T X_A, so the score is computed *exactly* from whichever
    matrix is smaller: O(m d min(m, d)) time, never an m x m matrix when m > d. Ranges from
    1 (all rows identical) to min(m, d) (orthogonal rows): the effective number of distinct
    rows. ``indices`` None scores every row (the pool).
    """
    x = np.asarray(embeddings)
    rows = x if indices is None else x[check_selection(indices, x.shape[0])]
    if rows.shape[0] <= rows.shape[1]:
        r64 = np.asarray(rows, dtype=np.float64)
        return vendi_from_eigenvalues(np.linalg.eigvalsh(r64 @ r64.T))
    cov = np.zeros((rows.shape[1], rows.shape[1]), dtype=np.float64)
    for start in range(0, rows.shape[0], 8192):  # float64 accumulation without a full copy
        chunk = np.asarray(rows[start:start + 8192], dtype=np.float64)
        cov += chunk.T @ chunk
    return vendi_from_eigenvalues(np.linalg.eigvalsh(cov))
