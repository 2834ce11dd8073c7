"""One cosine kNN graph per embedding matrix, shared by the map (UMAP) and the selection engine.

The graph stores, for every row i, its K nearest rows by cosine similarity *including i
itself in column 0* (similarity 1), sorted by descending similarity. Embeddings are
L2-normalised, so cosine = dot product.

Exact search is blocked brute force (O(n^2 d) time, O(block * n) memory, never an n x n
matrix); past ``exact_max_n`` rows the approximate NN-descent of pynndescent is used
(about O(n^1.14 d)), which is what umap-learn itself would do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from core.progress import ProgressFn, check_progress

DEFAULT_K = 32
EXACT_MAX_N = 60_000


@dataclass(frozen=True)
class KnnGraph:
    """indices (n, K) int32 with the row itself in column 0; sims (n, K) float32, descending."""

    indices: np.ndarray
    sims: np.ndarray
    exact: bool

    @property
    def n(self) -> int:
        return int(self.indices.shape[0])

    @property
    def k(self) -> int:
        return int(self.indices.shape[1])

    def to_csr(self, clip_negative: bool = True) -> sp.csr_matrix:
        """Sparse n x n similarity matrix S with S[i, j] = sim(i, j) for j in kNN(i).

        With ``clip_negative`` the similarities are clipped at 0 (and zeros dropped), the
        convention the facility-location objective uses.
        """
        n, k = self.indices.shape
        data = self.sims.astype(np.float32).ravel()
        if clip_negative:
            data = np.clip(data, 0.0, None)
        indptr = np.arange(0, n * k + 1, k, dtype=np.int64)
        mat = sp.csr_matrix((data, self.indices.ravel().astype(np.int32), indptr), shape=(n, n))
        mat.eliminate_zeros()
        return mat


def build_knn_graph(embeddings: np.ndarray, k: int = DEFAULT_K, *, method: str = "auto",
                    exact_max_n: int = EXACT_MAX_N, block: int = 2048, seed: int = 0,
                    progress: ProgressFn | None = None) -> KnnGraph:
    """Build the cosine kNN graph of L2-normalised ``embeddings`` (n, d).

    method: "exact" (blocked brute force), "approx" (pynndescent) or "auto" (exact up to
    ``exact_max_n`` rows). ``k`` counts the row itself; it is capped at n.
    ``progress(done, total)`` is called per block; returning False cancels.
    """
    x = np.ascontiguousarray(embeddings, dtype=np.float32)
    n = x.shape[0]
    if n == 0:
        raise ValueError("cannot build a kNN graph of an empty matrix")
    k = max(1, min(int(k), n))
    if method == "auto":
        method = "exact" if n <= exact_max_n else "approx"
    if method == "exact":
        return _exact_knn(x, k, block, progress)
    if method == "approx":
        return _approx_knn(x, k, seed, progress)
    raise ValueError(f"unknown kNN method {method!r}; expected exact, approx or auto")


def _exact_knn(x: np.ndarray, k: int, block: int, progress: ProgressFn | None) -> KnnGraph:
    n = x.shape[0]
    indices = np.empty((n, k), dtype=np.int32)
    sims = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, block):
        stop = min(n, start + block)
        s = x[start:stop] @ x.T  # (b, n)
        rows = np.arange(stop - start)
        # The row itself always comes first, whatever round-off does to its similarity.
        s[rows, np.arange(start, stop)] = np.inf
        if k < n:
            part = np.argpartition(-s, k - 1, axis=1)[:, :k]
        else:
            part = np.broadcast_to(np.arange(n), (stop - start, n)).copy()
        ps = np.take_along_axis(s, part, axis=1)
        order = np.lexsort((part, -ps), axis=1)  # descending sim, ties by index: deterministic
        indices[start:stop] = np.take_along_axis(part, order, axis=1)
        sims[start:stop] = np.take_along_axis(ps, order, axis=1)
        sims[start:stop, 0] = 1.0
        check_progress(progress, stop, n, "kNN graph")
    return KnnGraph(indices=indices, sims=sims, exact=True)


def _approx_knn(x: np.ndarray, k: int, seed: int, progress: ProgressFn | None) -> KnnGraph:
    from pynndescent import NNDescent

    index = NNDescent(x, metric="cosine", n_neighbors=k, random_state=seed,
                      low_memory=True, n_jobs=1, compressed=True)
    idx, dist = index.neighbor_graph
    idx = idx.astype(np.int32)
    sims = (1.0 - dist).astype(np.float32)
    n = x.shape[0]
    # Put the row itself in column 0 (NN-descent normally finds it; make it certain).
    own = np.arange(n, dtype=np.int32)
    for i in np.nonzero(idx[:, 0] != own)[0]:
        row = [j for j in idx[i] if j != i and j >= 0][: k - 1]
        srow = [sims[i, t] for t, j in enumerate(idx[i]) if j != i and j >= 0][: k - 1]
        while len(row) < k - 1:  # NN-descent may leave -1 holes on tiny graphs
            row.append(i)
            srow.append(-1.0)
        idx[i] = [i, *row]
        sims[i] = [1.0, *srow]
    sims[:, 0] = 1.0
    if progress is not None:
        progress(n, n)
    return KnnGraph(indices=idx, sims=sims, exact=False)
