"""Which pick represents each pool row: its most similar pick.

The similarity is the one the strategy optimised:

- "knn": the symmetrised kNN graph max(S, S^T) with cosine clipped at 0
  (core.select.facility_location.symmetric_similarity), when the run used it (qdit's sparse
  path). A row none of whose graph neighbours was picked is represented by no pick (-1);
- "dense": the cosine of the embeddings against every pick, for every other strategy
  (strategies with no similarity of their own are explained by the embedding cosine too).

A pick always represents itself (similarity 1). Ties go to the earlier pick (lower rank).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

BLOCK = 4096


def nearest_pick_dense(x: np.ndarray, picks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rank of the most similar pick (n,) int64, its cosine (n,) float64) for every row.

    x: (n, d) L2-normalised. O(n k d) time in blocks of BLOCK rows, O(BLOCK k) memory.
    """
    x = np.asarray(x, dtype=np.float32)
    xp = np.ascontiguousarray(x[picks])
    n = x.shape[0]
    rep = np.empty(n, dtype=np.int64)
    sim = np.empty(n, dtype=np.float64)
    for start in range(0, n, BLOCK):
        block = x[start:start + BLOCK] @ xp.T
        best = block.argmax(axis=1)
        rep[start:start + BLOCK] = best
        sim[start:start + BLOCK] = block[np.arange(len(best)), best]
    return _self_represented(rep, sim, picks)


def nearest_pick_graph(graph: sp.csr_matrix, picks: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`nearest_pick_dense` over a sparse similarity; -1 and 0.0 for rows with no
    pick among their stored neighbours. O(nnz) time."""
    n = graph.shape[0]
    rank_of = np.full(n, -1, dtype=np.int64)
    rank_of[picks] = np.arange(len(picks))
    csr = graph.tocsr()
    ranks = rank_of[csr.indices]
    keep = (ranks >= 0) & (csr.data > 0)
    owner = np.repeat(np.arange(n), np.diff(csr.indptr))[keep]
    ranks, vals = ranks[keep], csr.data[keep].astype(np.float64)
    # best per owner: sort by owner, then similarity descending, then rank ascending
    order = np.lexsort((ranks, -vals, owner))
    owner, ranks, vals = owner[order], ranks[order], vals[order]
    first = np.ones(len(owner), dtype=bool)
    first[1:] = owner[1:] != owner[:-1]
    rep = np.full(n, -1, dtype=np.int64)
    sim = np.zeros(n, dtype=np.float64)
    rep[owner[first]] = ranks[first]
    sim[owner[first]] = vals[first]
    return _self_represented(rep, sim, picks)


def _self_represented(rep: np.ndarray, sim: np.ndarray, picks: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray]:
    rep[picks] = np.arange(len(picks))
    sim[picks] = 1.0
    return rep, sim


def closest_represented(rep: np.ndarray, sim: np.ndarray, picks: np.ndarray, top: int = 3
                        ) -> list[list[int]]:
    """For each pick (rank order), the pool rows of its ``top`` most similar represented
    rows (itself excluded), most similar first."""
    others = np.flatnonzero(rep >= 0)
    others = others[~np.isin(others, picks)]
    order = np.lexsort((others, -sim[others], rep[others]))
    rows = others[order]
    owners = rep[rows]
    out: list[list[int]] = [[] for _ in range(len(picks))]
    starts = np.searchsorted(owners, np.arange(len(picks)))
    ends = np.searchsorted(owners, np.arange(len(picks)), side="right")
    for j, (a, b) in enumerate(zip(starts, ends, strict=True)):
        out[j] = rows[a:min(b, a + top)].tolist()
    return out
